"""The exchange API as case software uses it: dossiers, documents, shares, messages, search."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.documents.models import Document, DocumentVersion
from portal.dossiers.models import Dossier, DossierShare
from portal.journal.models import JournalEntry
from search import queue
from tests.api.conftest import NEW_DOSSIER, digest_header
from tests.conftest import stored_files
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 3000
TEXT = "Lohnkontrolle auf der Baustelle Muster, Stundenlöhne geprüft.\n".encode() * 50


def create(api, **fields):
    answer = api.post("/api/v1/dossiers", {**NEW_DOSSIER, **fields})
    assert answer.status_code == 201, answer.content
    return answer


def test_create_read_and_journal_like_the_browser(api_a, organisation_a):
    answer = create(api_a, company_uid="CHE 116.281.710", tags=["Bau"])
    body = answer.json()
    assert answer["Location"] == f"/api/v1/dossiers/{body['id']}"
    assert answer["ETag"].startswith('"')
    assert body["reference"].startswith("GE-")
    assert body["company_uid"] == "CHE116281710"
    assert body["owner"] == {"id": organisation_a.pk, "short_name": "AMB GE"}
    assert body["tags"] == ["Bau"]
    read = api_a.get(f"/api/v1/dossiers/{body['id']}")
    assert read.status_code == 200 and read.json()["access_level"] == "manage"
    assert read["ETag"] == answer["ETag"]
    entries = JournalEntry.objects.filter(object_type="dossier", object_id=body["id"])
    assert [e.action for e in entries] == ["create", "view"]
    assert {e.actor_id for e in entries} == {api_a.model.account_id}
    assert {e.organisation_id for e in entries} == {organisation_a.pk}


def test_validation_errors_are_problem_details_naming_the_field(api_a):
    answer = api_a.post(
        "/api/v1/dossiers", {"company_name": "", "canton": "XX", "control_kind": "posted_workers"}
    )
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "invalid_request" and problem["type"] == "urn:lmp:problem:invalid_request"
    assert {e["field"] for e in problem["errors"]} == {"company_name", "canton"}
    bad_uid = api_a.post("/api/v1/dossiers", {**NEW_DOSSIER, "company_uid": "CHE-123"})
    assert bad_uid.status_code == 422 and bad_uid.json()["errors"][0]["field"] == "company_uid"
    assert not Dossier.objects.exists()


def test_stale_update_gets_412_and_changes_nothing(api_a):
    created = create(api_a)
    url = f"/api/v1/dossiers/{created.json()['id']}"
    assert api_a.patch(url, {"sector": "Bau"}).status_code == 428
    first = api_a.patch(url, {"sector": "Bau"}, headers={"If-Match": created["ETag"]})
    assert first.status_code == 200 and first.json()["sector"] == "Bau"
    assert first["ETag"] != created["ETag"]
    stale = api_a.patch(url, {"sector": "Gastro"}, headers={"If-Match": created["ETag"]})
    assert stale.status_code == 412 and stale.json()["code"] == "stale_etag"
    assert stale["ETag"] == first["ETag"]
    assert Dossier.objects.get().sector == "Bau"


def test_status_transitions_follow_the_workflow(api_a):
    created = create(api_a).json()
    url = f"/api/v1/dossiers/{created['id']}/status"
    refused = api_a.post(url, {"status": "sanction_decided"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"
    moved = api_a.post(url, {"status": "under_control"})
    assert moved.status_code == 200 and moved.json()["status"] == "under_control"


def test_a_retried_post_with_the_same_key_creates_nothing_new(api_a):
    key = {"Idempotency-Key": "create-7f1c"}
    first = api_a.post("/api/v1/dossiers", NEW_DOSSIER, headers=key)
    again = api_a.post("/api/v1/dossiers", NEW_DOSSIER, headers=key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    other = api_a.post("/api/v1/dossiers", {**NEW_DOSSIER, "company_name": "Other"}, headers=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Dossier.objects.count() == 1
    dossier_id = first.json()["id"]
    upload_key = {"Idempotency-Key": "upload-1"}
    url = f"/api/v1/dossiers/{dossier_id}/documents?file_name=bericht.txt"
    assert api_a.upload(url, TEXT, headers=upload_key).status_code == 201
    assert api_a.upload(url, TEXT, headers=upload_key)["Idempotent-Replayed"] == "true"
    message_key = {"Idempotency-Key": "message-1"}
    for _ in range(2):
        api_a.post(
            f"/api/v1/dossiers/{dossier_id}/messages", {"body": "Bitte Lohnlisten"}, headers=message_key
        )
    assert Document.objects.count() == 1
    assert Dossier.objects.get().messages.count() == 1


def test_upload_is_kept_only_when_its_checksum_matches(api_a, document_storage):
    dossier_id = create(api_a).json()["id"]
    url = f"/api/v1/dossiers/{dossier_id}/documents?file_name=bericht.txt&category=control_report"
    missing = api_a.http.post(url, TEXT, content_type="application/octet-stream", headers=api_a._headers({}))
    assert missing.status_code == 400 and missing.json()["code"] == "checksum_required"
    wrong = api_a.upload(url, TEXT, digest=digest_header(b"something else"))
    assert wrong.status_code == 422 and wrong.json()["code"] == "checksum_mismatch"
    assert not Document.objects.exists() and stored_files(document_storage) == []
    refused = api_a.upload(f"/api/v1/dossiers/{dossier_id}/documents?file_name=x.exe", b"MZ" + b"\0" * 5000)
    assert refused.status_code == 422 and refused.json()["code"] == "file_refused"
    assert not DocumentVersion.objects.exists() and stored_files(document_storage) == []
    stored = api_a.upload(url, TEXT)
    assert stored.status_code == 201, stored.content
    document = stored.json()
    assert document["category"] == "control_report"
    assert document["current_version"]["sha256"] == hashlib.sha256(TEXT).hexdigest()
    assert len(stored_files(document_storage)) == 1
    assert TEXT not in stored_files(document_storage)[0].read_bytes()  # encrypted at rest


def test_download_streams_the_exact_bytes_and_is_journaled(api_a):
    dossier_id = create(api_a).json()["id"]
    document = api_a.upload(f"/api/v1/dossiers/{dossier_id}/documents?file_name=a.pdf", PDF).json()
    version = api_a.upload(f"/api/v1/documents/{document['id']}/versions?file_name=b.txt", TEXT)
    assert version.status_code == 201 and version.json()["number"] == 2
    latest = api_a.get(f"/api/v1/documents/{document['id']}/content")
    assert latest.status_code == 200 and b"".join(latest.streaming_content) == TEXT
    assert latest["Content-Digest"] == digest_header(TEXT)
    first = api_a.get(f"/api/v1/documents/{document['id']}/content", {"version": 1})
    assert b"".join(first.streaming_content) == PDF
    detail = api_a.get(f"/api/v1/documents/{document['id']}").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert JournalEntry.objects.filter(action="download", object_id=document["id"]).count() == 2


def test_resumable_upload_in_pieces(api_a, document_storage, django_capture_on_commit_callbacks):
    dossier_id = create(api_a).json()["id"]
    content = TEXT * 20
    started = api_a.post(
        f"/api/v1/dossiers/{dossier_id}/uploads",
        {"file_name": "lohnliste.txt", "size": len(content), "sha256": hashlib.sha256(content).hexdigest()},
    )
    assert started.status_code == 201, started.content
    url = started["Location"]
    cut = [0, 20_000, 45_000, len(content)]

    def send(start, end):
        return api_a.http.patch(
            url,
            content[start:end],
            content_type="application/octet-stream",
            headers=api_a._headers({"Upload-Offset": str(start)}),
        )

    assert send(cut[0], cut[1]).json()["received"] == cut[1]
    early = api_a.post(f"{url}/complete")
    assert early.status_code == 409 and early["Upload-Offset"] == str(cut[1])
    wrong = send(cut[0], cut[1])  # a retried piece: the server says where to continue
    assert wrong.status_code == 409 and wrong["Upload-Offset"] == str(cut[1])
    assert api_a.get(url).json()["received"] == cut[1]
    send(cut[1], cut[2])
    send(cut[2], cut[3])
    with django_capture_on_commit_callbacks(execute=True):
        done = api_a.post(f"{url}/complete")
    assert done.status_code == 201, done.content
    document_id = done.json()["id"]
    downloaded = api_a.get(f"/api/v1/documents/{document_id}/content")
    assert b"".join(downloaded.streaming_content) == content
    assert api_a.get(url).status_code == 404
    assert len(stored_files(document_storage)) == 1  # the pieces are gone


def test_shares_handover_and_directory(api_a, api_b, organisation_b):
    dossier_id = create(api_a).json()["id"]
    assert api_b.get(f"/api/v1/dossiers/{dossier_id}").status_code == 404
    names = {o["short_name"] for o in api_a.get("/api/v1/organisations").json()}
    assert {"AMB GE", "PK Bau"} <= names
    shared = api_a.post(
        f"/api/v1/dossiers/{dossier_id}/shares", {"organisation_id": organisation_b.pk, "level": "contribute"}
    )
    assert shared.status_code == 201 and shared.json()["level"] == "contribute"
    seen = api_b.get(f"/api/v1/dossiers/{dossier_id}")
    assert seen.status_code == 200 and seen.json()["access_level"] == "contribute"
    assert api_b.post(f"/api/v1/dossiers/{dossier_id}/messages", {"body": "Erhalten"}).status_code == 201
    assert api_b.get(f"/api/v1/dossiers/{dossier_id}/shares").status_code == 403
    listed = api_a.get(f"/api/v1/dossiers/{dossier_id}/shares").json()
    assert [s["organisation"]["id"] for s in listed] == [organisation_b.pk]
    revoked = api_a.delete(f"/api/v1/dossiers/{dossier_id}/shares/{listed[0]['id']}")
    assert revoked.status_code == 204
    assert api_b.get(f"/api/v1/dossiers/{dossier_id}").status_code == 404
    handed = api_a.post(
        f"/api/v1/dossiers/{dossier_id}/handover", {"organisation_id": organisation_b.pk, "level_kept": None}
    )
    assert handed.status_code == 200 and handed.json()["level_kept"] is None
    assert api_a.get(f"/api/v1/dossiers/{dossier_id}").status_code == 404
    assert api_b.get(f"/api/v1/dossiers/{dossier_id}").json()["owner"]["id"] == organisation_b.pk
    unknown = api_b.post(f"/api/v1/dossiers/{dossier_id}/shares", {"organisation_id": 999999})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_organisation"


def test_messages_in_order_with_cursor(api_a):
    dossier_id = create(api_a).json()["id"]
    for n in range(5):
        api_a.post(f"/api/v1/dossiers/{dossier_id}/messages", {"body": f"Nachricht {n}"})
    first = api_a.get(f"/api/v1/dossiers/{dossier_id}/messages", {"limit": 3}).json()
    rest = api_a.get(
        f"/api/v1/dossiers/{dossier_id}/messages", {"limit": 3, "cursor": first["next_cursor"]}
    ).json()
    assert [m["body"] for m in first["items"] + rest["items"]] == [f"Nachricht {n}" for n in range(5)]
    assert rest["next_cursor"] is None


def test_search_uses_the_portal_engine_and_permissions(api_a, api_b, worker_b):
    mine = create(api_a, company_name="Gipserei Bernasconi").json()
    DossierFactory(owner=worker_b.memberships.get().organisation, company_name="Gipserei Bernasconi Zwei")
    queue.process()
    found = api_a.get("/api/v1/search", {"q": "Gipserei"}).json()
    assert [hit["dossier_id"] for hit in found["hits"]] == [mine["id"]]
    assert found["total"] == 1 and found["facets"]["kind"] == [{"value": "dossier", "count": 1}]
    typo = api_a.get("/api/v1/search", {"q": "Bernasconni"}).json()
    assert [hit["dossier_id"] for hit in typo["hits"]] == [mine["id"]]
    assert api_a.get("/api/v1/search", {"q": ""}).status_code == 422


def test_list_filters_and_cursor_pages_with_constant_queries(api_a, organisation_a):
    for n in range(7):
        create(api_a, company_name=f"Firma {n}", canton="VD" if n % 2 else "GE")
    pages, cursor = [], None
    while True:
        answer = api_a.get("/api/v1/dossiers", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        pages.append([d["company_name"] for d in answer["items"]])
        cursor = answer["next_cursor"]
        if not cursor:
            break
    assert pages == [["Firma 6", "Firma 5", "Firma 4"], ["Firma 3", "Firma 2", "Firma 1"], ["Firma 0"]]
    vaud = api_a.get("/api/v1/dossiers", {"canton": "VD", "sort": "company"}).json()["items"]
    assert [d["company_name"] for d in vaud] == ["Firma 1", "Firma 3", "Firma 5"]
    bad = api_a.get("/api/v1/dossiers", {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"

    def queries(limit):
        with CaptureQueriesContext(connection) as captured:
            assert len(api_a.get("/api/v1/dossiers", {"limit": limit}).json()["items"]) == limit
        return len(captured)

    assert queries(2) == queries(7)


def test_problem_for_unknown_and_foreign_objects_is_the_same(api_a, api_b):
    dossier_id = create(api_a).json()["id"]
    foreign = api_b.get(f"/api/v1/dossiers/{dossier_id}")
    missing = api_b.get("/api/v1/dossiers/999999")
    assert foreign.status_code == missing.status_code == 404
    assert json.loads(foreign.content)["code"] == json.loads(missing.content)["code"] == "not_found"
    assert not DossierShare.objects.exists()


def test_null_clears_optional_fields_and_is_refused_for_required_ones(api_a):
    created = create(api_a, sector="Bau", deadline="2026-12-31")
    url = f"/api/v1/dossiers/{created.json()['id']}"
    cleared = api_a.patch(url, {"sector": None, "deadline": None}, headers={"If-Match": created["ETag"]})
    assert cleared.status_code == 200
    assert (cleared.json()["sector"], cleared.json()["deadline"]) == ("", None)
    refused = api_a.patch(url, {"company_name": None}, headers={"If-Match": cleared["ETag"]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "company_name"


def test_statistics_are_the_dashboards_figures_of_the_clients_own_organisation(
    api_a, api_b, organisation_a, organisation_b
):
    from django.utils import timezone

    from portal.statistics.figures import Filters, Period, figures_for, own_dossiers
    from portal.statistics.forms import previous
    from portal.statistics.selectors import figures_data
    from tests.statistics.generator import generate

    generate([organisation_a, organisation_b], count=60)
    params = {"start": "2025-01-01", "end": "2025-12-31"}
    answer = api_a.get("/api/v1/statistics", params)
    assert answer.status_code == 200, answer.content
    filters = Filters(period=Period.year(2025))
    expected = figures_data(
        figures_for(own_dossiers(organisation_a), filters),
        figures_for(own_dossiers(organisation_a), previous(filters)),
    )
    expected["organisation"] = {"id": organisation_a.pk, "short_name": organisation_a.short_name}
    assert answer.json() == json.loads(json.dumps(expected, default=str))
    assert answer.json()["organisation"] == {"id": organisation_a.pk, "short_name": organisation_a.short_name}
    assert answer.json()["previous_period"] == {"start": "2024-01-01", "end": "2024-12-31"}

    # the filters, as on the dashboard
    filtered = api_a.get("/api/v1/statistics", {**params, "control_kind": "posted_workers", "canton": "GE"})
    kind_filters = Filters(period=Period.year(2025), control_kind="posted_workers", canton="GE")
    own = figures_for(own_dossiers(organisation_a), kind_filters)
    assert filtered.json()["total"]["controls"] == own.total.controls
    assert {row["key"] for row in filtered.json()["by_canton"]} <= {"GE"}
    sector = api_a.get("/api/v1/statistics", {**params, "sector": "Reinigung"}).json()
    assert {row["key"] for row in sector["by_sector"]} == {"Reinigung"}

    # B gets B's figures only; neither answer holds a company or reference
    b_answer = api_b.get("/api/v1/statistics", params).json()
    b_own = figures_for(own_dossiers(organisation_b), filters)
    assert b_answer["total"]["controls"] == b_own.total.controls != answer.json()["total"]["controls"]
    for dossier in Dossier.objects.all():
        assert dossier.company_name not in answer.text and dossier.reference not in answer.text
    opened_2025 = [
        d
        for d in Dossier.objects.filter(owner=organisation_a)
        if timezone.localdate(d.created_at).year == 2025
    ]
    assert answer.json()["total"]["controls"] == len(opened_2025)


def test_statistics_need_the_read_scope_and_a_valid_period(api_for, organisation_a, admin_a):
    writer = api_for(organisation_a, admin_a, scopes=("write",))
    refused = writer.get("/api/v1/statistics")
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    reader = api_for(organisation_a, admin_a, scopes=("read",))
    assert reader.get("/api/v1/statistics").status_code == 200
    backwards = reader.get("/api/v1/statistics", {"start": "2025-12-31", "end": "2025-01-01"})
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_period"
    too_long = reader.get("/api/v1/statistics", {"start": "2000-01-01", "end": "2025-01-01"})
    assert too_long.status_code == 422
    assert reader.get("/api/v1/statistics", {"control_kind": "nonsense"}).status_code == 422


def test_statistics_take_the_same_number_of_queries_for_1_and_50_dossiers(api_a, organisation_a):
    from tests.statistics.generator import generate

    params = {"start": "2025-01-01", "end": "2026-12-31"}
    api_a.get("/api/v1/statistics", params)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api_a.get("/api/v1/statistics", params).status_code == 200
        return len(captured)

    generate([organisation_a], count=1, seed=5)
    one = queries()
    generate([organisation_a], count=49, seed=6)
    assert queries() == one


def test_the_report_split_and_public_listing_are_read_and_written_and_counted(api_a):
    created = create(api_a)
    assert (created.json()["agreement_extended"], created.json()["listed_publicly"]) == (False, False)
    extended = create(api_a, agreement_extended=True)
    assert extended.json()["agreement_extended"] is True and extended.json()["listed_publicly"] is False
    url = f"/api/v1/dossiers/{created.json()['id']}"
    listed = api_a.patch(url, {"listed_publicly": True}, headers={"If-Match": created["ETag"]})
    assert listed.status_code == 200, listed.content
    assert (listed.json()["agreement_extended"], listed.json()["listed_publicly"]) == (False, True)
    assert api_a.get(url).json()["listed_publicly"] is True
    for refused in ({"listed_publicly": "yes"}, {"listed_publicly": None}, {"agreement_extended": 1}):
        answer = api_a.patch(url, refused, headers={"If-Match": listed["ETag"]})
        assert answer.status_code == 422, refused
        assert answer.json()["errors"][0]["field"] == next(iter(refused))
    assert Dossier.objects.get(pk=created.json()["id"]).listed_publicly is True
    assert Dossier.objects.filter(agreement_extended=True).count() == 1
    today = Dossier.objects.get(pk=created.json()["id"]).created_at.date().isoformat()
    total = api_a.get("/api/v1/statistics", {"start": today, "end": today}).json()["total"]
    assert (total["controls"], total["extended"], total["listed"]) == (2, 1, 1)


def test_the_openapi_schema_documents_the_report_split_and_public_listing():
    from portal.api.api import api

    schemas = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    for name in ("DossierOut", "DossierIn", "DossierPatch"):
        properties = schemas[name]["properties"]
        assert {"agreement_extended", "listed_publicly"} <= set(properties), name
    assert set(schemas["DossierOut"]["required"]) >= {"agreement_extended", "listed_publicly"}
