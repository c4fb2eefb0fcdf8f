"""System checks: the portal cannot store or serve a single file without its "documents" storage."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.files)
def documents_storage_is_configured(app_configs=None, **kwargs) -> list[Error]:
    """Every upload, download, purge and key rotation goes through ``STORAGES["documents"]``;
    a settings module that replaces ``STORAGES`` without it would fail each of them with 500."""
    if "documents" in getattr(settings, "STORAGES", {}):
        return []
    return [
        Error(
            'STORAGES has no "documents" entry: no document could be uploaded, downloaded, '
            "purged or re-keyed.",
            hint='Keep base.py\'s STORAGES["documents"] when replacing STORAGES (see '
            "PORTAL_DOCUMENT_STORAGE in the README).",
            id="documents.E001",
        )
    ]
