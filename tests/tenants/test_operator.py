"""Platform operators create organisations and their first administrator."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from tenants.models import Membership, Organisation
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory

pytestmark = pytest.mark.django_db

NEW = {
    "short_name": "AMB FL",
    "slug": "fl-authority",
    "name_de": "Amt für Volkswirtschaft Liechtenstein",
    "name_fr": "Office de l'économie nationale du Liechtenstein",
    "name_it": "Ufficio dell'economia nazionale del Liechtenstein",
    "name_en": "Office of National Economy, Liechtenstein",
    "kind": "cantonal_authority",
    "canton": "FL",
    "admin_email": "chef@avw.example.li",
}


def test_an_operator_creates_an_organisation_with_its_first_administrator(
    signed_in, django_capture_on_commit_callbacks
):
    operator = EnrolledUserFactory(is_platform_operator=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(operator).post("/de/operator/organisations/new/", NEW)
    assert response.status_code == 302
    organisation = Organisation.objects.get(slug="fl-authority")
    membership = Membership.objects.get(organisation=organisation)
    assert membership.user.email == "chef@avw.example.li"
    assert membership.role == Role.ADMINISTRATOR
    assert mail.outbox[0].to == ["chef@avw.example.li"]
    listing = signed_in(operator).get("/de/operator/organisations/").content.decode()
    assert "AMB FL" in listing


def test_a_duplicate_slug_is_refused_with_a_message_and_creates_nothing(signed_in, organisation_a):
    operator = EnrolledUserFactory(is_platform_operator=True)
    response = signed_in(operator).post(
        "/de/operator/organisations/new/", {**NEW, "slug": organisation_a.slug}
    )
    assert response.status_code == 200
    assert "slug" in response.content.decode().lower()
    assert not Membership.objects.filter(user__email="chef@avw.example.li").exists()


def test_an_organisation_administrator_is_not_an_operator(signed_in, admin_a):
    client = signed_in(admin_a)
    assert client.get("/de/operator/organisations/").status_code == 403
    assert client.post("/de/operator/organisations/new/", NEW).status_code == 403
    assert not Organisation.objects.filter(slug="fl-authority").exists()


def test_the_create_organisation_command(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_organisation",
            "--slug=pk-reinigung",
            "--short-name=PK Reinigung",
            "--kind=joint_commission",
            "--canton=CH",
            "--name-de=Paritätische Kommission Reinigung",
            "--name-fr=Commission paritaire du nettoyage",
            "--name-it=Commissione paritetica pulizia",
            "--name-en=Joint commission for cleaning",
            "--admin-email=admin@pk-reinigung.example.ch",
        )
    organisation = Organisation.objects.get(slug="pk-reinigung")
    assert organisation.memberships.get().role == Role.ADMINISTRATOR
    assert mail.outbox[0].to == ["admin@pk-reinigung.example.ch"]


def test_the_operator_list_issues_the_same_number_of_queries_for_1_and_50_organisations(signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.tenants.factories import OrganisationFactory

    operator = EnrolledUserFactory(is_platform_operator=True)
    client = signed_in(operator)
    OrganisationFactory()
    client.get("/de/operator/organisations/")
    with CaptureQueriesContext(connection) as one:
        client.get("/de/operator/organisations/")
    OrganisationFactory.create_batch(49)
    with CaptureQueriesContext(connection) as fifty:
        client.get("/de/operator/organisations/")
    assert len(one) == len(fifty)


def _row(listing: str, short_name: str) -> str:
    import re

    return re.search(rf">{re.escape(short_name)}</a></td>.*?</tr>", listing, re.S).group(0)


def test_the_operator_list_searches_and_counts_members_without_api_service_accounts(
    signed_in, organisation_a, organisation_b, admin_a, worker_a
):
    from tests.tenants.factories import MembershipFactory

    service = MembershipFactory(organisation=organisation_a, role=Role.CASE_WORKER).user
    service.is_service_account = True
    service.save()
    operator = EnrolledUserFactory(is_platform_operator=True)
    client = signed_in(operator)
    listing = client.get("/en/operator/organisations/").content.decode()
    # admin_a and worker_a are people; the API client's service account is not.
    assert "<td>2</td>\n      <td>1</td>" in _row(listing, organisation_a.short_name)
    found = client.get("/en/operator/organisations/", {"q": organisation_b.name_fr}).content.decode()
    assert organisation_b.short_name in found and f">{organisation_a.short_name}<" not in found
    nothing = client.get("/en/operator/organisations/", {"q": "gibt es nicht"}).content.decode()
    assert "No organisation matches this search." in nothing


def test_the_operator_list_costs_the_same_queries_for_few_and_many_organisations(
    signed_in, organisation_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.tenants.factories import MembershipFactory, OrganisationFactory

    client = signed_in(EnrolledUserFactory(is_platform_operator=True))
    client.get("/en/operator/organisations/")
    with CaptureQueriesContext(connection) as few:
        client.get("/en/operator/organisations/")
    for _ in range(30):
        MembershipFactory(organisation=OrganisationFactory())
    with django_assert_max_num_queries(len(few)):
        assert client.get("/en/operator/organisations/").status_code == 200


def test_an_operator_edits_and_deactivates_an_organisation_and_it_is_journaled(
    signed_in, organisation_a, organisation_b, admin_a
):
    from portal.journal.models import JournalEntry

    operator = EnrolledUserFactory(is_platform_operator=True)
    client = signed_in(operator)
    url = f"/en/operator/organisations/{organisation_b.pk}/"
    form = client.get(url).content.decode()
    assert organisation_b.name_de in form
    edited = {
        "short_name": "AMB NE",
        "name_de": organisation_b.name_de,
        "name_fr": "Service de l'emploi",
        "name_it": organisation_b.name_it,
        "name_en": organisation_b.name_en,
        "kind": organisation_b.kind,
        "canton": "NE",
        "website": "",
    }
    assert client.post(url, {**edited, "canton": "XX"}).status_code == 200  # refused, nothing saved
    organisation_b.refresh_from_db()
    assert organisation_b.canton != "XX"
    assert client.post(url, edited).status_code == 302
    organisation_b.refresh_from_db()
    assert (organisation_b.short_name, organisation_b.canton) == ("AMB NE", "NE")
    client.post(url, {"active": "0"})
    organisation_b.refresh_from_db()
    assert not organisation_b.is_active
    entries = JournalEntry.objects.filter(object_type="organisation", object_id=organisation_b.pk)
    assert [entry.details for entry in entries.order_by("id")] == [
        {"fields": ["canton", "name_fr", "short_name"]},
        {"active": False},
    ]
    # Deactivated: no longer offered as a share target.
    from tests.dossiers.factories import DossierFactory

    dossier = DossierFactory(owner=organisation_a)
    import re

    page = signed_in(admin_a).get(f"/en/dossiers/{dossier.pk}/sharing/").content.decode()
    offered = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    assert f'value="{organisation_b.pk}"' not in offered


def test_organisation_pages_are_for_operators_only(signed_in, admin_a, organisation_a):
    client = signed_in(admin_a)
    assert client.get(f"/en/operator/organisations/{organisation_a.pk}/").status_code == 403
    assert client.post(f"/en/operator/organisations/{organisation_a.pk}/", {"active": "0"}).status_code == 403
    organisation_a.refresh_from_db()
    assert organisation_a.is_active
