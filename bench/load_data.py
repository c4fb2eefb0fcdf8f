"""The Django side of the load benchmark (``bench/load.py``), run with the stack's environment.

``seed``: organisations, people, dossiers with a document each, shares across
organisations and one API client per organisation, written through the portal's actions;
a signed-in session per person (as after password and TOTP); the plan for the simulated
people (what each may see, contribute to, and some dossiers each must not see).

``oracle``: after the run, the portal's own policy (``visible_dossiers``) decides whether
every sampled answer named only dossiers its asker may see.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django

django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from portal.api.clients import register_client
from portal.demo.documents import make_csv
from portal.documents.actions import add_documents
from portal.documents.uploads import encrypt_stream
from portal.dossiers.access import visible_dossiers
from portal.dossiers.actions import create_dossier
from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier
from portal.dossiers.sharing import share_dossier
from tenants.models import Membership, Organisation
from tenants.roles import Role
from tests.accounts.factories import enrol_totp
from tests.production.oracle import oracle

User = get_user_model()

BODIES = [
    ("ge", "AMB GE", "cantonal_authority", "GE"),
    ("zh", "AWA ZH", "cantonal_authority", "ZH"),
    ("ti", "UIL TI", "cantonal_authority", "TI"),
    ("pk-bau", "PK Bau", "joint_commission", "CH"),
    ("kv-bau", "KV Bau", "control_association", "BE"),
    ("be", "beco BE", "cantonal_authority", "BE"),
    ("vd", "SDE VD", "cantonal_authority", "VD"),
    ("pk-elektro", "PK Elektro", "joint_commission", "CH"),
]
# The first person creates the dossiers, the second registers the API client.
ROLES = (
    [Role.CASE_WORKER, Role.ADMINISTRATOR, Role.INSPECTOR, Role.READER]
    + [Role.CASE_WORKER] * 3
    + [
        Role.INSPECTOR,
        Role.READER,
        Role.CASE_WORKER,
    ]
)
SECTORS = ["Bauhauptgewerbe", "Elektroinstallation", "Reinigung", "Gastgewerbe", "Maler und Gipser"]
COMPANIES = ["Muster Bau", "Quarzsand", "Lemaire Constructions", "Edilizia Ticino", "Fassaden Nord"]


def _person(email: str, organisation: Organisation, role: str):
    user = User.objects.create_user(
        email=email, password=None, first_name="Last", last_name=email.split("@")[0]
    )
    enrol_totp(user)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def _session(user) -> str:
    """A session as the portal leaves it after password and TOTP."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _dossier_entry(dossier: Dossier) -> dict:
    document = dossier.documents.select_related("current_version").first()
    return {
        "pk": dossier.pk,
        "reference": dossier.reference,
        "document": document.pk,
        "version": document.current_version.number,
    }


def seed(organisations: int, people: int, dossiers: int) -> dict:
    bodies = []
    for slug, short_name, kind, canton in BODIES[:organisations]:
        body = Organisation.objects.create(
            slug=slug,
            short_name=short_name,
            name_de=short_name,
            name_fr=short_name,
            name_it=short_name,
            name_en=short_name,
            kind=kind,
            canton=canton,
        )
        members = [
            _person(f"load.{slug}.{n}@bench.invalid", body, ROLES[n % len(ROLES)]) for n in range(people)
        ]
        bodies.append((body, members))

    for index, (body, members) in enumerate(bodies):
        worker = members[0]
        for n in range(dossiers):
            company = f"{COMPANIES[n % len(COMPANIES)]} {body.short_name} {n} AG"
            dossier = create_dossier(
                owner=body,
                acting_user=worker,
                company_name=company,
                canton=body.canton if body.canton != "CH" else "ZH",
                sector=SECTORS[n % len(SECTORS)],
                control_kind="posted_workers",
                persons_checked=1 + n % 7,
            )
            payroll = make_csv(
                [("Name", "Funktion", "Stundenlohn")]
                + [(f"Lohnkontrolle {company} Person {k}", "Maurer", 30 + k) for k in range(40)]
            )
            add_documents(
                dossier=dossier,
                uploads=[encrypt_stream(io.BytesIO(payroll), "lohnliste.csv")],
                acting_user=worker,
                category="payroll",
            )
            neighbour, _ = bodies[(index + 1) % len(bodies)]
            if n % 5 == 0:  # a fifth of each body's dossiers is shared with the next body
                share_dossier(dossier=dossier, acting_user=worker, organisation=neighbour, level=Level.VIEW)
            if n % 10 == 1:  # and some with one named case worker of the body after that
                _, far_members = bodies[(index + 2) % len(bodies)]
                share_dossier(
                    dossier=dossier, acting_user=worker, user=far_members[0], level=Level.CONTRIBUTE
                )

    clients = {}
    for body, members in bodies:
        administrator = members[1]
        client, secret = register_client(
            organisation=body,
            acting_user=administrator,
            name="Fachanwendung",
            scopes=["read", "write"],
            rate_limit=6000,
        )
        clients[body.slug] = {
            "id": client.client_id,
            "secret": secret,
            "visible": [_dossier_entry(d) for d in visible_dossiers(client.account)],
            "contribute": [d.pk for d in visible_dossiers(client.account, Level.CONTRIBUTE)],
        }

    everything = {d.pk for d in Dossier.objects.all()}
    users = []
    for body, members in bodies:
        for member in members:
            visible = list(visible_dossiers(member).order_by("pk"))
            seen = {d.pk for d in visible}
            users.append(
                {
                    "email": member.email,
                    "organisation": body.slug,
                    "session": _session(member),
                    "visible": [_dossier_entry(d) for d in visible],
                    "contribute": [d.pk for d in visible_dossiers(member, Level.CONTRIBUTE)],
                    "foreign": sorted(everything - seen)[:50],
                }
            )
    return {"session_cookie": settings.SESSION_COOKIE_NAME, "users": users, "clients": clients}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["seed", "oracle"])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--samples", type=Path)
    parser.add_argument("--organisations", type=int, default=5)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--dossiers", type=int, default=20)
    args = parser.parse_args()
    if args.command == "seed":
        args.plan.write_text(json.dumps(seed(args.organisations, args.people, args.dossiers)))
    else:
        print(json.dumps(oracle(json.loads(args.plan.read_text()), args.samples)))


if __name__ == "__main__":
    main()
