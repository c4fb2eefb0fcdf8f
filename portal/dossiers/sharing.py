"""Sharing, revoking and handing over dossiers. One transaction and one journal entry each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers import events
from portal.dossiers.access import ALL_ROLES, require_level
from portal.dossiers.journaling import journal
from portal.dossiers.levels import CODENAMES, ROLE_LEVEL, Level, role_ceiling
from portal.dossiers.models import (
    Dossier,
    DossierGroupObjectPermission,
    DossierShare,
    DossierUserObjectPermission,
    Handover,
)
from portal.journal.models import Action
from portal.statistics import facts as statistics_facts
from tenants.groups import role_group
from tenants.models import Membership, Organisation


def _permissions() -> dict[str, Permission]:
    content_type = ContentType.objects.get_for_model(Dossier)
    return {p.codename: p for p in Permission.objects.filter(content_type=content_type)}


def _expand(share: DossierShare) -> None:
    """Write the guardian rows of ``share`` (replacing earlier ones)."""
    DossierUserObjectPermission.objects.filter(share=share).delete()
    DossierGroupObjectPermission.objects.filter(share=share).delete()
    permissions = _permissions()
    if share.target_user_id:
        DossierUserObjectPermission.objects.create(
            share=share,
            content_object_id=share.dossier_id,
            user_id=share.target_user_id,
            membership_id=share.membership_id,
            permission=permissions[CODENAMES[share.level]],
            expires_at=share.expires_at,
        )
        return
    DossierGroupObjectPermission.objects.bulk_create(
        DossierGroupObjectPermission(
            share=share,
            content_object_id=share.dossier_id,
            group=role_group(share.target_organisation, role),
            permission=permissions[CODENAMES[role_ceiling(role, share.level)]],
            expires_at=share.expires_at,
        )
        for role in (share.roles or ALL_ROLES)
    )


def _organisation_problem(dossier: Dossier, organisation: Organisation) -> str | None:
    """Why ``organisation`` cannot receive ``dossier`` (by share or hand-over), or None."""
    if organisation.pk == dossier.owner_id:
        return _("The dossier already belongs to this organisation.")
    if not organisation.is_active:
        return _("This organisation is deactivated.")
    return None


def _through(user) -> Membership | None:
    """The membership a personal share goes through: the person's strongest current one."""
    current = list(Membership.objects.current().filter(user=user).order_by("pk"))
    return max(current, key=lambda m: ROLE_LEVEL[m.role], default=None)


def _grant(
    dossier: Dossier,
    *,
    kind: str,
    roles,
    level: int,
    expires_at,
    note,
    acting_user,
    acting_for,
    membership=None,
    **target,
):
    """Create or replace the share of ``dossier`` with ``target`` and write its grant rows."""
    share, created = DossierShare.objects.update_or_create(
        dossier=dossier,
        **target,
        defaults={
            "membership": membership,
            "kind": kind,
            "roles": roles,
            "level": level,
            "expires_at": expires_at,
            "note": note,
            "created_by": acting_user,
            "created_for": acting_for,
            "created_at": timezone.now(),
        },
    )
    _expand(share)
    return share, created


