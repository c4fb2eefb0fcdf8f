"""A three-node OpenSearch cluster loses its cluster manager (kill -9) under search load.

The cluster (three JVMs from ``scripts/opensearch.sh start 3``, in var/opensearch-cluster,
HTTP ports from 9401) holds the index with one replica. The node that is cluster manager
is made to hold the index's primary and comes first in the client's URL list, so its loss
is the worst one: the manager, the primary and a coordinating node at once. A thread
searches without pause through the backend (every node's URL, as PORTAL_SEARCH_URL gives
them) while the node is killed, new entries go through the queue during the outage, and
the node is started again with its data. Nothing may fail or differ: every search answers
what it answered before, and the index holds exactly what the database yields.

Marker ``cluster``: not in the default run (about 2.5 minutes); ``make test-cluster``.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import timezone

from portal.documents.actions import add_documents
from portal.dossiers.sharing import share_dossier
from portal.threads.actions import post_message
from search import backends, queue
from search.backends.base import Query
from search.extract import extract_version
from search.models import ExtractedText, ExtractionStatus, PendingUpdate
from search.records import KINDS, all_keys, normalise_query, records_for
from search.service import principals_for, search
from tenants.roles import Role
from tests.dossiers.factories import DossierFactory, upload
from tests.search.conftest import OPT_OUT, settle
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.cluster, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "var" / "opensearch-cluster"
BASE_PORT = "9400"  # clear of the single test node's 9250+
NODES = 3
SEARCH_AFTER_FAILOVER = 10.0  # seconds of searching once two nodes serve again
SEARCH_AFTER_REJOIN = 5.0


# --- the cluster ------------------------------------------------------------------------


class Cluster:
    """The three nodes, driven through the project's script and their HTTP APIs."""

    def __init__(self, env: dict, urls: list[str]):
        self.env = env
        self.urls = dict(zip([f"node-{i}" for i in range(1, NODES + 1)], urls, strict=True))
        self.down: set[str] = set()

    def script(self, *args: str) -> subprocess.CompletedProcess:
        return run_script(self.env, *args)

    def call(self, node: str, path: str, body: dict | None = None, timeout: float = 5):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (a loopback http URL of our own)
            self.urls[node] + path, data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return json.loads(answer.read())

    def any_live(self) -> str:
        return next(name for name in self.urls if name not in self.down)

    def manager(self) -> str:
        return self.call(self.any_live(), "/_cat/cluster_manager?format=json")[0]["node"]

    def health(self) -> dict | None:
        """The cluster's health as a surviving node sees it, or None while it has no manager."""
        try:
            return self.call(self.any_live(), "/_cluster/health?cluster_manager_timeout=1s", timeout=3)
        except (OSError, urllib.error.URLError, ValueError):
            return None

    def wait_green(self, nodes: int = NODES, timeout: int = 120) -> None:
        self.call(
            self.any_live(),
            f"/_cluster/health?wait_for_status=green&wait_for_nodes={nodes}"
            f"&wait_for_no_relocating_shards=true&timeout={timeout}s",
            timeout=timeout + 5,
        )
        assert self.health()["status"] == "green"

    def copies(self, index: str) -> dict[str, str]:
        """Which node holds which copy of the index's one shard: {node: "p" or "r"}."""
        rows = self.call(self.any_live(), f"/_cat/shards/{index}?format=json&h=prirep,node,state")
        return {row["node"]: row["prirep"] for row in rows if row["state"] == "STARTED"}

    def put_primary_on(self, index: str, node: str) -> None:
        """Move the shard's copies so that ``node`` holds the primary (at most two moves)."""
        for _ in range(3):
            self.wait_green()
            copies = self.copies(index)
            if copies.get(node) == "p":
                return
            if copies.get(node) == "r":  # make room: its replica goes to the node without a copy
                free = next(name for name in self.urls if name not in copies)
                move = {"index": index, "shard": 0, "from_node": node, "to_node": free}
            else:
                holder = next(name for name, kind in copies.items() if kind == "p")
                move = {"index": index, "shard": 0, "from_node": holder, "to_node": node}
            self.call(self.any_live(), "/_cluster/reroute", {"commands": [{"move": move}]})
        raise AssertionError(f"could not put the primary of {index} on {node}: {self.copies(index)}")

    def count_on(self, node: str, index: str, *, only: str = "") -> int:
        """Entries in the index, asked of ``node``; with ``only``, in the copy that node holds."""
        preference = f"?preference=_only_nodes:{only}" if only else ""
        return self.call(node, f"/{index}/_count{preference}")["count"]


