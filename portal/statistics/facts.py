"""Keep one row of statistical facts per live dossier (:class:`~portal.statistics.models.DossierFacts`).

The figures are sums over these rows (``figures.py``), so a page reads a few hundred
grouped rows instead of every dossier with three journal look-ups each. The rows are derived
data: :func:`refresh` writes them again from the dossier and its journal, and is called in
the same transaction as every write that changes a figure (``create_dossier``,
``update_dossier``, ``change_status``, ``hand_over``; the API calls the same actions; bulk
writers such as the demo data and the benchmark call :func:`rebuild`). Destruction needs no
call: the row goes with its dossier, after ``destroy`` has kept its :class:`ArchivedFacts`.

Report and sanction are the first journaled moves to *report written* and *sanction
decided*; closing is the last move to *closed*, or the dossier's last change when it was
closed without the workflow (README, "Statistics", counting rules).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from portal.statistics.pseudonym import hmac_pads

#: One statement: the facts of the dossiers matching ``{where}``, inserted or brought up to
#: date. Parameters: the time zone (twice), the padded keys of the company pseudonym
#: (``pseudonym.hmac_pads``: HMAC-SHA256 of the normalised UID, computed by PostgreSQL) and
#: those of ``{where}``. An earlier copy of it (before the pseudonym) lives in migration
#: ``statistics/0005_fill_dossier_facts``.
UPSERT = """
INSERT INTO statistics_dossierfacts (
    dossier_id, owner_id, control_kind, sector, canton, status, persons_checked,
    opened_at, opened_on, report_at, sanction_at, closed_at, closed_on, deadline,
    wage_underpayment_chf, working_time_violation, penalty_chf, fine_chf, ban_years,
    agreement_extended, listed_publicly, company_key
)
SELECT f.id, f.owner_id, f.control_kind, f.sector, f.canton, f.status, f.persons_checked,
    f.created_at, (f.created_at AT TIME ZONE %(zone)s)::date, f.report_at, f.sanction_at, f.closed_at,
    CASE WHEN f.status = 'closed' THEN (f.closed_at AT TIME ZONE %(zone)s)::date END, f.deadline,
    f.wage_underpayment_chf, btrim(f.working_time_violations, E' \\t\\n\\r\\f\\v') <> '',
    f.penalty_chf, f.fine_chf, f.ban_years, f.agreement_extended, f.listed_publicly,
    CASE WHEN f.company_uid <> '' THEN
        encode(sha256(%(opad)s || sha256(%(ipad)s || convert_to(f.company_uid, 'UTF8'))), 'hex') END
