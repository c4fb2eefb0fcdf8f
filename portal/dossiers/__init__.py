"""Dossiers: control cases about a company, owned by exactly one organisation."""
