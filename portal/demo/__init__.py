"""Demo data for a freshly installed portal (never for production)."""
