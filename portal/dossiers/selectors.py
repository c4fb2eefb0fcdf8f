"""Reads for the dossier pages: the filtered list, the inbox. All start from the policy."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dossiers.access import visible_dossiers
from portal.dossiers.levels import Level
from portal.dossiers.models import ControlKind, Dossier, DossierShare, Handover, TaggedDossier
from portal.dossiers.workflow import Status
from tenants.models import Canton, Membership, Organisation

SORTS = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "deadline": ("deadline", "-id"),
    "-deadline": ("-deadline", "-id"),
    "company": ("company_name", "-id"),
    "-company": ("-company_name", "-id"),
    "reference": ("reference", "-id"),
    "-reference": ("-reference", "-id"),
    "canton": ("canton", "-id"),
    "-canton": ("-canton", "-id"),
    "status": ("status", "-id"),
    "-status": ("-status", "-id"),
    "owner": ("owner__short_name", "-id"),
    "-owner": ("-owner__short_name", "-id"),
    "destruction": ("destroy_after", "-id"),
    "-destruction": ("-destroy_after", "-id"),
}
SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("deadline", _("Deadline, soonest first")),
    ("-deadline", _("Deadline, latest first")),
    ("company", _("Company A–Z")),
    ("-company", _("Company Z–A")),
    ("reference", _("Reference")),
    ("-reference", _("Reference, descending")),
    ("canton", _("Canton A–Z")),
    ("-canton", _("Canton Z–A")),
    ("status", _("Status")),
    ("-status", _("Status, descending")),
    ("owner", _("Owner A–Z")),
    ("-owner", _("Owner Z–A")),
    ("destruction", _("Destruction date")),
    ("-destruction", _("Destruction date, latest first")),
]
# The list's column headers sort by these keys; a second click reverses.
SORTABLE_COLUMNS = ("reference", "company", "canton", "status", "deadline", "owner", "destruction")


class DossierFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    control_kind = django_filters.ChoiceFilter(label=_("Kind of control"), choices=ControlKind.choices)
    canton = django_filters.ChoiceFilter(label=_("Canton"), choices=Canton.choices)
    sector = django_filters.CharFilter(label=_("Sector"), lookup_expr="icontains")
    tag = django_filters.CharFilter(label=_("Tag"), method="filter_tag")
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=Organisation.objects.active().order_by("short_name")
    )
    scope = django_filters.ChoiceFilter(
        label=_("Own or shared"),
        choices=[("own", _("Owned by my organisations")), ("shared", _("Shared with me"))],
        method="filter_scope",
    )
    deadline_from = django_filters.DateFilter(
        label=_("Deadline from"),
        field_name="deadline",
        lookup_expr="gte",
        widget=forms.DateInput({"type": "date"}),
    )
    deadline_until = django_filters.DateFilter(
        label=_("Deadline until"),
        field_name="deadline",
        lookup_expr="lte",
        widget=forms.DateInput({"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="filter_sort", empty_label=None
    )

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _my_organisations(self):
        return Membership.objects.current().filter(user=self.user).values("organisation_id")

    def filter_scope(self, queryset, name, value):
        mine = Q(owner_id__in=self._my_organisations())
        return queryset.filter(mine) if value == "own" else queryset.exclude(mine)

    def filter_tag(self, queryset, name, value):
        # The owner's own tags: a subquery, so no row is repeated.
        return queryset.filter(
            pk__in=TaggedDossier.objects.filter(tag__name__iexact=value).values("content_object")
        )

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(deadline__lt=timezone.localdate()).exclude(status=Status.CLOSED)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["-created"]))


def dossier_list(user, params) -> DossierFilter:
    """The dossiers ``user`` may see, filtered and sorted by ``params`` (a QueryDict)."""
    queryset = (
        visible_dossiers(user, Level.VIEW).select_related("owner", "responsible").order_by(*SORTS["-created"])
    )
    return DossierFilter(params, queryset=queryset, user=user)


def inbox(organisation: Organisation, user, *, limit: int | None = None) -> list[dict]:
    """What was shared with ``organisation`` or ``user``, or handed over to the organisation; newest first."""
    limit = limit or INBOX_SIZE
    shares = list(
        DossierShare.objects.live()
        .filter(Q(target_organisation=organisation) | Q(target_user=user), kind=DossierShare.Kind.SHARE)
        .select_related("dossier__owner", "created_by", "created_for")
        .order_by("-created_at", "-id")[:limit]
    )
    handovers = list(
        Handover.objects.filter(to_organisation=organisation, dossier__owner=organisation)
        .select_related("dossier__owner", "handed_over_by", "from_organisation")
        .order_by("-handed_over_at", "-id")[:limit]
    )
    items = [
        {
            "kind": "personal" if share.target_user_id else "share",
            "at": share.created_at,
            "dossier": share.dossier,
            "by": share.created_for,
            "level": share.get_level_display(),
            "expires_at": share.expires_at,
            "note": share.note,
        }
        for share in shares
    ] + [
        {
            "kind": "handover",
            "at": handover.handed_over_at,
            "dossier": handover.dossier,
            "by": handover.from_organisation,
            "level": "",
            "expires_at": None,
            "note": handover.note,
        }
        for handover in handovers
    ]
    return sorted(items, key=lambda item: item["at"], reverse=True)[:limit]


INBOX_SIZE = 200


def same_enterprise(user, uid: str, *, exclude: int | None = None, limit: int = 5) -> list[Dossier]:
    """Other dossiers ``user`` may see about the company with enterprise number ``uid`` (normalised)."""
    if not uid:
        return []
    dossiers = visible_dossiers(user, Level.VIEW).filter(company_uid=uid).select_related("owner")
    if exclude is not None:
        dossiers = dossiers.exclude(pk=exclude)
    return list(dossiers.order_by("-created_at", "-id")[:limit])
