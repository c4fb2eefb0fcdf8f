"""The dossier pages as a person uses them: list, page, forms, sharing, bulk actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portal.documents.actions import add_documents
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier, DossierShare
from portal.dossiers.sharing import share_dossier
from portal.journal.models import JournalEntry
from portal.threads.actions import post_message
from tests.dossiers.factories import DossierFactory, upload

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # the first request of a session also writes the session: not what is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def test_the_list_shows_own_and_shared_dossiers_and_nothing_else(
    signed_in, worker_b, organisation_a, organisation_b, admin_a
):
    own = DossierFactory(owner=organisation_b, company_name="Eigene Bau AG")
    shared = DossierFactory(owner=organisation_a, company_name="Geteilte Maler SA")
    DossierFactory(owner=organisation_a, company_name="Fremde Gipser Sàrl")
    share_dossier(dossier=shared, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    page = signed_in(worker_b).get(reverse("dossiers:list")).content.decode()
    assert "Eigene Bau AG" in page and "Geteilte Maler SA" in page
    assert "Fremde Gipser" not in page
    shared_only = signed_in(worker_b).get(reverse("dossiers:list"), {"scope": "shared"}).content.decode()
    assert "Geteilte Maler SA" in shared_only and "Eigene Bau AG" not in shared_only
    assert own.pk  # both sides asserted above


def test_filters_and_sorting_narrow_the_list(signed_in, worker_a, organisation_a):
    DossierFactory(owner=organisation_a, company_name="Alpha AG", canton="GE", status="closed")
    DossierFactory(owner=organisation_a, company_name="Beta AG", canton="VD", sector="Gastgewerbe")
    client = signed_in(worker_a)
    page = client.get(reverse("dossiers:list"), {"canton": "VD"}).content.decode()
    assert "Beta AG" in page and "Alpha AG" not in page
    page = client.get(reverse("dossiers:list"), {"status": ["closed"]}).content.decode()
    assert "Alpha AG" in page and "Beta AG" not in page
    page = client.get(reverse("dossiers:list"), {"sector": "gast"}).content.decode()
    assert "Beta AG" in page and "Alpha AG" not in page
    page = client.get(reverse("dossiers:list"), {"sort": "company"}).content.decode()
    assert page.index("Alpha AG") < page.index("Beta AG")


def test_the_list_costs_the_same_queries_for_one_and_for_fifty_dossiers(
    signed_in, worker_b, organisation_a, organisation_b, admin_a
):
    client = signed_in(worker_b)
    first = DossierFactory(owner=organisation_a)
    share_dossier(dossier=first, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    DossierFactory(owner=organisation_b)
    one = queries(client, reverse("dossiers:list"))
    for _ in range(24):
        share_dossier(
            dossier=DossierFactory(owner=organisation_a),
            acting_user=admin_a,
            organisation=organisation_b,
            level=1,
        )
        DossierFactory(owner=organisation_b)
    assert queries(client, reverse("dossiers:list")) == one


def test_the_dossier_pages_cost_the_same_queries_for_one_and_for_fifty_rows(
    signed_in, worker_a, admin_a, organisation_a, organisation_b
):
    dossier = DossierFactory(owner=organisation_a)
    client = signed_in(admin_a)

    def counts():
        return [
            queries(client, reverse(name, args=[dossier.pk]))
            for name in (
                "dossiers:detail",
                "dossiers:documents",
                "dossiers:messages",
                "dossiers:sharing",
                "dossiers:journal",
            )
        ]

    add_documents(dossier=dossier, uploads=[upload()], acting_user=worker_a)
    post_message(dossier=dossier, body="Erste Nachricht", acting_user=worker_a, acting_for=organisation_a)
    from tests.tenants.factories import MembershipFactory

    MembershipFactory(organisation=organisation_b)
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=1)
    before = counts()
    add_documents(dossier=dossier, uploads=[upload(f"{i}.pdf") for i in range(49)], acting_user=worker_a)
    for i in range(49):
        post_message(
            dossier=dossier,
            body=f"Nachricht {i}",
            acting_user=worker_a,
            acting_for=organisation_a,
            attachments=[upload(f"anhang-{i}.pdf")] if i % 10 == 0 else [],
        )
        MembershipFactory(organisation=organisation_b)
        MembershipFactory(organisation=organisation_a)
    assert counts() == before


def test_another_organisation_gets_404_on_every_page_of_a_dossier(
    signed_in, worker_a, worker_b, organisation_a
):
    dossier = DossierFactory(owner=organisation_a)
    [document] = add_documents(dossier=dossier, uploads=[upload()], acting_user=worker_a)
    client = signed_in(worker_b)
    urls = [
        reverse(name, args=[dossier.pk])
        for name in (
            "dossiers:detail",
            "dossiers:edit",
            "dossiers:documents",
            "dossiers:messages",
            "dossiers:sharing",
            "dossiers:journal",
        )
    ] + [
        reverse("dossiers:document", args=[dossier.pk, document.pk]),
        reverse("dossiers:download", args=[dossier.pk, document.pk, 1]),
        reverse("dossiers:preview", args=[dossier.pk, document.pk, 1]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("dossiers:documents", args=[dossier.pk]), {"files": upload()}).status_code == 404
    )
    assert client.post(reverse("dossiers:status", args=[dossier.pk]), {"status": "closed"}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == "opened" and dossier.documents.count() == 1


def test_creating_a_dossier_shows_precise_messages_and_then_creates_it(signed_in, worker_a):
    client = signed_in(worker_a)
    with translation.override("en"):
        create_url = reverse("dossiers:create")
    response = client.post(
        create_url,
        {
            "company_name": "",
            "company_uid": "CHE-116.281.711",
            "canton": "GE",
            "control_kind": "posted_workers",
            "company_country": "CH",
            "persons_checked": 3,
            "work_start": "2026-05-10",
            "work_end": "2026-05-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The check digit of this enterprise number is wrong" in page
    assert "The end of the work lies before its start." in page
    assert "This field is required." in page  # the company name
    assert not Dossier.objects.exists()
    response = client.post(
        reverse("dossiers:create"),
        {
            "company_name": "Muster Bau GmbH",
            "company_uid": "CHE116281710",
            "canton": "GE",
            "control_kind": "posted_workers",
            "company_country": "DE",
            "persons_checked": 3,
            "tags": "Bau, Lohn",
        },
    )
    dossier = Dossier.objects.get()
    assert response.url == reverse("dossiers:detail", args=[dossier.pk])
    assert sorted(dossier.tags.names()) == ["Bau", "Lohn"]


def test_nul_in_any_page_form_gets_the_fields_message_and_changes_nothing(
    signed_in, worker_a, organisation_a
):
    """Django's form fields refuse NUL, which PostgreSQL cannot store, for every text input;
    a filter with NUL in the query string is ignored, not a server error."""
    dossier = DossierFactory(owner=organisation_a, company_name="Alpha AG")
    client = signed_in(worker_a)
    fields = {
        "company_name": "Beta\x00AG",
        "canton": "GE",
        "control_kind": "posted_workers",
        "company_country": "CH",
    }
    with translation.override("en"):
        answers = [
            client.post(reverse("dossiers:create"), fields),
            client.post(reverse("dossiers:edit", args=[dossier.pk]), fields),
            client.post(reverse("dossiers:messages", args=[dossier.pk]), {"body": "Guten Tag\x00"}),
            client.post(
                reverse("dossiers:sharing", args=[dossier.pk]), {"target": "person", "email": "a\x00@b.ch"}
            ),
        ]
        listed = client.get(reverse("dossiers:list"), {"sector": "\x00", "tag": "\x00", "sort": "\x00"})
    for answer in answers:
        assert answer.status_code == 200
        assert "Null characters are not allowed." in answer.content.decode()
    assert list(Dossier.objects.values_list("company_name", flat=True)) == ["Alpha AG"]
    assert not dossier.messages.exists() and not DossierShare.objects.exists()
    assert listed.status_code == 200 and "Alpha AG" in listed.content.decode()


def test_the_journal_tab_is_for_managers_and_shows_views(signed_in, admin_a, reader_a, organisation_a):
    dossier = DossierFactory(owner=organisation_a)
    signed_in(reader_a).get(reverse("dossiers:detail", args=[dossier.pk]))
    assert signed_in(reader_a).get(reverse("dossiers:journal", args=[dossier.pk])).status_code == 403
    page = signed_in(admin_a).get(reverse("dossiers:journal", args=[dossier.pk])).content.decode()
    assert reader_a.get_full_name() in page
    assert JournalEntry.objects.filter(action="view", actor=reader_a).count() == 1


def test_sharing_through_the_page_and_revoking_it(
    signed_in, admin_a, organisation_a, organisation_b, worker_b
):
    dossier = DossierFactory(owner=organisation_a)
    client = signed_in(admin_a)
    response = client.post(
        reverse("dossiers:sharing", args=[dossier.pk]),
        {"target": "organisation", "organisation": organisation_b.pk, "level": 2, "note": "Zur Kenntnis"},
    )
    assert response.status_code == 302
    share = DossierShare.objects.get()
    page = client.get(reverse("dossiers:sharing", args=[dossier.pk])).content.decode()
    assert worker_b.email in page and "Zur Kenntnis" in page
    assert signed_in(worker_b).get(reverse("dossiers:inbox")).content.decode().count(dossier.reference) == 1
    signed_in(admin_a).post(reverse("dossiers:revoke", args=[dossier.pk, share.pk]))
    assert signed_in(worker_b).get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404


def test_a_share_form_with_a_past_expiry_or_unknown_person_says_so(signed_in, admin_a, organisation_a):
    dossier = DossierFactory(owner=organisation_a)
    page = (
        signed_in(admin_a)
        .post(
            reverse("dossiers:sharing", args=[dossier.pk]),
            {"target": "person", "email": "niemand@example.ch", "level": 1, "expires_on": "2020-01-01"},
        )
        .content.decode()
    )
    assert "Nobody with this address uses the portal." in page or "niemand" in page
    assert not DossierShare.objects.exists()


def test_bulk_status_change_applies_where_allowed_and_names_the_rest(signed_in, worker_a, organisation_a):
    movable = DossierFactory(owner=organisation_a, status="opened")
    stuck = DossierFactory(owner=organisation_a, status="sanction_decided")
    response = signed_in(worker_a).post(
        reverse("dossiers:bulk"),
        {"action": "status", "dossiers": [movable.pk, stuck.pk], "status": "under_control", "apply": "1"},
        follow=True,
    )
    movable.refresh_from_db()
    stuck.refresh_from_db()
    assert (movable.status, stuck.status) == ("under_control", "sanction_decided")
    assert stuck.reference in response.content.decode()


def test_the_platform_operator_sees_no_case_contents_unless_shared_with_their_organisation(
    signed_in, organisation_a, admin_a
):
    from tests.accounts.factories import EnrolledUserFactory
    from tests.tenants.factories import MembershipFactory, OrganisationFactory

    dossier = DossierFactory(owner=organisation_a, company_name="Geheim AG")
    operator = EnrolledUserFactory(is_platform_operator=True)
    client = signed_in(operator)
    assert "Geheim AG" not in client.get(reverse("dossiers:list")).content.decode()
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    seco = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    MembershipFactory(user=operator, organisation=seco, role="reader")
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=seco, level=Level.VIEW)
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200


def test_a_recipient_below_manage_sees_only_their_own_access_on_the_sharing_tab(
    signed_in, admin_a, reader_a, organisation_a, organisation_b, admin_b
):
    """Issue 15, finding 2: the tab named every person with access, third organisations included."""
    from datetime import timedelta

    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from portal.api.clients import register_client
    from tenants.roles import Role
    from tests.tenants.factories import MembershipFactory, OrganisationFactory

    dossier = DossierFactory(owner=organisation_a)
    reader_b = MembershipFactory(organisation=organisation_b, role=Role.READER).user
    third = OrganisationFactory(short_name="TPK Drittkanton")
    third_worker = MembershipFactory(organisation=third, role=Role.CASE_WORKER).user
    lapsed = OrganisationFactory(short_name="Abgelaufene Kommission")
    lapsed_worker = MembershipFactory(organisation=lapsed, role=Role.CASE_WORKER).user
    third_admin = MembershipFactory(organisation=third, role=Role.ADMINISTRATOR).user
    service, _secret = register_client(
        organisation=third, acting_user=third_admin, name="Fallsoftware", scopes=["read"]
    )
    until = timezone.now() + timedelta(days=20)
    share_dossier(
        dossier=dossier,
        acting_user=admin_a,
        acting_for=organisation_a,
        organisation=organisation_b,
        level=Level.VIEW,
        expires_at=until,
        note="Notiz für PK Bau",
    )
    share_dossier(
        dossier=dossier,
        acting_user=admin_a,
        organisation=third,
        level=Level.EDIT,
        note="Vertraulich: Verdacht auf Scheinselbständigkeit",
    )
    share_dossier(dossier=dossier, acting_user=admin_a, user=third_worker, level=Level.MANAGE)
    expired = share_dossier(
        dossier=dossier,
        acting_user=admin_a,
        organisation=lapsed,
        level=Level.VIEW,
        expires_at=timezone.now() + timedelta(minutes=1),
    )
    DossierShare.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with translation.override("en"):
        url = reverse("dossiers:sharing", args=[dossier.pk])
    page = signed_in(reader_b).get(url).content.decode()
    # What concerns the recipient: shared with them, at which level, by whom, until when.
    assert "PK Bau" in page and "View" in page
    assert str(admin_a) in page and "AMB GE" in page
    with translation.override("en"):
        assert date_filter(timezone.localtime(until), "DATETIME_FORMAT") in page
    # Nobody else, and nothing said between others.
    for hidden in (
        reader_a.email,
        admin_b.email,
        third_worker.email,
        str(third_worker),
        service.account.email,
        lapsed_worker.email,
        "TPK Drittkanton",
        "Abgelaufene Kommission",
        "Vertraulich",
        "Notiz für PK Bau",
    ):
        assert hidden not in page, hidden
    assert reverse("dossiers:revoke", args=[dossier.pk, expired.pk]) not in page

    # A manager still sees everyone and why.
    page = signed_in(admin_a).get(url).content.decode()
    for shown in (reader_b.email, third_worker.email, "TPK Drittkanton", "Vertraulich", "Notiz für PK Bau"):
        assert shown in page, shown


def test_a_recipient_with_edit_level_is_not_offered_the_owners_members_as_responsible(
    signed_in, admin_a, worker_a, reader_a, organisation_a, organisation_b, worker_b
):
    """Issue 15, finding 2: the responsible person is the owner's choice; recipients leave it as it is."""
    dossier = DossierFactory(owner=organisation_a, responsible=worker_a, company_name="Alt AG")
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.EDIT)
    url = reverse("dossiers:edit", args=[dossier.pk])

    page = signed_in(worker_b).get(url).content.decode()
    assert 'name="responsible"' not in page
    assert reader_a.email not in page and str(reader_a) not in page
    assert 'name="company_name"' in page
    response = signed_in(worker_b).post(
        url,
        {
            "company_name": "Neu AG",
            "canton": "GE",
            "control_kind": "posted_workers",
            "company_country": "CH",
            "persons_checked": 0,
            "responsible": reader_a.pk,
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.company_name, dossier.responsible) == ("Neu AG", worker_a)

    # The owner's own case workers still choose among their colleagues.
    page = signed_in(worker_a).get(url).content.decode()
    assert 'name="responsible"' in page and str(reader_a) in page
