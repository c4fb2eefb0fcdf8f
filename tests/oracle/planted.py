"""Planted bugs: the policy (and search's use of it) with one rule flipped. The oracle must
catch each in the default run's worlds (``test_policy_oracle.py``, ``test_oracle_search.py``)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from portal.dossiers import access
from portal.dossiers.levels import ROLE_LEVEL, codenames_at_least
from portal.dossiers.models import Dossier, DossierGroupObjectPermission, DossierUserObjectPermission
from tenants.models import Membership


def ignoring_personal_expiry(user, level=1, *, at=None):
    """The policy with one rule flipped: personal shares count after their expiry."""
    if not (user.is_authenticated and user.is_active):
        return Dossier.objects.none()
    at = at or timezone.now()
    mine = access._memberships(user, at)
    owner_roles = [role for role, role_level in ROLE_LEVEL.items() if role_level >= level]
    codenames = codenames_at_least(level)
    by_user = DossierUserObjectPermission.objects.filter(
        user=user,
        membership_id__in=mine.filter(role__in=owner_roles).values("pk"),
        permission__codename__in=codenames,
    ).values("content_object_id")
    by_group = DossierGroupObjectPermission.objects.filter(
        access._live(at), group_id__in=access._group_ids(user, at), permission__codename__in=codenames
    ).values("content_object_id")
    return Dossier.objects.filter(
        Q(owner_id__in=mine.filter(role__in=owner_roles).values("organisation_id"))
        | Q(pk__in=by_user)
        | Q(pk__in=by_group)
    )


def ignoring_membership_end(user, at):
    """The memberships with one rule flipped: a membership counts after its last day."""
    return Membership.objects.filter(
        user=user, is_active=True, organisation__is_active=True, valid_from__lte=timezone.localdate(at)
    )


def grants_without_personal_expiry(grants_for):
    """Search's index with one rule flipped: personal grants are indexed without their expiry."""

    def forgetting(dossier_ids):
        out = grants_for(dossier_ids)
        for grants in out.values():
            for grant in grants:
                if grant.principal.startswith("m:"):
                    grant.until = None
        return out

    return forgetting