def run_script(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ROOT / "scripts" / "opensearch.sh", *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def cluster():
    """Three nodes of our own; stopped afterwards whatever happened."""
    if os.environ.get(OPT_OUT, "").lower() in {"1", "true", "yes"}:
        pytest.skip(f"search-engine tests switched off by {OPT_OUT} (set by a person)")
    env = {**os.environ, "OPENSEARCH_HOME": str(HOME), "OPENSEARCH_BASE_PORT": BASE_PORT}
    try:
        run_script(env, "stop")  # a cluster left by an interrupted run starts afresh
        started = run_script(env, "start", str(NODES))
        if started.returncode:
            pytest.fail(f"The three-node cluster did not start:\n{started.stderr[-3000:]}", pytrace=False)
        yield Cluster(env, (HOME / "url").read_text().strip().split(","))
    finally:
        run_script(env, "stop")


# --- searching without pause -------------------------------------------------------------


@dataclass
class Case:
    user: object
    text: str
    query: Query
    foreign: bool = False  # the text names another organisation's dossier: never found
    expected: set[str] = field(default_factory=set)


@dataclass
class Sample:
    at: float
    seconds: float
    outcome: str  # ok, wrong, failed
    detail: str = ""


class Searcher(threading.Thread):
    """Sends the cases one after another until told to stop; records every answer."""

    def __init__(self, backend, cases: list[Case]):
        super().__init__(name="cluster-searcher", daemon=True)
        self.backend, self.cases = backend, cases
        self.samples: list[Sample] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for case in self.cases:
                self.samples.append(self.send(case))
                if self.halt.wait(0.01):
                    return

    def send(self, case: Case) -> Sample:
        started = time.monotonic()
        try:
            found = {hit.key for hit in self.backend.search(case.query).hits}
        except Exception as exc:
            return Sample(started, time.monotonic() - started, "failed", repr(exc)[:300])
        seconds = time.monotonic() - started
        if found == case.expected:
            return Sample(started, seconds, "ok")
        detail = f"{case.text!r}: missing {case.expected - found}, extra {found - case.expected}"
        return Sample(started, seconds, "wrong", detail)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in list(self.samples) if start <= s.at < end]


def query_as_service(user, text: str) -> Query:
    """The engine query ``search.service.search`` sends for ``user``, with room for every hit."""
    at = timezone.now()
    return Query(normalise_query(text), principals_for(user, at), at, limit=100)


def ms(samples: list[Sample], share: float) -> float:
    times = sorted(s.seconds for s in samples)
    return 1000 * times[min(len(times) - 1, int(share * len(times)))]


def latency(samples: list[Sample]) -> str:
    if not samples:
        return "none"
    return (
        f"{len(samples)} searches, p50 {ms(samples, 0.5):.0f} ms, p95 {ms(samples, 0.95):.0f} ms, "
        f"max {1000 * max(s.seconds for s in samples):.0f} ms"
    )


# --- the portal's data -------------------------------------------------------------------

TEXTS = (
    "Die Lohnkontrolle bei {company} ergab Unterschreitungen der Mindestlöhne.",
    "Le contrôle des salaires chez {company} a révélé des infractions aux salaires minimaux.",
    "Il controllo dei salari presso {company} ha rilevato violazioni dei salari minimi.",
)
COMPANIES = (
    "Alpen Gerüstbau AG",
    "Léman Nettoyage SA",
    "Ticino Costruzioni SA",
    "Rhein Gastro GmbH",
    "Jura Montage Sàrl",
    "Engadin Holzbau AG",
    "Bodensee Reinigung AG",
    "Lugano Piastrelle SA",
    "Aare Elektro GmbH",
    "Valais Échafaudages SA",
    "Emme Dachdecker AG",
    "Mendrisio Facciate SA",
)


@dataclass
class Tenant:
    organisation: object
    admin: object
    worker: object
    dossiers: list


def build_portal() -> list[Tenant]:
    """Four organisations, three dossiers each with two documents and a message; each
    organisation shares its first dossier with the next one."""
    tenants = []
    companies = iter(COMPANIES)
    for n in range(4):
        organisation = OrganisationFactory(short_name=f"CL {n}", canton=("GE", "ZH", "TI", "VD")[n])
        admin = MembershipFactory(organisation=organisation, role=Role.ADMINISTRATOR).user
        worker = MembershipFactory(organisation=organisation, role=Role.CASE_WORKER).user
        dossiers = []
        for d in range(3):
            company = next(companies)
            dossier = DossierFactory(owner=organisation, company_name=company, canton=organisation.canton)
            for k in range(2):
                text = TEXTS[(d + k + n) % 3].format(company=company)
                add_documents(
                    dossier=dossier,
                    uploads=[upload(f"bericht-{d}-{k}.txt", text.encode())],
                    acting_user=admin,
                )
            post_message(
                dossier=dossier,
                body="Bitte die Lohnbuchhaltung nachreichen.",
                acting_user=admin,
                acting_for=organisation,
            )
            dossiers.append(dossier)
        tenants.append(Tenant(organisation, admin, worker, dossiers))
    for n, tenant in enumerate(tenants):
        share_dossier(
            dossier=tenant.dossiers[0],
            acting_user=tenant.admin,
            organisation=tenants[(n + 1) % 4].organisation,
            level=1,
        )
    return tenants


