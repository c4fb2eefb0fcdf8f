"""Wagtail documents follow the pages that use them: audience, publication, membership."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document
from wagtail.models import Locale, Page

from portal.knowledge.editors import setup_permissions, sync
from portal.knowledge.models import Audience, GuidancePage, KnowledgeHome, TopicPage
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CONTENT = b"Weisung Sanktionen: Bussenkatalog 2026\n"


def browser_of(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def member(kind: str, role: str = Role.READER) -> Client:
    user = EnrolledUserFactory()
    MembershipFactory(user=user, organisation=OrganisationFactory(kind=kind), role=role)
    return browser_of(user)


def new_document(title: str) -> Document:
    document = Document(title=title)
    document.file.save(f"{title.lower()}.txt", ContentFile(CONTENT), save=True)
    return document


def guidance(topic: Page, slug: str, document: Document, *, audience: str = "", publish: bool = True):
    page = GuidancePage(
        title=slug.title(),
        slug=slug,
        live=False,
        body=[("document", {"document": document, "description": "Bussenkatalog"})],
    )
    topic.add_child(instance=page)
    if audience:
        Audience.objects.create(page=page, organisation_kind=audience)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


@pytest.fixture
def topic(db):
    Locale.objects.get_or_create(language_code="de")
    root = Page.objects.get(depth=2) if Page.objects.filter(depth=2).count() == 1 else Page.objects.first()
    home = KnowledgeHome(title="Wissen", slug="wissen-test")
    root.add_child(instance=home)
    home.save_revision().publish()
    setup_permissions([home])
    topic = TopicPage(title="Sanktionen", slug="sanktionen-test")
    home.add_child(instance=topic)
    topic.save_revision().publish()
    return topic


@pytest.fixture
def cantonal_document(topic):
    document = new_document("Bussenkatalog")
    guidance(topic, "bussen", document, audience="cantonal_authority")
    return document


def test_a_document_linked_only_from_a_cantonal_page_goes_to_cantonal_authorities_only(cantonal_document):
    url = cantonal_document.url
    answer = member("cantonal_authority").get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == CONTENT
    refused = member("control_association").get(url)
    assert refused.status_code == 404 and CONTENT not in refused.content


def test_a_person_without_a_current_membership_gets_no_document(topic):
    document = new_document("Offen")
    guidance(topic, "offen", document)  # for every member
    assert member("joint_commission").get(document.url).status_code == 200
    user = EnrolledUserFactory()
    assert browser_of(user).get(document.url).status_code == 404
    ended = MembershipFactory(user=EnrolledUserFactory(), organisation=OrganisationFactory(), is_active=False)
    assert browser_of(ended.user).get(document.url).status_code == 404
    assert Client().get(document.url).status_code == 302  # to the sign-in


def test_a_document_on_a_draft_only_page_is_not_served(topic):
    document = new_document("Entwurf")
    draft = guidance(topic, "entwurf", document, publish=False)
    reader = member("cantonal_authority")
    assert reader.get(document.url).status_code == 404
    draft.get_latest_revision().publish()
    assert reader.get(document.url).status_code == 200
    draft.refresh_from_db()
    draft.unpublish()
    assert reader.get(document.url).status_code == 404


def test_a_document_on_an_open_page_as_well_goes_to_every_member(cantonal_document, topic):
    guidance(topic, "auch-offen", cantonal_document)
    assert member("control_association").get(cantonal_document.url).status_code == 200


def test_a_document_used_by_no_page_goes_only_to_knowledge_editors(topic):
    document = new_document("Unbenutzt")
    umbrella = OrganisationFactory(kind="umbrella_association")
    editor = MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER).user
    sync(editor)
    assert browser_of(editor).get(document.url).status_code == 200
    assert member("umbrella_association").get(document.url).status_code == 404  # a reader there
    assert member("cantonal_authority", role=Role.ADMINISTRATOR).get(document.url).status_code == 404


def test_a_document_under_an_unpublished_topic_is_not_served(cantonal_document, topic):
    reader = member("cantonal_authority")
    assert reader.get(cantonal_document.url).status_code == 200
    topic.unpublish()  # the pages below stay live, but are no longer served
    assert reader.get(cantonal_document.url).status_code == 404


def test_a_document_added_in_an_unpublished_draft_of_a_live_page_waits_for_publishing(
    cantonal_document, topic
):
    page = GuidancePage.objects.get(slug="bussen")
    added = new_document("Nachtrag")
    page.body = [*[(block.block_type, block.value) for block in page.body], ("document", {"document": added})]
    revision = page.save_revision()
    reader = member("cantonal_authority")
    assert reader.get(added.url).status_code == 404
    assert reader.get(cantonal_document.url).status_code == 200  # the live version's document
    revision.publish()
    assert reader.get(added.url).status_code == 200
