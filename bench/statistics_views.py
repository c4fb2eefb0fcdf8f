"""Statistics at national scale: a body's dashboard and the national view over 100,000 dossiers.

100,000 live dossiers opened over the last twelve months (retention keeps no older ones)
for 40 bodies, about 2,500 each; each with the status history the workflow journals (one
journal entry per move to report written, sanction decided and closed, about 170,000 in
all, plus 200,000 unrelated entries), and 100,000 kept facts of destroyed dossiers from
the year before. Each request goes through the whole stack with Django's test client
(middleware, access check, figures of the period and the previous period, charts,
template); the figure is the server time per page.

    .venv/bin/python bench/statistics_views.py [--dossiers N] [--rounds N] [--keep]

With ``--keep`` the data is kept in ``var/bench-statistics/<dossiers>/`` (its own embedded
server) and measured again by the next run with ``--keep``, without the 2-minute fill.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

if "--keep" in sys.argv:  # read before Django starts: the kept data has its own server
    _early = argparse.ArgumentParser(add_help=False)
    _early.add_argument("--dossiers", type=int, default=100_000)
    _known, _rest = _early.parse_known_args()
    os.environ["PORTAL_EMBEDDED_PGDATA"] = str(
        Path(__file__).resolve().parent.parent / "var" / "bench-statistics" / str(_known.dossiers) / "pgdata"
    )

# Database connections live as in production (portal/settings/production.py): the page's
# statements that run on other connections at the same time (portal/statistics/overlap.py)
# find theirs open, as a server's do.
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

from common import bench_database, kept_database, percentiles, status_line
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.dossiers.models import Dossier
from portal.journal.models import JournalEntry
from portal.statistics.models import ArchivedFacts, DossierFacts
from tenants.roles import Role

BODIES = 40
KINDS = "ARRAY['posted_workers','self_employed','swiss_employer','temporary_agency']"
SECTORS = (
    "ARRAY['Bauhauptgewerbe','Gastgewerbe','Reinigung','Maler- und Gipsergewerbe','Elektro','Sicherheit']"
)
CANTONS = "ARRAY['GE','VD','ZH','TI','BE','BS','LU','SG']"
STATUSES = "ARRAY['opened','documents_requested','under_control','report_written','sanction_decided','closed','closed','closed']"


def populate(dossiers: int):
    from tests.tenants.factories import MembershipFactory, OrganisationFactory

    bodies = [OrganisationFactory(short_name=f"AMB {n}", canton="GE") for n in range(BODIES)]
    secretariat = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    worker = MembershipFactory(organisation=bodies[0], role=Role.CASE_WORKER).user
    national = MembershipFactory(organisation=secretariat, role=Role.CASE_WORKER).user
    ids = [b.pk for b in bodies]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Dossier._meta.db_table} (reference, owner_id, company_name, company_uid,
                company_foreign_register, company_country, company_address, sector, collective_agreement,
                canton, commune, control_kind, persons_checked, status, deadline, working_time_violations,
                wage_underpayment_chf, penalty_chf, fine_chf, ban_years,
                created_at, updated_at, last_activity_at, destroy_after, legal_hold_reason)
            SELECT 'S-' || g, (%s::bigint[])[1 + (g %% {BODIES})], 'Firma ' || g || ' AG', '', '', 'CH', '',
                ({SECTORS})[1 + g %% 6], '', ({CANTONS})[1 + (g / 7) %% 8], '',
                ({KINDS})[1 + (g / 3) %% 4], g %% 9, ({STATUSES})[1 + (g / 11) %% 8],
                CURRENT_DATE + (g %% 90 - 30), CASE WHEN g %% 5 = 0 THEN 'Überstunden' ELSE '' END,
                CASE WHEN g %% 4 = 0 THEN (g %% 5000) + 100 END, CASE WHEN g %% 6 = 0 THEN 1500 END,
                CASE WHEN g %% 13 = 0 THEN 2000 END, CASE WHEN g %% 97 = 0 THEN 1 + g %% 5 END,
                now() - make_interval(mins => ((g * 5) %% 525000)::int), now(), now(),
                now() + interval '300 days', ''
            FROM generate_series(1, %s) AS g
            """,
            [ids, dossiers],
        )
        # The journaled moves of each dossier's history, in the shape change_status writes them.
        moves = (
            ("report_written", 20, "d.status IN ('report_written', 'sanction_decided', 'closed')"),
            (
                "sanction_decided",
                40,
                "(d.status = 'sanction_decided' OR (d.status = 'closed' AND d.id % 3 = 0))",
            ),
            ("closed", 60, "d.status = 'closed'"),
        )
        for step, (status, days, where) in enumerate(moves):
            cursor.execute(
                f"""
                INSERT INTO {JournalEntry._meta.db_table} (created_at, actor_label, organisation_label, action,
                    object_type, object_id, object_reference, details, previous_hash, entry_hash)
                SELECT d.created_at + make_interval(days => ({days} + d.id %% 10)::int), '', '', 'change', 'dossier',
                    d.id, d.reference, jsonb_build_object('status', jsonb_build_array('x', %s), 'dossier', d.id),
                    '', md5('{step}-' || d.id) || md5('m-{step}-' || d.id)
                FROM {Dossier._meta.db_table} d
                WHERE {where.replace("%", "%%")}
                """,
                [status],
            )
        cursor.execute(
            f"""
            INSERT INTO {JournalEntry._meta.db_table} (created_at, actor_label, organisation_label, action,
                object_type, object_id, object_reference, details, previous_hash, entry_hash)
            SELECT now() - make_interval(mins => g::int), '', '', 'view', 'document', g, '', '{{}}'::jsonb, '',
                md5('v-' || g) || md5('w-' || g)
            FROM generate_series(1, %s) AS g
            """,
            [2 * dossiers],
        )
        cursor.execute(
            f"""
            INSERT INTO {ArchivedFacts._meta.db_table} (owner_id, control_kind, sector, canton, status,
                persons_checked, opened_at, report_at, sanction_at, closed_at, wage_underpayment_chf,
                working_time_violation, penalty_chf, fine_chf, ban_years, archived_at, opened_on, closed_on)
            SELECT (%s::bigint[])[1 + (g %% {BODIES})], ({KINDS})[1 + (g / 3) %% 4], ({SECTORS})[1 + g %% 6],
                ({CANTONS})[1 + (g / 7) %% 8], 'closed', g %% 9,
                now() - make_interval(days => (366 + g %% 365)::int), now() - make_interval(days => (340 + g %% 365)::int),
                NULL, now() - make_interval(days => (300 + g %% 365)::int),
                CASE WHEN g %% 4 = 0 THEN 500 END, g %% 5 = 0, NULL, NULL, NULL, now(),
                ((now() - make_interval(days => (366 + g %% 365)::int)) AT TIME ZONE 'Europe/Zurich')::date,
                ((now() - make_interval(days => (300 + g %% 365)::int)) AT TIME ZONE 'Europe/Zurich')::date
            FROM generate_series(1, %s) AS g
            """,
            [ids, dossiers],
        )
    # Written with raw SQL, not through the actions: the facts rows are rebuilt as after any
    # bulk write (manage.py rebuild_statistics_facts).
    rebuilt = time.perf_counter()
    call_command("rebuild_statistics_facts")
    print(f"facts rebuilt in {time.perf_counter() - rebuilt:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"populated in {time.perf_counter() - started:.0f} s: {Dossier.objects.count()} dossiers, "
        f"{JournalEntry.objects.count()} journal entries, {ArchivedFacts.objects.count()} kept facts, "
        f"{DossierFacts.objects.count()} facts rows"
    )
    return worker, national, bodies[0]


