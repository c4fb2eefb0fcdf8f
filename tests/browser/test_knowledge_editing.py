"""The umbrella association's editor writes a French guidance page in /cms/ and submits it; a
reviewer approves and publishes it; a member of a canton reads it in French, and finds it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from wagtail.models import Collection, Locale, Page, Site

from portal.demo.knowledge import seed_knowledge
from portal.knowledge.editors import sync
from portal.knowledge.models import GuidancePage, TopicPage
from tenants.roles import Role
from tests.browser.conftest import sign_in
from tests.search.conftest import settle
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Recommandation sur le détachement de courte durée"
INTRO = "Les missions de moins de huit jours sont annoncées quand même."


def wagtail_tree():
    """Wagtail's root page, home page, site and root collection, as its migrations make them:
    earlier transactional tests flush every table, these rows included."""
    locale, _ = Locale.objects.get_or_create(language_code="de")
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Page.objects.filter(depth=2).exists():
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=locale)
        )
        home = root.add_child(instance=Page(title="Home", slug="home", locale=locale))
        Site.objects.get_or_create(
            hostname="localhost", defaults={"root_page": home, "is_default_site": True}
        )


def open_more_actions(page):
    """Open the editor footer's action menu (Save draft ▾)."""
    page.locator('footer .w-dropdown-button [data-w-dropdown-target="toggle"]').click()


def test_editor_writes_reviewer_publishes_member_reads_in_french(browser, live_server):
    wagtail_tree()
    seed_knowledge()
    umbrella = OrganisationFactory(short_name="VSAA", kind="umbrella_association", canton="CH")
    editor = MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER).user
    reviewer = MembershipFactory(organisation=umbrella, role=Role.ADMINISTRATOR).user
    for person in (editor, reviewer):
        sync(person)
    reader = MembershipFactory(organisation=OrganisationFactory(canton="VD"), role=Role.READER).user
    topic = TopicPage.objects.get(slug="flankierende-massnahmen", locale__language_code="fr")

    # The editor adds a guidance page under the French topic and submits it for review.
    context, page = sign_in(browser, live_server, editor)
    page.goto(f"/cms/pages/{topic.pk}/")
    page.locator(f'a[href="/cms/pages/{topic.pk}/add_subpage/"]').first.click()
    page.locator('a[href*="/add/knowledge/guidancepage/"]').click()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_title").press("Tab")  # leaving the title makes Wagtail's script fill the slug
    # The slug comes from the title in the browser; submitting before it is there is refused
    # ("could not be created due to validation errors"), as it would be for a person.
    expect(page.locator("#id_slug")).not_to_have_value("")
    page.locator("#id_intro").fill(INTRO)
    page.locator("#id_kind").select_option("recommendation")
    open_more_actions(page)
    page.locator('button[name="action-submit"]').click()
    expect(page.locator(".messages")).to_contain_text(TITLE)
    draft = GuidancePage.objects.get(title=TITLE)
    assert not draft.live and draft.locale.language_code == "fr"
    assert draft.current_workflow_state is not None
    context.close()

    # Not yet readable.
    context, page = sign_in(browser, live_server, reader)
    assert page.goto(draft.get_url()).status == 404
    context.close()

    # The reviewer approves, which publishes it.
    context, page = sign_in(browser, live_server, reviewer)
    page.goto(f"/cms/pages/{draft.pk}/edit/")
    open_more_actions(page)
    page.locator('button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])').click()
    expect(page.locator(".messages")).to_contain_text(TITLE)
    draft.refresh_from_db()
    assert draft.live
    context.close()

    # A member of a canton reads it in French, from the topic's list and from search.
    settle(extract=False)
    context, page = sign_in(browser, live_server, reader)
    page.goto("/fr/knowledge/flankierende-massnahmen/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text(INTRO)).to_be_visible()
    expect(page.get_by_text(re.compile("n'existe pas dans votre langue"))).to_have_count(0)
    page.goto("/fr/search/?q=détachement+courte+durée")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    context.close()
