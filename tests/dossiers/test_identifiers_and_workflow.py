"""Enterprise numbers and the status workflow."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portal.dossiers.identifiers import format_uid, normalise_uid, uid_search_forms
from portal.dossiers.workflow import TRANSITIONS, Status, allowed_targets, can_transition


@pytest.mark.parametrize(
    "typed",
    ["CHE-116.281.710", "che116281710", "CHE 116 281 710", "116.281.710", "116281710", " CHE-116281710 "],
)
def test_an_enterprise_number_is_accepted_however_it_is_typed(typed):
    assert normalise_uid(typed) == "CHE116281710"


def test_a_wrong_check_digit_is_refused_with_a_precise_message():
    with pytest.raises(ValidationError) as error:
        normalise_uid("CHE-116.281.711")
    assert error.value.code == "uid_check_digit"


@pytest.mark.parametrize(
    "typed", ["CHE-116.281", "CHE-116.281.7100", "DE-116.281.710", "CHE-11A.281.710", ""]
)
def test_malformed_enterprise_numbers_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        normalise_uid(typed)
    assert error.value.code == "uid_format"


def test_every_eight_digits_with_remainder_ten_have_no_valid_number():
    # Eight digits whose weighted sum leaves remainder 1 would need check digit 10: no number exists.
    from portal.dossiers.identifiers import uid_check_digit

    impossible = next(f"{n:08d}" for n in range(10**8) if uid_check_digit(f"{n:08d}") is None)
    for last in "0123456789":
        with pytest.raises(ValidationError):
            normalise_uid(impossible + last)


def test_the_display_and_search_forms_of_a_number():
    assert format_uid("CHE116281710") == "CHE-116.281.710"
    assert set(uid_search_forms("CHE116281710")) >= {"CHE116281710", "CHE-116.281.710", "116281710"}


def test_every_status_has_its_transitions_defined_and_they_lead_to_known_statuses():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status.values)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Status.OPENED, Status.DOCUMENTS_REQUESTED, True),
        (Status.REPORT_WRITTEN, Status.TRANSFERRED_FOR_SANCTION, True),
        (Status.TRANSFERRED_FOR_SANCTION, Status.SANCTION_DECIDED, True),
        (Status.OPENED, Status.SANCTION_DECIDED, False),
        (Status.SANCTION_DECIDED, Status.OPENED, False),
        (Status.CLOSED, Status.TRANSFERRED_FOR_SANCTION, False),
    ],
)
def test_transitions(current, target, allowed):
    assert can_transition(current, target) is allowed
    assert (target in allowed_targets(current)) is allowed
