"""The yearly report: the same figures in CSV, XLSX and on a printable page, each export journaled."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from portal.dossiers.models import ControlKind
from portal.journal.models import JournalEntry
from portal.statistics.presentation import COLUMNS
from tenants.models import Canton
from tenants.roles import Role
from tests.statistics.generator import generate
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NO_SECTOR = "Keine Branche angegeben"  # the reports are asked for under /de/


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def cases(organisation_a, organisation_b):
    return generate([organisation_a, organisation_b], count=70)


PERSONS = [key for key, _label in COLUMNS].index("persons")  # its place after the controls


def expected_cells(cases, year: int, owner=None) -> dict:
    """(kind label, sector label, canton label) -> (controls, persons), the long way round."""
    cells = {}
    with translation.override("de"):
        for c in cases:
            if timezone.localdate(c.opened_at).year != year or (owner is not None and c.owner_id != owner.pk):
                continue
            key = (str(ControlKind(c.kind).label), c.sector or NO_SECTOR, str(Canton(c.canton).label))
            controls, persons = cells.get(key, (0, 0))
            cells[key] = (controls + 1, persons + c.persons)
    return cells


def test_the_xlsx_holds_a_sheet_per_kind_with_every_cell_of_the_body(
    signed_in, worker_a, organisation_a, cases
):
    response = signed_in(worker_a).get(reverse("statistics:report-file", args=[2025, "xlsx"]))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="statistics-{organisation_a.slug}-2025.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    with translation.override("de"):
        # a sheet name has 31 characters at most (Excel's limit)
        assert workbook.sheetnames == [str(label)[:31] for _value, label in ControlKind.choices]
    found = {}
    for sheet in workbook.worksheets:
        for line in list(sheet.iter_rows(min_row=3, values_only=True)):
            if line[0] == "Total":
                continue
            found[(sheet.title, line[0], line[1])] = (line[2], line[2 + PERSONS])
    expected = {
        (kind[:31], sector, canton): v
        for (kind, sector, canton), v in expected_cells(cases, 2025, owner=organisation_a).items()
    }
    assert found == expected


def test_the_csv_has_the_same_cells_and_a_total_per_kind(signed_in, admin_a, organisation_a, cases):
    response = signed_in(admin_a).get(reverse("statistics:report-file", args=[2025, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 3 + len(COLUMNS)
    cells = {(r[0], r[1], r[2]): (int(r[3]), int(r[3 + PERSONS])) for r in rows[1:] if r[1] != "Total"}
    assert cells == expected_cells(cases, 2025, owner=organisation_a)
    totals = {r[0]: int(r[3]) for r in rows[1:] if r[1] == "Total"}
    for kind, total in totals.items():
        assert total == sum(n for (k, _s, _c), (n, _p) in cells.items() if k == kind)


def test_the_printable_page_shows_a_table_per_kind(signed_in, worker_a, cases):
    response = signed_in(worker_a).get(reverse("statistics:report", args=[2025]))
    assert response.status_code == 200
    assert [section.kind for section in response.context["report"]] == [v for v, _l in ControlKind.choices]
    page = response.content.decode()
    assert page.count("<table") == sum(1 for s in response.context["report"] if s.lines)
    for case in cases:
        assert case.company not in page


def test_every_export_is_journaled_with_year_format_and_organisation(signed_in, worker_a, organisation_a):
    client = signed_in(worker_a)
    for fmt in ("csv", "xlsx"):
        client.get(reverse("statistics:report-file", args=[2025, fmt]))
    client.get(reverse("statistics:report", args=[2025]))
    entries = JournalEntry.objects.filter(object_type="statistics_report").order_by("id")
    assert [(e.action, e.details["format"]) for e in entries] == [
        ("download", "csv"),
        ("download", "xlsx"),
        ("view", "html"),
    ]
    assert {(e.actor_id, e.organisation_id, e.object_reference) for e in entries} == {
        (worker_a.pk, organisation_a.pk, f"{organisation_a.slug}-2025")
    }


def test_the_national_report_suppresses_small_cells_and_names_no_case(signed_in, cases):
    secretariat = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    response = signed_in(member(secretariat, Role.CASE_WORKER)).get(
        reverse("statistics:national-report-file", args=[2025, "csv"])
    )
    text = response.content.decode("utf-8-sig")
    for case in cases:
        assert case.company not in text and case.reference not in text
    rows = list(csv.reader(io.StringIO(text)))[1:]
    expected = expected_cells(cases, 2025)
    small = [key for key, (controls, _p) in expected.items() if controls < 3]
    assert small, "the generated year has small cells"
    hidden_per_kind: dict[str, list[str]] = {}
    for r in rows:
        if r[1] == "Total":
            continue
        controls = expected[(r[0], r[1], r[2])][0]
        if controls < 3:
            assert set(r[3:]) - {"0"} <= {"< 3", "x"} and r[3] == "< 3"
        elif r[3] != "x":  # hidden so that a "< 3" of its kind cannot be worked out
            assert int(r[3]) == controls
        if r[3] in ("< 3", "x"):
            hidden_per_kind.setdefault(r[0], []).append(r[3])
    # a kind's total minus its shown cells never points at a single suppressed cell
    assert hidden_per_kind and all(len(cells) >= 2 for cells in hidden_per_kind.values())
    entry = JournalEntry.objects.get(object_type="statistics_report")
    assert entry.object_reference == "national-2025" and entry.details["national"] is True


def test_reports_are_refused_without_the_right_and_for_unknown_years(signed_in, organisation_a, worker_a):
    reader = signed_in(member(organisation_a, Role.READER))
    assert reader.get(reverse("statistics:report", args=[2025])).status_code == 403
    assert reader.get(reverse("statistics:report-file", args=[2025, "xlsx"])).status_code == 403
    worker = signed_in(worker_a)
    assert worker.get(reverse("statistics:national-report-file", args=[2025, "csv"])).status_code == 403
    assert worker.get(reverse("statistics:report-file", args=[2025, "pdf"])).status_code == 404
    assert worker.get(reverse("statistics:report", args=[date.today().year + 1])).status_code == 404
    assert not JournalEntry.objects.filter(object_type="statistics_report").exists()


def test_the_report_takes_the_same_number_of_queries_for_1_and_50_dossiers(
    signed_in, worker_a, organisation_a
):
    client = signed_in(worker_a)
    url = reverse("statistics:report-file", args=[2025, "xlsx"])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    generate([organisation_a], count=1, seed=5)
    one = count()
    generate([organisation_a], count=49, seed=6)
    assert count() == one
