"""The permission policy for dossiers: one place answers who may do what.

* ``visible_dossiers(user, level)`` is the one queryset of dossiers a user may reach at a
  level. Lists, the inbox, search and the API all start from it.
* ``access_dossier(user, pk, level)`` is how a view gets one dossier: 404 for missing and
  for invisible alike, 403 only when the user may see the dossier but not act at ``level``.
* ``who_has_access(dossier)`` answers the sharing tab's question for those who manage the
  dossier: every person, their level, and the grants that give it. Everyone else gets
  ``own_access(user, dossier)``: only their own grants, so a recipient never learns who else
  (third organisations, service accounts, other people's notes) may see the dossier.

Memberships are resolved inside the query (current, in an active organisation) and grant
rows count only until their expiry, so nothing depends on a clean-up job having run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dossiers.levels import LEVEL_OF_CODENAME, ROLE_LEVEL, Level, codenames_at_least, role_ceiling
from portal.dossiers.models import (
    Dossier,
    DossierGroupObjectPermission,
    DossierShare,
    DossierUserObjectPermission,
)
from tenants.models import Membership, RoleGroup
from tenants.roles import Role

ALL_ROLES = tuple(Role.values)


def _live(at: datetime) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=at)


def _memberships(user, at: datetime) -> QuerySet[Membership]:
    return Membership.objects.current(on=timezone.localdate(at)).filter(user=user)


def _group_ids(user, at: datetime) -> QuerySet[RoleGroup]:
    mine = _memberships(user, at).filter(organisation=OuterRef("organisation"), role=OuterRef("role"))
    return RoleGroup.objects.filter(Exists(mine)).values("group_id")


def visible_dossiers(user, level: int = Level.VIEW, *, at: datetime | None = None) -> QuerySet[Dossier]:
    """Dossiers ``user`` may reach at ``level`` or above, as one SQL query."""
    if not (user.is_authenticated and user.is_active):
        return Dossier.objects.none()
    at = at or timezone.now()
    mine = _memberships(user, at)
    owner_roles = [role for role, role_level in ROLE_LEVEL.items() if role_level >= level]
    codenames = codenames_at_least(level)
    # A personal grant counts through its membership: current, and with a role reaching ``level``.
    by_user = DossierUserObjectPermission.objects.filter(
        _live(at),
        user=user,
        membership_id__in=mine.filter(role__in=owner_roles).values("pk"),
        permission__codename__in=codenames,
    ).values("content_object_id")
    by_group = DossierGroupObjectPermission.objects.filter(
        _live(at), group_id__in=_group_ids(user, at), permission__codename__in=codenames
    ).values("content_object_id")
    return Dossier.objects.filter(
        Q(owner_id__in=mine.filter(role__in=owner_roles).values("organisation_id"))
        | Q(pk__in=by_user)
        | Q(pk__in=by_group)
    )


def feed_principals(user, *, at: datetime | None = None) -> list[str]:
    """What ``user`` answers to in the changes feed's ``audience``: ``o:<organisation>`` and
    ``g:<role group>`` of their current memberships, and ``u:<id>`` (two queries)."""
    at = at or timezone.now()
    organisations = list(_memberships(user, at).values_list("organisation_id", flat=True))
    groups = list(_group_ids(user, at).values_list("group_id", flat=True)) if organisations else []
    return [f"o:{pk}" for pk in organisations] + [f"g:{pk}" for pk in groups] + [f"u:{user.pk}"]


def level_for(user, dossier: Dossier, *, at: datetime | None = None) -> int:
    """The highest level ``user`` holds on ``dossier`` (0 for none)."""
    if not (user.is_authenticated and user.is_active):
        return 0
    at = at or timezone.now()
    memberships = list(_memberships(user, at).values_list("organisation_id", "role"))
    if not memberships:
        return 0
    levels = [
        ROLE_LEVEL[role] for organisation_id, role in memberships if organisation_id == dossier.owner_id
    ]
    # Group rows are capped by their role when written; personal rows by their membership's
    # role as it is now, and only while that membership is current.
    grants = (
        DossierUserObjectPermission.objects.filter(
            _live(at),
            user=user,
            content_object=dossier,
            membership_id__in=_memberships(user, at).values("pk"),
        )
        .annotate(ceiling=F("membership__role"))
        .values_list("permission__codename", "ceiling")
        .union(
            DossierGroupObjectPermission.objects.filter(
                _live(at), content_object=dossier, group_id__in=_group_ids(user, at)
            )
            .annotate(ceiling=Value(Role.ADMINISTRATOR.value, output_field=CharField()))
            .values_list("permission__codename", "ceiling")
        )
    )
    levels += [min(LEVEL_OF_CODENAME[codename], ROLE_LEVEL[role]) for codename, role in grants]
    return max(levels, default=0)


def may_choose_responsible(user, dossier: Dossier, *, at: datetime | None = None) -> bool:
    """Only the owner's own members pick the responsible person, among their colleagues.

    A recipient with edit level edits the case data but is never shown the owner's members.
    """
    return _memberships(user, at or timezone.now()).filter(organisation_id=dossier.owner_id).exists()


def require_level(user, dossier: Dossier, level: int) -> None:
    """For actions: ``PermissionDenied`` unless ``user`` holds ``level`` on ``dossier``."""
    if level_for(user, dossier) < level:
        raise PermissionDenied


def access_dossier(user, pk: int, level: int = Level.VIEW) -> Dossier:
    """The dossier ``pk`` if ``user`` may act on it at ``level``; ``dossier.access_level`` is set."""
    dossier = Dossier.objects.select_related("owner", "responsible").filter(pk=pk).first()
    held = level_for(user, dossier) if dossier else 0
    if held < Level.VIEW:
        raise Http404(_("No dossier found."))
    if held < level:
        raise PermissionDenied
    dossier.access_level = held
    return dossier


@dataclass
class Grant:
    source: str  # "owner", "share", "handover", "person"
    label: str
    level: int
    expires_at: datetime | None = None
    share: DossierShare | None = None

    def get_level_display(self) -> str:
        return Level(self.level).label


@dataclass
class Access:
    user: object
    grants: list[Grant] = field(default_factory=list)

    @property
    def level(self) -> int:
        return max(grant.level for grant in self.grants)

    def get_level_display(self) -> str:
        return Level(self.level).label


def who_has_access(dossier: Dossier, *, at: datetime | None = None) -> list[Access]:
    """Every person who can reach ``dossier`` now, with each grant that lets them (three queries).

    For those who manage ``dossier`` only: it names people of every organisation involved.
    """
    return _accesses(dossier, at=at or timezone.now())


def own_access(user, dossier: Dossier, *, at: datetime | None = None) -> Access | None:
    """``user``'s own grants on ``dossier`` (who shared it with them, until when), or None."""
    found = _accesses(dossier, at=at or timezone.now(), person=user)
    return found[0] if found else None


