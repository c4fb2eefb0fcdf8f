"""A figures page's statements run on several connections at once (``overlap.py``): the
page is the same as in sequence, and inside a transaction everything stays on its
connection. The data is committed (``transaction=True``): other connections see only that."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.statistics.figures import Filters, Period, all_dossiers, figures_for
from portal.statistics.overlap import close_connections
from tenants.roles import Role
from tests.statistics.generator import generate
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}
SHOWN = ("total", "by_kind", "by_sector", "by_canton", "by_body", "summary", "open_by_status", "overdue")


def _others(*, closing: bool = False) -> int:
    """The other connections to the test database; with ``closing``, once those closed have
    left (a server process ends a moment after its client closes; waits up to 30 s)."""
    for _ in range(300):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            others = cursor.fetchone()[0]
        if not (closing and others):
            return others
        time.sleep(0.1)
    return others


def _page(client, settings, workers: int, params: dict):
    settings.STATISTICS_PARALLEL_QUERIES = workers
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("statistics:national"), params)
    assert response.status_code == 200
    on_request = [query["sql"] for query in captured.captured_queries]
    return {name: response.context[name] for name in SHOWN}, on_request


@pytest.mark.parametrize(
    "params", [YEAR_2025, {**YEAR_2025, "sector": "Reinigung"}], ids=["all", "one sector"]
)
def test_the_national_view_shows_the_same_figures_with_its_statements_on_several_connections(
    signed_in, organisation_a, organisation_b, settings, params
):
    generate([organisation_a, organisation_b], count=80, seed=11)
    secretariat = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    client = signed_in(MembershipFactory(organisation=secretariat, role=Role.CASE_WORKER).user)
    client.get(reverse("statistics:national"), params)  # the session's first request writes it

    in_sequence, all_on_request = _page(client, settings, 0, params)
    together, on_request = _page(client, settings, 3, params)

    assert together == in_sequence
    assert in_sequence["total"]["controls"] > 0 and in_sequence["by_body"]
    # In sequence the request's connection ran the medians and the previous period itself;
    # together, other connections did.
    assert sum("percentile_disc" in sql for sql in all_on_request) == 2  # the period's, the previous period's
    assert not any("percentile_disc" in sql for sql in on_request)
    assert len(on_request) < len(all_on_request)
    assert _others(closing=True) == 0  # and closed them afterwards (CONN_MAX_AGE is 0 here)


def test_inside_a_transaction_every_statement_stays_on_its_connection(organisation_a, settings):
    """Another connection would not see the transaction's own rows (the report's submission
    counts inside one): they must count."""
    settings.STATISTICS_PARALLEL_QUERIES = 3
    with transaction.atomic():
        generate([organisation_a], count=5, seed=3)
        with CaptureQueriesContext(connection) as captured:
            figures = figures_for(all_dossiers(), Filters(period=Period.year(2025)))
    assert any("percentile_disc" in query["sql"] for query in captured.captured_queries)
    assert figures.total.controls == sum(block.controls for block in figures.by_kind.values())
    assert figures.total.controls > 0 and figures.total.companies > 0


def test_with_persistent_connections_the_threads_keep_theirs_until_closed(organisation_a, settings):
    """As in production (``CONN_MAX_AGE``): the next page finds them open; a database about to
    be dropped (the benchmark's) has them closed first."""
    settings.STATISTICS_PARALLEL_QUERIES = 3
    generate([organisation_a], count=5, seed=5)
    lifetime = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60  # the threads' connections read the same settings
    try:
        figures = figures_for(all_dossiers(), Filters(period=Period.year(2025)))
        assert figures.total.companies > 0
        assert _others() >= 1  # the medians' two halves ran on one thread or two
        close_connections()
        assert _others(closing=True) == 0
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = lifetime
        close_connections()
