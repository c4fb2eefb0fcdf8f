"""Shared set-up for the benchmarks: Django on a throw-away database of the embedded server."""

from __future__ import annotations

import os
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.test.utils import setup_databases, teardown_databases


@contextmanager
def bench_database():
    """A fresh, migrated database (``test_portal``), dropped afterwards."""
    from portal.statistics.overlap import close_connections

    config = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        close_connections()  # the statistics pages' other connections (CONN_MAX_AGE)
        teardown_databases(config, verbosity=0)


@contextmanager
def kept_database():
    """The benchmark database (``test_portal``) of the server in ``PORTAL_EMBEDDED_PGDATA``,
    migrated and kept afterwards, so a later run can measure the same data again. Not
    serialised (the test runner would read every row of it into memory)."""
    from django.db import connections

    setup_databases(verbosity=0, interactive=False, keepdb=True, serialized_aliases=set())
    from portal.statistics.overlap import close_connections

    try:
        yield
    finally:
        close_connections()
        connections.close_all()


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def status_line(name: str, stats: dict[str, float], unit: str = "ms") -> str:
    return f"{name:<46} n={stats['n']:<4} p50={stats['p50']:7.1f} {unit}  p95={stats['p95']:7.1f} {unit}  max={stats['max']:7.1f} {unit}"
