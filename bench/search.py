"""Search benchmark on a generated multilingual corpus, on PostgreSQL or a real OpenSearch node.

    python bench/search.py --documents 1000000                       # PostgreSQL
    python bench/search.py --keep                                    # PostgreSQL, corpus kept in var/
    python bench/search.py --backend opensearch                      # starts a node (2 GB heap)
    python bench/search.py --backend opensearch --search-url URL     # a node already running

Populates dossiers, documents and shares as bench/dossier_list.py does, and gives each
document a body of 120 words drawn from German, French or Italian case-file vocabulary (each
document in one language; one SQL generator for both backends). PostgreSQL: one search
entry per document plus the dossiers' own entries, written in SQL. OpenSearch: the bodies
become each document's current version and extracted text, and ``rebuild()`` fills the
index through the bulk API from records built by ``records_for``, as ``rebuild_index`` does.
Reports:

* search latency with permission filtering for a case worker who sees about a fifth of the
  dossiers: our endpoint (the whole HTTP request) and the engine's part alone (PostgreSQL:
  the backend's queries; OpenSearch: ``backend.raw_search`` and the engine's ``took``),
  p50/p95, and their ratio, for the same searches in one run;
* live ingest: documents per second through the queue (records built, upserted, vectors
  computed), without text extraction, and upload to searchable per document;
* bulk rebuild: PostgreSQL re-indexes a slice of the corpus; OpenSearch rebuilds all of it
  (entries per second, and the part spent building records);
* share to findable: from a share to the recipient's first hit;
* OpenSearch: the node's heap (``_nodes/stats/jvm``) and resident memory, and the machine's
  load average, then a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

# The corpus's size, and where --keep keeps it (read before Django starts: the kept data
# has its own embedded server, in its own folder under var/).
SIZES = {"dossiers": 100_000, "documents": 1_000_000, "shares": 50_000}


def _kept_folder(argv: list[str]) -> Path | None:
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--keep", action="store_true")
    early.add_argument("--backend", default="postgres")
    for name, default in SIZES.items():
        early.add_argument(f"--{name}", type=int, default=default)
    known, _rest = early.parse_known_args(argv)
    if not known.keep or known.backend != "postgres":
        return None
    folder = (
        Path(__file__).resolve().parent.parent
        / "var"
        / "bench-search"
        / (f"{known.dossiers}-{known.documents}-{known.shares}")
    )
    os.environ["PORTAL_EMBEDDED_PGDATA"] = str(folder / "pgdata")
    return folder


KEPT = _kept_folder(sys.argv[1:])

from common import ROOT, bench_database, kept_database, percentiles, status_line
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from dossier_list import ORGANISATIONS, populate

from portal.documents.actions import add_documents
from portal.documents.models import Document, DocumentVersion
from portal.dossiers.models import Dossier
from portal.dossiers.sharing import share_dossier
from search import queue, service
from search.backends import get_backend
from search.backends.base import Query
from search.models import ExtractedText, SearchEntry
from search.records import all_keys, normalise_query, records_for
from search.service import principals_for
from tenants.models import Membership, Organisation
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
    "Firma 4242 AG",
    "Scheinselbständigkeit",
    "Kontrolle",
]
# The rare word (about one document in a thousand) and a company name are the two
# queries a person most often types; "Kontrolle" also finds every compound with it.
RARE_WORD = "Scheinselbständigkeit"


# One body of 120 words drawn from one language's vocabulary, evaluated per row (the
# correlated WHERE keeps PostgreSQL from computing it once). Both backends' corpora use it.
BODY_SQL = "(SELECT string_agg((%s::text[])[1 + floor(random() * %s)::int], ' ') FROM generate_series(1, 120) WHERE {row} > 0)"
DOC_TYPES = "(ARRAY['control_report','payroll','decision','correspondence','other'])[1 + {id} %% 5]"


def populate_entries() -> dict:
    """One search entry per document and per dossier, written in SQL with the portal's own
    trigger computing each vector (so the benchmark indexes exactly as the portal does), the
    table's indexes dropped during the load and built again after it, as a rebuild of this
    size would be done by hand. Returns the seconds of each step."""
    started = time.perf_counter()
    languages = list(WORDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchentry' "
            "AND indexname <> 'search_searchentry_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for index, language in enumerate(languages):
            words = WORDS[language]
            # A rare word in about one document in a thousand.
            cursor.execute(
                f"""
                INSERT INTO search_searchentry (key, kind, object_id, dossier_id, owner_id, status, canton, sector,
                    year, doc_type, language, date, title, reference, company, identifiers, body, extraction)
                SELECT 'document:' || doc.id, 'document', doc.id, d.id, d.owner_id, d.status, d.canton, d.sector,
                    2026, {DOC_TYPES.format(id="doc.id")},
                    %s, d.created_at, doc.title, d.reference, '', doc.title,
                    {BODY_SQL.format(row="doc.id")}
                        || CASE WHEN doc.id %% 1000 = 7 THEN ' {RARE_WORD}' ELSE '' END,
                    'done'
                FROM documents_document doc JOIN dossiers_dossier d ON d.id = doc.dossier_id
                WHERE doc.id %% {len(languages)} = {index}
                """,
                [language, words, len(words)],
            )
            print(f"  {language} documents written in {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute(
            """
            INSERT INTO search_searchentry (key, kind, object_id, dossier_id, owner_id, status, canton, sector,
                year, doc_type, language, date, title, reference, company, identifiers, body, extraction)
            SELECT 'dossier:' || d.id, 'dossier', d.id, d.id, d.owner_id, d.status, d.canton, d.sector, 2026, '',
                'de', d.created_at, d.company_name, d.reference, d.company_name, d.reference, d.sector, ''
            FROM dossiers_dossier d
            """
        )
        written = time.perf_counter() - started
        print(f"  entries written, vectors computed, in {written:.0f} s; building the indexes...", flush=True)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
        indexed = time.perf_counter() - started - written
        cursor.execute("VACUUM ANALYZE search_searchentry")
    seconds = time.perf_counter() - started
    print(
        f"  {SearchEntry.objects.count()} search entries ready in {seconds:.0f} s "
        f"(written with vectors {written:.0f} s, indexes {indexed:.0f} s); load {os.getloadavg()[0]:.2f}"
    )
    return {"written": written, "indexed": indexed, "seconds": seconds}


def sizes() -> None:
    """The entries' table on disk: rows, TOAST (bodies and vectors), each index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "pg_total_relation_size(c.reltoastrelid), pg_indexes_size(c.oid) "
            "FROM pg_class c WHERE c.relname = 'search_searchentry'"
        )
        total, rows, toast, indexes = cursor.fetchone()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = 'search_searchentry'::regclass ORDER BY 2 DESC"
        )
        each = ", ".join(f"{name} {mb(size)}" for name, size in cursor.fetchall())
    print(f"on disk: {mb(total)} in all; rows {mb(rows)}, TOAST {mb(toast)}, indexes {mb(indexes)} ({each})")


