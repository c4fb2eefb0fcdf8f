"""The search node goes down in the middle of the day's work and comes back: nothing is lost.

A node of its own (so the other engine tests keep theirs), a real task worker
(``manage.py db_worker``, another process, on the test database), and changes made through
the portal's actions while the node is down. Nobody touches the queue by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from portal.documents.actions import add_documents
from portal.dossiers.retention import destroy
from portal.dossiers.sharing import revoke_share, share_dossier
from portal.threads.actions import post_message
from search import backends
from search.models import PendingUpdate
from search.records import all_keys, records_for
from tests.dossiers.factories import DossierFactory, upload
from tests.search.conftest import OPT_OUT, ROOT

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT = str(ROOT / "scripts" / "opensearch.sh")


def wait_until(condition, timeout: float, what: str, explain=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.3)
    pytest.fail(f"Not within {timeout} s: {what}. {explain()}", pytrace=False)


def health(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=2) as answer:  # noqa: S310 (loopback)
            return json.load(answer)
    except OSError:
        return None


@pytest.fixture
def own_node():
    if os.environ.get(OPT_OUT, "").lower() in {"1", "true", "yes"}:
        pytest.skip(f"search-engine tests switched off by {OPT_OUT} (set by a person)")
    env = {
        **os.environ,
        "OPENSEARCH_HOME": str(ROOT / "var" / "opensearch-faults"),
        "OPENSEARCH_BASE_PORT": "9280",
    }
    started = subprocess.run([SCRIPT, "start"], env=env, capture_output=True, text=True)
    if started.returncode:
        pytest.fail(f"No OpenSearch node for the fault test:\n{started.stderr[-3000:]}", pytrace=False)
    url = (ROOT / "var" / "opensearch-faults" / "url").read_text().strip()
    yield url, env
    subprocess.run([SCRIPT, "stop"], env=env, capture_output=True)


@pytest.fixture
def worker(own_node, settings, document_storage):
    """``db_worker`` in its own process, on this test's database and engine index."""
    url, _ = own_node
    db = connection.settings_dict
    settings.PORTAL_SEARCH_BACKEND = "opensearch"
    settings.PORTAL_SEARCH_URL = url
    settings.PORTAL_SEARCH_INDEX = f"portal-faults-{uuid.uuid4().hex[:8]}"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "search"]}
    }
    backends._backend.cache_clear()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{quote(db['HOST'], safe='')}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "portal.settings.development",
        "PORTAL_TASKS": "database",
        "PORTAL_SEARCH_BACKEND": "opensearch",
        "PORTAL_SEARCH_URL": url,
        "PORTAL_SEARCH_INDEX": settings.PORTAL_SEARCH_INDEX,
        "PORTAL_SEARCH_RETRY_MAX_SECONDS": "2",
        "PORTAL_DOCUMENT_ROOT": str(document_storage),
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "opensearch-faults" / "worker.log", "w"),  # noqa: SIM115
        text=True,
    )
    worker.process = process
    yield backends.get_backend()
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    backends._backend.cache_clear()


def expected() -> tuple[set[str], dict[str, int]]:
    """What the database says the index must hold."""
    records = [r for keys in all_keys() for r in records_for(keys, with_children=True).records]
    counts: dict[str, int] = {}
    for r in records:
        counts[r.kind] = counts.get(r.kind, 0) + 1
    return {r.key for r in records}, counts


def in_engine(backend) -> tuple[set[str], dict[str, int]]:
    answer = backend.client.search(index=backend.alias, body={"size": 1000, "_source": ["key"]})
    keys = {hit["_source"]["key"] for hit in answer["hits"]["hits"]}
    return keys, {kind: n for kind, n in backend.counts_by_kind().items() if n}


def state(backend) -> str:
    pending = list(PendingUpdate.objects.values_list("key", "attempts", "last_error"))
    try:
        engine = in_engine(backend)
    except Exception as exc:
        engine = exc
    from django_tasks_db.models import DBTaskResult

    tasks = list(DBTaskResult.objects.values_list("task_path", "status"))
    return f"Pending: {pending}; tasks: {tasks}; engine: {engine}; database: {expected()}"


def settled(backend) -> bool:
    if PendingUpdate.objects.exists():
        return False
    try:
        return in_engine(backend) == expected()
    except Exception:
        return False


def test_updates_made_while_the_node_is_down_land_when_it_is_back(
    own_node, worker, organisation_a, organisation_b, admin_a, admin_b, worker_b, capsys
):
    url, env = own_node
    backend = worker
    kept = DossierFactory(owner=organisation_a, company_name="Bleibt AG")
    doomed = DossierFactory(owner=organisation_a, company_name="Vergeht GmbH")
    add_documents(dossier=kept, uploads=[upload("a.txt", b"Lohnkontrolle Baustelle")], acting_user=admin_a)
    add_documents(dossier=doomed, uploads=[upload("b.txt", b"Arbeitszeit Rapport")], acting_user=admin_a)
    share = share_dossier(dossier=kept, acting_user=admin_a, organisation=organisation_b, level=1)
    wait_until(lambda: settled(backend), 60, "the first changes in the engine", lambda: state(backend))

    subprocess.run([SCRIPT, "stop"], env=env, check=True, capture_output=True)
    assert health(url) is None

    # A day's work while the node is down: each change commits; its index update waits.
    other = DossierFactory(owner=organisation_b, company_name="Neu Gerüstbau AG")
    add_documents(dossier=other, uploads=[upload("c.txt", b"Lohnbuch Spesen")], acting_user=admin_b)
    add_documents(dossier=kept, uploads=[upload("d.txt", b"Verfuegung Busse")], acting_user=admin_a)
    post_message(
        dossier=kept, acting_user=admin_a, acting_for=organisation_a, body="Bitte Lohnbuch nachreichen"
    )
    revoke_share(share=share, acting_user=admin_a)
    destroy(doomed)
    failing = wait_until(
        lambda: list(PendingUpdate.objects.filter(attempts__gt=0)), 30, "the worker trying and failing"
    )
    assert all("Connection" in row.last_error for row in failing)
    call_command("search_status")
    assert "unreachable" in capsys.readouterr().out

    subprocess.run([SCRIPT, "start-node", "1"], env=env, check=True, capture_output=True)
    wait_until(lambda: (health(url) or {}).get("status") == "green", 90, "the node green again")
    wait_until(lambda: settled(backend), 60, "every queued update in the engine", lambda: state(backend))

    keys, counts = in_engine(backend)
    assert (keys, counts) == expected()  # 0 lost, 0 extra
    assert f"dossier:{doomed.pk}" not in keys and f"dossier:{other.pk}" in keys
    assert counts == {"dossier": 2, "document": 3, "message": 1}
