"""Two-factor sign-in is mandatory: nothing but sign-in, enrolment and reset before it."""

from __future__ import annotations

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from tenants.roles import Role
from tests.accounts.factories import PASSWORD, UserFactory, enrol_totp
from tests.tenants.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/de/accounts/login/"
MFA_AUTHENTICATE = "/de/accounts/2fa/authenticate/"
ACTIVATE_TOTP = "/de/accounts/2fa/totp/activate/"


@pytest.fixture
def unenrolled(organisation_a):
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation_a, role=Role.ADMINISTRATOR)
    return user


def _password_step(client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


@pytest.mark.parametrize(
    "path",
    [
        "/de/",
        "/de/organisation/members/",
        "/de/organisation/settings/",
        "/cms/",
        "/cms/pages/",
        "/de/accounts/password/change/",
    ],
)
def test_a_signed_in_user_without_second_factor_is_sent_to_enrolment(client, unenrolled, path):
    _password_step(client, unenrolled)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.endswith(ACTIVATE_TOTP)


def test_a_superuser_without_second_factor_cannot_reach_the_cms(client):
    boss = UserFactory(is_superuser=True, is_staff=True)
    _password_step(client, boss)
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response.url.endswith(ACTIVATE_TOTP)


@pytest.mark.django_db(transaction=True)
def test_enrolment_opens_the_portal_and_shows_recovery_codes(client, unenrolled):
    # Transactional: allauth finishes enrolment in on-commit hooks, as in production.
    _password_step(client, unenrolled)
    page = client.get(ACTIVATE_TOTP)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE_TOTP, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=unenrolled, type=Authenticator.Type.TOTP).exists()
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    unused = RecoveryCodes(
        Authenticator.objects.get(user=unenrolled, type="recovery_codes")
    ).get_unused_codes()
    assert len(unused) == 10
    assert unused[0] in codes.content.decode()
    home = client.get("/de/")
    assert home.status_code == 200
    assert unenrolled.email in home.content.decode()


def test_a_wrong_enrolment_code_enrols_nothing(client, unenrolled):
    _password_step(client, unenrolled)
    client.get(ACTIVATE_TOTP)
    response = client.post(ACTIVATE_TOTP, {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=unenrolled, type=Authenticator.Type.TOTP).exists()
    assert client.get("/de/").status_code == 302


def test_password_alone_does_not_sign_an_enrolled_user_in(client, unenrolled):
    secret = enrol_totp(unenrolled)
    response = _password_step(client, unenrolled)
    assert response.status_code == 302
    assert response.url.endswith(MFA_AUTHENTICATE)
    # Between the two steps the person is not signed in anywhere.
    assert client.get("/de/").url.startswith(LOGIN)
    cms = client.get("/cms/")
    assert cms.status_code == 302
    assert cms.url.startswith("/accounts/login/")
    done = client.post(MFA_AUTHENTICATE, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert client.get("/de/").status_code == 200


def test_a_wrong_totp_code_is_refused(client, unenrolled):
    enrol_totp(unenrolled)
    _password_step(client, unenrolled)
    response = client.post(MFA_AUTHENTICATE, {"code": "123456"})
    assert response.status_code == 200
    assert client.get("/de/").status_code == 302


def test_each_recovery_code_works_exactly_once(client, unenrolled):
    enrol_totp(unenrolled)
    codes = RecoveryCodes.activate(unenrolled).get_unused_codes()
    first, second = codes[0], codes[1]

    _password_step(client, unenrolled)
    assert client.post(MFA_AUTHENTICATE, {"code": first}).status_code == 302
    assert client.get("/de/").status_code == 200
    client.post("/de/accounts/logout/")

    _password_step(client, unenrolled)
    reused = client.post(MFA_AUTHENTICATE, {"code": first})
    assert reused.status_code == 200  # form shown again with an error
    assert client.get("/de/").status_code == 302

    assert client.post(MFA_AUTHENTICATE, {"code": second}).status_code == 302
    assert client.get("/de/").status_code == 200


def test_the_last_second_factor_cannot_be_removed(client, unenrolled):
    enrol_totp(unenrolled)
    client.force_login(unenrolled)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=unenrolled, type=Authenticator.Type.TOTP).exists()
    assert response.status_code in {200, 302, 403}


def test_the_cms_has_no_login_of_its_own(client):
    response = client.get("/cms/login/?next=/cms/")
    assert response.status_code == 302
    assert response.url.startswith("/de/accounts/login/") or response.url.startswith("/accounts/login/")


def test_totp_secrets_are_encrypted_in_the_database(client, unenrolled):
    _password_step(client, unenrolled)
    client.get(ACTIVATE_TOTP)
    secret = client.session["mfa.totp.secret"]
    client.post(ACTIVATE_TOTP, {"code": pyotp.TOTP(secret).now()})
    stored = Authenticator.objects.get(user=unenrolled, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    assert stored.startswith("v1:")


def test_after_sign_in_a_person_lands_in_their_preferred_language(client, organisation_a):
    person = UserFactory(preferred_language="fr")
    MembershipFactory(user=person, organisation=organisation_a)
    secret = enrol_totp(person)
    _password_step(client, person)
    response = client.post(MFA_AUTHENTICATE, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.url == "/fr/"
    assert 'lang="fr"' in client.get(response.url).content.decode()