def kept_population(args):
    """The kept corpus, built on the first run, and its case worker."""
    if not SearchEntry.objects.exists():
        print(f"building the corpus in {KEPT} (kept for the next run with the same sizes and --keep)")
        person = populate(args.dossiers, args.documents, args.shares)
        populate_entries()
        return person
    if Dossier.objects.count() != args.dossiers:
        raise SystemExit(f"{KEPT} holds an incomplete corpus: delete the folder and run again")
    first = Organisation.objects.get(short_name="ORG 0")
    membership = Membership.objects.filter(organisation=first, role=Role.CASE_WORKER).order_by("pk").first()
    print(f"reusing the corpus in {KEPT}: {SearchEntry.objects.count():,} entries")
    return membership.user


def latency(person, rounds: int, *, engine: bool = False) -> dict:
    """The endpoint and the backend for the same searches, interleaved.

    PostgreSQL: ``backend.search`` (the backend's queries and their results). Engine:
    ``backend.raw_search`` (the request body built, sent, the answer parsed into a dict;
    no portal around it) and the engine's own ``took``."""
    client = Client()
    client.force_login(person)
    backend = get_backend()
    client.get("/de/search/", {"q": "warm"})
    if engine:  # first use of each query's terms and facets: caches and global ordinals
        for text in QUERIES:
            client.get("/de/search/", {"q": text})
    endpoint, raw, took = [], [], []
    by_query: dict[str, list[tuple[float, float]]] = {text: [] for text in QUERIES}
    load = os.getloadavg()
    for _ in range(rounds):
        for text in QUERIES:
            started = time.perf_counter()
            response = client.get("/de/search/", {"q": text})
            endpoint.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            if engine:
                query = Query(normalise_query(text), principals_for(person), timezone.now())
                started = time.perf_counter()
                answer = backend.raw_search(query)
                raw.append((time.perf_counter() - started) * 1000)
                took.append(float(answer["took"]))
            else:
                started = time.perf_counter()
                query = Query(text, principals_for(person), timezone.now())
                backend.search(query)
                raw.append((time.perf_counter() - started) * 1000)
            by_query[text].append((endpoint[-1], raw[-1]))
    load_after = os.getloadavg()
    name = "raw engine query (backend.raw_search)" if engine else "engine part (backend.search)"
    print(status_line("search endpoint (HTTP, facets, snippets)", percentiles(endpoint)))
    print(status_line(name, percentiles(raw)))
    if engine:
        print(status_line("  of which the engine's own 'took'", percentiles(took)))
    ratio50 = statistics.median(endpoint) / statistics.median(raw)
    ratio95 = percentiles(endpoint)["p95"] / percentiles(raw)["p95"]
    print(f"  endpoint / engine: p50 {ratio50:.2f}, p95 {ratio95:.2f}")
    print(f"  load average (1 min) before and after: {load[0]:.2f}, {load_after[0]:.2f}")
    totals = {}
    for text in QUERIES:
        totals[text] = (
            get_backend().search(Query(normalise_query(text), principals_for(person), timezone.now())).total
        )
        samples = by_query[text]
        print(
            f"  {text!r}: {totals[text]} hits for the case worker; p50 endpoint "
            f"{statistics.median(s[0] for s in samples):.0f} ms, engine {statistics.median(s[1] for s in samples):.0f} ms"
        )
    return {
        "endpoint": percentiles(endpoint),
        "raw": percentiles(raw),
        "took": percentiles(took) if took else None,
        "ratio50": ratio50,
        "ratio95": ratio95,
        "load": (load, load_after),
        "totals": totals,
    }


