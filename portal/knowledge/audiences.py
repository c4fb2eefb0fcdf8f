"""Who may read which knowledge page: the one place that says so.

Nothing is visible without signing in. A page without audience rows is for every member of
an active organisation; with rows, only for members of an organisation of one of those
kinds or in one of those pools, today. A restriction covers the page and everything below
it, so a restricted page never shows up in a list, a menu, search or the "new" list for
anyone outside its audience.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.functions import Cast
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from portal.knowledge.models import Audience, PloneItem, Pool
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


def visible(user, pages: QuerySet, who: Reader | None = None) -> QuerySet:
    """``pages`` without those ``user`` may not read (nothing at all for someone not signed in)."""
    who = who or reader(user)
    if not who.is_member:
        return pages.none()
    hidden = hidden_paths(user, who)
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


def may_download(user, document) -> bool:
    """A Wagtail document follows the pages that use it.

    It goes to a member of an organisation who may read at least one live page linking it
    (Wagtail's reference index knows which pages do, from their published content, in a
    StreamField block or a rich-text link), or whose Plone folder's page it was imported
    into, and to the knowledge editors, who manage every document in the CMS. Nobody else gets it: a document used only on a restricted page
    stays as restricted as the page, one used only on a draft stays unpublished, and a
    person who is a member of no organisation gets none.
    """
    who = reader(user)
    if not who.is_member:
        return False
    document_policy = policy_registry.get_by_type(type(document))
    if document_policy.user_has_any_permission_for_instance(user, ["change", "choose"], document):
        return True
    using = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .annotate(page_id=Cast("object_id", IntegerField()))
        .values("page_id")
    )
    # A file imported from a Plone folder belongs to that folder's page, linked or not.
    folder = PloneItem.objects.filter(document=document, container__isnull=False).values("container_id")
    pages = visible(user, Page.objects.live().filter(Q(pk__in=using) | Q(pk__in=folder)), who)
    return any(_reachable(path) for path in pages.values_list("path", flat=True))


def _reachable(path: str) -> bool:
    """Whether every page above the one at ``path`` is live (else the page is not served)."""
    above = [path[:end] for end in range(2 * Page.steplen, len(path), Page.steplen)]
    return not Page.objects.filter(path__in=above, live=False).exists()
