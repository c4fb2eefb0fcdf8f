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
