"""Pick the configured search backend (``PORTAL_SEARCH_BACKEND``)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.backends.base import SearchBackend
from search.backends.engines import FLAVOURS


@cache
def _backend(name: str, urls: str, index: str, replicas: int) -> SearchBackend:
    if name == "postgres":
        from search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if name in FLAVOURS:
        from search.backends.engine import EngineBackend

        return EngineBackend(name, urls, index, replicas=replicas)
    raise ImproperlyConfigured(
        f"PORTAL_SEARCH_BACKEND must be postgres, opensearch or elasticsearch, not {name!r}."
    )


def get_backend() -> SearchBackend:
    return _backend(
        settings.PORTAL_SEARCH_BACKEND,
        settings.PORTAL_SEARCH_URL,
        settings.PORTAL_SEARCH_INDEX,
        settings.PORTAL_SEARCH_REPLICAS,
    )
