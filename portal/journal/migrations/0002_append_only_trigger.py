"""The database itself refuses to change or remove journal entries.

Only someone who can switch triggers off or truncate the table (its owner or a database
superuser) can alter it, and the hash chain then shows it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION journal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal entries are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER journal_append_only
    BEFORE UPDATE OR DELETE ON journal_journalentry
    FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS journal_append_only ON journal_journalentry;
DROP FUNCTION IF EXISTS journal_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
