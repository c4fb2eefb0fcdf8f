"""Helpers shared by the portal's form views."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def add_errors(form, error: ValidationError) -> None:
    """Show an action's ValidationError on ``form``: per field where the field exists, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
