"""The small-cell rule of the national view, figure by figure."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.statistics.figures import Block
from portal.statistics.presentation import HIDDEN, SMALL, protect_group, row


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


# Secondary suppression: no "< 3" may be worked out from the total and the figures shown.


def controls_table(counts: list[int]) -> tuple[list[dict], dict]:
    rows = [row(block(controls=count), protect=True) for count in counts]
    return rows, row(block(controls=sum(counts)), protect=True)


def readings(rows: list[dict], total: dict, key: str = "controls") -> list[set[int]]:
    """Every value each row's cell can have for a reader who knows the published table, by
    trying every combination (independent of the interval reasoning in the code)."""
    import itertools

    if isinstance(total[key], str):  # nothing to subtract from
        return [{1, 2} if values[key] == SMALL else {values[key]} for values in rows]
    shown = sum(values[key] for values in rows if not isinstance(values[key], str))
    hidden_total = total[key] - shown
    domains = []
    for values in rows:
        cell = values[key]
        if cell == SMALL:
            domains.append((1, 2))
        elif cell == HIDDEN:
            domains.append(range(3, hidden_total + 1))
        else:
            domains.append((cell,))
    possible = [set() for _ in rows]
    for combination in itertools.product(*domains):
        if sum(v for v, values in zip(combination, rows, strict=True) if isinstance(values[key], str)) == (
            hidden_total
        ):
            for index, value in enumerate(combination):
                possible[index].add(value)
    return possible


def test_a_single_small_row_is_hidden_with_the_smallest_other_row():
    rows, total = controls_table([1, 20, 5, 7])
    protect_group(rows, total)
    assert [values["controls"] for values in rows] == [SMALL, 20, HIDDEN, 7]
    assert total["controls"] == 33


def test_a_small_row_already_hidden_by_another_small_row_needs_nothing_more():
    rows, total = controls_table([1, 2, 9])
    protect_group(rows, total)
    assert [values["controls"] for values in rows] == [SMALL, SMALL, 9]  # 1 + 2 = 3: 1+2 or 2+1


def test_two_small_rows_that_could_only_be_ones_are_hidden_further():
    rows, total = controls_table([1, 1, 9, 12])
    protect_group(rows, total)  # 2 left for two cells of 1 or 2: both would be 1
    assert [values["controls"] for values in rows] == [SMALL, SMALL, HIDDEN, 12]


def test_the_total_is_hidden_when_only_small_rows_make_it_up():
    rows, total = controls_table([1, 1, 1])
    protect_group(rows, total)
    assert total["controls"] == HIDDEN


def test_a_suppressed_sum_is_not_left_alone_in_its_column():
    rows = [
        row(block(controls=30, fines=2, fines_chf=Decimal(3000)), protect=True),
        row(block(controls=40, fines=5, fines_chf=Decimal(9000)), protect=True),
    ]
    total = row(block(controls=70, fines=7, fines_chf=Decimal(12000)), protect=True)
    protect_group(rows, total)
    assert rows[0]["fines_chf"] == SMALL and rows[1]["fines_chf"] == HIDDEN
    assert rows[1]["fines"] == HIDDEN and total["fines_chf"] == Decimal("12000.00")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=6))
def test_no_small_cell_can_be_pinned_down_from_the_total(counts):
    rows, total = controls_table(counts)
    protect_group(rows, total)
    possible = readings(rows, total)
    for count, values, values_possible in zip(counts, rows, possible, strict=True):
        if values["controls"] == SMALL:
            assert len(values_possible) >= 2, (counts, rows, total)
        if not isinstance(values["controls"], str):
            assert values["controls"] == count  # what is shown is true