def kept_population(dossiers: int):
    """The kept data's users (filled on the first run)."""
    from tenants.models import Membership

    if not Dossier.objects.exists():
        return populate(dossiers)
    print(f"kept data: {Dossier.objects.count()} dossiers, {ArchivedFacts.objects.count()} kept facts")
    worker = Membership.objects.get(organisation__short_name="AMB 0").user
    national = Membership.objects.get(organisation__short_name="SECO").user
    return worker, national, worker.memberships.get().organisation


def measure(worker, national, body, rounds: int) -> None:
    cases = {
        "dashboard of a body (1 Jan to today)": (worker, "/de/statistics/"),
        "dashboard, one sector": (worker, "/de/statistics/?sector=Gastgewerbe"),
        "national view (1 Jan to today)": (national, "/de/statistics/national/"),
        "national view, one sector": (national, "/de/statistics/national/?sector=Gastgewerbe"),
        "national view, last 12 months": (
            national,
            "/de/statistics/national/?start={start}&end={end}",
        ),
        "national drill-down to a body": (national, f"/de/statistics/national/body/{body.pk}/"),
    }
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    for name, (user, url) in cases.items():
        url = url.format(start=today - timedelta(days=364), end=today)
        client = Client()
        client.force_login(user)
        client.get(url)  # warm-up
        samples, queries = [], 0
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            queries = len(captured)
        print(status_line(name, percentiles(samples)) + f"  ({queries} queries)", flush=True)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the data for the next run (var/)")
    arguments = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    if arguments.keep:
        with kept_database():
            measure(*kept_population(arguments.dossiers), arguments.rounds)
    else:
        with bench_database():
            worker, national, body = populate(arguments.dossiers)
            measure(worker, national, body, arguments.rounds)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
