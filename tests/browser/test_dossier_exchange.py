"""A case worker creates a dossier, uploads two files and shares it; the other body finds it in its
inbox and downloads a file; after revocation it no longer can."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tenants.roles import Role
from tests.browser.conftest import sign_in
from tests.dossiers.factories import PDF, PNG
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_upload_share_download_revoke(browser, live_server, tmp_path):
    canton = OrganisationFactory(short_name="AMB GE", slug="ge", canton="GE")
    commission = OrganisationFactory(short_name="PK Bau", slug="pk-bau", kind="joint_commission", canton="CH")
    worker = MembershipFactory(organisation=canton, role=Role.CASE_WORKER).user
    recipient = MembershipFactory(organisation=commission, role=Role.CASE_WORKER).user
    report = PDF + b"Kontrollbericht " * 1000
    photo = PNG + b"\x00" * 500

    owner_context, page = sign_in(browser, live_server, worker)
    page.goto("/en/dossiers/")
    page.get_by_role("link", name="New dossier").click()
    page.get_by_role("textbox", name="Company", exact=True).fill("Muster Bau GmbH")
    page.get_by_label("Enterprise number (UID)").fill("CHE-116.281.710")
    page.get_by_label("Canton of work").select_option("GE")
    page.get_by_label("Kind of control").select_option("posted_workers")
    page.get_by_role("button", name="Create dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Muster Bau GmbH")
    reference = re.search(r"GE-\d{4}-\d{5}", page.locator(".eyebrow").inner_text()).group(0)

    page.get_by_role("navigation", name="Dossier sections").get_by_role("link", name="Documents").click()
    page.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "kontrollbericht.pdf", "mimeType": "application/pdf", "buffer": report},
            {"name": "baustelle.png", "mimeType": "image/png", "buffer": photo},
        ]
    )
    page.get_by_label("Category").select_option("control_report")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="kontrollbericht.pdf", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="baustelle.png", exact=True)).to_be_visible()

    page.get_by_role("navigation", name="Dossier sections").get_by_role("link", name="Sharing").click()
    share_form = page.get_by_role("form", name="Share")
    share_form.get_by_label("Organisation", exact=True).select_option(str(commission.pk))
    share_form.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("The dossier has been shared.")).to_be_visible()
    expect(page.get_by_role("cell", name=recipient.email)).to_be_visible()

    other_context, other = sign_in(browser, live_server, recipient)
    other.goto("/en/dossiers/inbox/")
    other.get_by_role("link", name=reference).click()
    other.get_by_role("navigation", name="Dossier sections").get_by_role("link", name="Documents").click()
    with other.expect_download() as download_info:
        other.get_by_role("link", name="Download kontrollbericht.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "kontrollbericht.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == report
    download_url = other.get_by_role("link", name="Download kontrollbericht.pdf").get_attribute("href")
    dossier_url = other.url

    page.reload()
    page.get_by_role("button", name="Revoke share with PK Bau").click()
    expect(page.get_by_text("The share has been revoked; access ended at once.")).to_be_visible()

    assert other.goto(dossier_url).status == 404
    assert other.goto(live_server.url + download_url).status == 404
    other.goto("/en/dossiers/inbox/")
    expect(other.get_by_role("link", name=reference)).to_have_count(0)
    owner_context.close()
    other_context.close()
