"""Pick the configured search backend (``PORTAL_SEARCH_BACKEND``)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.backends.base import SearchBackend


@cache
def _backend(name: str, url: str, index: str) -> SearchBackend:
    if name == "postgres":
        from search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if name == "elasticsearch":
        from search.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend(url, index)
    raise ImproperlyConfigured(f"PORTAL_SEARCH_BACKEND must be postgres or elasticsearch, not {name!r}.")


def get_backend() -> SearchBackend:
    return _backend(settings.PORTAL_SEARCH_BACKEND, settings.ELASTICSEARCH_URL, settings.PORTAL_SEARCH_INDEX)
