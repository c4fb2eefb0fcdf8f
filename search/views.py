"""The search page: one box, facets, filters, sorting, pages, and search within a dossier."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from portal.documents.models import Category
from portal.dossiers.workflow import Status
from search import service
from search.backends.base import FACETS
from search.extract import reason_label
from search.models import ExtractionStatus
from tenants.models import Canton, Organisation

FACET_LABELS = {
    "kind": _("Type"),
    "status": _("Status"),
    "canton": _("Canton"),
    "owner_id": _("Organisation"),
    "sector": _("Sector"),
    "year": _("Year"),
    "doc_type": _("Document type"),
    "language": _("Language"),
}
KIND_LABELS = {
    "dossier": _("Dossier"),
    "document": _("Document"),
    "message": _("Message"),
    "page": _("Knowledge page"),
}
LANGUAGE_LABELS = {"de": _("German"), "fr": _("French"), "it": _("Italian"), "en": _("English")}


def _toggle(query, name: str, value: str) -> str:
    """The query string with ``name=value`` added, or removed when already chosen."""
    changed = query.copy()
    changed.pop("page", None)
    values = changed.getlist(name)
    changed.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    return changed.urlencode()


def _labeller(results):
    owners = {
        str(o.pk): o.name
        for o in Organisation.objects.filter(pk__in=[v for v, _n in results.facets.get("owner_id", [])])
    }
    statuses = dict(Status.choices)
    cantons = dict(Canton.choices)
    categories = dict(Category.choices)
    tables = {
        "kind": KIND_LABELS,
        "status": statuses,
        "canton": cantons,
        "owner_id": owners,
        "doc_type": categories,
        "language": LANGUAGE_LABELS,
    }

    def label(facet: str, value: str) -> str:
        return tables.get(facet, {}).get(value, value)

    return label


@login_required
def search_page(request):
    text = request.GET.get("q", "").strip()
    filters = service.clean_filters(request.GET)
    scope = None
    if "dossier" in filters:
        scope = service.dossier_in_scope(request.user, int(filters["dossier"][0]))
        if scope is None:
            raise Http404
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    found = service.search(
        request.user,
        text,
        filters=filters,
        sort=request.GET.get("sort", "relevance"),
        page=page,
        memberships=request.tenant.memberships,
    )
    label = _labeller(found.results)
    facets = [
        {
            "name": name,
            "label": FACET_LABELS[name],
            "values": [
                {
                    "label": label(name, value),
                    "count": count,
                    "chosen": value in filters.get(name, []),
                    "url": _toggle(request.GET, name, value),
                }
                for value, count in found.results.facets.get(name, [])
            ],
        }
        for name in FACETS
        if found.results.facets.get(name)
    ]
    hits = [
        {
            "hit": hit,
            "kind_label": KIND_LABELS.get(hit.kind, hit.kind),
            "doc_type_label": label("doc_type", hit.doc_type) if hit.doc_type else "",
            "language_label": LANGUAGE_LABELS.get(hit.language, hit.language),
            "extraction_failed": hit.extraction == ExtractionStatus.FAILED,
        }
        for hit in found.results.hits
    ]
    return render(
        request,
        "search/results.html",
        {
            "search": found,
            "text": text,
            "hits": hits,
            "facets": facets,
            "scope": scope,
            "reason_label": reason_label,
        },
    )
