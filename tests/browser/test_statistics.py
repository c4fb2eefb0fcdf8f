"""A case worker opens the statistics, filters a sector and downloads the yearly report as XLSX;
the body's administrator submits it; the federal secretariat opens the national view, sees
which bodies submitted and reads the submitted report."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tenants.roles import Role
from tests.browser.conftest import sign_in
from tests.statistics.generator import generate
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_sector_filter_xlsx_and_the_secretariat_sees_who_submitted(browser, live_server, tmp_path):
    geneva = OrganisationFactory(short_name="AMB GE", slug="ge", canton="GE")
    zurich = OrganisationFactory(short_name="AWA ZH", slug="zh", canton="ZH")
    secretariat = OrganisationFactory(short_name="SECO", slug="seco", kind="federal_secretariat", canton="CH")
    worker = MembershipFactory(organisation=geneva, role=Role.CASE_WORKER).user
    administrator = MembershipFactory(organisation=geneva, role=Role.ADMINISTRATOR).user
    supervisor = MembershipFactory(organisation=secretariat, role=Role.CASE_WORKER).user
    cases = generate([geneva, zurich], count=60)
    year = timezone.localdate().year
    today = timezone.localdate()
    own = [
        c
        for c in cases
        if c.owner_id == geneva.pk and c.opened_at.year == year and c.opened_at.date() <= today
    ]
    in_sector = [c for c in own if c.sector == "Gastgewerbe"]
    assert in_sector and len(in_sector) < len(own)

    context, page = sign_in(browser, live_server, worker)
    page.goto("/en/")
    page.get_by_role("link", name="Statistics").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics of AMB GE")
    summary = page.get_by_role("table", name="Summary")
    controls = (
        summary.get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Controls", exact=True))
        .get_by_role("cell")
        .first
    )
    expect(controls).to_have_text(str(len(own)))

    page.get_by_label("Sector", exact=True).select_option("Gastgewerbe")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/en/statistics/\?.*sector=Gastgewerbe"))
    expect(controls).to_have_text(str(len(in_sector)))

    page.get_by_role("link", name=f"Yearly report {year}").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download XLSX").click()
    download = download_info.value
    assert download.suggested_filename == f"statistics-ge-{year}.xlsx"
    saved = tmp_path / "report.xlsx"
    download.save_as(saved)
    workbook = load_workbook(io.BytesIO(saved.read_bytes()))
    assert workbook.sheetnames == [
        "Posted workers",
        "Self-employed service provider",
        "Swiss employer",
        "Temporary agency",
    ]
    controls_in_file = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=3, values_only=True):
            if row[0] == "Total":
                controls_in_file += row[2]
    year_own = [c for c in cases if c.owner_id == geneva.pk and c.opened_at.year == year]
    assert controls_in_file == len(year_own)
    context.close()

    context, page = sign_in(browser, live_server, administrator)
    page.goto(f"/en/statistics/report/{year}/")
    page.get_by_role("button", name="Submit to the federal secretariat").click()
    expect(
        page.get_by_text(f"The report {year} has been submitted to the federal secretariat (version 1).")
    ).to_be_visible()
    context.close()

    context, page = sign_in(browser, live_server, supervisor)
    page.goto("/en/statistics/")
    page.get_by_role("link", name="National view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National view")
    page.get_by_role("link", name=f"Reports submitted {year}").click()
    submitted = page.get_by_role("region", name="Submitted (1)")
    expect(submitted.get_by_role("row", name="AMB GE")).to_be_visible()
    missing = page.get_by_role("region", name="Not submitted (1)")
    expect(missing.get_by_role("listitem")).to_have_text(["AWA ZH"])
    submitted.get_by_role("link", name="AMB GE").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {year} of AMB GE")
    expect(page.get_by_role("row", name="Total").first).to_be_visible()
    context.close()
