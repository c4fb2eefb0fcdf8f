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
from tests.search.conftest import settle
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


# --- Nothing of the case is left anywhere after destruction ------------------------------

COMPANY = "Chronos Geruestbau AG"
ADDRESS = "Uhrwerkstrasse 88, 1204 Geneve"
MESSAGE = "Nachzahlung an den Polier vereinbart"
FILE_TEXT = "Lohnabrechnung Pendeluhrmacher Oktober"
NEEDLES = (COMPANY, ADDRESS, MESSAGE, FILE_TEXT)


def rows_holding(needle: str) -> dict[str, int]:
    """Every table of the database whose rows hold ``needle``: as text, URL-encoded (a logged
    query string), or in a binary column (shown as hex)."""
    from urllib.parse import quote, quote_plus

    from django.db import connection

    forms = [f"%{form}%" for form in (needle, quote(needle), quote_plus(needle), needle.encode().hex())]
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} t WHERE t::text ILIKE ANY(%s)", [forms])  # noqa: S608
            if count := cursor.fetchone()[0]:
                found[table] = count
    return found


def files_holding(needle: str, *folders) -> list:
    return [
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.is_file() and needle.encode() in path.read_bytes()
    ]


def test_time_travel_purge_leaves_no_case_contents_in_any_table_or_folder(
    organisation_a,
    organisation_b,
    admin_a,
    worker_a,
    worker_b,
    document_storage,
    settings,
    tmp_path,
    search_backend,
):
    """Every place case contents reach (rows with a key to the dossier or its documents, the
    API's idempotent answers and call log, the journal, the search index, notifications,
    threads, unfinished upload pieces, the media and document folders; and the search
    engine, on each backend) is empty of them a year later."""
    from django.test import TestCase

    from portal.api.clients import register_client
    from portal.api.models import ApiCall, IdempotentRequest, UploadSession
    from search import service
    from tests.api.conftest import Api

    settings.MEDIA_ROOT = str(tmp_path / "media")
    client, secret = register_client(
        organisation=organisation_a,
        acting_user=admin_a,
        name="Fallsoftware",
        scopes=["read", "write", "share"],
    )
    api = Api(client, secret)
    with TestCase.captureOnCommitCallbacks(execute=True):
        created = api.post(
            "/api/v1/dossiers",
            {
                "company_name": COMPANY,
                "company_address": ADDRESS,
                "canton": "GE",
                "control_kind": "posted_workers",
            },
            headers={"Idempotency-Key": "neu-1"},
        )
    assert created.status_code == 201, created.content
    dossier = Dossier.objects.get(pk=created.json()["id"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        said = api.post(
            f"/api/v1/dossiers/{dossier.pk}/messages", {"body": MESSAGE}, headers={"Idempotency-Key": "msg-1"}
        )
        assert said.status_code == 201, said.content
        stored = api.upload(
            f"/api/v1/dossiers/{dossier.pk}/documents?file_name=lohn.txt&title={COMPANY}",
            FILE_TEXT.encode(),
            headers={"Idempotency-Key": "doc-1"},
        )
        assert stored.status_code == 201, stored.content
        assert api.get("/api/v1/search", {"q": COMPANY}).json()["total"] == 1
        assert api.get("/api/v1/dossiers", {"q": ADDRESS}).status_code == 200
        started = api.post(
            f"/api/v1/dossiers/{dossier.pk}/uploads",
            {"file_name": "rest.txt", "size": 2 * len(FILE_TEXT), "sha256": "0" * 64, "title": COMPANY},
        )
        piece = api.http.patch(
            started["Location"],
            FILE_TEXT.encode(),
            content_type="application/octet-stream",
            headers=api._headers({"Upload-Offset": "0"}),
        )
        assert piece.status_code == 200, piece.content
        add_documents(
            dossier=dossier, uploads=[upload("notiz.txt", FILE_TEXT.encode())], acting_user=worker_a
        )
        post_message(
            dossier=dossier,
            body=MESSAGE,
            acting_user=worker_a,
            acting_for=organisation_a,
            attachments=[upload("anhang.txt", FILE_TEXT.encode())],
        )
        share_dossier(
            dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW, note=ADDRESS
        )
    settle()
    assert IdempotentRequest.objects.count() == 3 and UploadSession.objects.count() == 1
    assert service.search(worker_b, COMPANY).results.total >= 1  # the dossier, the titled document
    assert service.search(worker_a, FILE_TEXT).results.total >= 1  # the extracted file text
    for needle in NEEDLES:  # the scan finds what is there
        assert rows_holding(needle), needle
    assert len(stored_files(document_storage)) == 4  # three documents and one upload piece

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert purge_expired(at=timezone.now() + timedelta(days=366)) == 1
    settle()

    for needle in NEEDLES:
        assert rows_holding(needle) == {}, needle
        assert files_holding(needle, document_storage, tmp_path / "media") == []
    assert stored_files(document_storage) == []
    assert service.search(worker_a, COMPANY).results.total == 0
    assert service.search(worker_b, COMPANY).results.total == 0
    assert not IdempotentRequest.objects.exists() and not UploadSession.objects.exists()
    logged = set(ApiCall.objects.values_list("path", flat=True))
    assert "/api/v1/search" in logged and all("?" not in path for path in logged)