def cases_for(tenants: list[Tenant]) -> list[Case]:
    """Seven searches per organisation's case worker; the last names a dossier they may not see."""
    cases = []
    for n, tenant in enumerate(tenants):
        texts = [
            "Lohnkontrolle",
            "contrôle salaires",
            "controlli salari",
            "Lohnbuchhaltung",
            "Mindestlöhne OR violazioni",
            tenant.dossiers[2].company_name,
        ]
        cases += [Case(tenant.worker, text, query_as_service(tenant.worker, text)) for text in texts]
        foreign = tenants[(n + 2) % 4].dossiers[1].company_name  # neither owned nor shared
        cases.append(Case(tenant.worker, foreign, query_as_service(tenant.worker, foreign), foreign=True))
    return cases


def add_entries(tenant: Tenant, n: int) -> set[str]:
    """A new dossier with a document and a message, as the portal writes them (queued)."""
    dossier = DossierFactory(owner=tenant.organisation, company_name=f"Ausfallsicher Nachtrag {n} AG")
    [document] = add_documents(
        dossier=dossier,
        uploads=[upload(f"nachtrag-{n}.txt", f"Nachtragsprüfung während des Ausfalls, Los {n}.".encode())],
        acting_user=tenant.admin,
    )
    message = post_message(
        dossier=dossier,
        body=f"Nachtrag {n} eingereicht.",
        acting_user=tenant.admin,
        acting_for=tenant.organisation,
    )
    return {f"dossier:{dossier.pk}", f"document:{document.pk}", f"message:{message.pk}"}


def drain_queue(timeout: float = 120) -> int:
    """Extract and index everything queued, as the worker would; retries failed rows at
    once instead of after their backoff. Returns how many row attempts failed."""
    failed = 0
    deadline = time.monotonic() + timeout
    settle_extraction_only()
    while PendingUpdate.objects.exists():
        assert time.monotonic() < deadline, list(PendingUpdate.objects.values("key", "last_error")[:5])
        outcome = queue.process()
        if outcome["failed"]:
            failed += outcome["failed"]
            time.sleep(0.5)
            queue.retry_now()
    return failed


def settle_extraction_only() -> None:
    """Extract pending text and queue the documents; leaves the queue itself to the caller."""
    for pending in ExtractedText.objects.filter(status=ExtractionStatus.PENDING).select_related(
        "version__document"
    ):
        extract_version(pending.version)
        queue.enqueue([f"document:{pending.version.document_id}"])


def database_entries() -> dict[str, set[str]]:
    """Every key the database yields for the index, by kind."""
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for keys in all_keys():
        for record in records_for(keys, with_children=True).records:
            found[record.kind].add(record.key)
    return found


