"""Text the database cannot store (NUL, lone surrogates) is refused in every input of the API
with a 422 naming the field, before anything is written."""

from __future__ import annotations

import json

import pytest

from portal.api.models import IdempotentRequest
from portal.dossiers.models import Change, Dossier
from portal.journal.models import JournalEntry
from tests.api.conftest import NEW_DOSSIER

pytestmark = pytest.mark.django_db
REFUSED = "(NUL, U+0000, "  # in the message whatever its language


def refused_fields(answer) -> set[str]:
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "invalid_request"
    assert REFUSED in problem["detail"]
    return {error["field"] for error in problem["errors"]}


def test_a_post_with_nul_is_refused_naming_the_fields_and_creates_nothing(api_a):
    answer = api_a.post(
        "/api/v1/dossiers", {**NEW_DOSSIER, "company_name": "Muster\x00Bau", "tags": ["ok", "B\x00"]}
    )
    assert refused_fields(answer) == {"company_name", "tags.1"}
    assert not Dossier.objects.exists()
    assert not Change.objects.exists() and not JournalEntry.objects.filter(object_type="dossier").exists()


def test_a_patch_with_nul_is_refused_and_changes_nothing(api_a):
    created = api_a.post("/api/v1/dossiers", NEW_DOSSIER)
    url = f"/api/v1/dossiers/{created.json()['id']}"
    answer = api_a.patch(
        url, {"sector": "Bau", "company_address": "Rue\x00 1"}, headers={"If-Match": created["ETag"]}
    )
    assert refused_fields(answer) == {"company_address"}
    dossier = Dossier.objects.get()
    assert (dossier.sector, dossier.company_address) == ("", "")
    assert api_a.get(url)["ETag"] == created["ETag"]


def test_a_lone_surrogate_in_json_is_refused_like_nul(api_a):
    body = json.dumps({**NEW_DOSSIER, "commune": "\ud800"})  # ensure_ascii: sent as the escape \ud800
    answer = api_a.http.post(
        "/api/v1/dossiers", body, content_type="application/json", headers=api_a._headers({})
    )
    assert refused_fields(answer) == {"commune"}
    assert not Dossier.objects.exists()


def test_query_parameters_and_the_token_form_are_checked_too(api_a):
    assert refused_fields(api_a.get("/api/v1/dossiers", {"sector": "Bau\x00"})) == {"sector"}
    assert refused_fields(api_a.get("/api/v1/search", {"q": "Lohn\x00"})) == {"q"}
    token = api_a.http.post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials", "client_id": "\x00", "client_secret": "x"},
    )
    assert refused_fields(token) == {"client_id"}


def test_the_message_is_in_the_language_of_the_request(api_a):
    answer = api_a.post(
        "/api/v1/dossiers", {**NEW_DOSSIER, "company_name": "\x00"}, headers={"Accept-Language": "de"}
    )
    assert answer.status_code == 422
    assert "nicht gespeichert werden" in answer.json()["detail"]


def test_an_idempotency_key_with_nul_is_refused(api_a):
    answer = api_a.post("/api/v1/dossiers", NEW_DOSSIER, headers={"Idempotency-Key": "k\x001"})
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_idempotency_key"
    assert not Dossier.objects.exists() and not IdempotentRequest.objects.exists()
