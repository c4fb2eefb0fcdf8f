"""Dossier list at scale: 100,000 dossiers, 1,000,000 documents, 50,000 shares.

The measured person is a case worker of one of 20 organisations: they see the 5,000
dossiers their organisation owns and 15,000 shared with it, about 20,000 in all. Each
request goes through the whole stack (middleware, policy, filters, template) with
Django's test client; the figure is the server time per page of 50.

    make bench            # or: .venv/bin/python bench/dossier_list.py [--dossiers N]
"""

from __future__ import annotations

import argparse
import random
import time

from common import bench_database, percentiles, status_line
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.documents.models import Document
from portal.dossiers.models import Dossier, DossierGroupObjectPermission, DossierShare
from tenants.groups import role_group
from tenants.roles import Role

ORGANISATIONS = 20


def populate(dossiers: int, documents: int, shares: int):
    from django.contrib.auth.models import Permission

    from tests.tenants.factories import MembershipFactory, OrganisationFactory

    organisations = [OrganisationFactory(short_name=f"ORG {n}", canton="GE") for n in range(ORGANISATIONS)]
    person = MembershipFactory(organisation=organisations[0], role=Role.CASE_WORKER).user
    ids = [o.pk for o in organisations]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Dossier._meta.db_table} (reference, owner_id, company_name, company_uid,
                company_foreign_register, company_country, company_address, sector, collective_agreement,
                canton, commune, control_kind, persons_checked, status, deadline, working_time_violations,
                created_at, updated_at, last_activity_at, destroy_after, legal_hold_reason)
            SELECT 'B-' || g, (%s::bigint[])[1 + (g %% {ORGANISATIONS})], 'Firma ' || g || ' AG', '', '', 'CH', '',
                (ARRAY['Bau','Gastro','Reinigung','Maler'])[1 + g %% 4], '',
                (ARRAY['GE','VD','ZH','TI','BE'])[1 + g %% 5], '',
                (ARRAY['posted_workers','self_employed','swiss_employer','temporary_agency'])[1 + g %% 4],
                g %% 9, (ARRAY['opened','under_control','report_written','closed'])[1 + g %% 4],
                CURRENT_DATE + (g %% 90 - 30), '',
                now() - make_interval(mins => g), now(), now(), now() + interval '300 days', ''
            FROM generate_series(1, %s) AS g
            """,
            [ids, dossiers],
        )
        cursor.execute(
            f"""
            INSERT INTO {Document._meta.db_table} (dossier_id, title, category, created_at)
            SELECT d.id, 'Dokument ' || n, 'other', now()
            FROM {Dossier._meta.db_table} d, generate_series(1, %s) AS n
            """,
            [documents // dossiers],
        )
        # Shares: 15,000 to the person's organisation (every role), the rest to other organisations.
        view = Permission.objects.get(codename="view_dossier").pk
        groups = {(o.pk, role): role_group(o, role).pk for o in organisations for role in Role.values}
        cursor.execute(
            f"""
            INSERT INTO {DossierShare._meta.db_table} (dossier_id, kind, target_organisation_id, roles, level,
                note, created_at)
            SELECT d.id, 'share', CASE WHEN rn <= 15000 THEN %s ELSE
                (%s::bigint[])[1 + ((rn + d.owner_id) %% {ORGANISATIONS})] END, '{{}}', 1, '', now()
            FROM (SELECT id, owner_id, row_number() OVER (ORDER BY id) AS rn FROM {Dossier._meta.db_table}
                  WHERE owner_id <> %s) d
            WHERE rn <= %s
            ON CONFLICT DO NOTHING
            """,
            [ids[0], ids, ids[0], shares],
        )
        values = ", ".join(f"({org}, '{role}', {group})" for (org, role), group in groups.items())
        cursor.execute(
            f"""
            INSERT INTO {DossierGroupObjectPermission._meta.db_table} (content_object_id, share_id, group_id,
                permission_id, expires_at)
            SELECT s.dossier_id, s.id, g.group_id, %s, NULL
            FROM {DossierShare._meta.db_table} s
            JOIN (VALUES {values}) AS g(organisation_id, role, group_id) ON g.organisation_id = s.target_organisation_id
            """,
            [view],
        )
        cursor.execute("ANALYZE")
    print(
        f"populated in {time.perf_counter() - started:.0f} s: {Dossier.objects.count()} dossiers, "
        f"{Document.objects.count()} documents, {DossierShare.objects.count()} shares, "
        f"{DossierGroupObjectPermission.objects.count()} grant rows"
    )
    return person


def measure(person, rounds: int) -> None:
    from portal.dossiers.access import visible_dossiers

    print(f"the person sees {visible_dossiers(person).count()} dossiers")
    client = Client()
    client.force_login(person)
    client.get("/de/dossiers/")
    pages = visible_dossiers(person).count() // 50
    cases = {
        "first page, newest first": lambda: "/de/dossiers/",
        "random page": lambda: f"/de/dossiers/?page={random.randint(1, pages)}",
        "filtered by status and canton": lambda: "/de/dossiers/?status=under_control&canton=ZH",
        "shared with me, sorted by deadline": lambda: "/de/dossiers/?scope=shared&sort=deadline",
    }
    for name, url in cases.items():
        samples, queries = [], 0
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url())
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            queries = len(captured)
        print(status_line(name, percentiles(samples)) + f"  ({queries} queries)")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--shares", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=100)
    arguments = parser.parse_args()
    with bench_database():
        person = populate(arguments.dossiers, arguments.documents, arguments.shares)
        measure(person, arguments.rounds)


if __name__ == "__main__":
    main()
