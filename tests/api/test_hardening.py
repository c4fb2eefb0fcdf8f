"""Requests that slipped past the API's checks (issue 15): bodies of any type under an
idempotency key, cursors out of range, bidi controls in file names, the client's address
behind the TLS proxy, and missing versus foreign documents."""

from __future__ import annotations

import hashlib
import json

import pytest

from portal.api.common import encode_cursor
from portal.api.models import ApiCall
from portal.documents.models import DocumentVersion
from portal.dossiers.models import Dossier
from portal.journal.models import JournalEntry
from tests.api.conftest import NEW_DOSSIER, digest_header

pytestmark = pytest.mark.django_db
TEXT = b"Lohnkontrolle auf der Baustelle Muster.\n" * 20
PROXY = "10.0.0.2"  # the documented TLS proxy in front of the portal


def _created(api) -> int:
    answer = api.post("/api/v1/dossiers", NEW_DOSSIER)
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def _post_text(api, path, body: dict, key: str):
    return api.http.post(
        path,
        json.dumps(body),
        content_type="text/plain",
        headers=api._headers({"Idempotency-Key": key}),
    )


def test_a_different_text_body_under_the_same_key_is_refused_not_replayed(api_a):
    first = _post_text(api_a, "/api/v1/dossiers", NEW_DOSSIER, "plain-1")
    again = _post_text(api_a, "/api/v1/dossiers", NEW_DOSSIER, "plain-1")
    assert again.status_code == first.status_code
    assert again["Idempotent-Replayed"] == "true"
    # Same length, so the same Content-Length: only the bytes differ.
    changed = _post_text(
        api_a, "/api/v1/dossiers", {**NEW_DOSSIER, "company_name": "Muster Bau AX"}, "plain-1"
    )
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in changed


def test_a_different_file_under_the_same_key_is_refused_not_replayed(api_a):
    url = f"/api/v1/dossiers/{_created(api_a)}/documents?file_name=bericht.txt"
    key = {"Idempotency-Key": "upload-2"}
    assert api_a.upload(url, TEXT, headers=key).status_code == 201
    assert api_a.upload(url, TEXT, headers=key)["Idempotent-Replayed"] == "true"
    # Same declared digest and length, other bytes: the body itself tells them apart.
    changed = api_a.upload(url, TEXT[::-1], headers=key, digest=digest_header(TEXT))
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    assert DocumentVersion.objects.count() == 1


@pytest.mark.parametrize("offset", [10**19, 2**63 - 1, 2**63 - 100])
def test_a_cursor_with_a_huge_offset_is_a_problem_not_a_server_error(api_a, offset):
    _created(api_a)
    cursor = encode_cursor({"s": "company", "o": offset})
    answer = api_a.get(f"/api/v1/dossiers?sort=company&limit=200&cursor={cursor}")
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "invalid_cursor"


def test_bidi_controls_are_dropped_from_file_names_as_on_the_pages(api_a):
    dossier_id = _created(api_a)
    spoofed = "rechnung\u202efdp.txt"  # shows as "rechnungtxt.pdf"
    stored = api_a.upload(f"/api/v1/dossiers/{dossier_id}/documents?file_name={spoofed}", TEXT)
    assert stored.status_code == 201, stored.content
    assert stored.json()["current_version"]["file_name"] == "rechnungfdp.txt"
    started = api_a.post(
        f"/api/v1/dossiers/{dossier_id}/uploads",
        {
            "file_name": "\u2067liste\u2069\u200f.txt",
            "size": len(TEXT),
            "sha256": hashlib.sha256(TEXT).hexdigest(),
        },
    )
    assert started.status_code == 201, started.content
    assert started.json()["file_name"] == "liste.txt"
    assert set(DocumentVersion.objects.values_list("file_name", flat=True)) == {"rechnungfdp.txt"}


def test_behind_the_proxy_networks_and_journal_see_the_client_not_the_proxy(
    api_for, organisation_a, admin_a, settings
):
    settings.PORTAL_PROXY_COUNT = 1
    fenced = api_for(organisation_a, admin_a, allowed_networks=["192.0.2.0/24"])
    via_proxy = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.7"}
    assert fenced.fetch_token(**via_proxy).status_code == 200
    created = fenced.post("/api/v1/dossiers", NEW_DOSSIER, **via_proxy)
    assert created.status_code == 201, created.content
    entry = JournalEntry.objects.get(object_type="dossier", action="create")
    assert entry.address == "192.0.2.7"
    assert set(ApiCall.objects.values_list("address", flat=True)) == {"192.0.2.7"}
    # Only the proxy's own entry counts: an address the client wrote in front is ignored.
    spoofed = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.9, 198.51.100.4"}
    refused = fenced.get("/api/v1/dossiers", **spoofed)
    assert refused.status_code == 403 and refused.json()["code"] == "address_not_allowed"


def test_without_a_proxy_a_forwarded_header_is_ignored(api_for, organisation_a, admin_a, settings):
    settings.PORTAL_PROXY_COUNT = 0
    fenced = api_for(organisation_a, admin_a, allowed_networks=["192.0.2.0/24"])
    answer = fenced.fetch_token(REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert answer.status_code == 403
    assert not Dossier.objects.exists()


def test_a_foreign_document_reads_exactly_like_a_missing_one(api_a, api_b):
    dossier_id = _created(api_a)
    document_id = api_a.upload(f"/api/v1/dossiers/{dossier_id}/documents?file_name=bericht.txt", TEXT).json()[
        "id"
    ]
    missing_id = document_id + 1000
    for suffix in ("", "/content"):
        foreign = api_b.get(f"/api/v1/documents/{document_id}{suffix}")
        missing = api_b.get(f"/api/v1/documents/{missing_id}{suffix}")
        assert foreign.status_code == missing.status_code == 404
        assert foreign.content == missing.content
    foreign = api_b.upload(f"/api/v1/documents/{document_id}/versions?file_name=b.txt", TEXT)
    missing = api_b.upload(f"/api/v1/documents/{missing_id}/versions?file_name=b.txt", TEXT)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    foreign_dossier = api_b.get(f"/api/v1/dossiers/{dossier_id}")
    missing_dossier = api_b.get(f"/api/v1/dossiers/{dossier_id + 1000}")
    assert foreign_dossier.content == missing_dossier.content
