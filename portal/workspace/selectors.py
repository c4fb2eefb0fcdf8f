"""The blocks of a person's home page. Each is one read, limited to a few rows, from the policy.

Every block starts from :func:`visible_dossiers` (or the organisation's inbox, or the
knowledge audiences), so the home page shows nothing the person could not open; each costs
the same number of queries whatever the number of rows (``tests/workspace``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, DateTimeField, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from portal.documents.models import Document
from portal.dossiers import selectors as dossier_selectors
from portal.dossiers.access import visible_dossiers
from portal.dossiers.models import Dossier, DossierShare, Handover
from portal.dossiers.workflow import Status
from portal.threads.models import ReadState
from portal.workspace.models import InboxRead

ROWS = 8
DESTRUCTION_WARNING_DAYS = 30
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def my_dossiers(user, *, limit: int = ROWS) -> list[Dossier]:
    """Open dossiers the person is responsible for, next deadline first (overdue ones lead)."""
    today = timezone.localdate()
    dossiers = list(
        visible_dossiers(user)
        .filter(responsible=user)
        .exclude(status=Status.CLOSED)
        .select_related("owner")
        .order_by(F("deadline").asc(nulls_last=True), "-id")[:limit]
    )
    for dossier in dossiers:
        dossier.overdue = bool(dossier.deadline and dossier.deadline < today)
    return dossiers


def _inbox_read_until(user, organisation):
    return Coalesce(
        Subquery(InboxRead.objects.filter(user=user, organisation=organisation).values("read_until")[:1]),
        Value(EPOCH, output_field=DateTimeField()),
    )


def inbox_read_until(user, organisation) -> datetime:
    state = InboxRead.objects.filter(user=user, organisation=organisation).first()
    return state.read_until if state else EPOCH


def new_in_inbox(user, organisation, *, limit: int = ROWS) -> list[dict]:
    """The latest of what was shared with the organisation or the person, or handed over to it;
    each item says whether it is unread."""
    if organisation is None:
        return []
    read_until = inbox_read_until(user, organisation)
    items = dossier_selectors.inbox(organisation, user, limit=limit)
    for item in items:
        item["unread"] = item["at"] > read_until
    return items


def unread_inbox_count(user, organisation) -> int:
    """How many inbox entries arrived since the person last opened the inbox (one query)."""
    if organisation is None:
        return 0
    since = _inbox_read_until(user, organisation)
    shares = (
        DossierShare.objects.live()
        .filter(
            Q(target_organisation=organisation) | Q(target_user=user),
            kind=DossierShare.Kind.SHARE,
            created_at__gt=since,
        )
        .exclude(created_by=user)
        .values("pk")
    )
    handovers = Handover.objects.filter(
        to_organisation=organisation, dossier__owner=organisation, handed_over_at__gt=since
    ).values("pk")
    return shares.union(handovers, all=True).count()


def unread_messages(user, *, limit: int = ROWS) -> list[Dossier]:
    """Dossiers with messages from others the person has not read, latest first."""
    read_until = Coalesce(
        Subquery(ReadState.objects.filter(user=user, dossier=OuterRef("pk")).values("read_until")[:1]),
        Value(EPOCH, output_field=DateTimeField()),
    )
    unread = Q(messages__created_at__gt=read_until) & ~Q(messages__author=user)
    return list(
        visible_dossiers(user)
        .annotate(unread=Count("messages", filter=unread), latest=Max("messages__created_at", filter=unread))
        .filter(unread__gt=0)
        .select_related("owner")
        .order_by("-latest", "-id")[:limit]
    )


def new_documents(user, *, since: datetime, limit: int = ROWS) -> list[Document]:
    """Documents others added to visible dossiers since the person's last visit, newest first."""
    return list(
        Document.objects.filter(dossier__in=visible_dossiers(user).values("pk"), created_at__gt=since)
        .exclude(created_by=user)
        .select_related("dossier", "current_version", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def due_for_destruction(user, *, days: int = DESTRUCTION_WARNING_DAYS, limit: int = ROWS) -> list[Dossier]:
    """Visible dossiers without a legal hold that will be destroyed within ``days``, soonest first."""
    until = timezone.now() + timedelta(days=days)
    return list(
        visible_dossiers(user)
        .filter(destroy_after__lte=until, legal_hold_reason="")
        .select_related("owner")
        .order_by("destroy_after", "id")[:limit]
    )


@dataclass
class KnowledgeItem:
    title: str
    url: str
    language_code: str
    other_language: bool
    kind: str
    published: datetime | None


def latest_knowledge(user, language: str, *, limit: int = 5) -> list[KnowledgeItem]:
    """The latest guidance and templates for the person's audience, one per page, in their language
    where it exists."""
    from portal.knowledge.audiences import visible
    from portal.knowledge.languages import one_per_page
    from portal.knowledge.models import DownloadsPage, GuidancePage

    # Up to four language versions per page: read enough rows for ``limit`` distinct pages.
    pages = (
        Page.objects.live().type(GuidancePage, DownloadsPage).order_by("-last_published_at", "-id").specific()
    )
    chosen = one_per_page(list(visible(user, pages)[: limit * 4]), language)[:limit]
    return [
        KnowledgeItem(
            title=page.title,
            url=page.reader_url,
            language_code=page.language_code,
            other_language=page.other_language,
            kind=page.get_kind_display() if hasattr(page, "get_kind_display") else "",
            published=page.last_published_at,
        )
        for page in chosen
    ]
