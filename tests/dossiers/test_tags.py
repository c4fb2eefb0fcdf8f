"""Dossier tags belong to the owner organisation: never in the CMS, still in lists, search and API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from taggit.models import Tag

from portal.demo.knowledge import seed_knowledge
from portal.dossiers.actions import create_dossier, update_dossier
from portal.dossiers.levels import Level
from portal.dossiers.sharing import hand_over, share_dossier
from portal.knowledge.editors import sync
from search import service
from tenants.roles import Role
from tests.api.conftest import Api
from tests.search.conftest import settle
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FIELDS = {"company_name": "Muster Bau AG", "canton": "GE", "control_kind": "posted_workers"}


def knowledge_editor() -> Client:
    seed_knowledge()  # the knowledge tree and the editors' permissions on it
    umbrella = OrganisationFactory(kind="umbrella_association", short_name="VSAA")
    editor = MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER).user
    sync(editor)
    browser = Client()
    browser.force_login(editor)
    assert browser.get("/cms/").status_code == 200
    return browser


def test_no_cms_user_learns_dossier_tags_from_the_tag_autocomplete(worker_a, organisation_a):
    """Issue 15, finding 3: dossier tags lived in taggit's global table, listed to every CMS user."""
    create_dossier(owner=organisation_a, acting_user=worker_a, tags=["Scheinselbstaendigkeit"], **FIELDS)
    Tag.objects.create(name="Scheinwerfer")  # a CMS tag (images, documents) with the same start
    browser = knowledge_editor()

    assert browser.get("/cms/tag-autocomplete/", {"term": "Schein"}).json() == ["Scheinwerfer"]
    for model in ("taggit/tag", "dossiers/dossiertag", "dossiers/taggeddossier"):
        answer = browser.get(f"/cms/tag-autocomplete/{model}/", {"term": "Schein"})
        assert answer.status_code == 404 or "Scheinselbstaendigkeit" not in answer.json(), model
    assert not Tag.objects.filter(name="Scheinselbstaendigkeit").exists()


def test_each_organisation_has_its_own_tags_and_list_search_and_api_still_use_them(
    signed_in, worker_a, admin_a, organisation_a, organisation_b, worker_b
):
    from portal.dossiers.models import DossierTag

    mine = create_dossier(owner=organisation_a, acting_user=worker_a, tags=["Bau", "Lohn"], **FIELDS)
    other = create_dossier(owner=organisation_a, acting_user=worker_a, tags=["Gastro"], **FIELDS)
    theirs = create_dossier(owner=organisation_b, acting_user=worker_b, tags=["Bau", "Intern B"], **FIELDS)
    assert sorted(DossierTag.objects.filter(organisation=organisation_a).values_list("name", flat=True)) == [
        "Bau",
        "Gastro",
        "Lohn",
    ]
    assert DossierTag.objects.filter(name="Bau").count() == 2  # one per organisation
    update_dossier(dossier=other, acting_user=worker_a, tags=["Gastro", "Bau"])
    assert DossierTag.objects.filter(organisation=organisation_a, name="Bau").count() == 1

    client = signed_in(worker_a)
    page = client.get(reverse("dossiers:list"), {"tag": "bau"}).content.decode()
    assert mine.reference in page and other.reference in page and theirs.reference not in page
    page = client.get(reverse("dossiers:list"), {"tag": "Lohn"}).content.decode()
    assert mine.reference in page and other.reference not in page

    settle(extract=False)
    found = {hit.reference for hit in service.search(worker_a, "Lohn").results.hits}
    assert found == {mine.reference}
    assert not service.search(worker_a, "Intern").results.hits  # org B's tag, org B's dossier

    # Shared: the recipient sees the owner's tags on the dossier, and only there.
    share_dossier(dossier=mine, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    page = signed_in(worker_b).get(reverse("dossiers:detail", args=[mine.pk])).content.decode()
    assert "Lohn" in page

    # A hand-over moves the tags into the new owner's set.
    hand_over(dossier=other, to_organisation=organisation_b, acting_user=admin_a)
    other.refresh_from_db()
    assert {t.organisation_id for t in other.tags.all()} == {organisation_b.pk}
    assert sorted(other.tags.names()) == ["Bau", "Gastro"]


def test_the_api_reads_and_writes_tags(organisation_a, admin_a):
    from portal.api.clients import register_client

    api = Api(
        *register_client(
            organisation=organisation_a, acting_user=admin_a, name="CS", scopes=["read", "write"]
        )
    )
    created = api.post("/api/v1/dossiers", {**FIELDS, "tags": ["Bau", "Lohn"]})
    assert created.status_code == 201, created.content
    assert created.json()["tags"] == ["Bau", "Lohn"]
    url = f"/api/v1/dossiers/{created.json()['id']}"
    changed = api.patch(url, {"tags": ["Lohn"]}, headers={"If-Match": created["ETag"]})
    assert changed.status_code == 200 and changed.json()["tags"] == ["Lohn"]
    assert api.get(url).json()["tags"] == ["Lohn"]
    assert not Tag.objects.exists()


def test_the_migration_moves_dossier_tags_out_of_the_global_table(organisation_a, organisation_b):
    import importlib

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import TaggedItem

    from portal.dossiers.models import DossierTag
    from tests.dossiers.factories import DossierFactory

    migration = importlib.import_module("portal.dossiers.migrations.0004_dossier_tags_per_organisation")
    first, second = DossierFactory(owner=organisation_a), DossierFactory(owner=organisation_b)
    dossier_type = ContentType.objects.get_for_model(first)
    shared_tag, private_tag = Tag.objects.create(name="Bau"), Tag.objects.create(name="Verdacht")
    for dossier, tag in ((first, shared_tag), (first, private_tag), (second, private_tag)):
        TaggedItem.objects.create(content_type=dossier_type, object_id=dossier.pk, tag=tag)
    # "Bau" also tags something of the CMS (here: an organisation row stands in for an image).
    TaggedItem.objects.create(
        content_type=ContentType.objects.get_for_model(organisation_a),
        object_id=organisation_a.pk,
        tag=shared_tag,
    )

    migration.move_tags(apps, None)

    assert sorted(first.tags.names()) == ["Bau", "Verdacht"] and list(second.tags.names()) == ["Verdacht"]
    assert {(t.organisation_id, t.name) for t in DossierTag.objects.all()} == {
        (organisation_a.pk, "Bau"),
        (organisation_a.pk, "Verdacht"),
        (organisation_b.pk, "Verdacht"),
    }
    assert list(Tag.objects.values_list("name", flat=True)) == ["Bau"]  # still used by the CMS
    assert not TaggedItem.objects.filter(content_type=dossier_type).exists()
