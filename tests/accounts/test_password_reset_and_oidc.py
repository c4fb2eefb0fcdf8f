"""Password reset by e-mail, and OpenID Connect configured from the environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tests.accounts.factories import EnrolledUserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_forgotten_password_is_reset_through_an_emailed_link(client):
    person = EnrolledUserFactory()
    response = client.post("/de/accounts/password/reset/", {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password/reset/key/\S+", mail.outbox[0].body).group(0)
    form = client.get(urlsplit(link).path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"password1": "Fresh-and-long-passphrase-1", "password2": "Fresh-and-long-passphrase-1"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Fresh-and-long-passphrase-1")
    # A reset does not sign anybody in: the second factor is still ahead.
    assert client.get("/de/").status_code == 302


def test_a_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post("/de/accounts/password/reset/", {"email": "nobody@example.ch"})
    assert response.status_code == 302
    assert all("password/reset/key" not in message.body for message in mail.outbox)


def _providers(env_extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_OIDC")}
    env.update(env_extra)
    code = (
        "from django.conf import settings; import json; print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_openid_connect_is_off_by_default():
    assert _providers({}) == {}


def test_openid_connect_is_configured_from_the_environment():
    providers = _providers(
        {
            "PORTAL_OIDC_ENABLED": "true",
            "PORTAL_OIDC_SERVER_URL": "https://idp.admin.example/realms/flam",
            "PORTAL_OIDC_CLIENT_ID": "flam-portal",
            "PORTAL_OIDC_CLIENT_SECRET": "s3cret",
        }
    )
    app = providers["openid_connect"]["APPS"][0]
    assert app["client_id"] == "flam-portal"
    assert app["settings"]["server_url"] == "https://idp.admin.example/realms/flam"
    assert providers["openid_connect"]["OAUTH_PKCE_ENABLED"] is True
