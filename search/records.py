"""What goes into the index for a dossier, a document, a message and a knowledge page.

A ``Record`` is backend-neutral: the PostgreSQL backend writes it to ``SearchEntry``, the
Elasticsearch backend to a JSON document. ``records_for(keys)`` builds records for any
mix of keys in a constant number of queries; keys whose object is gone come back in
``missing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from portal.documents.models import Document
from portal.dossiers.identifiers import uid_search_forms
from portal.dossiers.models import (
    Dossier,
    DossierGroupObjectPermission,
    DossierUserObjectPermission,
)
from portal.threads.models import Message
from search.extraction.worker import language_of
from search.models import ExtractionStatus

KINDS = ("dossier", "document", "message", "page")

_UID = re.compile(
    r"\bCHE[\s.\-]*(\d{3})[\s.\-]*(\d{3})[\s.\-]*(\d{3})(?:\s*(?:MWST|TVA|IVA|HR|RC|RI))?\b", re.I
)
_BARE_UID = re.compile(r"\b(\d{3})[.\-\s](\d{3})[.\-\s](\d{3})\b")
_REFERENCE = re.compile(r"\b([A-Z]{2,}(?:-[A-Z]+)*)-(\d{4})-(\d{5})\b", re.I)


def compact(identifier: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", identifier).upper()


def identifier_variants(*values: str) -> str:
    """References and register numbers as typed and compacted, the way queries normalise them."""
    out: list[str] = []
    for value in values:
        if value:
            out += [value, compact(value)]
    return " ".join(dict.fromkeys(out))


def normalise_query(text: str) -> str:
    """Write enterprise numbers and references the way ``identifier_variants`` indexed them."""
    text = _UID.sub(lambda m: "CHE" + "".join(m.groups()), text)
    text = _BARE_UID.sub(lambda m: "".join(m.groups()), text)
    return _REFERENCE.sub(lambda m: compact(m.group(0)), text)


@dataclass
class Grant:
    principal: str  # "g:<group id>" or "m:<membership id>" (a personal share, through a membership)
    until: datetime | None


@dataclass
class Record:
    key: str
    kind: str
    object_id: int
    dossier_id: int | None
    owner_id: int | None
    status: str
    canton: str
    sector: str
    year: int
    doc_type: str
    language: str
    date: datetime
    title: str
    reference: str
    company: str = ""
    identifiers: str = ""
    body: str = ""
    extraction: str = ""
    grants: list[Grant] = field(default_factory=list)
    # Knowledge pages: tree path (the audience is checked against it) and address.
    path: str = ""
    url: str = ""


@dataclass
class Batch:
    records: list[Record]
    missing: list[str]


def _dossier_fields(dossier: Dossier, grants: list[Grant]) -> dict:
    return {
        "dossier_id": dossier.pk,
        "owner_id": dossier.owner_id,
        "status": dossier.status,
        "canton": dossier.canton,
        "sector": dossier.sector,
        "reference": dossier.reference,
        "grants": grants,
    }


def _dossier_record(dossier: Dossier, grants: list[Grant]) -> Record:
    body = "\n".join(
        value
        for value in (
            dossier.sector,
            dossier.collective_agreement,
            dossier.commune,
            dossier.company_address,
            dossier.working_time_violations,
            " ".join(tag.name for tag in dossier.tags.all()),
        )
        if value
    )
    return Record(
        key=f"dossier:{dossier.pk}",
        kind="dossier",
        object_id=dossier.pk,
        year=dossier.created_at.year,
        doc_type="",
        language=language_of(body),
        date=dossier.created_at,
        title=dossier.company_name,
        company=dossier.company_name,
        identifiers=" ".join(
            [
                identifier_variants(dossier.reference, dossier.company_foreign_register),
                *uid_search_forms(dossier.company_uid),
            ]
        ),
        body=body,
        **_dossier_fields(dossier, grants),
    )


def _document_record(document: Document, grants: list[Grant]) -> Record:
    version = document.current_version
    extracted = getattr(version, "extracted", None) if version else None
    text = extracted.text if extracted else ""
    return Record(
        key=f"document:{document.pk}",
        kind="document",
        object_id=document.pk,
        year=document.created_at.year,
        doc_type=document.category,
        language=(extracted.language if extracted else "") or "",
        date=version.uploaded_at if version else document.created_at,
        title=document.title,
        # The file name whole and in words: "lohnliste_2026-03.xlsx" is found by "lohnliste".
        identifiers=f"{version.file_name} {re.sub(r'[._-]+', ' ', version.file_name)}" if version else "",
        body=text,
        extraction=extracted.status if extracted else ExtractionStatus.PENDING,
        **_dossier_fields(document.dossier, grants),
    )


def _message_record(message: Message, grants: list[Grant]) -> Record:
    return Record(
        key=f"message:{message.pk}",
        kind="message",
        object_id=message.pk,
        year=message.created_at.year,
        doc_type="",
        language=language_of(message.body),
        date=message.created_at,
        title=message.body[:120],
        body=message.body,
        **_dossier_fields(message.dossier, grants),
    )


def _page_record(page) -> Record:
    published = page.last_published_at or page.first_published_at
    return Record(
        key=f"page:{page.pk}",
        kind="page",
        object_id=page.pk,
        dossier_id=None,
        owner_id=None,
        status="",
        canton="",
        sector="",
        year=published.year,
        doc_type="",
        language=page.locale.language_code[:2],
        date=published,
        title=page.title,
        reference="",
        body=page.search_text(),
        path=page.path,
        url=page.get_url() or "",
    )


def knowledge_pages():
    """The knowledge pages search may show: live ones (their audiences apply at query time)."""
    from wagtail.models import Page, get_page_models

    from portal.knowledge.models import KnowledgePage

    types = [m for m in get_page_models() if issubclass(m, KnowledgePage)]
    return Page.objects.live().type(*types).select_related("locale")


def grants_for(dossier_ids) -> dict[int, list[Grant]]:
    """Each dossier's principals beyond its owner: role groups and memberships, with expiry."""
    out: dict[int, list[Grant]] = {pk: [] for pk in dossier_ids}
    now = timezone.now()
    # A personal grant is indexed under the membership it was given through, so it ends with
    # that membership at query time, as in the database (a row without one grants nothing).
    for model, prefix, column in (
        (DossierGroupObjectPermission, "g", "group_id"),
        (DossierUserObjectPermission, "m", "membership_id"),
    ):
        rows = model.objects.filter(content_object_id__in=list(out)).exclude(expires_at__lte=now)
        rows = rows.exclude(**{f"{column}__isnull": True})
        seen: dict[tuple[int, str], Grant] = {}
        for dossier_id, principal, until in rows.values_list("content_object_id", column, "expires_at"):
            name = f"{prefix}:{principal}"
            grant = seen.get((dossier_id, name))
            if grant is None:
                seen[(dossier_id, name)] = grant = Grant(name, until)
                out[dossier_id].append(grant)
            elif grant.until is not None and (until is None or until > grant.until):
                grant.until = until
    return out


