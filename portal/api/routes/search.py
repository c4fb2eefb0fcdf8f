"""Full-text search with the portal's engine, filters and permissions."""

from __future__ import annotations

from typing import Literal

from django.http import QueryDict
from ninja import Field, Query, Router, Schema

from portal.api.api import errors
from portal.api.common import account, need
from portal.api.problems import Problem
from portal.api.schemas import SearchOut
from search.service import clean_filters, search

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=300, description="Words, a reference or an enterprise number")
    kind: list[Literal["dossier", "document", "message", "page"]] = []
    status: list[str] = Field([], max_length=20)
    canton: list[str] = Field([], max_length=20)
    owner_id: list[int] = Field([], max_length=20)
    sector: list[str] = Field([], max_length=20)
    year: list[int] = Field([], max_length=20)
    doc_type: list[str] = Field([], max_length=20)
    language: list[str] = Field([], max_length=20)
    dossier: int | None = Field(None, description="Search within this dossier only")
    sort: Literal["relevance", "date"] = "relevance"
    page: int = Field(1, ge=1, le=50)
    per_page: int = Field(20, ge=1, le=100)


@router.get("", response={200: SearchOut, errors(): Problem}, summary="Search")
def search_view(request, params: Query[SearchParams]):
    """Only what your organisation may see is searched, counted and shown in the facets."""
    need(request, "read")
    raw = QueryDict(mutable=True)
    for name, values in params.dict(exclude={"q", "sort", "page", "per_page", "dossier"}).items():
        raw.setlist(name, [str(v) for v in values])
    if params.dossier is not None:
        raw["dossier"] = str(params.dossier)
    found = search(
        account(request),
        params.q,
        filters=clean_filters(raw),
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
    )
    return {
        "query": found.text,
        "total": found.results.total,
        "more": found.results.capped,
        "page": found.page,
        "pages": found.pages,
        "hits": [
            {
                "kind": hit.kind,
                "id": hit.object_id,
                "dossier_id": hit.dossier_id,
                "title": hit.title,
                "reference": hit.reference,
                "date": hit.date,
                "language": hit.language,
                "snippet": hit.snippet,
                "url": hit.url,
            }
            for hit in found.results.hits
        ],
        "facets": {
            name: [{"value": str(value), "count": count} for value, count in values]
            for name, values in found.results.facets.items()
        },
    }
