"""The small-cell rule of the national view, figure by figure."""

from __future__ import annotations

from decimal import Decimal

from portal.statistics.figures import Block
from portal.statistics.presentation import SMALL, row


def block(**values) -> Block:
    return Block(**values)


def test_nothing_is_suppressed_for_a_body_looking_at_its_own_figures():
    figures = row(
        block(controls=1, persons=4, fines=1, fines_chf=Decimal(900), days_to_report=[3.0]), protect=False
    )
    assert figures["controls"] == 1 and figures["fines_chf"] == Decimal("900.00")
    assert figures["median_days_to_report"] == 3.0


def test_a_row_of_one_or_two_controls_is_suppressed_entirely_zeros_included():
    for controls in (1, 2):
        figures = row(block(controls=controls, persons=9), protect=True)
        assert {key: value for key, value in figures.items() if key != "closed"} == dict.fromkeys(
            [key for key in figures if key != "closed"], SMALL
        )


def test_counts_sums_shares_and_medians_of_one_or_two_cases_are_suppressed_in_a_large_row():
    figures = row(
        block(
            controls=40,
            persons=300,
            undercutting=2,
            working_time=0,
            fines=1,
            fines_chf=Decimal(1500),
            penalties=5,
            penalties_chf=Decimal(25000),
            bans=2,
            ban_years=4,
            closed=1,
            days_to_report=[10.0, 20.0],
            days_to_sanction=[5.0, 6.0, 7.0],
        ),
        protect=True,
    )
    assert figures["controls"] == 40 and figures["persons"] == 300
    assert figures["undercutting"] == SMALL and figures["undercutting_share"] == SMALL
    assert figures["working_time"] == 0 and figures["working_time_share"] == 0.0
    assert figures["fines"] == SMALL and figures["fines_chf"] == SMALL
    assert figures["penalties"] == 5 and figures["penalties_chf"] == Decimal("25000.00")
    assert figures["bans"] == SMALL and figures["ban_years"] == SMALL
    assert figures["closed"] == SMALL
    assert figures["median_days_to_report"] == SMALL and figures["median_days_to_sanction"] == 6.0


def test_an_empty_group_shows_zeros_and_no_share_or_median():
    figures = row(block(), protect=True)
    assert figures["controls"] == 0 and figures["undercutting_share"] is None
    assert figures["median_days_to_report"] is None
