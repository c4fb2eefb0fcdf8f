"""The knowledge section: audiences everywhere, the editing workflow, linked translations."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page, Workflow

from portal.demo.knowledge import seed_knowledge
from portal.knowledge.editors import sync
from portal.knowledge.models import Audience, GuidancePage, KnowledgeHome
from search import service
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory
from tests.search.conftest import settle
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _knowledge_tree(django_db_setup, django_db_blocker):
    """The demo knowledge tree, built once for the module (it takes 10 to 15 s): each test
    runs in a savepoint on top of it and rolls back to it; the tree itself is rolled back
    when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_knowledge()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def knowledge(_knowledge_tree, db):
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
    # Search: the page, the count and the facets, in the browser and the API's engine.
    settle(extract=False)
    with translation.override("en"):
        found = canton.get(reverse("search:search"), {"q": "Dienstleistungssperren"}).content.decode()
        hidden = commission.get(reverse("search:search"), {"q": "Dienstleistungssperren"}).content.decode()
    assert f'href="{url}"' in found and "Knowledge page" in found and "1 result" in found
    assert restricted.title not in hidden and "0 results" in hidden and "Knowledge page" not in hidden
    assert service.search(_canton, "interdictions").results.total == 1  # the French version
    french = service.search(_commission, "interdictions")
    assert french.results.total == 0 and french.results.facets["kind"] == []


@pytest.mark.parametrize("word", ["Scheinselbstständigkeit", "indépendance", "fittizio"])
def test_search_finds_pages_in_each_language_for_members_only(knowledge, search_backend, word):
    settle(extract=False)
    user, _browser = member("joint_commission")
    hits = service.search(user, word).results.hits
    assert [hit.kind for hit in hits] == ["page"]
    assert hits[0].url.endswith("/knowledge/flankierende-massnahmen/selbststaendige/")
    assert hits[0].dossier_id is None
    outsider = EnrolledUserFactory()  # signed in, but a member of no organisation
    assert service.search(outsider, word).results.total == 0


def test_search_follows_audiences_publishing_and_moves_at_once(knowledge, search_backend):
    settle(extract=False)
    page = GuidancePage.objects.get(slug="selbststaendige", locale__language_code="de")
    canton, _ = member("cantonal_authority")
    commission, _ = member("joint_commission")
    assert service.search(commission, "Scheinselbstständigkeit").results.total == 1
    # An audience applies at query time: no re-indexing, no moment of exposure.
    Audience.objects.create(page=page, organisation_kind="cantonal_authority")
    assert service.search(commission, "Scheinselbstständigkeit").results.total == 0
    assert service.search(canton, "Scheinselbstständigkeit").results.total == 1
    # A restriction on the topic covers the pages below it.
    Audience.objects.filter(page=page).delete()
    Audience.objects.create(page=page.get_parent(), organisation_kind="cantonal_authority")
    assert service.search(commission, "Scheinselbstständigkeit").results.total == 0
    Audience.objects.filter(page=page.get_parent()).delete()
    # Moved under another topic: found at its new address.
    other_topic = knowledge.get_children().exclude(pk=page.get_parent().pk).first()
    page.move(other_topic, pos="last-child")
    settle(extract=False)
    [hit] = service.search(commission, "Scheinselbstständigkeit").results.hits
    assert hit.url == Page.objects.get(pk=page.pk).url
    # Unpublished: gone from search.
    Page.objects.get(pk=page.pk).unpublish()
    settle(extract=False)
    assert service.search(canton, "Scheinselbstständigkeit").results.total == 0


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


def test_a_page_missing_in_the_readers_language_is_shown_in_another_with_a_note(knowledge):
    topic = GuidancePage.objects.get(slug="lohnkontrollen", locale__language_code="de").get_parent()
    only_german = GuidancePage(title="Merkblatt Spesenregelung", slug="spesen", kind="recommendation")
    topic.add_child(instance=only_german)
    only_german.save_revision().publish()
    _user, reader = member("joint_commission")
    french_topic = topic.get_translation(Locale.objects.get(language_code="fr"))
    listing = reader.get(french_topic.url).content.decode()
    link = "/fr/knowledge/flankierende-massnahmen/spesen/"
    assert f'href="{link}" lang="de"' in listing and "Merkblatt Spesenregelung" in listing
    assert listing.count("Directive sur les contrôles salariaux") == 1  # each page once, in French
    assert "Weisung Lohnkontrollen" not in listing
    page = reader.get(link)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Merkblatt Spesenregelung" in text
    assert "Cette page n'existe pas dans votre langue" in text.replace("&#x27;", "'")
    assert 'href="/fr/knowledge/flankierende-massnahmen/"' in text  # breadcrumbs stay in French
    assert '<html lang="fr"' in text  # the interface stays French
    # The fallback keeps the audience: restricted in German, still 404 outside it.
    Audience.objects.create(page=only_german, organisation_kind="cantonal_authority")
    assert reader.get(link).status_code == 404
    assert reader.get("/fr/knowledge/flankierende-massnahmen/nowhere/").status_code == 404


