"""Organisation administrators manage their own members, and only theirs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.models import Membership
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory
from tests.tenants.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/de/organisation/members/"


def test_a_member_sees_only_their_own_organisations_members(signed_in, worker_a, admin_a, admin_b, worker_b):
    page = signed_in(worker_a).get(MEMBERS).content.decode()
    assert worker_a.email in page
    assert admin_a.email in page
    assert admin_b.email not in page
    assert worker_b.email not in page


def test_an_administrator_changes_a_members_role(signed_in, admin_a, worker_a, organisation_a):
    membership = Membership.objects.get(user=worker_a, organisation=organisation_a)
    response = signed_in(admin_a).post(
        f"{MEMBERS}{membership.pk}/", {"role": Role.INSPECTOR, "is_active": "on"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.INSPECTOR


def test_an_administrator_cannot_touch_another_organisations_member(
    signed_in, admin_a, worker_b, organisation_b
):
    membership = Membership.objects.get(user=worker_b, organisation=organisation_b)
    client = signed_in(admin_a)
    assert client.get(f"{MEMBERS}{membership.pk}/").status_code == 404
    response = client.post(f"{MEMBERS}{membership.pk}/", {"role": Role.READER, "is_active": ""})
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == Role.CASE_WORKER
    assert membership.is_active


def test_a_missing_member_and_a_foreign_member_look_the_same(signed_in, admin_a, worker_b, organisation_b):
    foreign = Membership.objects.get(user=worker_b, organisation=organisation_b)
    client = signed_in(admin_a)
    assert (
        client.get(f"{MEMBERS}{foreign.pk}/").status_code
        == client.get(f"{MEMBERS}999999/").status_code
        == 404
    )


@pytest.mark.parametrize("role", [Role.READER, Role.INSPECTOR, Role.CASE_WORKER])
def test_non_administrators_cannot_manage_members(signed_in, organisation_a, admin_a, role):
    user = MembershipFactory(organisation=organisation_a, role=role).user
    target = Membership.objects.get(user=admin_a, organisation=organisation_a)
    client = signed_in(user)
    listing = client.get(MEMBERS)
    assert listing.status_code == 200
    assert "/organisation/members/invite/" not in listing.content.decode()
    assert client.get(f"{MEMBERS}invite/").status_code == 403
    assert (
        client.post(f"{MEMBERS}invite/", {"email": "x@example.ch", "role": Role.ADMINISTRATOR}).status_code
        == 403
    )
    assert client.post(f"{MEMBERS}{target.pk}/", {"role": Role.READER}).status_code == 403
    assert not Membership.objects.filter(user__email="x@example.ch").exists()
    target.refresh_from_db()
    assert target.role == Role.ADMINISTRATOR


def test_inviting_a_new_person_creates_the_membership_and_sends_a_password_link(
    signed_in, admin_a, organisation_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(admin_a).post(
            f"{MEMBERS}invite/",
            {
                "email": "New.Person@Example.ch",
                "first_name": "Nina",
                "last_name": "Neu",
                "role": Role.INSPECTOR,
            },
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.ch")
    assert membership.organisation == organisation_a
    assert membership.role == Role.INSPECTOR
    assert membership.invited_by == admin_a
    assert len(mail.outbox) == 1
    path = urlsplit(re.search(r"https?://\S+/password/reset/key/\S+", mail.outbox[0].body).group(0)).path
    # The link lets the invited person, not yet signed in, choose a password.
    anonymous = Client()
    form = anonymous.get(path, follow=True)
    assert form.status_code == 200
    set_password = anonymous.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "A-brand-new-passphrase-7", "password2": "A-brand-new-passphrase-7"},
    )
    assert set_password.status_code == 302
    membership.user.refresh_from_db()
    assert membership.user.check_password("A-brand-new-passphrase-7")


def test_inviting_an_existing_member_again_is_refused_with_a_message(signed_in, admin_a, worker_a):
    response = signed_in(admin_a).post(f"{MEMBERS}invite/", {"email": worker_a.email, "role": Role.READER})
    assert response.status_code == 200
    assert "bereits" in response.content.decode() or "already" in response.content.decode()
    assert Membership.objects.filter(user=worker_a).count() == 1


def test_a_person_of_another_organisation_can_be_invited_and_then_belongs_to_both(
    signed_in, admin_a, worker_b, organisation_a, organisation_b
):
    signed_in(admin_a).post(f"{MEMBERS}invite/", {"email": worker_b.email, "role": Role.READER})
    assert set(Membership.objects.filter(user=worker_b).values_list("organisation", flat=True)) == {
        organisation_a.pk,
        organisation_b.pk,
    }


def test_the_last_administrator_cannot_be_demoted_or_deactivated(signed_in, admin_a, organisation_a):
    membership = Membership.objects.get(user=admin_a, organisation=organisation_a)
    client = signed_in(admin_a)
    response = client.post(f"{MEMBERS}{membership.pk}/", {"role": Role.READER, "is_active": "on"})
    assert response.status_code == 200
    response = client.post(f"{MEMBERS}{membership.pk}/", {"role": Role.ADMINISTRATOR, "is_active": ""})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.ADMINISTRATOR
    assert membership.is_active


def test_a_deactivated_member_loses_access_to_the_organisation(signed_in, admin_a, worker_a, organisation_a):
    membership = Membership.objects.get(user=worker_a, organisation=organisation_a)
    signed_in(admin_a).post(f"{MEMBERS}{membership.pk}/", {"role": Role.CASE_WORKER, "is_active": ""})
    client = signed_in(worker_a)
    assert client.get(MEMBERS).status_code == 403
    assert organisation_a.short_name not in client.get("/de/").content.decode()


def test_the_member_list_issues_the_same_number_of_queries_for_1_and_50_members(
    signed_in, organisation_a, admin_a
):
    client = signed_in(admin_a)
    client.get(MEMBERS)  # warm up session and caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MEMBERS).status_code == 200
        return len(queries)

    one = count()
    for _ in range(49):
        MembershipFactory(organisation=organisation_a, user=EnrolledUserFactory())
    fifty = count()
    assert one == fifty
