"""Lockout after repeated failures, and the idle timeout of sessions."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts.sessions import REFRESHED
from tests.accounts.factories import PASSWORD, EnrolledUserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/de/accounts/login/"
WRONG = "wrong-password-123"


def _fail(client, user, times):
    for _ in range(times):
        client.post(LOGIN, {"login": user.email, "password": "wrong-password-123"})


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(client, settings):
    user = EnrolledUserFactory()
    _fail(client, user, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "15" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not client.session.get("account_login_state")
    # The address is compared case-insensitively: changing case does not dodge the lock.
    response = client.post(LOGIN, {"login": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 429


def test_fewer_failures_than_the_limit_do_not_lock(client, settings):
    user = EnrolledUserFactory()
    _fail(client, user, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.endswith("/2fa/authenticate/")


def test_the_lock_ends_after_the_configured_time(client, settings):
    user = EnrolledUserFactory()
    _fail(client, user, settings.AXES_FAILURE_LIMIT)
    assert client.post(LOGIN, {"login": user.email, "password": PASSWORD}).status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    done = client.post("/de/accounts/2fa/authenticate/", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert done.status_code == 302
    assert client.get("/de/").status_code == 200


def test_one_locked_account_does_not_lock_another(client, settings):
    victim, bystander = EnrolledUserFactory(), EnrolledUserFactory()
    _fail(client, victim, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"login": bystander.email, "password": PASSWORD})
    assert response.status_code == 302


def _attempt(user, address, password=WRONG, **extra):
    return Client().post(LOGIN, {"login": user.email, "password": password}, REMOTE_ADDR=address, **extra)


def test_wrong_passwords_from_one_client_do_not_lock_the_holder_out_elsewhere(settings):
    user = EnrolledUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(user, "198.51.100.7")
    assert _attempt(user, "198.51.100.7", PASSWORD).status_code == 429
    elsewhere = _attempt(user, "192.0.2.10", PASSWORD)
    assert elsewhere.status_code == 302
    assert elsewhere.url.endswith("/2fa/authenticate/")


def test_wrong_passwords_from_many_clients_lock_the_address_at_its_own_ceiling(settings):
    user = EnrolledUserFactory()
    ceiling = settings.PORTAL_LOCKOUT_ADDRESS_FAILURES
    assert ceiling > settings.AXES_FAILURE_LIMIT
    per_client = settings.AXES_FAILURE_LIMIT - 1  # no single client reaches its own limit
    for failure in range(ceiling - 1):
        _attempt(user, f"198.51.100.{failure // per_client + 1}")
    assert _attempt(user, "192.0.2.10", PASSWORD).status_code == 302  # one short of the ceiling
    _attempt(user, "203.0.113.99")
    locked = _attempt(user, "192.0.2.11", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.content.decode()


def test_behind_the_proxy_each_client_counts_on_its_own(settings):
    settings.PORTAL_PROXY_COUNT = 1
    user = EnrolledUserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(user, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert _attempt(user, "10.0.0.2", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert _attempt(user, "10.0.0.2", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 302


def test_a_session_expires_after_the_configured_idle_time(client, settings, organisation_a):
    user = EnrolledUserFactory()
    client.force_login(user)
    assert client.get("/de/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    # A request within the refresh interval writes nothing ...
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/de/").status_code == 200
    assert not [q for q in captured if q["sql"].startswith('UPDATE "django_session"')]
    assert Session.objects.get(pk=session.pk).expire_date - timezone.now() < timedelta(minutes=6)
    # ... the first one after it pushes the expiry forward ...
    aged = client.session
    aged[REFRESHED] -= settings.PORTAL_SESSION_REFRESH_SECONDS
    aged.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/de/").status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date - timezone.now() > timedelta(minutes=29)
    # ... and an idle session is gone.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/de/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
