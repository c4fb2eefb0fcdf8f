"""The journal tab people can read and export, and the share form's recipient kinds and expiry."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.documents.actions import add_documents
from portal.dossiers.actions import change_status
from portal.dossiers.levels import Level
from portal.dossiers.models import DossierShare
from portal.dossiers.sharing import share_dossier
from portal.journal.models import JournalEntry
from portal.threads.actions import post_message
from tests.dossiers.factories import DossierFactory, upload

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    """The English page, whatever language the test process has active."""
    with translation.override("en"):
        return reverse(name, args=args)


def journal_page(client, dossier, language="en", **filters) -> str:
    response = client.get(f"/{language}/dossiers/{dossier.pk}/journal/", filters)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def busy_dossier(organisation_a, organisation_b, admin_a, worker_a, worker_b):
    dossier = DossierFactory(owner=organisation_a)
    add_documents(dossier=dossier, uploads=[upload("lohnliste.pdf")], acting_user=worker_a)
    post_message(dossier=dossier, body="Bitte Unterlagen", acting_user=worker_a, acting_for=organisation_a)
    share_dossier(dossier=dossier, acting_user=admin_a, user=worker_b, level=Level.CONTRIBUTE)
    change_status(dossier=dossier, target="under_control", acting_user=worker_a)
    return dossier


def test_the_journal_names_documents_messages_people_and_their_organisation(
    signed_in, admin_a, worker_a, worker_b, organisation_a, busy_dossier
):
    page = journal_page(signed_in(admin_a), busy_dossier)
    assert "Document “report.pdf”" in page or "Document “lohnliste.pdf”" in page
    assert "Message of" in page and f"from {worker_a.get_full_name()}" in page
    assert worker_a.get_full_name() in page and organisation_a.short_name in page
    # A share with a person names that person, not a number.
    assert f"with {worker_b.get_full_name()}" in page
    assert "status: Opened → Under control" in page
    assert f"Dossier {busy_dossier.reference}" in page


def test_every_kind_of_entry_is_translated(signed_in, admin_a, busy_dossier):
    page = journal_page(signed_in(admin_a), busy_dossier, language="fr")
    assert "document : " in page.lower() or "document: " in page.lower()
    for english in ("shared", "created", "changed", "Under control", "Document “", "Message of"):
        assert english not in page, english


def test_the_journal_filters_by_person_kind_and_date(signed_in, admin_a, worker_a, busy_dossier):
    client = signed_in(admin_a)
    only_shares = journal_page(client, busy_dossier, action="share")
    assert "1 entry" in only_shares and "status:" not in only_shares
    by_worker = journal_page(client, busy_dossier, person=worker_a.pk)
    assert f"{JournalEntry.objects.filter(actor=worker_a).count()} entries" in by_worker
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "No entry matches these filters." in journal_page(client, busy_dossier, since=tomorrow)
    # A reversed range is refused with a message, and the other filters still apply.
    today = timezone.localdate().isoformat()
    reversed_range = journal_page(client, busy_dossier, since=today, until="2020-01-01", action="share")
    assert "This date lies before the start date." in reversed_range and "1 entry" in reversed_range


def test_the_journal_exports_as_csv_for_an_audit_and_the_export_is_journaled(
    signed_in, admin_a, reader_a, worker_a, busy_dossier
):
    export = url("dossiers:journal-export", busy_dossier.pk)
    assert signed_in(reader_a).get(export).status_code == 403
    response = signed_in(admin_a).get(export, {"person": worker_a.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert busy_dossier.reference in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Time", "Person", "E-mail"]
    assert (
        len(rows) - 1 == JournalEntry.objects.filter(actor=worker_a, details__dossier=busy_dossier.pk).count()
    )
    assert {row[1] for row in rows[1:]} == {worker_a.get_full_name()}
    exported = JournalEntry.objects.filter(object_type="journal", actor=admin_a).get()
    assert exported.action == "download" and exported.details["filters"] == {"person": str(worker_a.pk)}


def test_a_formula_in_a_name_cannot_run_in_the_spreadsheet(signed_in, admin_a, worker_a, busy_dossier):
    worker_a.first_name, worker_a.last_name = "=HYPERLINK(1)", "X"
    worker_a.save()
    response = signed_in(admin_a).get(url("dossiers:journal-export", busy_dossier.pk))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1) X" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_the_journal_page_costs_the_same_queries_for_few_and_many_entries(
    signed_in, admin_a, worker_a, organisation_a, busy_dossier, django_assert_max_num_queries
):
    client = signed_in(admin_a)
    journal_page(client, busy_dossier)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        journal_page(client, busy_dossier)
    for i in range(20):
        add_documents(dossier=busy_dossier, uploads=[upload(f"{i}.pdf")], acting_user=worker_a)
        post_message(dossier=busy_dossier, body=f"N {i}", acting_user=worker_a, acting_for=organisation_a)
    with django_assert_max_num_queries(len(few)):
        journal_page(client, busy_dossier)


def test_choosing_a_person_ignores_the_organisation_fields(
    signed_in, admin_a, organisation_a, organisation_b, worker_b
):
    dossier = DossierFactory(owner=organisation_a)
    response = signed_in(admin_a).post(
        url("dossiers:sharing", dossier.pk),
        {
            "target": "person",
            "email": worker_b.email,
            "organisation": organisation_b.pk,
            "roles": ["reader"],
            "level": 1,
        },
    )
    assert response.status_code == 302
    share = DossierShare.objects.get()
    assert share.target_user == worker_b and share.target_organisation is None


def test_an_organisation_share_ignores_a_bad_email_left_in_the_hidden_field(
    signed_in, admin_a, organisation_a, organisation_b
):
    dossier = DossierFactory(owner=organisation_a)
    response = signed_in(admin_a).post(
        url("dossiers:sharing", dossier.pk),
        {"target": "organisation", "organisation": organisation_b.pk, "email": "not an address", "level": 1},
    )
    assert response.status_code == 302
    assert DossierShare.objects.get().target_organisation == organisation_b


def test_the_expiry_date_is_inclusive_so_today_gives_access_until_midnight(
    signed_in, admin_a, organisation_a, organisation_b
):
    dossier = DossierFactory(owner=organisation_a)
    client = signed_in(admin_a)
    today = timezone.localdate()
    yesterday = (today - timedelta(days=1)).isoformat()
    refused = client.post(
        url("dossiers:sharing", dossier.pk),
        {"target": "organisation", "organisation": organisation_b.pk, "level": 1, "expires_on": yesterday},
    )
    assert "The expiry date cannot lie in the past." in refused.content.decode()
    assert not DossierShare.objects.exists()
    client.post(
        url("dossiers:sharing", dossier.pk),
        {
            "target": "organisation",
            "organisation": organisation_b.pk,
            "level": 1,
            "expires_on": today.isoformat(),
        },
    )
    expires_at = timezone.localtime(DossierShare.objects.get().expires_at)
    assert expires_at.date() == today and (expires_at.hour, expires_at.minute) == (23, 59)
    page = client.get(url("dossiers:sharing", dossier.pk)).content.decode()
    assert "Inclusive: access ends at the end of this day (23:59)." in page


def test_bulk_sharing_does_not_offer_the_users_own_organisation(
    signed_in, worker_a, organisation_a, organisation_b
):
    dossier = DossierFactory(owner=organisation_a)
    page = (
        signed_in(worker_a)
        .post(url("dossiers:bulk"), {"action": "share", "dossiers": [dossier.pk]})
        .content.decode()
    )
    offered = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    assert f'value="{organisation_b.pk}"' in offered
    assert f'value="{organisation_a.pk}"' not in offered
    response = signed_in(worker_a).post(
        url("dossiers:bulk"),
        {
            "action": "share",
            "dossiers": [dossier.pk],
            "apply": "1",
            "target": "organisation",
            "organisation": organisation_a.pk,
            "level": 1,
        },
    )
    assert response.status_code == 200 and not DossierShare.objects.exists()
