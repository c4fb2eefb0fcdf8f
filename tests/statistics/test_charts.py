"""Charts: inline SVG without script or CDN, each with a table of exactly its data."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from portal.statistics.charts import monthly_trend, outcomes_by_kind
from portal.statistics.figures import Block, Figures, Filters, Period
from tests.statistics.generator import generate

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
    chart = monthly_trend(figures, protect=True)
    assert chart.rows == [("2025-01", ["< 3", 0]), ("2025-02", [7, 4])]
    assert outcomes_by_kind(figures, protect=True).rows[0][1] == [9, "< 3", 0]
    unprotected = monthly_trend(figures, protect=False)
    assert unprotected.rows[0] == ("2025-01", [2, 0])
