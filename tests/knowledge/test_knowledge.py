"""The knowledge section: audiences everywhere, the editing workflow, linked translations."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Locale, Page, Workflow

from portal.demo.knowledge import seed_knowledge
from portal.knowledge.editors import sync
from portal.knowledge.models import GuidancePage, KnowledgeHome
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge(db):
    seed_knowledge()
    return KnowledgeHome.objects.get(locale__language_code="de")


def member(kind: str, role: str = Role.READER, **organisation):
    organisation = OrganisationFactory(kind=kind, **organisation)
    user = EnrolledUserFactory()
    MembershipFactory(user=user, organisation=organisation, role=role)
    browser = Client()
    browser.force_login(user)
    return user, browser


def test_a_page_for_cantonal_authorities_is_seen_only_by_them(knowledge):
    restricted = GuidancePage.objects.get(slug="sanktionen", locale__language_code="de")
    url = restricted.url  # /de/knowledge/flankierende-massnahmen/sanktionen/
    _canton, canton = member("cantonal_authority")
    _commission, commission = member("joint_commission")
    assert canton.get(url).status_code == 200
    assert commission.get(url).status_code == 404
    topic = restricted.get_parent().url
    assert restricted.title in canton.get(topic).content.decode()
    assert restricted.title not in commission.get(topic).content.decode()
    assert restricted.title not in commission.get(knowledge.url).content.decode()
    fr = restricted.get_translation(Locale.objects.get(language_code="fr"))
    assert commission.get(fr.url).status_code == 404 and canton.get(fr.url).status_code == 200


def test_a_pool_page_is_seen_by_the_pools_organisations_only(knowledge):
    page = GuidancePage.objects.get(slug="pool-bau", locale__language_code="de")
    pool = page.knowledge_audience.get().pool
    user, inside = member("joint_commission")
    pool.organisations.add(user.memberships.get().organisation)
    _other, outside = member("joint_commission")
    assert inside.get(page.url).status_code == 200
    assert outside.get(page.url).status_code == 404


def test_nothing_without_signing_in(knowledge, client):
    page = GuidancePage.objects.get(slug="lohnkontrollen", locale__language_code="de")
    answer = client.get(page.url)
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert client.get(knowledge.url).status_code == 302


def test_translations_are_linked_and_the_switcher_lands_on_the_translation(knowledge):
    page = GuidancePage.objects.get(slug="lohnkontrollen", locale__language_code="de")
    languages = sorted(p.locale.language_code for p in page.get_translations())
    assert languages == ["fr", "it"]
    _user, browser = member("cantonal_authority")
    german = browser.get(page.url).content.decode()
    assert "Weisung Lohnkontrollen" in german and 'hreflang="fr"' in german
    switched = browser.post("/i18n/setlang/", {"language": "fr", "next": page.url}, follow=True)
    assert switched.redirect_chain[-1][0].startswith("/fr/knowledge/")
    assert "Directive sur les contrôles salariaux" in switched.content.decode()


def test_editor_submits_and_reviewer_publishes_others_get_no_cms(knowledge):
    umbrella = OrganisationFactory(kind="umbrella_association")
    editor = MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER).user
    reviewer = MembershipFactory(organisation=umbrella, role=Role.ADMINISTRATOR).user
    for user in (editor, reviewer):
        sync(user)
    topic = knowledge.get_children().first().specific
    draft = GuidancePage(title="Neue Empfehlung Spesen", slug="spesen", kind="recommendation", live=False)
    topic.add_child(instance=draft)
    assert draft.permissions_for_user(editor).can_edit()
    assert not draft.permissions_for_user(editor).can_publish()
    assert draft.permissions_for_user(reviewer).can_publish()
    revision = draft.save_revision(user=editor)
    workflow = Workflow.objects.get(name="Knowledge review")
    assert draft.get_workflow() == workflow
    state = workflow.start(draft, editor)
    task_state = state.current_task_state
    assert task_state.task.specific.get_actions(draft, editor) == []  # the editor cannot approve
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    draft.refresh_from_db()
    assert draft.live and draft.live_revision_id == revision.pk
    browser = Client()
    browser.force_login(editor)
    assert browser.get("/cms/").status_code == 200
    _user, outsider = member("cantonal_authority", role=Role.ADMINISTRATOR)
    assert outsider.get("/cms/").status_code == 403
    assert outsider.get(f"/cms/pages/{draft.pk}/edit/").status_code == 403


def test_rights_follow_memberships(knowledge):
    umbrella = OrganisationFactory(kind="umbrella_association")
    membership = MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER)
    browser = Client()
    browser.force_login(membership.user)
    assert browser.get("/cms/").status_code == 200
    membership.is_active = False
    membership.save()
    assert browser.get("/cms/").status_code == 403
    assert not Page.objects.filter(owner=membership.user).exists()
