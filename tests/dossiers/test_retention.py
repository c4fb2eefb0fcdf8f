"""Destruction after the retention period, legal holds, warnings, tombstones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from portal.documents.actions import add_documents
from portal.documents.models import Document, DocumentVersion
from portal.dossiers import events
from portal.dossiers.actions import create_dossier
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier, DossierGroupObjectPermission, DossierShare
from portal.dossiers.retention import purge_expired, set_legal_hold
from portal.dossiers.sharing import share_dossier
from portal.journal.models import JournalEntry
from portal.journal.verification import verify_chain
from portal.notifications.services import warn_destruction
from portal.threads.actions import post_message
from portal.threads.models import Message
from tenants.roles import Role
from tests.conftest import stored_files
from tests.dossiers.factories import upload
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FIELDS = {"company_name": "Zeitreise AG", "canton": "GE", "control_kind": "posted_workers"}


@pytest.fixture
def full_dossier(worker_a, admin_a, organisation_a, organisation_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS)
        add_documents(dossier=dossier, uploads=[upload(), upload("b.pdf")], acting_user=worker_a)
        post_message(
            dossier=dossier,
            body="Hallo",
            acting_user=worker_a,
            acting_for=organisation_a,
            attachments=[upload("c.pdf")],
        )
        share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    return dossier


def test_a_new_dossier_is_destroyed_twelve_months_after_it_was_put_on_the_platform(full_dossier):
    assert full_dossier.destroy_after - full_dossier.created_at == timedelta(days=365)


def test_time_travel_purge_removes_rows_files_and_index_entries_and_leaves_a_tombstone(
    full_dossier, document_storage, django_capture_on_commit_callbacks
):
    destroyed_ids = []

    def receiver(sender, dossier_id, **kwargs):
        destroyed_ids.append(dossier_id)

    events.dossier_destroyed.connect(receiver)
    assert len(stored_files(document_storage)) == 3
    assert purge_expired(at=timezone.now() + timedelta(days=364)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired(at=timezone.now() + timedelta(days=366)) == 1
    assert not Dossier.objects.exists()
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert not Message.objects.exists() and not DossierShare.objects.exists()
    assert not DossierGroupObjectPermission.objects.exists()
    assert stored_files(document_storage) == []
    assert destroyed_ids == [full_dossier.pk]  # the search index's receiver is told
    tombstone = JournalEntry.objects.get(action="destroy")
    assert tombstone.object_reference == full_dossier.reference
    assert tombstone.actor is None and "Zeitreise" not in str(tombstone.details)
    assert tombstone.details["documents"] == 3
    assert list(verify_chain()) == []


def test_a_held_dossier_stays_until_the_hold_is_lifted(full_dossier, admin_a, worker_a):
    with pytest.raises(PermissionDenied):
        set_legal_hold(dossier=full_dossier, reason="Strafverfahren", acting_user=worker_a)
    with pytest.raises(ValidationError):
        set_legal_hold(dossier=full_dossier, reason="  ", acting_user=admin_a)
    set_legal_hold(dossier=full_dossier, reason="Strafverfahren hängig", acting_user=admin_a)
    assert purge_expired(at=timezone.now() + timedelta(days=800)) == 0
    assert Dossier.objects.filter(pk=full_dossier.pk).exists()


def test_the_federal_secretariat_may_set_a_hold_on_any_dossier(full_dossier):
    seco = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    supervisor = MembershipFactory(organisation=seco, role=Role.ADMINISTRATOR).user
    set_legal_hold(dossier=full_dossier, reason="Aufsicht", acting_user=supervisor)
    assert Dossier.objects.get(pk=full_dossier.pk).legal_hold_reason == "Aufsicht"


def test_the_purge_command_says_how_many_went(full_dossier):
    Dossier.objects.update(destroy_after=timezone.now() - timedelta(minutes=1))
    from io import StringIO

    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "Destroyed 1 dossier" in out.getvalue()


def test_owners_get_one_warning_thirty_days_before(full_dossier, worker_a, admin_a, worker_b):
    mail.outbox.clear()
    assert warn_destruction(at=timezone.now() + timedelta(days=300)) == 0
    assert warn_destruction(at=timezone.now() + timedelta(days=340)) == 1
    recipients = {message.to[0] for message in mail.outbox}
    assert recipients == {worker_a.email, admin_a.email}
    assert full_dossier.reference in mail.outbox[0].subject
    assert "Zeitreise" not in mail.outbox[0].body  # no case contents in e-mails
    assert warn_destruction(at=timezone.now() + timedelta(days=341)) == 0  # only once


def test_counting_from_the_last_activity_moves_the_date(settings, worker_a, organisation_a):
    settings.PORTAL_RETENTION_FROM = "last_activity"
    dossier = create_dossier(owner=organisation_a, acting_user=worker_a, **FIELDS)
    first = dossier.destroy_after
    add_documents(dossier=dossier, uploads=[upload()], acting_user=worker_a)
    dossier.refresh_from_db()
    assert dossier.destroy_after > first


def test_the_daily_run_warns_purges_sweeps_and_sends_digests(full_dossier, document_storage):
    from io import StringIO

    Dossier.objects.update(destroy_after=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("run_daily", stdout=out)
    assert "'destroyed': 1" in out.getvalue()
    assert not Dossier.objects.exists()
