"""Search as the portal's pages and API ask for it: who is asking, what, which page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from portal.dossiers.access import visible_dossiers
from portal.dossiers.models import Dossier
from portal.knowledge import audiences
from search.backends import get_backend
from search.backends.base import FACETS, SORTS, Principals, Query, Results
from search.models import PendingUpdate
from search.records import normalise_query
from tenants.groups import group_ids_for
from tenants.models import Membership

PER_PAGE = 20
MAX_PAGES = 50
MAX_QUERY = 300
FILTERS = (*FACETS, "dossier")


def principals_for(user, at=None, memberships=None) -> Principals:
    """Who ``user`` is to search at ``at``. ``memberships``: the request's current memberships
    with their organisations (``request.tenant.memberships``), to save asking again."""
    at = at or timezone.now()
    if memberships is None:
        memberships = list(
            Membership.objects.current(on=timezone.localdate(at))
            .filter(user=user)
            .select_related("organisation")
        )
    return Principals(
        user_id=user.pk,
        organisation_ids=sorted({m.organisation_id for m in memberships}),
        group_ids=group_ids_for(memberships),
        membership_ids=sorted(m.pk for m in memberships),
        # Built when a backend asks: the engine carries principals in its index and needs
        # the database's answer only for dossiers whose principals are still in the queue.
        visible_dossiers=SimpleLazyObject(lambda: visible_dossiers(user, at=at)),
        hidden_pages=audiences.hidden_for_search(user, memberships),
    )


@dataclass
class Search:
    text: str
    results: Results
    page: int
    pages: int
    filters: dict[str, list[str]]
    sort: str


def clean_filters(raw) -> dict[str, list[str]]:
    """Facet filters from a query dict: known names only, numbers where numbers belong."""
    filters: dict[str, list[str]] = {}
    for name in FILTERS:
        values = [v[:100] for v in raw.getlist(name) if v and "\x00" not in v][:20]
        if name in ("owner_id", "year", "dossier"):
            values = [v for v in values if v.isdigit() and len(v) <= 15]
        if values:
            filters[name] = values
    return filters


def search(
    user,
    text: str,
    *,
    filters=None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    memberships=None,
) -> Search:
    """One page of what ``user`` may see matching ``text``, with facet counts (``memberships``:
    see :func:`principals_for`)."""
    text = normalise_query(" ".join(text.replace("\x00", " ").split())[:MAX_QUERY])
    filters = filters or {}
    sort = sort if sort in SORTS else "relevance"
    page = max(1, min(page, MAX_PAGES))
    at = timezone.now()
    principals = principals_for(user, at, memberships)
    backend = get_backend()
    pending_acl = PendingUpdate.objects.filter(acl=True, dossier_id__isnull=False)
    if backend.principals_in_index and pending_acl.exists():
        # Principals in the engine may lag a revocation or hand-over still in the queue:
        # such dossiers are excluded inside the query unless the database says yes.
        principals.excluded_dossiers = list(
            pending_acl.exclude(dossier_id__in=principals.visible_dossiers.values("pk")).values_list(
                "dossier_id", flat=True
            )
        )
    if not text:
        return Search(text, Results(0, [], {name: [] for name in FACETS}), 1, 0, filters, sort)
    query = Query(text, principals, at, filters, sort, offset=(page - 1) * per_page, limit=per_page)
    results = backend.search(query)
    pages = min(MAX_PAGES, -(-results.total // per_page))
    return Search(text, results, page, pages, filters, sort)


def dossier_in_scope(user, dossier_id: int) -> Dossier | None:
    """The dossier a search is limited to, if the user may see it."""
    return visible_dossiers(user).filter(pk=dossier_id).first()
