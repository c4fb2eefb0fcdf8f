"""A full exchange between two organisations' case software, over real HTTP against a running
server, with the example client from ``scripts/api_example.py``; then the changes feed tells the
recipient about the revocation and the destruction."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from portal.api.clients import register_client
from portal.dossiers.models import Dossier
from portal.dossiers.retention import destroy
from tests.conftest import stored_files

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_example.py"


def example():
    spec = importlib.util.spec_from_file_location("api_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_organisations_exchange_a_dossier_over_http(
    live_server, tmp_path, organisation_a, organisation_b, admin_a, admin_b, document_storage
):
    api = example()
    sender, sender_secret = register_client(
        organisation=organisation_a, acting_user=admin_a, name="GE", scopes=["read", "write", "share"]
    )
    recipient, recipient_secret = register_client(
        organisation=organisation_b, acting_user=admin_b, name="PK", scopes=["read"]
    )
    content = ("Kontrollbericht Baustelle Muster\n" * 40_000).encode()  # ~1.3 MB, several chunks
    file = tmp_path / "kontrollbericht.txt"
    file.write_bytes(content)
    out = tmp_path / "received"
    out.mkdir()

    result = api.exchange(
        live_server.url,
        (sender.client_id, sender_secret),
        (recipient.client_id, recipient_secret),
        organisation_b.pk,
        file,
        out,
    )

    dossier = result["dossier"]
    assert dossier["company_name"] == "Muster Bau AG" and dossier["access_level"] == "view"
    assert [c["kind"] for c in result["changes"]] == ["dossier.created", "document.added", "dossier.shared"]
    assert result["downloaded"] == [hashlib.sha256(content).hexdigest()]
    assert (out / "kontrollbericht.txt").read_bytes() == content
    assert len(stored_files(document_storage)) == 1

    a = api.PortalClient(live_server.url, sender.client_id, sender_secret)
    b = api.PortalClient(live_server.url, recipient.client_id, recipient_secret)
    (share,) = a.call("GET", f"/dossiers/{dossier['id']}/shares")[0]
    a.call("DELETE", f"/dossiers/{dossier['id']}/shares/{share['id']}")
    revoked, cursor = b.changes(result["cursor"])
    assert [(c["kind"], c["dossier_id"]) for c in revoked] == [("access.revoked", dossier["id"])]
    with pytest.raises(api.ApiError) as refused:
        b.call("GET", f"/dossiers/{dossier['id']}")
    assert refused.value.status == 404

    a.share(dossier["id"], organisation_b.pk)
    destroy(Dossier.objects.get(pk=dossier["id"]), reason="test")
    later, _cursor = b.changes(cursor)
    # The new share is no longer the recipient's to see (the dossier is gone); the loss is.
    assert [c["kind"] for c in later] == ["dossier.destroyed"]
    sender_feed, _ = a.changes(None)
    assert sender_feed[-1]["kind"] == "dossier.destroyed"  # the owner is told too


def test_the_feed_never_shows_a_dossier_to_an_organisation_without_access(
    client, organisation_a, organisation_b, admin_a, admin_b
):
    from tests.api.conftest import NEW_DOSSIER, Api

    a_client, a_secret = register_client(
        organisation=organisation_a, acting_user=admin_a, name="A", scopes=["read", "write"]
    )
    b_client, b_secret = register_client(
        organisation=organisation_b, acting_user=admin_b, name="B", scopes=["read"]
    )
    a, b = Api(a_client, a_secret), Api(b_client, b_secret)
    dossier_id = a.post("/api/v1/dossiers", NEW_DOSSIER).json()["id"]
    a.post(f"/api/v1/dossiers/{dossier_id}/messages", {"body": "intern"})
    assert b.get("/api/v1/changes").json()["items"] == []
    mine = a.get("/api/v1/changes").json()
    assert [c["kind"] for c in mine["items"]] == ["dossier.created", "message.posted"]
    assert a.get("/api/v1/changes", {"since": mine["next_cursor"]}).json()["items"] == []


def test_the_feed_names_a_dossier_only_to_clients_who_may_see_it_or_lost_access_to_it(
    organisation_a, organisation_b, admin_a, admin_b
):
    """Issue 15, finding 8: a share for administrators only, or an expired one, was announced
    with its reference to every client of the organisation."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.dossiers.levels import Level
    from portal.dossiers.models import DossierGroupObjectPermission, DossierShare
    from portal.dossiers.sharing import revoke_share, share_dossier
    from tenants.roles import Role
    from tests.api.conftest import Api
    from tests.dossiers.factories import DossierFactory

    reader_client = Api(
        *register_client(organisation=organisation_b, acting_user=admin_b, name="Lesen", scopes=["read"])
    )
    writer_client = Api(
        *register_client(
            organisation=organisation_b, acting_user=admin_b, name="Schreiben", scopes=["read", "write"]
        )
    )
    admins_only = DossierFactory(owner=organisation_a, reference="GE-2026-00001")
    lapsed = DossierFactory(owner=organisation_a, reference="GE-2026-00002")
    open_to_all = DossierFactory(owner=organisation_a, reference="GE-2026-00003")
    personal = DossierFactory(owner=organisation_a, reference="GE-2026-00004")
    secret = share_dossier(
        dossier=admins_only,
        acting_user=admin_a,
        organisation=organisation_b,
        roles=[Role.ADMINISTRATOR],
        level=Level.EDIT,
    )
    expired = share_dossier(
        dossier=lapsed,
        acting_user=admin_a,
        organisation=organisation_b,
        level=Level.VIEW,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    past = timezone.now() - timedelta(minutes=1)
    DossierShare.objects.filter(pk=expired.pk).update(expires_at=past)
    DossierGroupObjectPermission.objects.filter(share=expired).update(expires_at=past)
    visible = share_dossier(dossier=open_to_all, acting_user=admin_a, organisation=organisation_b, level=1)
    mine = share_dossier(dossier=personal, acting_user=admin_a, user=reader_client.model.account, level=1)

    def feed(api):
        return {(c["kind"], c["reference"]) for c in api.get("/api/v1/changes").json()["items"]}

    for api in (reader_client, writer_client):
        assert ("dossier.shared", "GE-2026-00003") in feed(api)
        assert not {ref for _kind, ref in feed(api)} & {"GE-2026-00001", "GE-2026-00002"}
    assert ("dossier.shared", "GE-2026-00004") in feed(reader_client)
    assert "GE-2026-00004" not in {ref for _kind, ref in feed(writer_client)}

    for share in (secret, expired, visible, mine):
        revoke_share(share=share, acting_user=admin_a)
    for api in (reader_client, writer_client):
        seen = feed(api)
        assert ("access.revoked", "GE-2026-00003") in seen  # told of the access they lost
        assert not {ref for _kind, ref in seen} & {"GE-2026-00001", "GE-2026-00002"}  # never had it
    assert ("access.revoked", "GE-2026-00004") in feed(reader_client)
    assert "GE-2026-00004" not in {ref for _kind, ref in feed(writer_client)}
