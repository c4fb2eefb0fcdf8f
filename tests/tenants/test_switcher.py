"""The organisation switcher offers the user's organisations and nothing else."""

from __future__ import annotations

import re

import pytest

from tenants.context import SESSION_KEY
from tenants.roles import Role
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def controller(organisation_a, organisation_b):
    """A control-association inspector working for two organisations."""
    membership = MembershipFactory(organisation=organisation_a, role=Role.INSPECTOR)
    MembershipFactory(user=membership.user, organisation=organisation_b, role=Role.CASE_WORKER)
    return membership.user


def _offered(html: str) -> set[int]:
    select = re.search(r'<select id="organisation-switcher".*?</select>', html, re.S).group(0)
    return {int(value) for value in re.findall(r'value="(\d+)"', select)}


def test_the_switcher_offers_exactly_the_users_organisations(
    signed_in, controller, organisation_a, organisation_b
):
    other = OrganisationFactory()
    offered = _offered(signed_in(controller).get("/de/").content.decode())
    assert offered == {organisation_a.pk, organisation_b.pk}
    assert other.pk not in offered


def test_switching_changes_the_active_organisation_and_role(signed_in, controller, organisation_b):
    client = signed_in(controller)
    response = client.post("/de/organisation/switch/", {"organisation": organisation_b.pk, "next": "/de/"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == organisation_b.pk
    page = client.get("/de/").content.decode()
    assert organisation_b.name_de in page
    assert "Sachbearbeiter" in page or "Case worker" in page


def test_switching_to_a_foreign_organisation_is_refused(signed_in, controller, organisation_a):
    stranger = OrganisationFactory()
    client = signed_in(controller)
    client.get("/de/")
    before = client.session[SESSION_KEY]
    response = client.post("/de/organisation/switch/", {"organisation": stranger.pk})
    assert response.status_code == 404
    assert client.session[SESSION_KEY] == before


def test_a_forged_organisation_in_the_session_is_not_honoured(signed_in, controller, organisation_a, admin_b):
    stranger = OrganisationFactory(short_name="FOREIGN")
    MembershipFactory(organisation=stranger, role=Role.ADMINISTRATOR)
    client = signed_in(controller)
    session = client.session
    session[SESSION_KEY] = stranger.pk
    session.save()
    page = client.get("/de/organisation/members/").content.decode()
    assert "FOREIGN" not in page
    assert stranger.name_de not in page
    assert client.session[SESSION_KEY] in {m.organisation_id for m in controller.memberships.all()}


def test_a_redirect_after_switching_stays_on_the_portal(signed_in, controller, organisation_b):
    response = signed_in(controller).post(
        "/de/organisation/switch/", {"organisation": organisation_b.pk, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil" not in response.url


def test_an_expired_membership_is_no_longer_offered(signed_in, controller, organisation_b):
    from datetime import timedelta

    from django.utils import timezone

    membership = controller.memberships.get(organisation=organisation_b)
    membership.valid_from = timezone.localdate() - timedelta(days=30)
    membership.valid_until = timezone.localdate() - timedelta(days=1)
    membership.save()
    assert organisation_b.pk not in _offered(signed_in(controller).get("/de/").content.decode())
