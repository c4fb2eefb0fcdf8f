"""Creating dossiers and moving them through the workflow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.dossiers.actions import change_status, create_dossier
from portal.dossiers.models import Dossier
from portal.dossiers.workflow import Status
from portal.journal.models import JournalEntry

pytestmark = pytest.mark.django_db

FIELDS = {
    "company_name": "Muster Bau GmbH",
    "company_uid": "che-116.281.710",
    "company_country": "DE",
    "canton": "GE",
    "control_kind": "posted_workers",
    "sector": "Bauhauptgewerbe",
}


def test_a_case_worker_creates_a_dossier_with_a_reference_and_a_journal_entry(worker_a, organisation_a):
    dossier = create_dossier(owner=organisation_a, acting_user=worker_a, tags=["Lohnkontrolle"], **FIELDS)
    year = timezone.localdate().year
    assert dossier.reference == f"GE-{year}-00001"
    assert dossier.company_uid == "CHE116281710"
    assert dossier.company_uid_display == "CHE-116.281.710"
    assert list(dossier.tags.names()) == ["Lohnkontrolle"]
    entry = JournalEntry.objects.get(object_type="dossier", object_id=dossier.pk)
    assert (entry.action, entry.actor, entry.organisation) == ("create", worker_a, organisation_a)
    assert "Muster" not in str(entry.details)  # the journal carries no case contents


def test_references_count_up_per_owner_and_independently_between_owners(
    worker_a, organisation_a, worker_b, organisation_b
):
    first = create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS)
    second = create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS)
    other = create_dossier(owner=organisation_b, acting_user=worker_b, **FIELDS)
    assert first.reference.endswith("-00001")
    assert second.reference.endswith("-00002")
    assert other.reference.startswith("PK-BAU-") and other.reference.endswith("-00001")


def test_a_bad_enterprise_number_creates_nothing_and_uses_no_number(worker_a, organisation_a):
    with pytest.raises(ValidationError) as error:
        create_dossier(
            owner=organisation_a, acting_user=worker_a, **{**FIELDS, "company_uid": "CHE-116.281.711"}
        )
    assert "company_uid" in error.value.message_dict
    assert not Dossier.objects.exists()
    assert not JournalEntry.objects.exists()
    assert create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS).reference.endswith("-00001")


def test_a_ban_outside_one_to_five_years_is_refused(worker_a, organisation_a):
    with pytest.raises(ValidationError) as error:
        create_dossier(owner=organisation_a, acting_user=worker_a, **{**FIELDS, "ban_years": 7})
    assert "ban_years" in error.value.message_dict


def test_readers_and_other_organisations_cannot_create_dossiers(reader_a, worker_b, organisation_a):
    for person in (reader_a, worker_b):
        with pytest.raises(PermissionDenied):
            create_dossier(owner=organisation_a, acting_user=person, **FIELDS)
    assert not Dossier.objects.exists()


def test_the_workflow_is_enforced_and_journalled(worker_a, organisation_a):
    dossier = create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS)
    change_status(dossier=dossier, target=Status.DOCUMENTS_REQUESTED, acting_user=worker_a)
    with pytest.raises(ValidationError):
        change_status(dossier=dossier, target=Status.SANCTION_DECIDED, acting_user=worker_a)
    dossier.refresh_from_db()
    assert dossier.status == Status.DOCUMENTS_REQUESTED
    changes = JournalEntry.objects.filter(object_id=dossier.pk, action="change")
    assert [entry.details["status"] for entry in changes] == [["opened", "documents_requested"]]


def test_a_reader_cannot_change_the_status(worker_a, reader_a, organisation_a):
    dossier = create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS)
    with pytest.raises(PermissionDenied):
        change_status(dossier=dossier, target=Status.UNDER_CONTROL, acting_user=reader_a)
    dossier.refresh_from_db()
    assert dossier.status == Status.OPENED


def test_only_the_owners_members_change_the_responsible_person(
    worker_a, reader_a, admin_a, organisation_a, organisation_b, worker_b
):
    from portal.dossiers.actions import update_dossier
    from portal.dossiers.levels import Level
    from portal.dossiers.sharing import share_dossier

    dossier = create_dossier(owner=organisation_a, acting_user=worker_a, responsible=worker_a, **FIELDS)
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.EDIT)
    with pytest.raises(ValidationError) as refused:
        update_dossier(dossier=dossier, acting_user=worker_b, responsible=reader_a)
    assert "responsible" in refused.value.message_dict
    update_dossier(dossier=dossier, acting_user=worker_b, responsible=worker_a, company_name="Neu AG")
    update_dossier(dossier=dossier, acting_user=worker_a, responsible=reader_a)
    dossier.refresh_from_db()
    assert (dossier.company_name, dossier.responsible) == ("Neu AG", reader_a)
