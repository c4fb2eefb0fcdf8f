"""The home page as a case worker's workspace: each block shows what concerns the person,
never what they may not see, and costs the same queries for one row as for a full block."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from portal.documents.actions import add_documents
from portal.dossiers.levels import Level
from portal.dossiers.sharing import hand_over, share_dossier
from portal.threads.actions import post_message
from portal.workspace import selectors
from portal.workspace.actions import record_visit
from portal.workspace.models import Visit
from tests.dossiers.factories import DossierFactory, upload

pytestmark = pytest.mark.django_db


def count_queries(function, *args, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = function(*args, **kwargs)
    return len(captured), result


def english(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def home(client) -> str:
    return client.get(english("home")).content.decode()


# --- Your dossiers ---------------------------------------------------------------------------


def test_my_dossiers_lists_open_ones_i_am_responsible_for_overdue_first(worker_a, admin_a, organisation_a):
    today = timezone.localdate()
    later = DossierFactory(owner=organisation_a, responsible=worker_a, deadline=today + timedelta(days=9))
    overdue = DossierFactory(owner=organisation_a, responsible=worker_a, deadline=today - timedelta(days=2))
    undated = DossierFactory(owner=organisation_a, responsible=worker_a)
    DossierFactory(owner=organisation_a, responsible=worker_a, status="closed", deadline=today)
    DossierFactory(owner=organisation_a, responsible=admin_a, deadline=today)
    shown = selectors.my_dossiers(worker_a)
    assert shown == [overdue, later, undated]
    assert [d.overdue for d in shown] == [True, False, False]


def test_my_dossiers_forgets_a_dossier_handed_over_out_of_reach(
    worker_a, admin_a, organisation_a, organisation_b
):
    dossier = DossierFactory(owner=organisation_a, responsible=worker_a)
    hand_over(dossier=dossier, to_organisation=organisation_b, level_kept=None, acting_user=admin_a)
    assert selectors.my_dossiers(worker_a) == []


def test_my_dossiers_costs_the_same_queries_for_one_and_for_a_full_block(worker_a, organisation_a):
    DossierFactory(owner=organisation_a, responsible=worker_a)
    one, rows = count_queries(selectors.my_dossiers, worker_a)
    assert len(rows) == 1
    DossierFactory.create_batch(12, owner=organisation_a, responsible=worker_a)
    many, rows = count_queries(selectors.my_dossiers, worker_a)
    assert len(rows) == selectors.ROWS and many == one == 1


# --- Received (inbox) and the count in the navigation ----------------------------------------


def test_new_shares_are_unread_counted_in_the_navigation_until_the_inbox_is_opened(
    signed_in, worker_b, admin_a, organisation_a, organisation_b
):
    shared = DossierFactory(owner=organisation_a, reference="GE-2026-00007")
    share_dossier(dossier=shared, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    handed = DossierFactory(owner=organisation_a, reference="GE-2026-00008")
    hand_over(dossier=handed, to_organisation=organisation_b, level_kept=None, acting_user=admin_a)
    client = signed_in(worker_b)
    page = home(client)
    assert "GE-2026-00007" in page and "GE-2026-00008" in page
    assert page.count('class="badge badge--new"') == 2
    assert '<span class="badge badge--count">2<span class="visually-hidden"> unread</span>' in page
    inbox = client.get(english("dossiers:inbox")).content.decode()
    assert inbox.count('class="badge badge--new"') == 2  # marked on the visit that reads them
    page = home(client)
    assert "badge--count" not in page and "badge--new" not in page
    assert "GE-2026-00007" in page  # still listed, now read
    later = DossierFactory(owner=organisation_a)
    share_dossier(dossier=later, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    assert '<span class="badge badge--count">1<' in home(client)


def test_the_unread_count_is_one_query_whatever_the_number_of_entries(
    worker_b, admin_a, organisation_a, organisation_b
):
    share_dossier(
        dossier=DossierFactory(owner=organisation_a),
        acting_user=admin_a,
        organisation=organisation_b,
        level=1,
    )
    one, count = count_queries(selectors.unread_inbox_count, worker_b, organisation_b)
    assert count == 1
    for _ in range(10):
        share_dossier(
            dossier=DossierFactory(owner=organisation_a),
            acting_user=admin_a,
            organisation=organisation_b,
            level=1,
        )
    many, count = count_queries(selectors.unread_inbox_count, worker_b, organisation_b)
    assert count == 11 and many == one == 1


def test_the_received_block_costs_the_same_queries_for_one_and_for_a_full_block(
    worker_b, admin_a, organisation_a, organisation_b
):
    share_dossier(
        dossier=DossierFactory(owner=organisation_a),
        acting_user=admin_a,
        organisation=organisation_b,
        level=1,
    )
    one, items = count_queries(selectors.new_in_inbox, worker_b, organisation_b)
    assert len(items) == 1
    for _ in range(6):
        share_dossier(
            dossier=DossierFactory(owner=organisation_a),
            acting_user=admin_a,
            organisation=organisation_b,
            level=1,
        )
        hand_over(
            dossier=DossierFactory(owner=organisation_a),
            to_organisation=organisation_b,
            level_kept=None,
            acting_user=admin_a,
        )
    many, items = count_queries(selectors.new_in_inbox, worker_b, organisation_b)
    assert len(items) == selectors.ROWS and many == one


# --- Unread messages -------------------------------------------------------------------------


def test_unread_messages_from_others_are_listed_until_the_thread_is_read(
    signed_in, worker_a, admin_a, organisation_a, organisation_b, worker_b
):
    dossier = DossierFactory(owner=organisation_a, reference="GE-2026-00021")
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.CONTRIBUTE)
    post_message(
        dossier=dossier, body="Bitte Lohnabrechnungen", acting_user=worker_b, acting_for=organisation_b
    )
    post_message(dossier=dossier, body="Und Arbeitszeiten", acting_user=worker_b, acting_for=organisation_b)
    post_message(
        dossier=DossierFactory(owner=organisation_a),
        body="Eigene",
        acting_user=worker_a,
        acting_for=organisation_a,
    )
    [listed] = selectors.unread_messages(worker_a)
    assert listed == dossier and listed.unread == 2
    assert selectors.unread_messages(worker_b) == []  # their own messages
    client = signed_in(worker_a)
    assert "2 unread messages" in home(client)
    client.get(english("dossiers:messages", dossier.pk))
    assert selectors.unread_messages(worker_a) == []


def test_unread_messages_cost_the_same_queries_for_one_and_for_a_full_block(
    worker_a, admin_a, organisation_a
):
    def dossier_with_message():
        dossier = DossierFactory(owner=organisation_a)
        post_message(dossier=dossier, body="Neu", acting_user=admin_a, acting_for=organisation_a)
        return dossier

    dossier_with_message()
    one, rows = count_queries(selectors.unread_messages, worker_a)
    assert len(rows) == 1
    for _ in range(10):
        dossier_with_message()
    many, rows = count_queries(selectors.unread_messages, worker_a)
    assert len(rows) == selectors.ROWS and many == one


# --- New documents since the last visit ------------------------------------------------------


def test_documents_added_by_others_since_the_last_visit_and_none_from_elsewhere(
    signed_in, worker_a, admin_a, organisation_a, organisation_b, admin_b
):
    dossier = DossierFactory(owner=organisation_a)
    foreign = DossierFactory(owner=organisation_b)
    client = signed_in(worker_a)
    home(client)
    Visit.objects.filter(user=worker_a).update(seen_at=timezone.now() - timedelta(hours=3))
    add_documents(dossier=dossier, uploads=[upload("kontrollbericht.pdf")], acting_user=admin_a)
    add_documents(dossier=dossier, uploads=[upload("eigenes.pdf")], acting_user=worker_a)
    add_documents(dossier=foreign, uploads=[upload("fremd.pdf")], acting_user=admin_b)
    page = home(client)
    assert "kontrollbericht.pdf" in page
    assert "eigenes.pdf" not in page and "fremd.pdf" not in page
    assert "kontrollbericht.pdf" in home(client)  # a reload in the same sitting keeps it new


def test_the_last_visit_moves_only_after_a_pause(worker_a):
    start = timezone.now()
    first = record_visit(user=worker_a, now=start)
    assert first <= start
    assert record_visit(user=worker_a, now=start + timedelta(minutes=10)) == first
    assert record_visit(user=worker_a, now=start + timedelta(hours=5)) == start + timedelta(minutes=10)


def test_new_documents_cost_the_same_queries_for_one_and_for_a_full_block(worker_a, admin_a, organisation_a):
    since = timezone.now() - timedelta(minutes=1)
    dossier = DossierFactory(owner=organisation_a)
    add_documents(dossier=dossier, uploads=[upload("a.pdf")], acting_user=admin_a)
    one, rows = count_queries(selectors.new_documents, worker_a, since=since)
    assert len(rows) == 1
    add_documents(dossier=dossier, uploads=[upload(f"{n}.pdf") for n in range(10)], acting_user=admin_a)
    many, rows = count_queries(selectors.new_documents, worker_a, since=since)
    assert len(rows) == selectors.ROWS and many == one == 1


# --- Due for destruction ---------------------------------------------------------------------


def test_dossiers_due_for_destruction_within_30_days_without_a_hold(worker_a, organisation_a, organisation_b):
    now = timezone.now()
    soon = DossierFactory(owner=organisation_a, destroy_after=now + timedelta(days=3))
    sooner = DossierFactory(owner=organisation_a, destroy_after=now + timedelta(days=1))
    DossierFactory(owner=organisation_a, destroy_after=now + timedelta(days=40))
    DossierFactory(owner=organisation_a, destroy_after=now + timedelta(days=2), legal_hold_reason="Verfahren")
    DossierFactory(owner=organisation_b, destroy_after=now + timedelta(days=2))
    assert selectors.due_for_destruction(worker_a) == [sooner, soon]


def test_due_for_destruction_costs_the_same_queries_for_one_and_for_a_full_block(worker_a, organisation_a):
    soon = timezone.now() + timedelta(days=5)
    DossierFactory(owner=organisation_a, destroy_after=soon)
    one, rows = count_queries(selectors.due_for_destruction, worker_a)
    DossierFactory.create_batch(10, owner=organisation_a, destroy_after=soon)
    many, more = count_queries(selectors.due_for_destruction, worker_a)
    assert (len(rows), len(more)) == (1, selectors.ROWS) and many == one == 1


# --- The page as a whole ---------------------------------------------------------------------


def test_the_home_page_costs_the_same_queries_with_empty_and_full_blocks(
    signed_in, worker_a, admin_a, organisation_a, organisation_b, admin_b
):
    client = signed_in(worker_a)
    home(client)  # the first request of a session writes the session: not what is counted

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(english("home")).status_code == 200
        return len(captured)

    empty = page_queries()
    soon = timezone.now() + timedelta(days=5)
    for _ in range(10):
        dossier = DossierFactory(owner=organisation_a, responsible=worker_a, destroy_after=soon)
        add_documents(dossier=dossier, uploads=[upload()], acting_user=admin_a)
        post_message(dossier=dossier, body="Neu", acting_user=admin_a, acting_for=organisation_a)
        shared = DossierFactory(owner=organisation_b)
        share_dossier(dossier=shared, acting_user=admin_b, organisation=organisation_a, level=1)
    assert page_queries() == empty


def test_the_knowledge_block_follows_audiences_and_costs_the_same_for_one_or_five_pages():
    from portal.demo.knowledge import seed_knowledge
    from portal.knowledge.models import GuidancePage
    from tests.accounts.factories import EnrolledUserFactory
    from tests.tenants.factories import MembershipFactory, OrganisationFactory

    with transaction.atomic():
        seed_knowledge()
    restricted = GuidancePage.objects.get(slug="sanktionen", locale__language_code="de")
    restricted.save_revision().publish()  # the newest page of all
    commission = EnrolledUserFactory()
    MembershipFactory(user=commission, organisation=OrganisationFactory(kind="joint_commission"))
    canton = EnrolledUserFactory()
    MembershipFactory(user=canton, organisation=OrganisationFactory(kind="cantonal_authority"))
    assert selectors.latest_knowledge(canton, "de")[0].title == restricted.title
    shown = selectors.latest_knowledge(commission, "de")
    assert len(shown) == 5 and restricted.title not in [item.title for item in shown]
    assert all(not item.other_language for item in shown)
    one, _ = count_queries(selectors.latest_knowledge, commission, "de", limit=1)
    five, _ = count_queries(selectors.latest_knowledge, commission, "de", limit=5)
    assert five == one
