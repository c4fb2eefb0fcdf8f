"""Two-factor sign-in is mandatory: nothing but sign-in, enrolment and reset before it."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.journal.models import JournalEntry
from tenants.roles import Role
from tests.accounts.factories import PASSWORD, EnrolledUserFactory, UserFactory, enrol_totp
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


def test_a_person_without_second_factor_can_add_a_security_key_as_the_first(client, unenrolled):
    _password_step(client, unenrolled)
    overview = client.get(reverse("mfa_index"))
    assert overview.status_code == 200
    add_key = reverse("mfa_add_webauthn")
    assert add_key in overview.content.decode()
    page = client.get(add_key)
    assert page.status_code == 200
    assert 'name="credential"' in page.content.decode()


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


# --- Wrong codes count like wrong passwords ---------------------------------------------


def _wrong_code(secret: str) -> str:
    """A six-digit code that is not valid now, nor in the windows either side of now."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now + offset) for offset in (-30, 0, 30)}
    return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in valid)


def _failed_code_entries(user):
    return JournalEntry.objects.filter(object_type="user", object_id=user.pk, action="sign_in_failed")


def _cool_off_passes(settings):
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)


def test_wrong_codes_lock_the_account_until_the_cool_off_ends(
    client, settings, organisation_a, django_capture_on_commit_callbacks
):
    person = EnrolledUserFactory()
    MembershipFactory(user=person, organisation=organisation_a)
    limit = settings.AXES_FAILURE_LIMIT
    wrong = _wrong_code(person.totp_secret)
    _password_step(client, person)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(limit - 1):
            response = client.post(MFA_AUTHENTICATE, {"code": wrong})
            assert response.status_code == 200
            assert "Falscher Code." in response.content.decode()
        locked = client.post(MFA_AUTHENTICATE, {"code": wrong})
        assert mail.outbox == []  # the e-mail waits for the commit

    assert locked.status_code == 429
    assert "Konto vorübergehend gesperrt" in locked.content.decode()
    # The pending sign-in is over: even the right code is refused now.
    right = client.post(MFA_AUTHENTICATE, {"code": pyotp.TOTP(person.totp_secret).now()})
    assert right.status_code in {302, 429}
    assert client.get("/de/").status_code == 302
    # A fresh start with the password is refused too, like after wrong passwords.
    assert _password_step(client, person).status_code == 429

    entries = list(_failed_code_entries(person))
    assert len(entries) == limit
    assert all(wrong not in entry.canonical() for entry in entries)
    assert entries[-1].details["locked_until"]

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [person.email]
    until = timezone.localtime(AccessAttempt.objects.get().attempt_time + settings.AXES_COOLOFF_TIME)
    assert f"{until:%H:%M}" in notice.body
    assert str(limit) in notice.body
    assert wrong not in notice.body

    _cool_off_passes(settings)
    assert _password_step(client, person).url.endswith(MFA_AUTHENTICATE)
    done = client.post(MFA_AUTHENTICATE, {"code": pyotp.TOTP(person.totp_secret).now()})
    assert done.status_code == 302
    assert client.get("/de/").status_code == 200
    assert len(mail.outbox) == 1


def test_the_right_code_is_refused_while_the_account_is_locked(
    client, settings, django_capture_on_commit_callbacks
):
    person = EnrolledUserFactory()
    wrong = _wrong_code(person.totp_secret)
    first, second, third = Client(), Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        _password_step(first, person)
        # Two more pending sign-ins, begun before the lock.
        _password_step(second, person)
        _password_step(third, person)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            first.post(MFA_AUTHENTICATE, {"code": wrong})

        refused = second.post(MFA_AUTHENTICATE, {"code": pyotp.TOTP(person.totp_secret).now()})
        # A security key is refused unchecked as well.
        key = third.post(MFA_AUTHENTICATE, {"credential": '{"id": "any"}'})

    assert refused.status_code == 429
    assert "Konto vorübergehend gesperrt" in refused.content.decode()
    assert second.get("/de/").status_code == 302
    # That pending sign-in is ended: the code page sends back to the password.
    assert second.get(MFA_AUTHENTICATE).url.startswith(LOGIN)
    assert key.status_code == 429
    assert third.get(MFA_AUTHENTICATE).url.startswith(LOGIN)
    # The refused code is journaled too, and the holder is told only once.
    assert _failed_code_entries(person).count() == settings.AXES_FAILURE_LIMIT + 1
    assert _failed_code_entries(person).last().details["refused"] == "locked"
    assert len(mail.outbox) == 1


def test_wrong_recovery_codes_count_and_lock_the_account(client, settings):
    person = EnrolledUserFactory()
    codes = RecoveryCodes.activate(person).get_unused_codes()
    used, unused = codes[0], codes[1]
    _password_step(client, person)
    assert client.post(MFA_AUTHENTICATE, {"code": used}).status_code == 302
    client.post("/de/accounts/logout/")

    _password_step(client, person)
    guesses = [used] + [f"{n:08d}" for n in range(100) if f"{n:08d}" not in codes]
    responses = [
        client.post(MFA_AUTHENTICATE, {"code": guess}) for guess in guesses[: settings.AXES_FAILURE_LIMIT]
    ]
    assert [r.status_code for r in responses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert _failed_code_entries(person).count() == settings.AXES_FAILURE_LIMIT

    assert _password_step(client, person).status_code == 429
    # The lock does not spend a recovery code: it is still there after the cool-off.
    authenticator = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    assert unused in RecoveryCodes(authenticator).get_unused_codes()
    _cool_off_passes(settings)
    _password_step(client, person)
    assert client.post(MFA_AUTHENTICATE, {"code": unused}).status_code == 302
    assert client.get("/de/").status_code == 200


def test_a_right_code_resets_the_count_of_wrong_ones(client, settings):
    person = EnrolledUserFactory()
    recovery_code = RecoveryCodes.activate(person).get_unused_codes()[0]
    wrong = _wrong_code(person.totp_secret)
    # A TOTP code works once; the second sign-in uses a recovery code.
    for right in (pyotp.TOTP(person.totp_secret).now(), recovery_code):
        _password_step(client, person)
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert client.post(MFA_AUTHENTICATE, {"code": wrong}).status_code == 200
        assert client.post(MFA_AUTHENTICATE, {"code": right}).status_code == 302
        assert client.get("/de/").status_code == 200
        assert not AccessAttempt.objects.exists()
        client.post("/de/accounts/logout/")
    assert _failed_code_entries(person).count() == 2 * (settings.AXES_FAILURE_LIMIT - 1)
    assert len(mail.outbox) == 0


def test_one_pending_sign_in_gets_no_more_codes_than_the_limit(client, settings):
    """Even when the count starts again (the holder signed in elsewhere meanwhile)."""
    person = EnrolledUserFactory()
    wrong = _wrong_code(person.totp_secret)
    _password_step(client, person)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(MFA_AUTHENTICATE, {"code": wrong})

    holder = Client()
    _password_step(holder, person)
    holder.post(MFA_AUTHENTICATE, {"code": pyotp.TOTP(person.totp_secret).now()})
    assert holder.get("/de/").status_code == 200
    assert not AccessAttempt.objects.exists()

    last = client.post(MFA_AUTHENTICATE, {"code": wrong})
    assert last.status_code == 200
    assert "Anmeldung wurde beendet" in last.content.decode()
    assert client.get(MFA_AUTHENTICATE).url.startswith(LOGIN)
    assert client.get("/de/").status_code == 302
