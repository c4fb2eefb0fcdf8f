"""Clients of the exchange API, registered the way an administrator does it."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.test import Client

from portal.api.clients import register_client


def digest_header(content: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(content).digest()).decode()}:"


class Api:
    """A case-software client talking to the API through Django's test client."""

    def __init__(self, client_model, secret: str):
        self.model, self.secret = client_model, secret
        self.http = Client()
        self.token = None

    def fetch_token(self, **extra):
        answer = self.http.post(
            "/api/v1/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": self.model.client_id,
                "client_secret": self.secret,
            },
            **extra,
        )
        if answer.status_code == 200:
            self.token = answer.json()["access_token"]
        return answer

    def _headers(self, headers):
        if self.token is None:
            self.fetch_token()
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, data=None, headers=None, **extra):
        return self.http.get(path, data, headers=self._headers(headers), **extra)

    def post(self, path, data=None, headers=None, **extra):
        return self.http.post(
            path, data or {}, content_type="application/json", headers=self._headers(headers), **extra
        )

    def patch(self, path, data, headers=None):
        return self.http.patch(path, data, content_type="application/json", headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.http.delete(path, headers=self._headers(headers))

    def upload(self, path, content: bytes, headers=None, digest: str | None = None):
        headers = {"Content-Digest": digest or digest_header(content), **(headers or {})}
        return self.http.post(
            path, content, content_type="application/octet-stream", headers=self._headers(headers)
        )


@pytest.fixture
def api_for():
    """``api_for(organisation, admin, scopes=...)``: a registered client, signed in with a token."""

    def make(organisation, admin, scopes=("read", "write", "share"), **options) -> Api:
        client, secret = register_client(
            organisation=organisation, acting_user=admin, name="Case software", scopes=scopes, **options
        )
        return Api(client, secret)

    return make


@pytest.fixture
def api_a(api_for, organisation_a, admin_a):
    return api_for(organisation_a, admin_a)


@pytest.fixture
def api_b(api_for, organisation_b, admin_b):
    return api_for(organisation_b, admin_b)


NEW_DOSSIER = {"company_name": "Muster Bau AG", "canton": "GE", "control_kind": "posted_workers"}
