"""Search fixtures: each backend as a parameter, real engines only.

The engine parameter runs against a real OpenSearch node: PORTAL_SEARCH_TEST_URL, or the
node ``scripts/opensearch.sh start`` left in var/opensearch/url (``make test`` starts
it; a test run without one starts it on first use). If no node can be had, the engine
tests FAIL. Only a person may switch them off, with PORTAL_SKIP_ENGINE_TESTS=1; they
are then skipped with that reason, and the summary says so.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from search import backends, queue
from search.backends.engine import EngineBackend, build_search
from search.backends.engines import FLAVOURS
from search.extract import extract_version
from search.models import ExtractedText, ExtractionStatus

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
OPT_OUT = "PORTAL_SKIP_ENGINE_TESTS"
URL_FILE = ROOT / "var" / "opensearch" / "url"
_started: list[str] = []


def engine_url() -> str:
    """The test node's URL(s); starts one with the project's script when none runs."""
    if os.environ.get(OPT_OUT, "").lower() in {"1", "true", "yes"}:
        pytest.skip(f"search-engine tests switched off by {OPT_OUT} (set by a person)")
    url = os.environ.get("PORTAL_SEARCH_TEST_URL")
    if not url and not URL_FILE.exists() and not _started:
        # The processes of a parallel run (pytest-xdist) start one node between them: the
        # first takes the lock and starts it, the others find its URL when they get the lock.
        # (The lock lives beside the node's folder: the script empties that folder on start.)
        URL_FILE.parent.parent.mkdir(parents=True, exist_ok=True)
        with open(URL_FILE.parent.parent / "opensearch-start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not URL_FILE.exists():
                done = subprocess.run(
                    [ROOT / "scripts" / "opensearch.sh", "start"], capture_output=True, text=True
                )
                _started.append(done.stderr)
                if done.returncode:
                    pytest.fail(f"No OpenSearch node could be started:\n{done.stderr[-3000:]}", pytrace=False)
    if not url and URL_FILE.exists():
        url = URL_FILE.read_text().strip()
    if not url:
        pytest.fail(f"No OpenSearch node for the engine tests: {''.join(_started)[-2000:]}", pytrace=False)
    return url


@pytest.fixture(params=["postgres", "opensearch"])
def search_backend(request, settings, monkeypatch):
    """The configured backend for one test: PostgreSQL, then a fresh index on the real node.

    On the engine, every query the test sends is also built with the Elasticsearch 8 DSL,
    and the two request bodies must be identical: one backend serves both engines."""
    backends._backend.cache_clear()
    if request.param == "postgres":
        settings.PORTAL_SEARCH_BACKEND = "postgres"
        yield backends.get_backend()
        backends._backend.cache_clear()
        return
    settings.PORTAL_SEARCH_BACKEND = "opensearch"
    settings.PORTAL_SEARCH_URL = engine_url()
    settings.PORTAL_SEARCH_INDEX = f"portal-test-{uuid.uuid4().hex[:8]}"
    backend = backends.get_backend()
    backend.ensure_index()
    sent = []
    raw_search = backend.raw_search
    monkeypatch.setattr(backend, "raw_search", lambda query: (sent.append(query), raw_search(query))[1])
    yield backend
    backend.drop()
    backends._backend.cache_clear()
    elastic = FLAVOURS["elasticsearch"]().dsl
    for query in sent:
        assert (
            build_search(backend.dsl, query, backend.alias).to_dict()
            == build_search(elastic, query, backend.alias).to_dict()
        )


@pytest.fixture
def engine(settings):
    """A backend on a fresh index of the real node, for engine-only tests."""
    backend = EngineBackend("opensearch", engine_url(), f"portal-test-{uuid.uuid4().hex[:8]}")
    yield backend
    backend.drop()


def settle(*, extract: bool = True) -> None:
    """What the worker does after a commit: extract pending text, then apply queued updates."""
    if extract:
        for pending in ExtractedText.objects.filter(status=ExtractionStatus.PENDING).select_related(
            "version__document"
        ):
            extract_version(pending.version)
            queue.enqueue([f"document:{pending.version.document_id}"])
    outcome = queue.process()
    assert outcome["failed"] == 0, outcome