def _validate_target(dossier: Dossier, organisation, user, roles, expires_at, level) -> None:
    errors = {}
    if (organisation is None) == (user is None):
        errors["target"] = _("Choose either an organisation or a person.")
    if organisation is not None and (problem := _organisation_problem(dossier, organisation)):
        errors["organisation"] = problem
    if user is not None and not user.is_active:
        errors["user"] = _("This person's account is deactivated.")
    elif user is not None and _through(user) is None:
        errors["user"] = _("This person is not a current member of any organisation.")
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        errors["roles"] = _("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}
    if user is not None and roles:
        errors["roles"] = _("Roles only apply to a share with an organisation.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must lie in the future.")
    if level not in Level.values:
        errors["level"] = _("Choose a level.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def share_dossier(
    *,
    dossier: Dossier,
    acting_user,
    level: int,
    organisation: Organisation | None = None,
    roles: Sequence[str] = (),
    user=None,
    expires_at: datetime | None = None,
    note: str = "",
    acting_for: Organisation | None = None,
    request=None,
) -> DossierShare:
    """Share ``dossier`` with an organisation (all or some roles) or a person; replaces an earlier share."""
    require_level(acting_user, dossier, Level.MANAGE)
    roles = sorted(set(roles))
    _validate_target(dossier, organisation, user, roles, expires_at, level)
    if organisation is not None and set(roles) == set(ALL_ROLES):
        roles = []
    target = {"target_organisation": organisation} if organisation else {"target_user": user}
    share, created = _grant(
        dossier,
        membership=_through(user) if user is not None else None,
        kind=DossierShare.Kind.SHARE,
        roles=roles,
        level=level,
        expires_at=expires_at,
        note=note,
        acting_user=acting_user,
        acting_for=acting_for,
        **target,
    )
    journal(
        dossier,
        Action.SHARE,
        actor=acting_user,
        acting_for=acting_for,
        request=request,
        details={
            "share": share.pk,
            "organisation": organisation.short_name if organisation else None,
            "person": user.pk if user else None,
            "roles": roles,
            "level": int(level),
            "expires_at": expires_at.isoformat() if expires_at else None,
            "replaced": not created,
        },
    )
    events.shared(share, actor=acting_user)
    return share


@transaction.atomic
def revoke_share(*, share: DossierShare, acting_user, acting_for=None, request=None) -> None:
    """Withdraw ``share``: its grant rows go with it, so access ends when this returns."""
    dossier = share.dossier
    require_level(acting_user, dossier, Level.MANAGE)
    details = {
        "share": share.pk,
        "organisation": share.target_organisation.short_name if share.target_organisation_id else None,
        "person": share.target_user_id,
        "kind": share.kind,
    }
    lost = events.holders([share])
    share.delete()
    journal(
        dossier, Action.REVOKE, actor=acting_user, acting_for=acting_for, request=request, details=details
    )
    events.revoked(dossier, details, audience=lost)


@transaction.atomic
def hand_over(
    *,
    dossier: Dossier,
    to_organisation: Organisation,
    acting_user,
    level_kept: int | None = Level.VIEW,
    note: str = "",
    acting_for: Organisation | None = None,
    request=None,
) -> Handover:
    """Make ``to_organisation`` the owner; the former owner keeps ``level_kept`` (or nothing)."""
    require_level(acting_user, dossier, Level.MANAGE)
    locked = Dossier.objects.select_for_update().select_related("owner").get(pk=dossier.pk)
    former = locked.owner
    if problem := _organisation_problem(locked, to_organisation):
        raise ValidationError({"organisation": problem})
    if level_kept is not None and level_kept not in Level.values:
        raise ValidationError({"level_kept": _("Choose a level.")})
    DossierShare.objects.filter(dossier=locked, target_organisation=to_organisation).delete()
    tags = list(locked.tags.names())
    locked.owner = dossier.owner = to_organisation
    locked.save(update_fields=["owner", "updated_at"])
    if tags:  # the tags move into the new owner's own set
        locked.tags.set(tags, clear=True)
    if level_kept:
        _grant(
            locked,
            kind=DossierShare.Kind.HANDOVER,
            roles=[],
            level=level_kept,
            expires_at=None,
            note=note,
            acting_user=acting_user,
            acting_for=acting_for or former,
            target_organisation=former,
        )
    handover = Handover.objects.create(
        dossier=locked,
        from_organisation=former,
        to_organisation=to_organisation,
        level_kept=level_kept,
        note=note,
        handed_over_by=acting_user,
    )
    journal(
        locked,
        Action.HAND_OVER,
        actor=acting_user,
        acting_for=acting_for or former,
        request=request,
        details={"from": former.short_name, "to": to_organisation.short_name, "level_kept": level_kept},
    )
    statistics_facts.refresh([locked.pk])
    events.handed_over(handover, actor=acting_user)
    return handover
