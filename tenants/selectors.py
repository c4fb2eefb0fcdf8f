"""Reads, scoped to a tenant. A row of another tenant answers exactly like a missing one."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tenants.models import Membership, Organisation


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, user__is_service_account=False)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__email")
    )


def membership_in(organisation: Organisation, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user", "organisation").get(
            pk=membership_id, organisation=organisation
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def organisations_for_operator(search: str = "") -> QuerySet[Organisation]:
    """Every organisation with its counts of people: API service accounts are not members."""
    people = Q(memberships__is_active=True, memberships__user__is_service_account=False)
    organisations = Organisation.objects.all()
    if words := search.split():
        for word in words[:10]:
            organisations = organisations.filter(
                Q(short_name__icontains=word)
                | Q(name_de__icontains=word)
                | Q(name_fr__icontains=word)
                | Q(name_it__icontains=word)
                | Q(name_en__icontains=word)
                | Q(slug__icontains=word)
                | Q(canton__iexact=word)
            )
    return organisations.annotate(
        member_count=Count("memberships", filter=people),
        administrator_count=Count("memberships", filter=people & Q(memberships__role="administrator")),
    ).order_by("kind", "canton", "short_name")