FROM (
    SELECT d.*,
        (SELECT j.created_at FROM journal_journalentry j
          WHERE j.object_type = 'dossier' AND j.object_id = d.id AND j.action = 'change'
            AND j.details #>> '{status,1}' = 'report_written' ORDER BY j.id LIMIT 1) AS report_at,
        (SELECT j.created_at FROM journal_journalentry j
          WHERE j.object_type = 'dossier' AND j.object_id = d.id AND j.action = 'change'
            AND j.details #>> '{status,1}' = 'sanction_decided' ORDER BY j.id LIMIT 1) AS sanction_at,
        COALESCE(
            (SELECT j.created_at FROM journal_journalentry j
              WHERE j.object_type = 'dossier' AND j.object_id = d.id AND j.action = 'change'
                AND j.details #>> '{status,1}' = 'closed' ORDER BY j.id DESC LIMIT 1),
            d.updated_at) AS closed_at
    FROM dossiers_dossier d
    WHERE {where}
) f
ON CONFLICT (dossier_id) DO UPDATE SET
    owner_id = EXCLUDED.owner_id, control_kind = EXCLUDED.control_kind, sector = EXCLUDED.sector,
    canton = EXCLUDED.canton, status = EXCLUDED.status, persons_checked = EXCLUDED.persons_checked,
    opened_at = EXCLUDED.opened_at, opened_on = EXCLUDED.opened_on, report_at = EXCLUDED.report_at,
    sanction_at = EXCLUDED.sanction_at, closed_at = EXCLUDED.closed_at, closed_on = EXCLUDED.closed_on,
    deadline = EXCLUDED.deadline, wage_underpayment_chf = EXCLUDED.wage_underpayment_chf,
    working_time_violation = EXCLUDED.working_time_violation, penalty_chf = EXCLUDED.penalty_chf,
    fine_chf = EXCLUDED.fine_chf, ban_years = EXCLUDED.ban_years,
    agreement_extended = EXCLUDED.agreement_extended, listed_publicly = EXCLUDED.listed_publicly,
    company_key = EXCLUDED.company_key
"""


#: The monthly counts (:class:`~portal.statistics.models.MonthlyCounts`) summed afresh from
#: both facts tables. The triggers of migration ``statistics/0007_monthly_counts_triggers``
#: keep them current on every write; the rebuild writes them again from scratch.
COUNTS = """
INSERT INTO statistics_monthlycounts (owner_id, control_kind, sector, canton, month, controls, closed,
    persons, undercutting, working_time, penalties, penalties_chf, fines, fines_chf, bans, ban_years,
    extended, listed)
SELECT owner_id, control_kind, sector, canton, month, sum(controls), sum(closed), sum(persons),
    sum(undercutting), sum(working_time), sum(penalties), sum(penalties_chf), sum(fines), sum(fines_chf),
    sum(bans), sum(ban_years), sum(extended), sum(listed)
FROM (
    SELECT owner_id, control_kind, sector, canton, date_trunc('month', opened_on)::date AS month,
        1 AS controls, 0 AS closed, persons_checked AS persons,
        coalesce((wage_underpayment_chf > 0)::int, 0) AS undercutting,
        working_time_violation::int AS working_time, coalesce((penalty_chf > 0)::int, 0) AS penalties,
        CASE WHEN penalty_chf > 0 THEN penalty_chf ELSE 0 END AS penalties_chf,
        coalesce((fine_chf > 0)::int, 0) AS fines, CASE WHEN fine_chf > 0 THEN fine_chf ELSE 0 END AS fines_chf,
        (ban_years IS NOT NULL)::int AS bans, coalesce(ban_years, 0) AS ban_years,
        agreement_extended::int AS extended, listed_publicly::int AS listed
    FROM facts
    UNION ALL
    SELECT owner_id, control_kind, sector, canton, date_trunc('month', closed_on)::date,
        0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM facts WHERE closed_on IS NOT NULL
) AS counted
GROUP BY owner_id, control_kind, sector, canton, month
""".replace(
    "FROM facts",
    "FROM ({columns} FROM statistics_dossierfacts UNION ALL {columns} FROM statistics_archivedfacts) AS facts".format(
        columns="SELECT owner_id, control_kind, sector, canton, opened_on, closed_on, persons_checked, "
        "wage_underpayment_chf, working_time_violation, penalty_chf, fine_chf, ban_years, agreement_extended, "
        "listed_publicly"
    ),
)


def refresh(dossier_ids: Iterable[int]) -> None:
    """Write the facts of ``dossier_ids`` again from the dossiers and their journal (one query).

    Call it inside the writing transaction, after the write and its journal entry.
    """
    ids = list(dossier_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT.replace("{where}", "d.id = ANY(%(ids)s)"),
            {"zone": settings.TIME_ZONE, "ids": ids, **hmac_pads()},
        )


def rebuild() -> int:
    """Write every dossier's facts again, drop rows of dossiers that are gone, and sum the
    monthly counts afresh; returns the number of dossiers."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM statistics_dossierfacts")
        cursor.execute(UPSERT.replace("{where}", "TRUE"), {"zone": settings.TIME_ZONE, **hmac_pads()})
        count = cursor.rowcount
        cursor.execute("DELETE FROM statistics_monthlycounts")
        cursor.execute(COUNTS)
        return count
