"""The journal is append-only and tamper-evident."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from portal.journal.actions import record
from portal.journal.models import Action, JournalEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(admin_a, organisation_a):
    return [
        record(
            action=Action.VIEW,
            object_type="dossier",
            object_id=n,
            object_reference=f"GE-2026-{n:05d}",
            actor=admin_a,
            organisation=organisation_a,
        )
        for n in range(1, 6)
    ]


def test_entries_link_into_one_chain(entries):
    assert entries[0].previous_hash == "0" * 64
    for before, after in pairwise(entries):
        assert after.previous_hash == before.entry_hash


def test_an_intact_journal_verifies(entries, capsys):
    call_command("verify_journal")
    assert "5 entries verified" in capsys.readouterr().out


def test_the_application_cannot_change_or_delete_entries(entries):
    entry = entries[2]
    entry.details = {"forged": True}
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_the_database_refuses_updates_and_deletes(entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=entries[1].pk).update(object_reference="X")
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=entries[1].pk).delete()
    assert JournalEntry.objects.count() == 5


def _as_superuser_bypassing_triggers(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def test_a_tampered_entry_is_reported_by_the_verify_command(entries, capsys):
    _as_superuser_bypassing_triggers(
        "UPDATE journal_journalentry SET object_reference = %s WHERE id = %s",
        ["ZH-2026-99999", entries[2].pk],
    )
    with pytest.raises(CommandError, match="broken at 1 of 5"):
        call_command("verify_journal")
    assert f"entry {entries[2].pk}: contents do not match" in capsys.readouterr().err


def test_a_removed_entry_is_reported_by_the_verify_command(entries, capsys):
    _as_superuser_bypassing_triggers("DELETE FROM journal_journalentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError):
        call_command("verify_journal")
    assert f"entry {entries[2].pk}: link to the previous entry does not match" in capsys.readouterr().err
