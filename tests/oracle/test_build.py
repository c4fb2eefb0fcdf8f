"""The oracle writes its worlds straight into the tables: here, the portal's actions
(``share_dossier``, ``revoke_share``, ``hand_over``) run the same operations on the same people
and must leave exactly the same shares and grant rows, and refuse exactly the operations the
worlds' replay refuses. So the policy layer's worlds are worlds the portal itself would make."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from portal.dossiers.models import (
    Dossier,
    DossierGroupObjectPermission,
    DossierShare,
    DossierUserObjectPermission,
)
from portal.dossiers.sharing import hand_over, revoke_share, share_dossier
from tenants.models import Organisation, RoleGroup
from tests.oracle.build import Built, build_batch
from tests.oracle.runner import reference_time
from tests.oracle.worlds import settle, worlds

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _rows(one: Built) -> tuple:
    """The world's shares and grant rows, with its own names instead of primary keys."""
    dossier = {pk: f"D{d}" for d, pk in enumerate(one.dossiers)}
    org = {pk: f"O{o}" for o, pk in enumerate(one.orgs)}
    person = {pk: f"P{p}" for p, pk in enumerate(one.users)}
    membership = {pk: (f"P{p}", m) for p, pks in enumerate(one.memberships) for m, pk in enumerate(pks)}
    group = {
        g: (org[o], role)
        for g, o, role in RoleGroup.objects.filter(organisation_id__in=one.orgs).values_list(
            "group_id", "organisation_id", "role"
        )
    }
    shares = sorted(
        (
            dossier[s.dossier_id],
            s.kind,
            org.get(s.target_organisation_id) or person[s.target_user_id],
            tuple(s.roles),
            s.level,
            s.expires_at,
            membership.get(s.membership_id),
        )
        for s in DossierShare.objects.filter(dossier_id__in=one.dossiers)
    )
    users = sorted(
        (
            dossier[g.content_object_id],
            person[g.user_id],
            membership[g.membership_id],
            g.permission.codename,
            g.expires_at,
        )
        for g in DossierUserObjectPermission.objects.filter(
            content_object_id__in=one.dossiers
        ).select_related("permission")
    )
    groups = sorted(
        (dossier[g.content_object_id], group[g.group_id], g.permission.codename, g.expires_at)
        for g in DossierGroupObjectPermission.objects.filter(
            content_object_id__in=one.dossiers
        ).select_related("permission")
    )
    return shares, users, groups


def _through_actions(world, t0) -> tuple[tuple, list]:
    one = build_batch([replace(world, ops=())], t0, tag="actions")[0]
    users = get_user_model().objects.in_bulk(one.users)
    orgs = Organisation.objects.in_bulk(one.orgs)
    refused = []
    for op in world.ops:
        dossier = Dossier.objects.get(pk=one.dossiers[op.dossier])
        owner = one.orgs.index(dossier.owner_id)
        actor = users[one.users[owner]]  # each organisation's administrator is person ``owner``
        expires = t0 + op.expires if op.expires is not None else None
        try:
            if op.kind == "share_org":
                share = share_dossier(
                    dossier=dossier,
                    acting_user=actor,
                    organisation=orgs[one.orgs[op.target]],
                    roles=sorted(op.roles),
                    level=op.level,
                    expires_at=max(expires, t0 + timedelta(hours=1)) if expires else None,
                )
            elif op.kind == "share_user":
                share = share_dossier(
                    dossier=dossier,
                    acting_user=actor,
                    user=users[one.users[op.target]],
                    level=op.level,
                    expires_at=max(expires, t0 + timedelta(hours=1)) if expires else None,
                )
            elif op.kind == "revoke":
                existing = {
                    (
                        ("org", one.orgs.index(s.target_organisation_id))
                        if s.target_organisation_id
                        else ("user", one.users.index(s.target_user_id))
                    ): s
                    for s in DossierShare.objects.filter(dossier=dossier)
                }
                if not existing:
                    refused.append(op)
                    continue
                revoke_share(share=existing[sorted(existing)[op.target % len(existing)]], acting_user=actor)
                continue
            else:
                hand_over(
                    dossier=dossier,
                    to_organisation=orgs[one.orgs[op.target]],
                    acting_user=actor,
                    level_kept=op.level,
                )
                continue
        except ValidationError:
            refused.append(op)
            continue
        if expires is not None and expires <= t0:  # an expired share: as if its time had passed
            DossierShare.objects.filter(pk=share.pk).update(expires_at=expires)
            DossierUserObjectPermission.objects.filter(share=share).update(expires_at=expires)
            DossierGroupObjectPermission.objects.filter(share=share).update(expires_at=expires)
    return _rows(one), refused


def _directly(world, t0) -> tuple:
    return _rows(build_batch([world], t0, tag="direct")[0])


def test_the_actions_write_the_rows_the_oracle_writes_directly():
    t0 = reference_time()
    # Every organisation active, so that its administrator may act on its dossiers.
    chosen = list(itertools.islice((w for w in worlds(7, 10_000) if all(w.orgs)), 25))
    compared = 0
    for world in chosen:
        for build in (_through_actions, _directly):
            try:
                with transaction.atomic():
                    outcome = build(world, t0)
                    raise _Rollback
            except _Rollback:
                pass
            if build is _through_actions:
                by_actions, refused = outcome
            else:
                directly = outcome
        assert refused == settle(world, t0).refused, world
        assert directly == by_actions, world
        compared += sum(len(rows) for rows in directly)
    assert compared > 100