def wait_until(condition, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s: {condition.__doc__ or condition}")


# --- the test ------------------------------------------------------------------------------


def test_killing_the_cluster_manager_fails_no_search_and_loses_no_entry(cluster, settings, capsys):
    manager = cluster.manager()
    # The manager's URL first: whichever node the client would try first is the one to die.
    urls = [cluster.urls[manager]] + [url for name, url in cluster.urls.items() if name != manager]
    settings.PORTAL_SEARCH_BACKEND = "opensearch"
    settings.PORTAL_SEARCH_URL = ",".join(urls)
    settings.PORTAL_SEARCH_INDEX = f"portal-cluster-{uuid.uuid4().hex[:8]}"
    settings.PORTAL_SEARCH_REPLICAS = 1
    backends._backend.cache_clear()
    backend = backends.get_backend()
    try:
        backend.ensure_index()
        [index] = backend._indices_behind_alias()
        tenants = build_portal()
        settle()  # extraction, then the queue, into the three-node index
        cluster.put_primary_on(index, manager)
        cluster.wait_green()
        assert cluster.manager() == manager

        cases = cases_for(tenants)
        for case in cases:
            case.expected = {hit.key for hit in backend.search(case.query).hits}
            # The query is the one the portal's search sends: the service finds the same.
            assert {h.key for h in search(case.user, case.text, per_page=100).results.hits} == case.expected
            assert bool(case.expected) is not case.foreign, case.text

        searcher = Searcher(backend, cases)
        marks = {"start": time.monotonic()}
        searcher.start()
        try:
            time.sleep(8)  # the figures before the kill

            killed = cluster.script("kill-node", manager.removeprefix("node-"))
            assert killed.returncode == 0, killed.stderr
            marks["kill"] = time.monotonic()
            cluster.down.add(manager)

            # New entries at once, while the survivors still elect a manager and promote the replica.
            written = {0: add_entries(tenants[0], 1)}
            queue_failures = drain_queue()
            marks["first_write"] = time.monotonic()

            def two_nodes_serve():
                """the two survivors have a manager and an active primary"""
                health = cluster.health()
                if health and health["number_of_nodes"] == NODES - 1 and health["status"] != "red":
                    return health
                return None

            after_kill = wait_until(two_nodes_serve, 60)
            marks["failover"] = time.monotonic()
            new_manager = cluster.manager()
            written[1] = add_entries(tenants[1], 2)
            queue_failures += drain_queue()
            # What was written during the outage is found now, by its organisation only.
            for n, tenant in enumerate(tenants):
                found = {h.key for h in search(tenant.worker, "Nachtragsprüfung OR Nachtrag").results.hits}
                assert found == written.get(n, set()), tenant.organisation
            time.sleep(SEARCH_AFTER_FAILOVER)
            before_restart = cluster.health()

            restarted = cluster.script("start-node", manager.removeprefix("node-"))
            assert restarted.returncode == 0, restarted.stderr
            marks["restart"] = time.monotonic()
            wait_until(lambda: (cluster.health() or {}).get("number_of_nodes") == NODES, 120, step=0.2)
            marks["rejoined"] = time.monotonic()
            cluster.down.discard(manager)
            cluster.wait_green()
            marks["green"] = time.monotonic()
            time.sleep(SEARCH_AFTER_REJOIN)
        finally:
            searcher.halt.set()
            searcher.join(60)
        marks["end"] = time.monotonic()

        samples = list(searcher.samples)
        outcomes = Counter(s.outcome for s in samples)
        failover = searcher.between(marks["kill"], marks["failover"])
        outage = searcher.between(marks["kill"], marks["rejoined"])
        with capsys.disabled():
            print(
                f"\n[cluster] killed {manager} (cluster manager, primary of the index, first URL of the client);"
                f" new manager {new_manager}; {after_kill['status']} with {after_kill['number_of_nodes']} nodes,"
                f" still {before_restart['status']} just before the restart"
                f"\n[cluster] searches: {len(samples)} in all, {outcomes['failed']} failed, {outcomes['wrong']} wrong"
                f"\n[cluster] before the kill: {latency(searcher.between(marks['start'], marks['kill']))}"
                f"\n[cluster] kill to two nodes serving ({marks['failover'] - marks['kill']:.1f} s): {latency(failover)}"
                f"\n[cluster] outage, kill to rejoin ({marks['rejoined'] - marks['kill']:.1f} s): {latency(outage)}"
                f"\n[cluster] after the rejoin: {latency(searcher.between(marks['rejoined'], marks['end']))}"
                f"\n[cluster] written during the outage: {sum(map(len, written.values()))} entries; the first"
                f" ones landed {marks['first_write'] - marks['kill']:.1f} s after the kill;"
                f" failed queue attempts: {queue_failures}"
                f"\n[cluster] start-node to 3 nodes: {marks['rejoined'] - marks['restart']:.1f} s,"
                f" to green: {marks['green'] - marks['restart']:.1f} s; copies now {cluster.copies(index)}"
            )

        problems = [s.detail for s in samples if s.outcome != "ok"]
        assert not problems, f"{len(problems)} searches failed or differed, first ones: {problems[:5]}"
        assert failover and outage

        # 0 lost, 0 extra: the index holds exactly what the database yields, in both copies
        # (the rejoined node's old copy went stale with the outage's writes, so OpenSearch
        # recovers the replica from the new primary, on whichever node it picks), and every
        # node, the rejoined one too, answers with all of it.
        assert not PendingUpdate.objects.exists()
        expected = database_entries()
        assert backend.counts_by_kind() == {kind: len(keys) for kind, keys in expected.items()}
        answer = backend.client.search(index=backend.alias, body={"size": 10000, "_source": False})
        assert {hit["_id"] for hit in answer["hits"]["hits"]} == set().union(*expected.values())
        total = sum(len(keys) for keys in expected.values())
        holders = cluster.copies(index)
        assert sorted(holders.values()) == ["p", "r"]
        assert {node: cluster.count_on(node, index, only=node) for node in holders} == dict.fromkeys(
            holders, total
        )
        assert {node: cluster.count_on(node, index) for node in cluster.urls} == dict.fromkeys(
            cluster.urls, total
        )
    finally:
        try:
            backend.drop()
        finally:
            backends._backend.cache_clear()
