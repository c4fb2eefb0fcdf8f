"""Totals and facet counts are exact up to a cap; above it the page says "more than
10,000", its first pages are still complete, the entry whose title names the words still
comes first and the newest entry first by date. Nothing invisible is ever counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search.backends.base import CAP
from search.backends.postgres import CLOSE_NAMES
from search.records import Record
from search.service import MAX_PAGES, search
from tests.dossiers.factories import DossierFactory
from tests.tenants.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def entries(dossier, count: int, *, canton: str) -> list[Record]:
    now = timezone.now()
    return [
        Record(
            key=f"document:{dossier.pk * 100_000 + n}",
            kind="document",
            object_id=dossier.pk * 100_000 + n,
            dossier_id=dossier.pk,
            owner_id=dossier.owner_id,
            status=dossier.status,
            canton=canton,
            sector=dossier.sector,
            year=now.year,
            doc_type="payroll",
            language="de",
            date=now - timedelta(minutes=n),
            title=f"Lohnbuch {n}",
            reference=dossier.reference,
            body="Die Lohnkontrolle ergab eine Unterschreitung.",
            extraction="done",
        )
        for n in range(count)
    ]


def test_above_the_cap_the_total_says_more_and_the_pages_stay_complete(
    search_backend, organisation_a, organisation_b, worker_a, worker_b
):
    mine = DossierFactory(owner=organisation_a, canton="GE")
    theirs = DossierFactory(owner=organisation_b, canton="BE")
    hidden = DossierFactory(owner=OrganisationFactory(), canton="ZH")
    for dossier, count, canton in ((mine, 12_000, "GE"), (theirs, 50, "BE"), (hidden, 300, "ZH")):
        records = entries(dossier, count, canton=canton)
        for start in range(0, count, 2000):
            search_backend.index(records[start : start + 2000])

    # Written after the 12,000 (last in the table, beyond the first 10,001 matches a scan
    # meets): the one entry whose title names the words, and the newest entry.
    titled, newest = entries(mine, 2, canton="GE")
    titled.key, titled.object_id, titled.title = "document:1", 1, "Lohnkontrolle Schlussbericht"
    titled.date -= timedelta(days=30)
    newest.key, newest.object_id, newest.date = "document:2", 2, timezone.now() + timedelta(minutes=1)
    search_backend.index([titled, newest])

    many = search(worker_a, "Lohnkontrolle")
    assert many.results.total > CAP and many.results.capped
    assert many.results.hits[0].key == titled.key
    assert search(worker_a, "Lohnkontrolle", sort="date").results.hits[0].key == newest.key
    assert many.pages == MAX_PAGES
    assert len(many.results.hits) == 20 and {h.dossier_id for h in many.results.hits} == {mine.pk}
    last = search(worker_a, "Lohnkontrolle", page=MAX_PAGES)
    assert len(last.results.hits) == 20 and {h.dossier_id for h in last.results.hits} == {mine.pk}
    assert not {h.key for h in last.results.hits} & {h.key for h in many.results.hits}
    for name in ("canton", "owner_id"):
        assert {value for value, _count in many.results.facets[name]} <= {"GE", str(organisation_a.pk)}

    few = search(worker_b, "Lohnkontrolle", per_page=100)
    assert few.results.total == 50 and not few.results.capped
    assert {h.dossier_id for h in few.results.hits} == {theirs.pk} and len(few.results.hits) == 50
    assert dict(few.results.facets["canton"]) == {"BE": 50}
    assert dict(few.results.facets["owner_id"]) == {str(organisation_b.pk): 50}
    assert sum(count for _value, count in few.results.facets["kind"]) == 50


def test_among_hundreds_of_alike_names_the_exact_name_comes_first_and_a_typo_still_finds_it(
    search_backend, organisation_a, worker_a
):
    # 400 companies named "Firma 424N AG": more than 200 names within the usual typing
    # distance of "Firma 4242 AG" (PostgreSQL: word similarity 0.5), so the asker's close
    # names are taken (0.8): the exact name comes first. A typo ("Fima") is close to none of
    # them, and the asker's own names are compared: it still finds the company.
    now = timezone.now()
    dossiers = [DossierFactory(owner=organisation_a, canton="GE") for _ in range(2)]
    hidden = DossierFactory(owner=OrganisationFactory(), canton="ZH")

    def named(n: int, company: str, dossier) -> Record:
        return Record(
            key=f"dossier:{900_000 + n}",
            kind="dossier",
            object_id=900_000 + n,
            dossier_id=dossier.pk,
            owner_id=dossier.owner_id,
            status=dossier.status,
            canton=dossier.canton,
            sector=dossier.sector,
            year=now.year,
            doc_type="",
            language="de",
            date=now - timedelta(minutes=n),
            title=f"Kontrolle {n}",
            reference=f"GE-2026-{n:05d}",
            company=company,
        )

    records = [named(n, f"Firma 424{n + 3} AG", dossiers[n % 2]) for n in range(400)]
    records.append(named(500, "Firma 4242 AG", dossiers[0]))
    records.append(named(501, "Firma 4242 AG", hidden))  # the same name in a dossier she may not see
    search_backend.index(records)

    with CaptureQueriesContext(connection) as statements:
        exact = search(worker_a, "Firma 4242 AG", per_page=50).results
    assert exact.hits[0].key == "dossier:900500"
    if search_backend.name == "postgres":  # the close names came from the index, not a scan
        assert any(f"threshold = {CLOSE_NAMES}" in query["sql"] for query in statements.captured_queries)
    assert "dossier:900501" not in {hit.key for hit in exact.hits}
    typo = search(worker_a, "Fima 4242 AG", per_page=50).results
    assert "dossier:900500" in [hit.key for hit in typo.hits][:5]
    assert "dossier:900501" not in {hit.key for hit in typo.hits}
