"""The frame every page shares: health check, security headers, language handling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_health_answers_ok_when_the_database_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_pages_carry_the_security_headers(client):
    response = client.get("/de/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_asset_comes_from_another_host(client):
    html = client.get("/de/accounts/login/").content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "/static/portal/css/portal.css" in html


def test_the_stylesheet_is_served_locally(client):
    response = client.get("/static/portal/css/portal.css")
    assert response.status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/de/")
    assert response.status_code == 302
    assert response.url.startswith("/de/accounts/login/")


def test_open_sign_up_is_closed(client):
    response = client.get("/de/accounts/signup/")
    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "word"), [("de", "Anmeldung"), ("fr", "Connexion"), ("it", "Accedi"), ("en", "Sign In")]
)
def test_the_sign_in_page_speaks_four_languages(client, language, word):
    response = client.get(f"/{language}/accounts/login/")
    assert word in response.content.decode()


def test_production_settings_pass_the_deploy_check():
    env = {
        **{
            k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },  # set for browser tests only
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-for-this-test-only",
        "PORTAL_SECRETS_KEY": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        "STATISTICS_COMPANY_KEY": "a-statistics-company-key-for-this-test-only",
        "PORTAL_FILE_KEYS": "k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        "DJANGO_ALLOWED_HOSTS": "portal.example.ch",
        "DATABASE_URL": "postgres://portal@db.invalid:5432/portal",  # the check does not connect
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr or "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_never_start_the_embedded_database():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
            "PORTAL_SECRETS_KEY": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
            "STATISTICS_COMPANY_KEY": "a-statistics-company-key-for-this-test-only",
            "PORTAL_FILE_KEYS": "k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
            "DJANGO_ALLOWED_HOSTS": "portal.example.ch",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_a_member_without_editing_rights_is_refused_the_cms_plainly(signed_in, worker_a):
    response = signed_in(worker_a).get("/cms/")
    assert response.status_code == 403


def test_an_anonymous_visitor_of_the_cms_is_sent_to_the_portal_sign_in(client):
    response = client.get("/cms/", follow=True)
    assert response.status_code == 200
    assert (
        response.redirect_chain[-1][0].startswith("/de/accounts/login/")
        or "/accounts/login/" in response.redirect_chain[-1][0]
    )


def test_favicon_ico_leads_to_the_portals_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_production_settings_refuse_to_start_without_the_statistics_company_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "STATISTICS_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
        "PORTAL_SECRETS_KEY": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        "PORTAL_FILE_KEYS": "k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        "DJANGO_ALLOWED_HOSTS": "portal.example.ch",
        "DATABASE_URL": "postgres://portal@db.invalid:5432/portal",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "STATISTICS_COMPANY_KEY" in result.stderr
