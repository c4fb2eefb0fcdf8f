"""Every portal page in Chromium: axe-core finds no critical or serious problem and no
unlabelled or duplicated landmark, and nothing overflows a 390 px phone screen. Then the
share form per kind of recipient (with and without JavaScript) and the journal's filters."""

from __future__ import annotations

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from portal.demo.knowledge import seed_knowledge
from portal.documents.actions import add_documents
from portal.dossiers.levels import Level
from portal.dossiers.sharing import share_dossier
from portal.knowledge.editors import sync
from portal.knowledge.models import EventPage, GuidancePage, TopicPage
from portal.threads.actions import post_message
from tenants.roles import Role
from tests.browser.test_knowledge_editing import wagtail_tree
from tests.dossiers.factories import PDF, DossierFactory, upload
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LANDMARK_RULES = {
    "landmark-unique",
    "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo",
    "landmark-no-duplicate-main",
    "region",
}


def open_context(browser, live_server, user=None, *, viewport=None, javascript=True, language="de-CH"):
    """A browser context (signed in as ``user`` if given). ``bypass_csp`` lets axe's script in."""
    context = browser.new_context(
        base_url=live_server.url,
        locale=language,
        bypass_csp=True,
        java_script_enabled=javascript,
        viewport=viewport or {"width": 1280, "height": 900},
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


@pytest.fixture
def knowledge():
    """The demo knowledge section (seeding it costs time: only the tests over every page)."""
    wagtail_tree()
    seed_knowledge()


@pytest.fixture
def workspace():
    """A day's material: two bodies, a dossier with a document, a message and shares,
    an editor, an operator."""
    wagtail_tree()
    canton = OrganisationFactory(short_name="AMB GE", slug="ge", canton="GE")
    commission = OrganisationFactory(short_name="PK Bau", slug="pk-bau", kind="joint_commission", canton="CH")
    umbrella = OrganisationFactory(short_name="VSAA", slug="vsaa", kind="umbrella_association", canton="CH")
    admin = MembershipFactory(organisation=canton, role=Role.ADMINISTRATOR, user__first_name="Anna").user
    admin.is_platform_operator = True
    admin.save()
    worker = MembershipFactory(organisation=canton, role=Role.CASE_WORKER, user__first_name="Beat").user
    recipient = MembershipFactory(
        organisation=commission, role=Role.CASE_WORKER, user__first_name="Chiara"
    ).user
    editor = MembershipFactory(organisation=umbrella, role=Role.CASE_WORKER).user
    sync(editor)
    dossier = DossierFactory(owner=canton, company_name="Muster Bau GmbH")
    document = add_documents(dossier=dossier, uploads=[upload("lohnliste.pdf", PDF)], acting_user=worker)[0]
    post_message(dossier=dossier, body="Bitte Lohnlisten senden", acting_user=worker, acting_for=canton)
    share_dossier(dossier=dossier, acting_user=admin, organisation=commission, level=Level.CONTRIBUTE)
    share_dossier(dossier=dossier, acting_user=admin, user=recipient, level=Level.VIEW)
    return {
        "canton": canton,
        "commission": commission,
        "admin": admin,
        "worker": worker,
        "recipient": recipient,
        "editor": editor,
        "dossier": dossier,
        "document": document,
    }


def portal_pages(workspace) -> list[str]:
    dossier, canton = workspace["dossier"], workspace["canton"]
    topic = TopicPage.objects.filter(locale__language_code="de").first()
    guidance = GuidancePage.objects.filter(locale__language_code="de").first()
    event = EventPage.objects.filter(locale__language_code="de").first()
    year = date.today().year
    return [
        "/de/",
        "/de/dossiers/",
        "/de/dossiers/new/",
        "/de/dossiers/inbox/",
        f"/de/dossiers/{dossier.pk}/",
        f"/de/dossiers/{dossier.pk}/edit/",
        f"/de/dossiers/{dossier.pk}/documents/",
        f"/de/dossiers/{dossier.pk}/documents/{workspace['document'].pk}/",
        f"/de/dossiers/{dossier.pk}/messages/",
        f"/de/dossiers/{dossier.pk}/sharing/",
        f"/de/dossiers/{dossier.pk}/journal/",
        "/de/search/?q=Muster",
        "/de/organisation/members/",
        "/de/organisation/members/invite/",
        "/de/organisation/settings/",
        "/de/organisation/api-clients/",
        "/de/organisation/api-clients/new/",
        "/de/statistics/",
        f"/de/statistics/report/{year}/",
        "/de/notifications/settings/",
        "/de/accounts/2fa/",
        "/de/accounts/password/change/",
        "/de/operator/organisations/",
        "/de/operator/organisations/new/",
        f"/de/operator/organisations/{canton.pk}/",
        "/de/knowledge/",
        *(reader_url(knowledge_page) for knowledge_page in (topic, guidance, event)),
    ]


def reader_url(knowledge_page) -> str:
    """``/home/knowledge/topic/`` (the tree's path) as the reader's ``/de/knowledge/topic/``."""
    return "/de/" + knowledge_page.url_path.split("/", 2)[2]


ANONYMOUS_PAGES = ["/de/accounts/login/", "/fr/accounts/login/", "/de/accounts/password/reset/"]


def axe_problems(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("critical", "serious") or violation["id"] in LANDMARK_RULES
    ]


def visit(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)


def test_axe_finds_no_critical_or_serious_problem_and_landmarks_are_labelled_on_every_page(
    browser, live_server, knowledge, workspace
):
    problems = {}
    context, page = open_context(browser, live_server)
    for url in ANONYMOUS_PAGES:
        visit(page, url)
        if found := axe_problems(page):
            problems[url] = found
    context.close()
    context, page = open_context(browser, live_server, workspace["admin"])
    for url in portal_pages(workspace):
        visit(page, url)
        # Every page says what it is, then the portal's name.
        assert re.fullmatch(r".+ · FlaM-Portal", page.title()), (url, page.title())
        if found := axe_problems(page):
            problems[url] = found
    context.close()
    assert problems == {}


def test_nothing_overflows_a_phone_screen_and_tables_scroll_in_their_own_box(
    browser, live_server, knowledge, workspace
):
    context, page = open_context(browser, live_server, workspace["admin"], viewport=PHONE)
    too_wide = {}
    for url in portal_pages(workspace):
        visit(page, url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[url] = width
    assert too_wide == {}
    # The journal's table is wider than the phone: it scrolls inside its own box, not the page.
    visit(page, f"/de/dossiers/{workspace['dossier'].pk}/journal/")
    box = page.locator(".table-scroll").first
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")
    assert box.evaluate("element => getComputedStyle(element).overflowX") == "auto"
    context.close()


def test_the_editor_sees_the_cms_link_and_others_do_not(browser, live_server, knowledge, workspace):
    context, page = open_context(browser, live_server, workspace["editor"])
    visit(page, "/de/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="CMS").click()
    expect(page).to_have_url(re.compile(r"/cms/$"))
    context.close()
    context, page = open_context(browser, live_server, workspace["worker"])
    visit(page, "/de/")
    expect(page.get_by_role("link", name="CMS", exact=True)).to_have_count(0)
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_share_form_shows_only_the_fields_of_the_chosen_recipient_kind(
    browser, live_server, workspace, javascript
):
    context, page = open_context(
        browser, live_server, workspace["admin"], javascript=javascript, language="en-GB"
    )
    visit(page, f"/en/dossiers/{workspace['dossier'].pk}/sharing/")
    form = page.get_by_role("form", name="Share", exact=True)
    organisation = form.get_by_label("Organisation", exact=True)
    email = form.get_by_label("Person's e-mail address")
    expect(organisation).to_be_visible()
    expect(form.get_by_role("group", name="Roles")).to_be_visible()
    expect(email).to_be_hidden()
    expect(form.get_by_text("Inclusive: access ends at the end of this day (23:59).")).to_be_visible()

    form.get_by_label("A person").check()
    expect(email).to_be_visible()
    expect(organisation).to_be_hidden()
    expect(form.get_by_role("group", name="Roles")).to_be_hidden()

    third = MembershipFactory(
        organisation=workspace["commission"], role=Role.READER, user__first_name="Dario"
    ).user
    email.fill(third.email)
    form.get_by_label("Expires on").fill(date.today().isoformat())
    form.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("The dossier has been shared.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=third.get_full_name()).first
    expect(row).to_contain_text(re.compile(r"11:59\s?p\.m\."))  # the end of the chosen day

    form = page.get_by_role("form", name="Share", exact=True)
    form.get_by_label("An organisation").check()
    expect(form.get_by_label("Organisation", exact=True)).to_be_visible()
    expect(form.get_by_label("Person's e-mail address")).to_be_hidden()
    context.close()


def test_bulk_sharing_offers_every_organisation_but_ones_own(browser, live_server, workspace):
    context, page = open_context(browser, live_server, workspace["worker"], language="en-GB")
    visit(page, "/en/dossiers/")
    page.get_by_role("checkbox", name=re.compile(workspace["dossier"].reference)).check()
    page.get_by_role("button", name="Share…").click()
    options = page.get_by_label("Organisation", exact=True).locator("option").all_inner_texts()
    assert any("PK Bau" in option or "Organisation PK Bau" in option for option in options)
    assert not any(workspace["canton"].name_en in option for option in options)
    context.close()


def test_the_journal_reads_as_sentences_filters_and_exports(browser, live_server, workspace, tmp_path):
    dossier = workspace["dossier"]
    context, page = open_context(browser, live_server, workspace["admin"], language="en-GB")
    context.set_default_timeout(20_000)
    visit(page, f"/en/dossiers/{dossier.pk}/journal/")
    table = page.get_by_role("table", name="Journal entries")
    expect(table).to_contain_text("Document “lohnliste.pdf”")
    expect(table).to_contain_text(f"Dossier {dossier.reference}")
    expect(table).to_contain_text(workspace["worker"].get_full_name())
    expect(table).to_contain_text(f"with {workspace['recipient'].get_full_name()}")
    expect(table).to_contain_text("AMB GE")

    page.get_by_label("Kind of entry").select_option("share")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("2 entries")).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(3)

    page.get_by_label("Person").select_option(label=workspace["worker"].get_full_name())
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No entry matches these filters.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export for an audit (CSV)").click()
    saved = tmp_path / "journal.csv"
    download_info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Time,Person,E-mail")
    assert len(text.splitlines()) == 1  # the same filters: nobody matched
    context.close()
