"""Who may read which knowledge page: the one place that says so.

Nothing is visible without signing in. A page without audience rows is for every member of
an active organisation; with rows, only for members of an organisation of one of those
kinds or in one of those pools, today. A restriction covers the page and everything below
it, so a restricted page never shows up in a list, a menu, search or the "new" list for
anyone outside its audience.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal.knowledge.models import Audience, Pool
from tenants.models import Membership


@dataclass(frozen=True)
class Reader:
    kinds: frozenset[str]
    pools: frozenset[int]

    @property
    def is_member(self) -> bool:
        return bool(self.kinds)


def reader(user, memberships=None) -> Reader:
    """Whom ``user`` reads as; ``memberships``: their current ones with organisations, if at hand."""
    if not (user.is_authenticated and user.is_active):
        return Reader(frozenset(), frozenset())
    if memberships is None:
        organisations = list(
            Membership.objects.current()
            .filter(user=user)
            .values_list("organisation_id", "organisation__kind")
        )
    else:
        organisations = [(m.organisation_id, m.organisation.kind) for m in memberships]
    if not organisations:
        return Reader(frozenset(), frozenset())
    pools = Pool.objects.filter(organisations__in=[pk for pk, _kind in organisations]).values_list(
        "pk", flat=True
    )
    return Reader(frozenset(kind for _pk, kind in organisations), frozenset(pools))


def hidden_paths(user, who: Reader | None = None) -> list[str]:
    """Tree paths of the pages ``user`` may not read (each hides its whole subtree)."""
    who = who or reader(user)
    allowed: dict[int, bool] = {}
    paths: dict[int, str] = {}
    for page_id, path, kind, pool in Audience.objects.values_list(
        "page_id", "page__path", "organisation_kind", "pool_id"
    ):
        paths[page_id] = path
        allowed[page_id] = allowed.get(page_id, False) or (kind in who.kinds if kind else pool in who.pools)
    return sorted(paths[page_id] for page_id, ok in allowed.items() if not ok)


def visible(user, pages: QuerySet) -> QuerySet:
    """``pages`` without those ``user`` may not read (nothing at all for someone not signed in)."""
    if not reader(user).is_member:
        return pages.none()
    hidden = hidden_paths(user)
    if not hidden:
        return pages
    excluded = Q()
    for path in hidden:
        excluded |= Q(path__startswith=path)
    return pages.exclude(excluded)


def hidden_for_search(user, memberships=None) -> list[str] | None:
    """What search needs: ``None`` if ``user`` may read no page, else the hidden tree paths."""
    who = reader(user, memberships)
    return hidden_paths(user, who) if who.is_member else None


def can_read(user, page) -> bool:
    return can_read_path(user, page.path)


def can_read_path(user, tree_path: str) -> bool:
    """Whether ``user`` may read the page at ``tree_path`` (and so what belongs to it)."""
    if not reader(user).is_member:
        return False
    return not any(tree_path.startswith(path) for path in hidden_paths(user))