def test_scheduled_publishing_happens_when_its_time_comes(knowledge):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    topic = GuidancePage.objects.get(slug="lohnkontrollen", locale__language_code="de").get_parent()
    page = GuidancePage(
        title="Stellungnahme Meldeverfahren", slug="meldeverfahren", kind="position", live=False
    )
    topic.add_child(instance=page)
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    _user, reader = member("cantonal_authority")
    assert not page.live and reader.get(page.url).status_code == 404
    settle(extract=False)
    assert f"page:{page.pk}" not in [hit.key for hit in service.search(_user, "Stellungnahme").results.hits]
    call_command("scheduler", "--once", stdout=io.StringIO())
    page.refresh_from_db()
    assert not page.live  # not yet
    # The hour passes (the revision's time moved back instead of the clock forward).
    revision.refresh_from_db()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = revision.approved_go_live_at.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("scheduler", "--once", stdout=io.StringIO())
    page.refresh_from_db()
    assert page.live and reader.get(page.url).status_code == 200
    settle(extract=False)
    assert f"page:{page.pk}" in [hit.key for hit in service.search(_user, "Stellungnahme").results.hits]


def test_the_home_lists_events_under_events_only_and_the_breadcrumb_ends_on_the_page(knowledge):
    import re

    _user, browser = member("cantonal_authority")
    home = browser.get("/fr/knowledge/").content.decode()
    topics = re.search(r"<h2>Thèmes</h2>(.*?)</section>", home, re.S).group(1)
    events = re.search(r"<h2>Événements</h2>(.*?)</section>", home, re.S).group(1)
    assert "pool" not in topics.lower() and "Formation" not in topics
    assert "Formation" in events
    guidance = browser.get("/fr/knowledge/flankierende-massnahmen/lohnkontrollen/").content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', guidance, re.S).group(0)
    assert "›" not in crumbs  # the separator is drawn between items, never after the last
    assert re.search(r'<li aria-current="page">[^<]+</li></ol>', crumbs)


def test_demo_guidance_reads_like_guidance_in_each_language(knowledge):
    _user, browser = member("cantonal_authority")
    page = browser.get("/it/knowledge/flankierende-massnahmen/lohnkontrollen/").content.decode()
    sentence = "Gli organi di controllo verificano salari orari"
    assert page.count(sentence) == 1  # the introduction, not repeated in the body
    assert "<table" in page and "Termini in sintesi" in page
    assert "dodici mesi" in page and "Modello di rapporto di controllo (CSV)" in page
    event = browser.get("/it/knowledge/weiterbildung-entsendung/").content.decode()
    assert "<dd>Berna</dd>" in event


def test_the_cms_roots_carry_the_portals_name_and_gravatar_is_off(knowledge, settings):
    from portal.knowledge.roots import WAGTAIL_DEFAULT_TITLE

    assert not Page.objects.filter(title=WAGTAIL_DEFAULT_TITLE).exists()
    assert Page.objects.filter(depth=2, title="FlaM-Portal").exists()
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

    assert "gravatar" not in avatar_url(EnrolledUserFactory())


def test_the_call_out_fields_are_translated_for_editors():
    from portal.knowledge.models import CalloutBlock

    with translation.override("de"):
        assert str(CalloutBlock().child_blocks["tone"].label) == "Tonalität"


def test_the_header_links_to_the_cms_exactly_for_those_it_lets_in_without_asking_the_database(db):
    umbrella = OrganisationFactory(kind="umbrella_association")
    people = {
        "umbrella case worker": (MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER).user, True),
        "umbrella reader": (MembershipFactory(organisation=umbrella, role=Role.READER).user, False),
        "cantonal administrator": (member("cantonal_authority", role=Role.ADMINISTRATOR)[0], False),
    }
    for name, (user, edits) in people.items():
        sync(user)
        browser = Client()
        browser.force_login(user)
        with translation.override("en"):
            page = browser.get(reverse("dossiers:list")).content.decode()
            cms = browser.get("/cms/")
        link = f'<a href="{reverse("wagtailadmin_home")}">CMS</a>'
        assert (link in page) is edits, name
        assert (cms.status_code == 200) is edits, name