def _accesses(dossier: Dossier, *, at: datetime, person=None) -> list[Access]:
    shares = DossierShare.objects.live(at).filter(dossier=dossier)
    if person is not None:
        shares = shares.filter(
            Q(target_user=person)
            | Q(target_organisation_id__in=_memberships(person, at).values("organisation_id"))
        )
    shares = list(shares.select_related("target_organisation", "target_user", "created_by", "created_for"))
    organisations = {dossier.owner_id} | {
        s.target_organisation_id for s in shares if s.target_organisation_id
    }
    members = (
        Membership.objects.current(on=timezone.localdate(at))
        .filter(organisation_id__in=organisations, user__is_active=True)
        .select_related("user", "organisation")
    )
    if person is not None:
        members = members.filter(user=person)
    people: dict[int, Access] = {}
    for membership in members:
        roles_label = membership.get_role_display()
        if membership.organisation_id == dossier.owner_id:
            people.setdefault(membership.user_id, Access(membership.user)).grants.append(
                Grant(
                    "owner",
                    _("%(role)s at the owner, %(organisation)s")
                    % {"role": roles_label, "organisation": membership.organisation.short_name},
                    ROLE_LEVEL[membership.role],
                )
            )
        for share in shares:
            if share.target_organisation_id != membership.organisation_id:
                continue
            if share.roles and membership.role not in share.roles:
                continue
            template = (
                _("Kept after hand-over, %(role)s at %(organisation)s")
                if share.kind == DossierShare.Kind.HANDOVER
                else _("Shared with %(organisation)s, as %(role)s")
            )
            people.setdefault(membership.user_id, Access(membership.user)).grants.append(
                Grant(
                    share.kind,
                    template % {"role": roles_label, "organisation": membership.organisation.short_name},
                    role_ceiling(membership.role, share.level),
                    share.expires_at,
                    share,
                )
            )
    personal = [s for s in shares if s.target_user_id and s.target_user.is_active]
    through = (
        {
            m.pk: m
            for m in Membership.objects.current(on=timezone.localdate(at))
            .filter(pk__in=[s.membership_id for s in personal])
            .select_related("organisation")
        }
        if personal
        else {}
    )
    for share in personal:
        if (membership := through.get(share.membership_id)) is None:
            continue  # the membership it was given through has ended
        people.setdefault(share.target_user_id, Access(share.target_user)).grants.append(
            Grant(
                "person",
                _("Shared with this person, as %(role)s at %(organisation)s")
                % {"role": membership.get_role_display(), "organisation": membership.organisation.short_name},
                role_ceiling(membership.role, share.level),
                share.expires_at,
                share,
            )
        )
    return sorted(people.values(), key=lambda a: (-a.level, a.user.last_name.lower(), a.user.email.lower()))
