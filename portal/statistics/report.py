"""The yearly report: a table per kind of control, by sector and canton, as CSV, XLSX and a page.

Built from :class:`~portal.statistics.figures.Figures` of one calendar year and the rows of
:mod:`portal.statistics.presentation`, so the files carry exactly the figures the pages show
(small cells suppressed in the national report).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.dossiers.models import ControlKind
from portal.statistics.disclosure import Cube, apply
from portal.statistics.figures import Figures
from portal.statistics.presentation import COLUMNS, Small, row
from portal.statistics.selectors import sector_label
from tenants.models import Canton


@dataclass(frozen=True)
class Line:
    sector: str
    canton: str
    values: dict


@dataclass(frozen=True)
class Section:
    kind: str
    label: str
    lines: list[Line]
    total: dict


def sections(figures: Figures, *, protect: bool, cube: Cube | None = None) -> list[Section]:
    """One section per kind of control (all four, empty ones too), lines by sector then canton.

    With ``protect`` (the national report), the figures' suppression comes from ``cube``, the
    year's margins protected together, as on the national view of the same year.
    """

    def line(address, block) -> dict:
        values = row(block, protect=protect)
        return apply(values, cube.at(*address)) if protect else values

    totals = {kind: line((kind, None, None), block) for kind, block in figures.by_kind.items()}
    result = []
    for kind, label in ControlKind.choices:
        cells = sorted(
            ((sector, canton, block) for (k, sector, canton), block in figures.by_cell.items() if k == kind),
            key=lambda cell: (sector_label(cell[0]), cell[1]),
        )
        lines = [
            Line(str(sector_label(sector)), str(Canton(canton).label), line((kind, sector, canton), block))
            for sector, canton, block in cells
        ]
        result.append(Section(kind, str(label), lines, totals.get(kind, {})))
    return result


def header() -> list[str]:
    return [_("Kind of control"), _("Sector"), _("Canton"), *(str(label) for _key, label in COLUMNS)]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Small):
        return str(value)
    return value


def _rows(report: list[Section]):
    for section in report:
        for line in section.lines:
            yield [section.label, line.sector, line.canton, *(_cell(line.values[key]) for key, _l in COLUMNS)]
        if section.total:
            yield [section.label, _("Total"), "", *(_cell(section.total[key]) for key, _l in COLUMNS)]


def as_csv(report: list[Section]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the umlauts right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for values in _rows(report):
        writer.writerow([str(v) if isinstance(v, Decimal) else v for v in values])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(label: str) -> str:
    return "".join(ch for ch in label if ch not in "[]:*?/\\")[:31]


def as_xlsx(report: list[Section], *, title: str) -> bytes:
    """One worksheet per kind of control."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    for section in report:
        sheet = workbook.create_sheet(_sheet_title(section.label))
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header()[1:])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for values in _rows([section]):
            sheet.append(values[1:])
        sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