def ingest(person, count: int) -> dict:
    dossier = Dossier.objects.filter(owner__memberships__user=person).first()
    uploads = 20
    started = time.perf_counter()
    for n in range(uploads):
        # Each commit runs extraction and indexing right away (the test settings' immediate tasks).
        add_documents(
            dossier=dossier, uploads=[upload(f"live-{n}.txt", b"Lohnkontrolle live")], acting_user=person
        )
    per_upload = (time.perf_counter() - started) / uploads * 1000
    print(f"live upload to searchable, text extraction included: {per_upload:.0f} ms per document")
    keys = [f"document:{pk}" for pk in Document.objects.order_by("?").values_list("pk", flat=True)[:count]]
    started = time.perf_counter()
    with transaction.atomic():
        queue.enqueue(keys)  # the commit runs the queue
    rate = count / (time.perf_counter() - started)
    print(f"live ingest through the queue (no extraction): {rate:,.0f} documents/s")
    return {"upload_ms": per_upload, "ingest_rate": rate}


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


def share_to_findable(person, samples: int = 1) -> dict:
    """Share a dossier the person cannot see with their organisation, then search as them until
    it is found. The share's commit runs the queue (the immediate task backend), so the first
    part is the share and the queue applying it; the second the wait until a search finds it."""
    strangers = list(
        Dossier.objects.exclude(owner__memberships__user=person)
        .exclude(pk__in=principals_for(person).visible_dossiers.values("pk"))
        .order_by("pk")[:samples]
    )
    organisation = Membership.objects.filter(user=person).first().organisation
    totals, shares = [], []
    for stranger in strangers:
        owner_admin = Membership.objects.filter(
            organisation_id=stranger.owner_id, role=Role.ADMINISTRATOR
        ).first()
        if owner_admin is None:
            from tests.tenants.factories import MembershipFactory

            owner_admin = MembershipFactory(organisation_id=stranger.owner_id, role=Role.ADMINISTRATOR)
        scope = {"dossier": [str(stranger.pk)]}
        assert not service.search(person, stranger.reference, filters=scope).results.total
        started = time.perf_counter()
        share_dossier(dossier=stranger, acting_user=owner_admin.user, organisation=organisation, level=1)
        queue.process()  # nothing left when the commit ran it
        shares.append((time.perf_counter() - started) * 1000)
        while not service.search(person, stranger.reference, filters=scope).results.total:
            time.sleep(0.01)
            assert time.perf_counter() - started < 60, "not findable after a minute"
        totals.append((time.perf_counter() - started) * 1000)
    print(
        f"share to findable by the recipient: {', '.join(f'{t:.0f}' for t in totals)} ms "
        f"(of which the share and its queue run: {', '.join(f'{t:.0f}' for t in shares)} ms)"
    )
    return {"total": totals, "share": shares}


