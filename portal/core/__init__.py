"""The portal's frame: home page, health check, base layout."""
