"""The portal project: settings, URLs and the portal's own apps."""
