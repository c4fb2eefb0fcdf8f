"""A member follows an old Plone address in French to the imported page and downloads its file."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale, Page

from portal.demo.knowledge import _child, _localised
from portal.knowledge.models import KnowledgeHome, PloneItem
from portal.knowledge.plone.importer import import_plone
from tenants.roles import Role
from tests.accounts.factories import EnrolledUserFactory
from tests.browser.conftest import sign_in
from tests.browser.test_knowledge_editing import wagtail_tree
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT = Path(__file__).parents[1] / "knowledge" / "plone_export"


def test_a_member_opens_an_old_french_address_and_downloads_the_file(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    wagtail_tree()
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("de", "fr", "it")}
    home, _new = _child(Page.objects.get(depth=2), KnowledgeHome, "knowledge", title="Wissen")
    _localised(home, locales["fr"], "Connaissances")
    _localised(home, locales["it"], "Conoscenze")
    report = import_plone(EXPORT)
    assert not report.skipped
    user = EnrolledUserFactory()
    MembershipFactory(
        user=user, organisation=OrganisationFactory(kind="cantonal_authority"), role=Role.READER
    )
    context, page = sign_in(browser, live_server, user)
    page.goto("/fr/protection-des-salaires/controles/procedure/deroulement")
    expect(page).to_have_url(
        f"{live_server.url}/fr/knowledge/protection-des-salaires/controles/procedure/deroulement/"
    )
    expect(page.get_by_role("heading", name="Déroulement d'un contrôle", exact=False).first).to_be_visible()
    link = page.get_by_role("link", name="notice")
    expect(link).to_be_visible()
    # Wagtail serves PDFs inline (Chromium would show, not save them): fetch the link as the
    # signed-in member's browser context does.
    response = context.request.get(link.get_attribute("href"))
    assert response.status == 200
    exported = next(
        json.loads(f.read_text())
        for f in (EXPORT / "Plone").glob("*.json")
        if json.loads(f.read_text())["@id"].endswith("/merkblatt-lohnkontrolle.pdf")
    )
    assert response.body() == base64.b64decode(exported["file"]["data"])
    document = PloneItem.objects.get(portal_type="File", path__contains="merkblatt").document
    assert document.filename in response.headers["content-disposition"]
    context.close()
