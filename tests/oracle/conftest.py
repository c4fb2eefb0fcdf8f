"""The million-world run starts several pytest processes (``make oracle-million``): each gets a
test database of its own, named after its shard."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    shard = os.environ.get("ORACLE_SHARD")
    if shard:
        from django.conf import settings

        for database in settings.DATABASES.values():
            database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_oracle{int(shard)}"
