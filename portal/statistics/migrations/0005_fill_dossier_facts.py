"""Fill the facts of every existing dossier and the local days of the kept facts.

The statement is a copy of ``portal.statistics.facts.UPSERT`` as it was when this migration
was written (a migration must not change when the code does).
"""

from django.conf import settings
from django.db import migrations

UPSERT = """
INSERT INTO statistics_dossierfacts (
    dossier_id, owner_id, control_kind, sector, canton, status, persons_checked,
    opened_at, opened_on, report_at, sanction_at, closed_at, closed_on, deadline,
    wage_underpayment_chf, working_time_violation, penalty_chf, fine_chf, ban_years,
    agreement_extended, listed_publicly
)
SELECT f.id, f.owner_id, f.control_kind, f.sector, f.canton, f.status, f.persons_checked,
    f.created_at, (f.created_at AT TIME ZONE %(zone)s)::date, f.report_at, f.sanction_at, f.closed_at,
    CASE WHEN f.status = 'closed' THEN (f.closed_at AT TIME ZONE %(zone)s)::date END, f.deadline,
    f.wage_underpayment_chf, btrim(f.working_time_violations, E' \\t\\n\\r\\f\\v') <> '',
    f.penalty_chf, f.fine_chf, f.ban_years, f.agreement_extended, f.listed_publicly
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
    agreement_extended = EXCLUDED.agreement_extended, listed_publicly = EXCLUDED.listed_publicly
"""

ARCHIVED_DAYS = """
UPDATE statistics_archivedfacts
SET opened_on = (opened_at AT TIME ZONE %(zone)s)::date,
    closed_on = CASE WHEN status = 'closed' THEN (closed_at AT TIME ZONE %(zone)s)::date END
"""


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(UPSERT.replace("{where}", "TRUE"), {"zone": settings.TIME_ZONE})
        cursor.execute(ARCHIVED_DAYS, {"zone": settings.TIME_ZONE})


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0004_dossier_facts_and_archived_local_days"),
        ("journal", "0004_journalentry_sign_in_failed"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
