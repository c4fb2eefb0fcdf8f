"""Writes a batch of generated worlds straight into the database, one COPY per table for all.

The rows are the ones the portal's actions write (``portal/dossiers/sharing.py``): a share row
per target, and its guardian grant rows (one per role group for a share with an organisation,
capped by the role; one for a personal share, through the membership it goes through), each
carrying the share's expiry. ``tests/oracle/test_build.py`` checks on sample worlds that the
actions write exactly these rows. The worlds of a batch share nothing, so a leak from one world
to another shows up as a dossier someone should not see.

Rows go in with ``COPY`` rather than ``bulk_create``: every column the model defines, its
default taken from a model instance as Django would fill it, the given values prepared by the
fields themselves, and primary keys drawn from the table's own sequence beforehand (building
model instances and compiling inserts took longer than the database took to check them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from portal.dossiers.models import (
    Dossier,
    DossierGroupObjectPermission,
    DossierShare,
    DossierUserObjectPermission,
)
from tenants.models import Membership, Organisation, RoleGroup
from tests.oracle.worlds import ROLE_LEVEL, ROLES, State, World, day_start, settle

CODENAMES = {1: "view_dossier", 2: "contribute_dossier", 3: "change_dossier", 4: "manage_dossier"}


@dataclass
class Built:
    """One world in the database: its settled state and the primary keys of its rows."""

    world: World
    state: State
    orgs: list[int]
    users: list[int]
    memberships: list[list[int]]
    dossiers: list[int]
    groups: dict[tuple[int, str], int]


def insert(model, rows: list[dict]) -> list[int]:
    """Writes ``rows`` (attribute name to value; the rest as the model's defaults) with one
    ``COPY``; their primary keys, in order."""
    if not rows:
        return []
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    template = model()
    defaults = {f.attname: f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields}
    by_name = {f.attname: f for f in fields}
    given = sorted({name for row in rows for name in row})
    prepared = {name: {} for name in given}  # a value's prepared form, by value (most repeat)
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in [meta.pk.column] + [f.column for f in fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(pks, rows, strict=True):
                values = dict(defaults)
                for name, value in row.items():
                    key = tuple(value) if isinstance(value, list) else value
                    cache = prepared[name]
                    if key not in cache:
                        cache[key] = by_name[name].get_db_prep_save(value, connection)
                    values[name] = cache[key]
                copy.write_row([pk, *(values[f.attname] for f in fields)])
    return pks


def build_batch(worlds: list[World], t0: datetime, tag: str) -> list[Built]:
    User = get_user_model()
    states = [settle(world, t0) for world in worlds]
    org_rows = [
        {
            "slug": f"{tag}-w{w}-o{i}",
            "short_name": f"W{w}O{i}",
            "name_de": f"Welt {w} Organisation {i}",
            "name_fr": f"Monde {w} organisation {i}",
            "name_it": f"Mondo {w} organizzazione {i}",
            "name_en": f"World {w} organisation {i}",
            "kind": "cantonal_authority",
            "canton": "GE",
            "is_active": active,
        }
        for w, world in enumerate(worlds)
        for i, active in enumerate(world.orgs)
    ]
    orgs = insert(Organisation, org_rows)
    users = insert(
        User,
        [
            {
                "email": f"{tag}-w{w}-p{i}@oracle.example",
                "is_active": person.active,
                "first_name": f"P{i}",
                "last_name": f"W{w}",
            }
            for w, world in enumerate(worlds)
            for i, person in enumerate(world.people)
        ],
    )
    groups = insert(Group, [{"name": f"{row['slug']}:{role}"} for row in org_rows for role in ROLES])
    insert(
        RoleGroup,
        [
            {"organisation_id": org, "role": role, "group_id": groups[i * len(ROLES) + j]}
            for i, org in enumerate(orgs)
            for j, role in enumerate(ROLES)
        ],
    )
    group_of = {
        (org, role): groups[i * len(ROLES) + j] for i, org in enumerate(orgs) for j, role in enumerate(ROLES)
    }

    built, org_at, user_at = [], 0, 0
    membership_rows, dossier_rows = [], []
    for w, (world, state) in enumerate(zip(worlds, states, strict=True)):
        world_orgs = orgs[org_at : org_at + len(world.orgs)]
        world_users = users[user_at : user_at + len(world.people)]
        org_at += len(world.orgs)
        user_at += len(world.people)
        for i, person in enumerate(world.people):
            for member in person.memberships:
                membership_rows.append(
                    {
                        "user_id": world_users[i],
                        "organisation_id": world_orgs[member.org],
                        "role": member.role,
                        "is_active": member.active,
                        "valid_from": day_start(t0, member.starts).date(),
                        "valid_until": day_start(t0, member.ends).date() if member.ends is not None else None,
                    }
                )
        for d, owner in enumerate(state.owner):
            dossier_rows.append(
                {
                    "owner_id": world_orgs[owner],
                    "reference": f"OR-{w}-{d}",
                    "company_name": f"Orakel Bau {w}-{d} AG",
                    "canton": "GE",
                    "control_kind": "posted_workers",
                    "created_at": t0,
                    "last_activity_at": t0,
                    "destroy_after": t0 + timedelta(days=365),
                }
            )
        built.append(Built(world, state, world_orgs, world_users, [], [], {}))
    memberships = iter(insert(Membership, membership_rows))
    dossiers = iter(insert(Dossier, dossier_rows))
    for one in built:
        one.memberships = [[next(memberships) for _m in person.memberships] for person in one.world.people]
        one.dossiers = [next(dossiers) for _d in one.state.owner]
        one.groups = {(i, role): group_of[(pk, role)] for i, pk in enumerate(one.orgs) for role in ROLES}
    _write_shares(built, t0)
    return built


def _permissions() -> dict[int, int]:
    content_type = ContentType.objects.get_for_model(Dossier)
    by_codename = dict(Permission.objects.filter(content_type=content_type).values_list("codename", "pk"))
    return {level: by_codename[codename] for level, codename in CODENAMES.items()}


def _write_shares(built: list[Built], t0: datetime) -> None:
    shares, targets = [], []
    for one in built:
        for d, by_target in enumerate(one.state.shares):
            for (kind, target), share in sorted(by_target.items()):
                row = {
                    "dossier_id": one.dossiers[d],
                    "kind": DossierShare.Kind.HANDOVER
                    if share.kind == "handover"
                    else DossierShare.Kind.SHARE,
                    "roles": sorted(share.roles),
                    "level": share.level,
                    "expires_at": t0 + share.expires if share.expires is not None else None,
                    "created_at": t0,
                }
                if kind == "org":
                    row["target_organisation_id"] = one.orgs[target]
                else:
                    row["target_user_id"] = one.users[target]
                    row["membership_id"] = one.memberships[target][share.through]
                shares.append(row)
                targets.append((one, kind, target, share))
    permission = _permissions()
    user_rows, group_rows = [], []
    for pk, row, (one, kind, target, share) in zip(
        insert(DossierShare, shares), shares, targets, strict=True
    ):
        if kind == "user":
            user_rows.append(
                {
                    "share_id": pk,
                    "content_object_id": row["dossier_id"],
                    "user_id": row["target_user_id"],
                    "membership_id": row["membership_id"],
                    "permission_id": permission[share.level],
                    "expires_at": row["expires_at"],
                }
            )
            continue
        for role in sorted(share.roles) or ROLES:
            group_rows.append(
                {
                    "share_id": pk,
                    "content_object_id": row["dossier_id"],
                    "group_id": one.groups[(target, role)],
                    "permission_id": permission[min(share.level, ROLE_LEVEL[role])],
                    "expires_at": row["expires_at"],
                }
            )
    insert(DossierUserObjectPermission, user_rows)
    insert(DossierGroupObjectPermission, group_rows)