def parse_key(key: str) -> tuple[str, int]:
    kind, _, pk = key.partition(":")
    return kind, int(pk)


def records_for(keys: list[str], *, with_children: bool = False) -> Batch:
    """Records for ``keys``; a dossier key with ``with_children`` brings its documents and messages."""
    wanted: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for key in keys:
        kind, pk = parse_key(key)
        wanted[kind].add(pk)
    dossiers = {d.pk: d for d in Dossier.objects.filter(pk__in=wanted["dossier"]).prefetch_related("tags")}
    documents = Document.objects.select_related("dossier", "current_version__extracted")
    messages = Message.objects.select_related("dossier")
    document_filter = {"pk__in": wanted["document"]}
    message_filter = {"pk__in": wanted["message"]}
    found_documents = list(documents.filter(**document_filter))
    found_messages = list(messages.filter(**message_filter))
    if with_children and dossiers:
        found_documents += list(documents.filter(dossier_id__in=dossiers).exclude(pk__in=wanted["document"]))
        found_messages += list(messages.filter(dossier_id__in=dossiers).exclude(pk__in=wanted["message"]))
    dossier_ids = (
        set(dossiers) | {d.dossier_id for d in found_documents} | {m.dossier_id for m in found_messages}
    )
    grants = grants_for(dossier_ids)
    records = [_dossier_record(d, grants[d.pk]) for d in dossiers.values()]
    records += [_document_record(d, grants[d.dossier_id]) for d in found_documents]
    records += [_message_record(m, grants[m.dossier_id]) for m in found_messages]
    if wanted["page"]:
        records += [_page_record(p) for p in knowledge_pages().filter(pk__in=wanted["page"]).specific()]
    present = {r.key for r in records}
    missing = [key for key in keys if key not in present]
    return Batch(records, missing)


def all_keys(batch_size: int = 2000):
    """Every indexable key, dossier by dossier, then the knowledge pages, in batches (for a rebuild)."""
    queryset = Dossier.objects.order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last)[: max(1, batch_size // 10)])
        if not ids:
            break
        last = ids[-1]
        yield [f"dossier:{pk}" for pk in ids]
    pages = list(knowledge_pages().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pages), batch_size):
        yield [f"page:{pk}" for pk in pages[start : start + batch_size]]
