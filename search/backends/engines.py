"""What differs between OpenSearch and Elasticsearch 8: the client library and its DSL.

Everything else (index definition, queries, filters, aggregations, highlights, bulk
writes, alias swaps) is written once in ``engine.py`` against the names collected here.
``opensearch-py`` carries a port of ``elasticsearch-dsl``; both build the same request
bodies, which ``tests/search/test_engine_dsl.py`` checks for every query the conformance
suite sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any


@dataclass(frozen=True)
class Flavour:
    name: str
    dsl: SimpleNamespace  # Search, Q, A, Index, Mapping, analyzer, token_filter, field types
    connect: Any  # (urls) -> client
    bulk: Any  # helpers.bulk
    errors: tuple[type[BaseException], ...]  # anything that means "not now, retry later"
    not_found: type[BaseException]


def _dsl(module) -> SimpleNamespace:
    names = ("Search", "Q", "A", "Index", "Mapping", "analyzer", "token_filter")
    fields = ("Text", "Keyword", "Long", "Integer", "Date", "Nested")
    return SimpleNamespace(**{name: getattr(module, name) for name in names + fields})


def _client_options(urls: list[str]) -> dict:
    # Every node's address: a request that fails on one node (refused, reset, timed out)
    # is retried on the next, so losing a node costs no search.
    return {"max_retries": max(2, len(urls)), "retry_on_timeout": True, "retry_on_status": (502, 503, 504)}


def opensearch() -> Flavour:
    import opensearchpy
    from opensearchpy import helpers

    def connect(urls: list[str]):
        return opensearchpy.OpenSearch(urls, timeout=30, **_client_options(urls))

    return Flavour(
        name="opensearch",
        dsl=_dsl(opensearchpy),
        connect=connect,
        bulk=helpers.bulk,
        errors=(opensearchpy.OpenSearchException, helpers.BulkIndexError),
        not_found=opensearchpy.NotFoundError,
    )


def elasticsearch() -> Flavour:
    import elasticsearch as es
    import elasticsearch_dsl
    from elastic_transport import TransportError
    from elasticsearch import helpers

    def connect(urls: list[str]):
        return es.Elasticsearch(urls, request_timeout=30, **_client_options(urls))

    return Flavour(
        name="elasticsearch",
        dsl=_dsl(elasticsearch_dsl),
        connect=connect,
        bulk=helpers.bulk,
        errors=(es.ApiError, TransportError, helpers.BulkIndexError),
        not_found=es.NotFoundError,
    )


FLAVOURS = {"opensearch": opensearch, "elasticsearch": elasticsearch}