# --- the search engine --------------------------------------------------------------------


def populate_texts() -> None:
    """The generated bodies, stored where the portal keeps them: each document gets a current
    version (file name, upload date = the dossier's creation) and its extracted text in the
    document's language, so ``records_for`` builds the engine's records as the portal does."""
    started = time.perf_counter()
    languages = list(WORDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {DocumentVersion._meta.db_table} (document_id, number, file_name, blob, size, content_type,
                sha256, key_id, wrapped_key, uploaded_by_id, uploaded_at)
            SELECT doc.id, 1, 'dokument-' || doc.id || '.pdf', 'bench/' || doc.id, 1000, 'application/pdf',
                repeat('0', 64), 'bench', '', NULL, d.created_at
            FROM {Document._meta.db_table} doc JOIN {Dossier._meta.db_table} d ON d.id = doc.dossier_id
            """
        )
        cursor.execute(
            f"""
            UPDATE {Document._meta.db_table} doc SET current_version_id = v.id, category = {DOC_TYPES.format(id="doc.id")}
            FROM {DocumentVersion._meta.db_table} v WHERE v.document_id = doc.id
            """,
            [],  # a parameter list, so "%%" is read as "%"
        )
        for index, language in enumerate(languages):
            words = WORDS[language]
            cursor.execute(
                f"""
                INSERT INTO {ExtractedText._meta.db_table} (version_id, status, text, language, ocr, reason, detail,
                    seconds, extracted_at)
                SELECT v.id, 'done', {BODY_SQL.format(row="v.id")}, %s, false, '', '', 0.1, now()
                FROM {DocumentVersion._meta.db_table} v
                WHERE v.document_id %% {len(languages)} = {index}
                """,
                [words, len(words), language],
            )
        cursor.execute(
            f"UPDATE {ExtractedText._meta.db_table} SET text = text || ' {RARE_WORD}' "
            "WHERE version_id IN (SELECT id FROM documents_documentversion WHERE document_id %% 1000 = 7)",
            [],
        )
        cursor.execute("ANALYZE")
    print(f"  {ExtractedText.objects.count()} extracted texts ready in {time.perf_counter() - started:.0f} s")


class Node:
    """The engine node's own figures: JVM heap (``_nodes/stats/jvm``) and the process's RSS."""

    def __init__(self, url: str):
        self.url = url.split(",")[0].rstrip("/")
        self.peak_heap = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = None

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=30) as answer:  # noqa: S310 - the node's http URL
            return json.load(answer)

    def memory(self) -> dict:
        node = next(iter(self.get("/_nodes/_local/stats/jvm,process")["nodes"].values()))
        pid = next(iter(self.get("/_nodes/_local/process")["nodes"].values()))["process"]["id"]
        rss = 0
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
        except OSError:  # the node runs elsewhere
            pass
        heap = node["jvm"]["mem"]
        figures = {"heap_used": heap["heap_used_in_bytes"], "heap_max": heap["heap_max_in_bytes"], "rss": rss}
        self.peak_heap = max(self.peak_heap, figures["heap_used"])
        self.peak_rss = max(self.peak_rss, rss)
        return figures

    def sample(self, seconds: float = 2.0):
        """Sample in the background (peaks) until ``stop``."""

        def run():
            while not self._stop.wait(seconds):
                with contextlib.suppress(Exception):
                    self.memory()

        self._stop.clear()
        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join()

    def settle(self, index: str, limit: float = 600) -> float:
        """Wait until the index has no merge running (after a bulk load); seconds waited."""
        started = time.perf_counter()
        while time.perf_counter() - started < limit:
            stats = self.get(f"/{index}/_stats/merge")["_all"]["primaries"]["merges"]
            if not stats["current"]:
                break
            time.sleep(2)
        return time.perf_counter() - started


def mb(value: float) -> str:
    return f"{value / 2**20:,.0f} MB"


@contextlib.contextmanager
def engine_node(url: str | None, heap: str, base_port: int):
    """The node at ``url``, or one started (and stopped afterwards) with scripts/opensearch.sh."""
    if url:
        yield url
        return
    home = ROOT / "var" / "opensearch-bench"
    # scripts/opensearch.sh gives the node the distribution's G1 settings.
    env = {**os.environ, "OPENSEARCH_HOME": str(home), "OPENSEARCH_HEAP": heap}
    env["OPENSEARCH_BASE_PORT"] = str(base_port)
    script = str(ROOT / "scripts" / "opensearch.sh")
    subprocess.run([script, "start"], env=env, check=True)  # noqa: S603 - our own script
    try:
        yield (home / "url").read_text().strip()
    finally:
        subprocess.run([script, "stop"], env=env, check=False)  # noqa: S603


def engine_rebuild(node: Node) -> dict:
    """``backend.rebuild`` over every dossier, records built by ``records_for`` as ``rebuild_index``
    builds them; the time spent building records (database, ORM, language detection) is
    measured apart from the rest (documents to JSON, bulk requests, the engine's indexing)."""
    backend = get_backend()
    total = Dossier.objects.count()
    building = 0.0
    dossiers = 0
    started = time.perf_counter()

    def batches():
        nonlocal building, dossiers
        for keys in all_keys():
            begun = time.perf_counter()
            records = records_for(keys, with_children=True).records
            building += time.perf_counter() - begun
            dossiers += sum(key.startswith("dossier:") for key in keys)
            yield records

    reported = [0]

    def progress(done: int) -> None:
        if done - reported[0] >= 100_000:
            reported[0] = done
            elapsed = time.perf_counter() - started
            print(
                f"  {done:,} entries ({dossiers:,}/{total:,} dossiers) in {elapsed:.0f} s: "
                f"{done / elapsed:,.0f}/s; building records {building:.0f} s; load {os.getloadavg()[0]:.2f}",
                flush=True,
            )

    load = os.getloadavg()
    node.sample()
    try:
        entries = backend.rebuild(batches(), progress)
    finally:
        node.stop()
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    bulk = seconds - building
    print(
        f"rebuild: {entries:,} entries in {seconds:.0f} s, {entries / seconds:,.0f} entries/s in all; "
        f"building records {building:.0f} s, bulk API and engine {bulk:.0f} s ({entries / bulk:,.0f} entries/s)"
    )
    print(f"  load average (1 min) before and after: {load[0]:.2f}, {load_after[0]:.2f}")
    return {
        "entries": entries,
        "seconds": seconds,
        "rate": entries / seconds,
        "building": building,
        "bulk_rate": entries / bulk,
        "load": (load, load_after),
    }


def run_engine(args, url: str) -> None:
    node = Node(url)
    idle = node.memory()
    jvm = next(iter(node.get("/_nodes/_local/jvm,os")["nodes"].values()))
    print(
        f"engine node at {url}: OpenSearch {jvm['version']}, Java {jvm['jvm']['version']}, "
        f"heap {mb(idle['heap_max'])}, RSS when idle {mb(idle['rss'])}; "
        f"JVM options {' '.join(a for a in jvm['jvm']['input_arguments'] if a.startswith('-X'))}"
    )
    person = populate(args.dossiers, args.documents, args.shares)
    populate_texts()
    backend = get_backend()
    try:
        built = engine_rebuild(node)
        after_rebuild = node.memory()
        index = next(iter(node.get(f"/{backend.alias}/_alias")))
        settled = node.settle(index)
        stats = node.get(f"/{index}/_stats/docs,store,segments")["_all"]["primaries"]
        print(
            f"  index {index}: {stats['docs']['count']:,} Lucene documents (nested grants included), "
            f"{mb(stats['store']['size_in_bytes'])}, {stats['segments']['count']} segments; "
            f"merges settled after {settled:.0f} s"
        )
        searched = latency(person, args.rounds, engine=True)
        after_search = node.memory()
        shared = share_to_findable(person, samples=5)
        ingested = ingest(person, 5000)
        last = node.memory()
    finally:
        backend.drop()
    report(args, url, built, searched, shared, ingested, idle, after_rebuild, after_search, last, node)


def report(args, url, built, searched, shared, ingested, idle, after_rebuild, after_search, last, node):
    e, r, t = searched["endpoint"], searched["raw"], searched["took"]
    (load, load_after) = searched["load"]
    ms = "{:,.0f} ms".format
    print()
    print(
        f"OpenSearch ({url}), {built['entries']:,} entries from {args.dossiers:,} dossiers and "
        f"{args.documents:,} documents; {len(QUERIES)} queries x {args.rounds} rounds; "
        f"load average {load[0]:.1f} → {load_after[0]:.1f} during the searches"
    )
    print()
    print(f"| OpenSearch, {built['entries']:,} entries | p50 | p95 |")
    print("| --- | --- | --- |")
    print(f"| search endpoint (HTTP, permissions, facets, snippets) | {ms(e['p50'])} | {ms(e['p95'])} |")
    print(f"| raw engine query (`backend.raw_search`, round trip) | {ms(r['p50'])} | {ms(r['p95'])} |")
    print(f"| the engine's own `took` | {ms(t['p50'])} | {ms(t['p95'])} |")
    print(f"| endpoint ÷ raw engine query | {searched['ratio50']:.2f} | {searched['ratio95']:.2f} |")
    print()
    total, share = shared["total"], shared["share"]
    print("| other search figures (OpenSearch) | |")
    print("| --- | --- |")
    print(
        f"| rebuild through the bulk API (records built from the database included) | "
        f"{built['rate']:,.0f} entries/s ({built['entries']:,} in {built['seconds']:,.0f} s) |"
    )
    print(
        f"| of which the bulk API and the engine alone (records built: {built['building']:,.0f} s) | "
        f"{built['bulk_rate']:,.0f} entries/s |"
    )
    print(
        f"| share to findable by the recipient ({len(total)} shares) | median {ms(statistics.median(total))}, "
        f"max {ms(max(total))} (the share and its queue run: median {ms(statistics.median(share))}) |"
    )
    print(
        f"| live ingest through the queue, without extraction | {ingested['ingest_rate']:,.0f} documents/s |"
    )
    print(
        f"| upload to searchable, small text file, extraction included | {ms(ingested['upload_ms'])} per document |"
    )
    print(
        f"| node heap (max {mb(idle['heap_max'])}): used after the rebuild, after the searches, at the end; peak sampled in the rebuild | "
        f"{mb(after_rebuild['heap_used'])}, {mb(after_search['heap_used'])}, {mb(last['heap_used'])}; {mb(node.peak_heap)} |"
    )
    print(
        f"| node resident memory: idle, after the rebuild, after the searches, at the end; peak sampled | "
        f"{mb(idle['rss'])}, {mb(after_rebuild['rss'])}, {mb(after_search['rss'])}, {mb(last['rss'])}; {mb(node.peak_rss)} |"
    )
    rb = built["load"]
    print(
        f"| load average (1 min), machine of 2 cores | rebuild {rb[0][0]:.1f} → {rb[1][0]:.1f}; "
        f"searches {load[0]:.1f} → {load_after[0]:.1f} |"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("postgres", "opensearch"), default="postgres")
    for name, default in SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="postgres: keep the corpus in var/bench-search/<sizes>/ (its own embedded server) and "
        "reuse it next time; measures the searches only (the share, ingest and rebuild steps change data)",
    )
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rebuild-dossiers", type=int, default=2_000)
    parser.add_argument(
        "--search-url", help="opensearch: an engine node to use; otherwise one is started and stopped"
    )
    parser.add_argument(
        "--heap", default=os.environ.get("OPENSEARCH_HEAP", "2g"), help="the started node's heap"
    )
    parser.add_argument(
        "--base-port",
        type=int,
        default=int(os.environ.get("OPENSEARCH_BASE_PORT", "9600")),
        help="the started node's base port (HTTP on base+1)",
    )
    args = parser.parse_args()
    for name in ("django_tasks", "axes"):  # a line per task run or sign-in would drown the figures
        logging.getLogger(name).setLevel(logging.WARNING)
    print(f"organisations: {ORGANISATIONS}; load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    if args.backend == "opensearch":
        with engine_node(args.search_url, args.heap, args.base_port) as url:
            configured = {
                "PORTAL_SEARCH_BACKEND": "opensearch",
                "PORTAL_SEARCH_URL": url,
                "PORTAL_SEARCH_INDEX": "portal-bench",
                "PORTAL_SEARCH_REPLICAS": 0,
            }
            with override_settings(**configured), bench_database():
                run_engine(args, url)
        return
    if args.keep:
        with kept_database():
            person = kept_population(args)
            sizes()
            latency(person, args.rounds)
        return
    with bench_database():
        person = populate(args.dossiers, args.documents, args.shares)
        populate_entries()
        sizes()
        latency(person, args.rounds)
        share_to_findable(person)
        ingest(person, 5000)
        rebuild(args.rebuild_dossiers)


if __name__ == "__main__":
    main()
