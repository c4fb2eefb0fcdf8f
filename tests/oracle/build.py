"""Writes a batch of generated worlds straight into the database, a few bulk inserts for all.

The rows are the ones the portal's actions write (``portal/dossiers/sharing.py``): a share row
per target, and its guardian grant rows (one per role group for a share with an organisation,
capped by the role; one for a personal share, through the membership it goes through), each
carrying the share's expiry. ``tests/oracle/test_policy_oracle.py`` checks on sample worlds
that the actions write exactly these rows. The worlds of a batch share nothing, so a leak from
one world to another shows up as a dossier someone should not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

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


def build_batch(worlds: list[World], t0: datetime, tag: str) -> list[Built]:
    User = get_user_model()
    states = [settle(world, t0) for world in worlds]
    orgs = Organisation.objects.bulk_create(
        Organisation(
            slug=f"{tag}-w{w}-o{i}",
            short_name=f"W{w}O{i}",
            name_de=f"Welt {w} Organisation {i}",
            name_fr=f"Monde {w} organisation {i}",
            name_it=f"Mondo {w} organizzazione {i}",
            name_en=f"World {w} organisation {i}",
            kind="cantonal_authority",
            canton="GE",
            is_active=active,
        )
        for w, world in enumerate(worlds)
        for i, active in enumerate(world.orgs)
    )
    users = User.objects.bulk_create(
        User(
            email=f"{tag}-w{w}-p{i}@oracle.example",
            is_active=person.active,
            first_name=f"P{i}",
            last_name=f"W{w}",
        )
        for w, world in enumerate(worlds)
        for i, person in enumerate(world.people)
    )
    groups = Group.objects.bulk_create(Group(name=f"{org.slug}:{role}") for org in orgs for role in ROLES)
    RoleGroup.objects.bulk_create(
        RoleGroup(organisation=org, role=role, group=groups[i * len(ROLES) + j])
        for i, org in enumerate(orgs)
        for j, role in enumerate(ROLES)
    )
    group_of = {
        (org.pk, role): groups[i * len(ROLES) + j].pk
        for i, org in enumerate(orgs)
        for j, role in enumerate(ROLES)
    }

    built, org_at, user_at = [], 0, 0
    membership_rows, dossier_rows = [], []
    for w, (world, state) in enumerate(zip(worlds, states, strict=True)):
        world_orgs = [o.pk for o in orgs[org_at : org_at + len(world.orgs)]]
        world_users = [u.pk for u in users[user_at : user_at + len(world.people)]]
        org_at += len(world.orgs)
        user_at += len(world.people)
        for i, person in enumerate(world.people):
            for member in person.memberships:
                membership_rows.append(
                    Membership(
                        user_id=world_users[i],
                        organisation_id=world_orgs[member.org],
                        role=member.role,
                        is_active=member.active,
                        valid_from=day_start(t0, member.starts).date(),
                        valid_until=day_start(t0, member.ends).date() if member.ends is not None else None,
                    )
                )
        for d, owner in enumerate(state.owner):
            dossier_rows.append(
                Dossier(
                    owner_id=world_orgs[owner],
                    reference=f"OR-{w}-{d}",
                    company_name=f"Orakel Bau {w}-{d} AG",
                    canton="GE",
                    control_kind="posted_workers",
                    created_at=t0,
                    last_activity_at=t0,
                    destroy_after=t0 + timedelta(days=365),
                )
            )
        built.append(Built(world, state, world_orgs, world_users, [], [], {}))
    memberships = iter(Membership.objects.bulk_create(membership_rows))
    dossiers = iter(Dossier.objects.bulk_create(dossier_rows))
    for one in built:
        one.memberships = [[next(memberships).pk for _m in person.memberships] for person in one.world.people]
        one.dossiers = [next(dossiers).pk for _d in one.state.owner]
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
                row = DossierShare(
                    dossier_id=one.dossiers[d],
                    kind=DossierShare.Kind.HANDOVER if share.kind == "handover" else DossierShare.Kind.SHARE,
                    roles=sorted(share.roles),
                    level=share.level,
                    expires_at=t0 + share.expires if share.expires is not None else None,
                    created_at=t0,
                )
                if kind == "org":
                    row.target_organisation_id = one.orgs[target]
                else:
                    row.target_user_id = one.users[target]
                    row.membership_id = one.memberships[target][share.through]
                shares.append(row)
                targets.append((one, kind, target, share))
    permission = _permissions()
    user_rows, group_rows = [], []
    for row, (one, kind, target, share) in zip(
        DossierShare.objects.bulk_create(shares), targets, strict=True
    ):
        if kind == "user":
            user_rows.append(
                DossierUserObjectPermission(
                    share=row,
                    content_object_id=row.dossier_id,
                    user_id=row.target_user_id,
                    membership_id=row.membership_id,
                    permission_id=permission[share.level],
                    expires_at=row.expires_at,
                )
            )
            continue
        for role in sorted(share.roles) or ROLES:
            group_rows.append(
                DossierGroupObjectPermission(
                    share=row,
                    content_object_id=row.dossier_id,
                    group_id=one.groups[(target, role)],
                    permission_id=permission[min(share.level, ROLE_LEVEL[role])],
                    expires_at=row.expires_at,
                )
            )
    DossierUserObjectPermission.objects.bulk_create(user_rows)
    DossierGroupObjectPermission.objects.bulk_create(group_rows)
