"""The small interface both search engines implement."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from search.records import Record

FACETS = ("kind", "status", "canton", "owner_id", "sector", "year", "doc_type", "language")
SORTS = ("relevance", "date")
# Totals and facet counts are exact up to this many matches; above, the total reads "more
# than CAP" (``Results.capped``).
CAP = 10_000


class BackendUnavailable(Exception):
    """The engine could not be reached or refused the request; the caller retries later."""


@dataclass
class Principals:
    """Who is asking, resolved from the database at query time."""

    user_id: int
    organisation_ids: list[int]
    group_ids: list[int]
    # The dossiers the database says this user may see, as a queryset (PostgreSQL joins it).
    visible_dossiers: object
    # Dossiers whose principals changed and have not reached the engine yet, that this
    # user may no longer see: excluded inside the engine's query.
    excluded_dossiers: list[int] = field(default_factory=list)
    # Current memberships: a personal grant counts through the membership it was given through.
    membership_ids: list[int] = field(default_factory=list)
    # Knowledge pages: ``None`` when the asker may read none (not a member of an active
    # organisation); otherwise the tree paths outside their audience, each hiding its subtree.
    hidden_pages: list[str] | None = None


@dataclass
class Query:
    text: str
    principals: Principals
    at: datetime
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20


@dataclass
class Hit:
    key: str
    kind: str
    object_id: int
    dossier_id: int | None
    title: str
    reference: str
    date: datetime
    language: str
    doc_type: str
    extraction: str
    url: str = ""
    # HTML-escaped text with <mark> around matches.
    snippet: str = ""


# The stored fields a hit carries, in Hit's order (the snippet comes from the engine).
HIT_FIELDS = (
    "key",
    "kind",
    "object_id",
    "dossier_id",
    "title",
    "reference",
    "date",
    "language",
    "doc_type",
    "extraction",
    "url",
)


@dataclass
class Results:
    # Exact, or CAP + 1 when ``capped``.
    total: int
    hits: list[Hit]
    # Values with their counts; a count is None where the backend did not count it
    # (PostgreSQL above the cap): the value is offered for narrowing, without a number.
    facets: dict[str, list[tuple[str, int | None]]]
    capped: bool = False


class SearchBackend:
    name = "base"
    # True where the engine stores each entry's principals (and so may lag a revocation
    # still in the queue); the service then excludes such dossiers inside the query.
    principals_in_index = False

    def index(self, records: list[Record]) -> None:
        raise NotImplementedError

    def delete(self, keys: list[str]) -> None:
        raise NotImplementedError

    def delete_dossier(self, dossier_id: int) -> None:
        raise NotImplementedError

    def search(self, query: Query) -> Results:
        raise NotImplementedError

    def rebuild(self, batches: Iterable[list[Record]], progress: Callable[[int], None]) -> int:
        """Replace the whole index with ``batches``; readers see the old one until the swap."""
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def counts_by_kind(self) -> dict[str, int]:
        """Entries per record kind (dossier, document, message, page)."""
        raise NotImplementedError

    def status(self) -> dict:
        """What ``search_status`` shows about the engine beyond the counts."""
        return {}

    def raw_search(self, query: Query) -> object:
        """The engine's own query without the portal around it (for the benchmark's ratio)."""
        raise NotImplementedError


def mark(snippet: str, start: str = "\x02", stop: str = "\x03") -> str:
    """Escape a snippet and turn the engine's match markers into <mark> elements."""
    from django.utils.html import escape

    return escape(snippet).replace(start, "<mark>").replace(stop, "</mark>")
