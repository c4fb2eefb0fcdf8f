"""A case worker's day in Chromium: the home blocks, sorting the list by its headers,
ticking all rows, and a dossier's documents downloaded as one ZIP."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.documents.actions import add_documents
from portal.dossiers.levels import Level
from portal.dossiers.sharing import share_dossier
from portal.threads.actions import post_message
from tenants.roles import Role
from tests.browser.conftest import sign_in
from tests.dossiers.factories import PDF, PNG, DossierFactory, upload
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def screenshot(page, name: str) -> None:
    """The README's pictures: ``PORTAL_SCREENSHOTS=docs/screenshots pytest <this file>``."""
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)


@pytest.fixture
def bodies():
    canton = OrganisationFactory(short_name="AMB GE", slug="ge", canton="GE")
    commission = OrganisationFactory(short_name="PK Bau", slug="pk-bau", kind="joint_commission", canton="CH")
    worker = MembershipFactory(organisation=canton, role=Role.CASE_WORKER).user
    colleague = MembershipFactory(organisation=canton, role=Role.ADMINISTRATOR).user
    other = MembershipFactory(organisation=commission, role=Role.ADMINISTRATOR).user
    return canton, commission, worker, colleague, other


def test_the_home_page_shows_each_block_and_the_unread_count(browser, live_server, bodies):
    canton, commission, worker, colleague, other = bodies
    today = timezone.localdate()
    overdue = DossierFactory(
        owner=canton, responsible=worker, reference="GE-2026-00011", deadline=today - timedelta(days=3)
    )
    DossierFactory(
        owner=canton, responsible=worker, reference="GE-2026-00012", deadline=today + timedelta(days=9)
    )
    DossierFactory(owner=canton, reference="GE-2026-00013", destroy_after=timezone.now() + timedelta(days=6))
    shared = DossierFactory(owner=commission, reference="PK-2026-00001", company_name="Gerüstbau Alpin AG")
    share_dossier(dossier=shared, acting_user=other, organisation=canton, level=Level.CONTRIBUTE)
    post_message(dossier=overdue, body="Bitte Unterlagen", acting_user=colleague, acting_for=canton)
    add_documents(dossier=overdue, uploads=[upload("lohnliste.pdf")], acting_user=colleague)

    context, page = sign_in(browser, live_server, worker)
    page.goto("/en/")
    mine = page.get_by_role("region", name="Your dossiers")
    expect(mine.get_by_role("listitem")).to_have_count(2)
    expect(mine.get_by_role("listitem").first).to_contain_text("GE-2026-00011")
    expect(mine.get_by_role("listitem").first).to_contain_text("overdue")
    received = page.get_by_role("region", name="Received")
    expect(received).to_contain_text("PK-2026-00001")
    expect(received.get_by_text("new", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Unread messages")).to_contain_text("1 unread message")
    expect(page.get_by_role("region", name="New documents")).to_contain_text("lohnliste.pdf")
    expect(page.get_by_role("region", name="To be destroyed soon")).to_contain_text("GE-2026-00013")
    inbox = page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Inbox")
    expect(inbox).to_have_text("Inbox 1 unread")
    screenshot(page, "home")
    inbox.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    page.goto("/en/")
    expect(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Inbox")
    ).to_have_text("Inbox")
    context.close()


def test_sorting_by_column_headers_and_ticking_all_rows(browser, live_server, bodies):
    canton, _commission, worker, _colleague, _other = bodies
    for name, reference in [
        ("Beta Bau AG", "GE-2026-00002"),
        ("Alpha Maler SA", "GE-2026-00003"),
        ("Alpine Gerüstbau AG", "GE-2026-00004"),
        ("Atelier Léman Sàrl", "GE-2026-00005"),
        ("Bau Cantone SA", "GE-2026-00006"),
    ]:
        DossierFactory(owner=canton, company_name=name, reference=reference)
    context, page = sign_in(browser, live_server, worker)
    page.goto("/en/dossiers/")
    rows = page.locator("table.table tbody tr")
    page.get_by_role("link", name="Company").click()
    expect(page.get_by_role("columnheader", name="Company")).to_have_attribute("aria-sort", "ascending")
    expect(rows.first).to_contain_text("Alpha Maler SA")
    page.get_by_role("link", name="Company").click()
    expect(page.get_by_role("columnheader", name="Company")).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Beta Bau AG")
    page.get_by_role("link", name="Reference").click()
    expect(rows.first).to_contain_text("GE-2026-00002")
    screenshot(page, "dossier-list")
    page.get_by_label("Select all dossiers on this page").check()
    expect(page.get_by_role("checkbox", name="Select GE-2026-00002")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Select GE-2026-00003")).to_be_checked()
    page.get_by_role("checkbox", name="Select GE-2026-00003").uncheck()
    expect(page.get_by_label("Select all dossiers on this page")).not_to_be_checked()
    context.close()


def test_documents_download_as_one_zip_with_the_files_unchanged(browser, live_server, bodies, tmp_path):
    canton, _commission, worker, _colleague, _other = bodies
    dossier = DossierFactory(owner=canton, reference="GE-2026-00042")
    report = PDF + b"Kontrollbericht " * 5000
    photo = PNG + b"\x01" * 3000
    add_documents(dossier=dossier, uploads=[upload("bericht.pdf", report)], acting_user=worker)
    add_documents(dossier=dossier, uploads=[upload("foto.png", photo)], acting_user=worker)
    add_documents(dossier=dossier, uploads=[upload("notiz.pdf", PDF + b"notiz")], acting_user=worker)
    context, page = sign_in(browser, live_server, worker)
    page.goto(f"/en/dossiers/{dossier.pk}/documents/")

    with page.expect_download() as whole:
        page.get_by_role("link", name="Download all as ZIP").click()
    assert whole.value.suggested_filename == "GE-2026-00042.zip"
    with zipfile.ZipFile(whole.value.path()) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == {
            "bericht.pdf": report,
            "foto.png": photo,
            "notiz.pdf": PDF + b"notiz",
        }

    page.get_by_role("checkbox", name="Select bericht.pdf").check()
    page.get_by_role("checkbox", name="Select foto.png").check()
    with page.expect_download() as chosen:
        page.get_by_role("button", name="Download selected as ZIP").click()
    data = io.BytesIO(open(chosen.value.path(), "rb").read())  # noqa: SIM115
    with zipfile.ZipFile(data) as archive:
        assert sorted(archive.namelist()) == ["bericht.pdf", "foto.png"]
        assert archive.read("bericht.pdf") == report and archive.read("foto.png") == photo
    context.close()
