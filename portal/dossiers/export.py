"""The dossier list, as filtered on the page, exported to CSV or XLSX and journaled.

The rows come from the same filter set as the page (so from :func:`visible_dossiers`),
read in chunks; CSV is streamed, XLSX written by openpyxl's write-only workbook into a
spooled temporary file. Cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from portal.journal.actions import record
from portal.journal.models import Action

MAX_ROWS = 10_000
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def columns() -> list[tuple[str, object]]:
    """(heading, how to read it from a dossier), in the reader's language."""
    return [
        (_("Reference"), lambda d: d.reference),
        (_("Company"), lambda d: d.company_name),
        (_("Enterprise number (UID)"), lambda d: d.company_uid_display if d.company_uid else ""),
        (_("Canton"), lambda d: d.canton),
        (_("Kind of control"), lambda d: d.get_control_kind_display()),
        (_("Status"), lambda d: d.get_status_display()),
        (_("Deadline"), lambda d: d.deadline),
        (_("Owner"), lambda d: d.owner.short_name),
        (_("Responsible person"), lambda d: str(d.responsible) if d.responsible else ""),
        (_("Created"), lambda d: timezone.localtime(d.created_at).replace(tzinfo=None)),
        (_("Destruction date"), lambda d: timezone.localtime(d.destroy_after).date()),
    ]


def _safe(value):
    """A text starting like a formula (=, +, -, @, tab, CR) is kept as text, not run (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(dossiers) -> Iterator[list]:
    spec = columns()
    yield [heading for heading, _read in spec]
    for dossier in dossiers:
        yield [_safe(read(dossier)) for _heading, read in spec]


def prepare(queryset, *, fmt: str, acting_user, request=None) -> list:
    """Check the request and journal it; returns the dossiers to write. Refuses, changing
    nothing, an unknown format or a list longer than :data:`MAX_ROWS`."""
    if fmt not in FORMATS:
        raise ValidationError(_("Choose CSV or XLSX."))
    dossiers = list(queryset[: MAX_ROWS + 1])
    if len(dossiers) > MAX_ROWS:
        raise ValidationError(
            _("More than %(cap)s dossiers: narrow the list with the filters before exporting.")
            % {"cap": f"{MAX_ROWS:,}".replace(",", "'")}
        )
    record(
        action=Action.DOWNLOAD,
        object_type="dossier_list",
        actor=acting_user,
        organisation=getattr(getattr(request, "tenant", None), "organisation", None),
        request=request,
        details={
            "format": fmt,
            "count": len(dossiers),
            "filters": _filters(request),
            "references": [dossier.reference for dossier in dossiers],
        },
    )
    return dossiers


def _filters(request) -> dict:
    if request is None:
        return {}
    return {key: request.GET.getlist(key) for key in sorted(request.GET) if key not in ("format", "page")}


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(table: Iterable[list]) -> Iterator[str]:
    """CSV with a byte-order mark, so spreadsheet programs read the umlauts right."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in table:
        yield writer.writerow(["" if value is None else value for value in row])


def xlsx_file(table: Iterable[list]):
    """An XLSX workbook in a temporary file (in memory up to 8 MB), positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Dossiers")[:31])
    for row in table:
        sheet.append(row)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    workbook.save(spool)
    spool.seek(0)
    return spool
