"""Machine authentication: clients, secrets, tokens, scopes, networks, expiry, rate limits."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.api.clients import revoke_client, rotate_secret
from portal.api.models import AccessToken, ApiCall, ApiClient
from portal.dossiers.models import Dossier
from tenants.selectors import members_of
from tests.api.conftest import NEW_DOSSIER, Api

pytestmark = pytest.mark.django_db


def test_token_from_form_or_basic_auth_and_wrong_secret(api_a):
    form = api_a.fetch_token()
    assert form.status_code == 200 and form["Cache-Control"] == "no-store"
    assert form.json()["token_type"] == "Bearer" and form.json()["expires_in"] == 900
    assert form.json()["scope"] == "read share write"
    basic = base64.b64encode(f"{api_a.model.client_id}:{api_a.secret}".encode()).decode()
    answer = api_a.http.post(
        "/api/v1/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert answer.status_code == 200
    wrong = Api(api_a.model, "lmp_cs_wrong").fetch_token()
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert AccessToken.objects.filter(client=api_a.model).count() == 2  # only the secret's holders got one


def test_calls_without_or_with_a_bad_token_are_refused(api_a):
    assert api_a.http.get("/api/v1/dossiers").status_code == 401
    bad = api_a.http.get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer lmp_at_nothing")
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_token"
    assert bad["WWW-Authenticate"].startswith("Bearer")


def test_scopes_are_enforced(api_for, organisation_a, admin_a, organisation_b):
    reader = api_for(organisation_a, admin_a, scopes=["read"])
    assert reader.get("/api/v1/dossiers").status_code == 200
    refused = reader.post("/api/v1/dossiers", NEW_DOSSIER)
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert not Dossier.objects.exists()
    writer = api_for(organisation_a, admin_a, scopes=["read", "write"])
    dossier_id = writer.post("/api/v1/dossiers", NEW_DOSSIER).json()["id"]
    share = writer.post(f"/api/v1/dossiers/{dossier_id}/shares", {"organisation_id": organisation_b.pk})
    assert share.status_code == 403 and share.json()["code"] == "insufficient_scope"
    narrowed = writer.http.post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": writer.model.client_id,
            "client_secret": writer.secret,
            "scope": "read share",
        },
    )
    assert narrowed.status_code == 400 and narrowed.json()["error"] == "invalid_scope"


def test_revoked_expired_and_out_of_range_clients_are_refused(api_for, organisation_a, admin_a):
    revoked = api_for(organisation_a, admin_a)
    assert revoked.get("/api/v1/dossiers").status_code == 200
    revoke_client(client=revoked.model, acting_user=admin_a)
    assert revoked.get("/api/v1/dossiers").status_code == 401
    assert revoked.fetch_token().json()["error"] == "invalid_client"

    expiring = api_for(organisation_a, admin_a, expires_at=timezone.now() + timedelta(hours=1))
    assert expiring.get("/api/v1/dossiers").status_code == 200
    ApiClient.objects.filter(pk=expiring.model.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = expiring.get("/api/v1/dossiers")
    assert answer.status_code == 401 and answer.json()["code"] == "client_expired"

    fenced = api_for(organisation_a, admin_a, allowed_networks=["192.0.2.0/24"])
    assert fenced.fetch_token().status_code == 403  # the test client calls from 127.0.0.1
    assert fenced.fetch_token(REMOTE_ADDR="192.0.2.7").status_code == 200
    outside = fenced.get("/api/v1/dossiers")
    assert outside.status_code == 403 and outside.json()["code"] == "address_not_allowed"
    assert fenced.get("/api/v1/dossiers", REMOTE_ADDR="192.0.2.8").status_code == 200


def test_rotating_the_secret_ends_the_old_secret_and_its_tokens(api_a, admin_a):
    assert api_a.get("/api/v1/dossiers").status_code == 200
    new_secret = rotate_secret(client=api_a.model, acting_user=admin_a)
    assert api_a.get("/api/v1/dossiers").status_code == 401
    assert api_a.fetch_token().status_code == 401
    assert Api(api_a.model, new_secret).get("/api/v1/dossiers").status_code == 200
    stored = ApiClient.objects.get(pk=api_a.model.pk)
    assert new_secret not in (stored.secret_hash, stored.secret_hint) and len(stored.secret_hash) == 64


def test_rate_limit_answers_429_with_retry_after(api_for, organisation_a, admin_a):
    api = api_for(organisation_a, admin_a, rate_limit=3)
    statuses = [api.get("/api/v1/organisations").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/organisations")
    assert limited.json()["code"] == "rate_limited" and 1 <= int(limited["Retry-After"]) <= 60
    assert ApiCall.objects.filter(client=api.model, status=429).count() == 2


def test_service_accounts_are_not_listed_as_members_and_cannot_sign_in(api_a, organisation_a, client):
    assert api_a.model.account not in [m.user for m in members_of(organisation_a)]
    assert not api_a.model.account.has_usable_password()


def test_administrator_registers_a_client_and_sees_the_secret_once(
    signed_in, admin_a, reader_a, organisation_b
):
    browser = signed_in(admin_a)
    page = browser.post(
        "/en/organisation/api-clients/new/",
        {"name": "Fallführung GE", "scopes": ["read", "write"], "allowed_networks": "", "rate_limit": 600},
    )
    assert page.status_code == 200
    client = ApiClient.objects.get(name="Fallführung GE")
    secret = page.context["secret"]
    assert secret in page.content.decode()
    assert Api(client, secret).get("/api/v1/dossiers").status_code == 200
    detail = browser.get(f"/en/organisation/api-clients/{client.pk}/").content.decode()
    assert secret not in detail and client.client_id in detail
    bad = browser.post(
        "/en/organisation/api-clients/new/",
        {"name": "X", "scopes": ["read"], "allowed_networks": "not-a-network", "rate_limit": 600},
    )
    assert "is not an IP address or range" in bad.content.decode()
    browser.post(f"/en/organisation/api-clients/{client.pk}/revoke/")
    assert ApiClient.objects.get(pk=client.pk).revoked_at is not None
    assert signed_in(reader_a).get("/en/organisation/api-clients/").status_code == 403


def test_administrators_of_another_organisation_see_no_foreign_client(api_a, signed_in, admin_b):
    browser = signed_in(admin_b)
    assert browser.get(f"/en/organisation/api-clients/{api_a.model.pk}/").status_code == 404
    assert api_a.model.client_id not in browser.get("/en/organisation/api-clients/").content.decode()


def test_daily_maintenance_forgets_expired_tokens_answers_and_uploads(
    api_a, document_storage, django_capture_on_commit_callbacks
):
    from portal.api.models import IdempotentRequest, UploadSession
    from portal.dossiers.tasks import daily_maintenance

    dossier_id = api_a.post("/api/v1/dossiers", NEW_DOSSIER, headers={"Idempotency-Key": "k1"}).json()["id"]
    started = api_a.post(
        f"/api/v1/dossiers/{dossier_id}/uploads", {"file_name": "a.txt", "size": 10, "sha256": "0" * 64}
    ).json()
    api_a.http.patch(
        f"/api/v1/uploads/{started['id']}",
        b"0123456789",
        content_type="application/octet-stream",
        headers=api_a._headers({"Upload-Offset": "0"}),
    )
    assert len(list(document_storage.rglob("*.part"))) == 1
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(days=3))
    UploadSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = daily_maintenance.call()
    assert result["api_uploads_dropped"] == 1 and result["api_forgotten"]["tokens"] >= 1
    assert not AccessToken.objects.exists() and not UploadSession.objects.exists()
    assert not IdempotentRequest.objects.exists()
    assert list(document_storage.rglob("*.part")) == []


def test_schema_is_public_and_the_documentation_is_for_signed_in_users(client, signed_in, reader_a):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.1")
    assert client.get("/api/v1/docs").status_code == 302
    docs = signed_in(reader_a).get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content  # served by the portal itself: nothing from the internet
