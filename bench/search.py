"""Search benchmark on a generated multilingual corpus (PostgreSQL backend).

    python bench/search.py --documents 1000000

Populates dossiers, documents and shares as bench/dossier_list.py does, then one search entry
per document with a body of 120 words drawn from German, French or Italian case-file
vocabulary (each document in one language), plus the dossiers' own entries. Reports:

* search latency with permission filtering for a case worker who sees about a fifth of the
  dossiers: our endpoint (the whole HTTP request) and the engine's part alone (the backend's
  queries), p50/p95, and their ratio;
* live ingest: documents per second through the queue (records built, upserted, vectors
  computed), without text extraction, and text extraction per document;
* bulk rebuild: documents per second for ``rebuild_index`` over a slice of the corpus;
* share to findable: seconds from a share to the recipient's first hit.
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import bench_database, percentiles, status_line
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from dossier_list import ORGANISATIONS, populate

from portal.documents.actions import add_documents
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.dossiers.sharing import share_dossier
from search import queue
from search.backends import get_backend
from search.backends.base import Query
from search.models import SearchEntry
from search.records import all_keys, records_for
from search.service import principals_for
from tenants.models import Membership
from tenants.roles import Role
from tests.dossiers.factories import upload

WORDS = {
    "de": [
        "Lohnkontrolle",
        "Baustelle",
        "Mindestlohn",
        "Arbeitszeit",
        "Entsendung",
        "Arbeitnehmer",
        "Spesen",
        "Ferienentschädigung",
        "Gesamtarbeitsvertrag",
        "Kontrolle",
        "Befund",
        "Unterschreitung",
        "Lohnbuchhaltung",
        "Stundenrapport",
        "Verfügung",
        "Busse",
        "Konventionalstrafe",
        "Subunternehmer",
        "Gerüstbau",
        "Schreinerei",
        "Maler",
        "Gipser",
        "Reinigung",
        "Unterkunft",
        "Verpflegung",
        "Zuschlag",
        "Überstunden",
        "Nachtarbeit",
        "Sonntagsarbeit",
        "Lohnabrechnung",
        "Meldeverfahren",
        "Dienstleistungssperre",
        "Kommission",
        "Nachforderung",
        "Stellungnahme",
        "Frist",
        "Einsprache",
        "Nachzahlung",
        "Quellensteuer",
        "Sozialversicherung",
    ],
    "fr": [
        "contrôle",
        "salaire",
        "chantier",
        "salaire",
        "minimum",
        "durée",
        "travail",
        "détachement",
        "travailleur",
        "frais",
        "vacances",
        "convention",
        "collective",
        "infraction",
        "sous-enchère",
        "comptabilité",
        "décompte",
        "décision",
        "amende",
        "peine",
        "conventionnelle",
        "sous-traitant",
        "échafaudage",
        "menuiserie",
        "peinture",
        "plâtrerie",
        "nettoyage",
        "logement",
        "repas",
        "supplément",
        "heures",
        "supplémentaires",
        "travail",
        "nuit",
        "dimanche",
        "fiche",
        "procédure",
        "annonce",
        "interdiction",
        "commission",
        "réclamation",
        "prise",
        "position",
        "délai",
        "opposition",
        "rappel",
        "impôt",
        "assurance",
        "sociale",
    ],
    "it": [
        "controllo",
        "salario",
        "cantiere",
        "salario",
        "minimo",
        "orario",
        "lavoro",
        "distacco",
        "lavoratore",
        "spese",
        "vacanze",
        "contratto",
        "collettivo",
        "infrazione",
        "dumping",
        "contabilità",
        "conteggio",
        "decisione",
        "multa",
        "pena",
        "convenzionale",
        "subappaltatore",
        "ponteggio",
        "falegnameria",
        "pittura",
        "gessatura",
        "pulizia",
        "alloggio",
        "vitto",
        "supplemento",
        "straordinari",
        "lavoro",
        "notturno",
        "domenica",
        "busta",
        "paga",
        "procedura",
        "notifica",
        "divieto",
        "commissione",
        "richiesta",
        "presa",
        "posizione",
        "termine",
        "opposizione",
        "pagamento",
        "imposta",
        "assicurazione",
        "sociale",
    ],
}
QUERIES = [
    "Lohnkontrolle",
    "Mindestlohn Baustelle",
    "contrôle salaire",
    "controllo cantiere",
    "Konventionalstrafe Gerüstbau",
    "sous-traitant échafaudage",
    "Firma 4242",
    "Dienstleistungssperre Frist Einsprache",
]


def populate_entries() -> None:
    started = time.perf_counter()
    languages = list(WORDS)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_searchentry DISABLE TRIGGER search_entry_vector")
        for index, language in enumerate(languages):
            words = WORDS[language]
            cursor.execute(
                f"""
                INSERT INTO search_searchentry (key, kind, object_id, dossier_id, owner_id, status, canton, sector,
                    year, doc_type, language, date, title, reference, company, identifiers, body, extraction)
                SELECT 'document:' || doc.id, 'document', doc.id, d.id, d.owner_id, d.status, d.canton, d.sector,
                    2026, (ARRAY['control_report','payroll','decision','correspondence','other'])[1 + doc.id %% 5],
                    %s, d.created_at, doc.title, d.reference, '', doc.title,
                    (SELECT string_agg((%s::text[])[1 + floor(random() * %s)::int], ' ')
                       FROM generate_series(1, 120) WHERE doc.id > 0),
                    'done'
                FROM documents_document doc JOIN dossiers_dossier d ON d.id = doc.dossier_id
                WHERE doc.id %% {len(languages)} = {index}
                """,
                [language, words, len(words)],
            )
        cursor.execute(
            """
            INSERT INTO search_searchentry (key, kind, object_id, dossier_id, owner_id, status, canton, sector,
                year, doc_type, language, date, title, reference, company, identifiers, body, extraction)
            SELECT 'dossier:' || d.id, 'dossier', d.id, d.id, d.owner_id, d.status, d.canton, d.sector, 2026, '',
                'de', d.created_at, d.company_name, d.reference, d.company_name, d.reference, d.sector, ''
            FROM dossiers_dossier d
            """
        )
        print(f"  entries inserted in {time.perf_counter() - started:.0f} s; computing vectors...")
        cursor.execute(
            """
            UPDATE search_searchentry e SET vector =
                setweight(to_tsvector(c.config, e.title), 'A')
                || setweight(to_tsvector('portal_simple', e.identifiers), 'A')
                || setweight(to_tsvector('portal_simple', e.company), 'B')
                || setweight(to_tsvector(c.config, e.body), 'D')
            FROM (VALUES ('de', 'portal_german'::regconfig), ('fr', 'portal_french'::regconfig),
                         ('it', 'portal_italian'::regconfig)) AS c(language, config)
            WHERE c.language = e.language
            """
        )
        cursor.execute("ALTER TABLE search_searchentry ENABLE TRIGGER search_entry_vector")
        cursor.execute("VACUUM ANALYZE search_searchentry")
    print(f"  {SearchEntry.objects.count()} search entries ready in {time.perf_counter() - started:.0f} s")


def latency(person, rounds: int) -> None:
    client = Client()
    client.force_login(person)
    backend = get_backend()
    client.get("/de/search/", {"q": "warm"})
    endpoint, engine = [], []
    for _ in range(rounds):
        for text in QUERIES:
            started = time.perf_counter()
            response = client.get("/de/search/", {"q": text})
            endpoint.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            started = time.perf_counter()
            query = Query(text, principals_for(person), timezone.now())
            backend.search(query)
            engine.append((time.perf_counter() - started) * 1000)
    print(status_line("search endpoint (HTTP, facets, snippets)", percentiles(endpoint)))
    print(status_line("engine part (backend.search)", percentiles(engine)))
    print(f"  endpoint / engine, p50: {statistics.median(endpoint) / statistics.median(engine):.2f}")
    for text in QUERIES:
        found = backend.search(Query(text, principals_for(person), timezone.now())).total
        print(f"  {text!r}: {found} hits for the case worker")


def ingest(person, count: int) -> None:
    dossier = Dossier.objects.filter(owner__memberships__user=person).first()
    uploads = 20
    started = time.perf_counter()
    for n in range(uploads):
        # Each commit runs extraction and indexing right away (the test settings' immediate tasks).
        add_documents(
            dossier=dossier, uploads=[upload(f"live-{n}.txt", b"Lohnkontrolle live")], acting_user=person
        )
    seconds = time.perf_counter() - started
    print(
        f"live upload to searchable, text extraction included: {seconds / uploads * 1000:.0f} ms per document"
    )
    keys = [f"document:{pk}" for pk in Document.objects.order_by("?").values_list("pk", flat=True)[:count]]
    started = time.perf_counter()
    with transaction.atomic():
        queue.enqueue(keys)  # the commit runs the queue
    seconds = time.perf_counter() - started
    print(f"live ingest through the queue (no extraction): {count / seconds:,.0f} documents/s")


def rebuild(dossiers: int) -> None:
    backend = get_backend()
    batches = []
    for keys in all_keys():
        batches.append(keys)
        if sum(len(b) for b in batches) >= dossiers:
            break
    started = time.perf_counter()
    documents = 0
    for keys in batches:
        records = records_for(keys, with_children=True).records
        backend.index(records)
        documents += len(records)
    seconds = time.perf_counter() - started
    print(
        f"bulk re-index: {documents} entries from {dossiers} dossiers at {documents / seconds:,.0f} entries/s"
    )


def share_to_findable(person) -> None:
    stranger = (
        Dossier.objects.exclude(owner__memberships__user=person)
        .exclude(pk__in=principals_for(person).visible_dossiers.values("pk"))
        .first()
    )
    owner_admin = Membership.objects.filter(organisation_id=stranger.owner_id).first()
    if owner_admin is None:
        from tests.tenants.factories import MembershipFactory

        owner_admin = MembershipFactory(organisation_id=stranger.owner_id, role=Role.ADMINISTRATOR)
    organisation = Membership.objects.filter(user=person).first().organisation
    started = time.perf_counter()
    share_dossier(dossier=stranger, acting_user=owner_admin.user, organisation=organisation, level=1)
    queue.process()
    while (
        not get_backend()
        .search(
            Query(
                stranger.reference,
                principals_for(person),
                timezone.now(),
                filters={"dossier": [str(stranger.pk)]},
            )
        )
        .total
    ):
        time.sleep(0.01)
    print(f"share to findable by the recipient: {(time.perf_counter() - started) * 1000:.0f} ms")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--shares", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rebuild-dossiers", type=int, default=2_000)
    args = parser.parse_args()
    with bench_database():
        person = populate(args.dossiers, args.documents, args.shares)
        populate_entries()
        latency(person, args.rounds)
        share_to_findable(person)
        ingest(person, 5000)
        rebuild(args.rebuild_dossiers)


if __name__ == "__main__":
    print(f"organisations: {ORGANISATIONS}")
    main()
