"""Keep ``statistics_monthlycounts`` current from both facts tables, and fill it.

Statement-level triggers with transition tables: each INSERT, UPDATE or DELETE on
``statistics_dossierfacts`` or ``statistics_archivedfacts`` adds the new rows' counts and
subtracts the old rows' in the same statement, one upsert per statement whatever the number
of rows (the rebuild writes 100,000 rows in one). A destroyed dossier's facts row goes and
its kept row comes: the two cancel out. Cells left at zero are deleted. The cells are
upserted in key order, so two statements touching the same cells lock them in the same order.

The SQL is built here as it was when this migration was written (a migration must not
change when the code does); ``portal.statistics.facts.COUNTS`` is the rebuild's own copy of
the sums.
"""

from django.db import migrations

KEYS = "owner_id, control_kind, sector, canton, month"

#: One row per fact and month it counts in, with ``sign`` +1 (new rows) or -1 (old rows).
DELTA = """
    SELECT owner_id, control_kind, sector, canton, date_trunc('month', opened_on)::date AS month,
        sign AS controls, 0 AS closed, sign * persons_checked AS persons,
        sign * (wage_underpayment_chf > 0)::int AS undercutting,
        sign * working_time_violation::int AS working_time,
        sign * (penalty_chf > 0)::int AS penalties,
        CASE WHEN penalty_chf > 0 THEN sign * penalty_chf ELSE 0 END AS penalties_chf,
        sign * (fine_chf > 0)::int AS fines,
        CASE WHEN fine_chf > 0 THEN sign * fine_chf ELSE 0 END AS fines_chf,
        sign * (ban_years IS NOT NULL)::int AS bans, sign * coalesce(ban_years, 0) AS ban_years,
        sign * agreement_extended::int AS extended, sign * listed_publicly::int AS listed
    FROM ({source}) AS changed
    UNION ALL
    SELECT owner_id, control_kind, sector, canton, date_trunc('month', closed_on)::date,
        0, sign, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM ({source}) AS changed
    WHERE closed_on IS NOT NULL
"""

SUMS = (
    "controls, closed, persons, undercutting, working_time, penalties, penalties_chf, fines, "
    "fines_chf, bans, ban_years, extended, listed"
)

APPLY = f"""
    INSERT INTO statistics_monthlycounts AS m ({KEYS}, {SUMS})
    SELECT {KEYS}, {", ".join(f"coalesce(sum({c}), 0)" for c in SUMS.split(", "))}
    FROM ({DELTA}) AS delta
    GROUP BY {KEYS}
    HAVING {" OR ".join(f"coalesce(sum({c}), 0) <> 0" for c in SUMS.split(", "))}
    ORDER BY {KEYS}
    ON CONFLICT ({KEYS}) DO UPDATE SET {", ".join(f"{c} = m.{c} + EXCLUDED.{c}" for c in SUMS.split(", "))};
    DELETE FROM statistics_monthlycounts AS m
    USING (SELECT DISTINCT {KEYS} FROM ({DELTA}) AS delta) AS touched
    WHERE (m.owner_id, m.control_kind, m.sector, m.canton, m.month)
        = (touched.owner_id, touched.control_kind, touched.sector, touched.canton, touched.month)
      AND m.controls = 0 AND m.closed = 0;
"""

FUNCTION = f"""
CREATE FUNCTION statistics_count_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {APPLY.replace("{source}", "SELECT 1 AS sign, * FROM new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        {APPLY.replace("{source}", "SELECT -1 AS sign, * FROM old_rows")}
    ELSE
        {APPLY.replace("{source}", "SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows")}
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = "".join(
    f"""
CREATE TRIGGER statistics_count_{event.lower()} AFTER {event} ON {table}
    REFERENCING {references} FOR EACH STATEMENT EXECUTE FUNCTION statistics_count_facts();
"""
    for table in ("statistics_dossierfacts", "statistics_archivedfacts")
    for event, references in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    )
)

FILL = f"""
INSERT INTO statistics_monthlycounts ({KEYS}, {SUMS})
SELECT {KEYS}, {", ".join(f"coalesce(sum({c}), 0)" for c in SUMS.split(", "))}
FROM (
    {DELTA.replace("{source}", "SELECT 1 AS sign, * FROM statistics_dossierfacts")}
    UNION ALL
    {DELTA.replace("{source}", "SELECT 1 AS sign, * FROM statistics_archivedfacts")}
) AS delta
GROUP BY {KEYS};
"""

DROP = "".join(
    f"DROP TRIGGER IF EXISTS statistics_count_{event} ON {table};"
    for table in ("statistics_dossierfacts", "statistics_archivedfacts")
    for event in ("insert", "update", "delete")
) + "DROP FUNCTION IF EXISTS statistics_count_facts(); DELETE FROM statistics_monthlycounts;"


class Migration(migrations.Migration):
    dependencies = [("statistics", "0006_monthly_counts")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS + FILL, DROP)]
