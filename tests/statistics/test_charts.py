"""Charts: inline SVG without script or CDN, each with a table of exactly its data."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from portal.journal.models import JournalEntry
from portal.statistics.charts import monthly_trend, outcomes_by_kind
from portal.statistics.disclosure import Cube
from portal.statistics.figures import Block, Figures, Filters, Period
from portal.statistics.presentation import row
from portal.statistics.selectors import tables
from tenants.roles import Role
from tests.statistics.generator import generate
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_draws_two_accessible_charts_with_their_data(signed_in, worker_a, organisation_a):
    generate([organisation_a], count=30)
    response = signed_in(worker_a).get(
        reverse("statistics:dashboard"), {"start": "2025-01-01", "end": "2025-12-31"}
    )
    page = response.content.decode()
    assert page.count('<svg role="img" aria-label=') == 2
    assert "<script" not in page and "kozea.github.io" not in page
    trend, by_kind = response.context["charts"]
    assert [month for month, _values in trend.rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert sum(values[0] for _month, values in trend.rows) == response.context["total"]["controls"]
    assert sum(values[0] for _kind, values in by_kind.rows) == response.context["total"]["controls"]


def test_a_suppressed_month_is_a_gap_in_the_national_chart_and_less_than_three_in_its_table():
    period = Period(date(2025, 1, 1), date(2025, 2, 28))
    figures = Figures(filters=Filters(period=period), today=date(2025, 3, 1))
    figures.by_month = {"2025-01": Block(controls=2, closed=0), "2025-02": Block(controls=7, closed=4)}
    figures.by_kind = {"posted_workers": Block(controls=9, undercutting=1)}

    def rows(mapping, protect):
        return {key: row(block, protect=protect) for key, block in mapping.items()}

    chart = monthly_trend(rows(figures.by_month, True))
    assert chart.rows == [("2025-01", ["< 3", 0]), ("2025-02", [7, 4])]
    assert outcomes_by_kind(rows(figures.by_kind, True)).rows[0][1] == [9, "< 3", 0]
    unprotected = monthly_trend(rows(figures.by_month, False))
    assert unprotected.rows[0] == ("2025-01", [2, 0])


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_each_chart_s_data_downloads_as_csv_with_the_page_s_filters(signed_in, worker_a, organisation_a):
    generate([organisation_a], count=30)
    client = signed_in(worker_a)
    period = {"start": "2025-01-01", "end": "2025-12-31", "sector": "Gastgewerbe"}
    page = client.get(reverse("statistics:dashboard"), period)
    trend, by_kind = page.context["charts"]
    link = page.context["chart_downloads"]["monthly"]
    assert (
        link.startswith(reverse("statistics:chart", args=["monthly"]) + "?") and "sector=Gastgewerbe" in link
    )
    assert f'href="{link.replace("&", "&amp;")}"' in page.content.decode()

    monthly = client.get(reverse("statistics:chart", args=["monthly"]), period)
    assert monthly["Content-Type"].startswith("text/csv")
    assert monthly["Content-Disposition"].endswith(
        "statistics-" + organisation_a.slug + '-monthly-20250101-20251231.csv"'
    )
    rows = read_csv(monthly)
    assert rows[0] == trend.columns == ["Monat", "Kontrollen", "Abgeschlossen"]
    assert rows[1:] == [[month, *(str(v) for v in values)] for month, values in trend.rows]
    assert sum(int(r[1]) for r in rows[1:]) == page.context["total"]["controls"] > 0

    kinds = read_csv(client.get(reverse("statistics:chart", args=["by-kind"]), period))
    assert kinds[1:] == [[label, *(str(v) for v in values)] for label, values in by_kind.rows]
    assert client.get(reverse("statistics:chart", args=["pie"]), period).status_code == 404
    entry = JournalEntry.objects.get(object_type="statistics_chart", object_reference__endswith="-by-kind")
    assert (entry.action, entry.actor_id, entry.details["start"]) == ("download", worker_a.pk, "2025-01-01")


def test_the_national_chart_data_keeps_the_suppression_of_the_page(signed_in, organisation_a, organisation_b):
    generate([organisation_a, organisation_b], count=40)
    seco = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    client = signed_in(MembershipFactory(organisation=seco, role=Role.CASE_WORKER).user)
    period = {"start": "2025-01-01", "end": "2025-12-31", "canton": "TI"}
    trend = client.get(reverse("statistics:national"), period).context["charts"][0]
    rows = read_csv(client.get(reverse("statistics:national-chart", args=["monthly"]), period))
    assert rows[1:] == [[month, *(str(v) for v in values)] for month, values in trend.rows]
    assert any("< 3" in r for r in rows), "the canton's months include small ones"
    body = read_csv(
        client.get(reverse("statistics:national-body-chart", args=[organisation_a.pk, "by-kind"]), period)
    )
    assert body[0][0] == "Art der Kontrolle"
    worker = MembershipFactory(organisation=organisation_a, role=Role.CASE_WORKER).user
    assert signed_in(worker).get(reverse("statistics:national-chart", args=["monthly"])).status_code == 403


def test_a_lone_small_month_is_not_given_away_by_the_period_total():
    period = Period(date(2025, 1, 1), date(2025, 3, 31))
    figures = Figures(filters=Filters(period=period), today=date(2025, 4, 1))
    figures.by_month = {
        "2025-01": Block(controls=2),
        "2025-02": Block(controls=7),
        "2025-03": Block(controls=30),
    }
    figures.total = Block(controls=39)
    figures.by_cell = {("posted_workers", "Bau", "GE"): Block(controls=39)}
    trend, _by_kind = tables(figures, None, protect=True, cube=Cube.protected(figures.by_cell))["charts"]
    assert [values[0] for _month, values in trend.rows] == ["< 3", "x", 30]
