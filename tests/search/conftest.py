"""Search fixtures: each backend as a parameter, real engines only.

The Elasticsearch parameter needs a real Elasticsearch 8 node: ELASTICSEARCH_TEST_URL, or the
one ``scripts/elasticsearch.sh start`` left in var/elasticsearch/url. Without one, every
Elasticsearch test is skipped with the reason printed in the summary (``-ra``).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from search import backends, queue
from search.extract import extract_version
from search.models import ExtractedText, ExtractionStatus

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def elasticsearch_url() -> tuple[str | None, str]:
    url = os.environ.get("ELASTICSEARCH_TEST_URL")
    url_file = ROOT / "var" / "elasticsearch" / "url"
    if not url and url_file.exists():
        url = url_file.read_text().strip()
    if not url:
        return None, (
            "NO ELASTICSEARCH 8 NODE: scripts/elasticsearch.sh could not start one (see its output; "
            "Maven offers no 8.x elasticsearch-cluster-runner here) and ELASTICSEARCH_TEST_URL is unset"
        )
    from elasticsearch import Elasticsearch

    try:
        info = Elasticsearch(url, request_timeout=5).info()
    except Exception as exc:
        return None, f"NO ELASTICSEARCH 8 NODE at {url}: {exc}"
    if not str(info["version"]["number"]).startswith("8."):
        return None, f"the node at {url} runs Elasticsearch {info['version']['number']}, not 8"
    return url, ""


@pytest.fixture(params=["postgres", "elasticsearch"])
def search_backend(request, settings):
    """The configured backend for one test: PostgreSQL, then a fresh Elasticsearch index."""
    backends._backend.cache_clear()
    if request.param == "postgres":
        settings.PORTAL_SEARCH_BACKEND = "postgres"
        yield backends.get_backend()
        backends._backend.cache_clear()
        return
    url, reason = elasticsearch_url()
    if url is None:
        pytest.skip(reason)
    settings.PORTAL_SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = url
    settings.PORTAL_SEARCH_INDEX = f"portal-test-{uuid.uuid4().hex[:8]}"
    backend = backends.get_backend()
    backend.ensure_index()
    yield backend
    backend.drop()
    backends._backend.cache_clear()


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
