"""E-mails about shares, hand-overs, documents and messages; immediate or as a daily digest."""

from __future__ import annotations

import pytest
from django.core import mail

from portal.documents.actions import add_documents
from portal.dossiers.levels import Level
from portal.dossiers.sharing import hand_over, share_dossier
from portal.notifications.services import send_digests
from portal.threads.actions import post_message
from tests.dossiers.factories import DossierFactory, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(organisation_a):
    return DossierFactory(owner=organisation_a, reference="GE-2026-00042")


def test_sharing_mails_the_members_of_the_organisation_at_once(
    dossier, admin_a, organisation_b, worker_b, admin_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([worker_b.email, admin_b.email])
    assert "GE-2026-00042" in mail.outbox[0].subject
    assert f"/dossiers/{dossier.pk}/" in mail.outbox[0].body


def test_nothing_is_sent_when_the_share_rolls_back(dossier, admin_a, organisation_b, worker_b):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
        raise RuntimeError
    assert mail.outbox == []


def test_digest_readers_get_one_summary_instead(
    dossier, admin_a, worker_a, reader_a, django_capture_on_commit_callbacks
):
    reader_a.notification_mode = "digest"
    reader_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        add_documents(dossier=dossier, uploads=[upload()], acting_user=worker_a)
        post_message(dossier=dossier, body="Neu", acting_user=worker_a, acting_for=dossier.owner)
    assert reader_a.email not in [m.to[0] for m in mail.outbox]
    assert admin_a.email in [m.to[0] for m in mail.outbox]
    assert worker_a.email not in [m.to[0] for m in mail.outbox]  # not about one's own doing
    mail.outbox.clear()
    assert send_digests() == 1
    [digest] = mail.outbox
    assert digest.to == [reader_a.email] and digest.body.count("GE-2026-00042") == 2
    assert send_digests() == 0


def test_a_hand_over_tells_the_new_owners_case_workers(
    dossier, admin_a, organisation_b, worker_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hand_over(dossier=dossier, to_organisation=organisation_b, acting_user=admin_a)
    assert worker_b.email in [m.to[0] for m in mail.outbox]
