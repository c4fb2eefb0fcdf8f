"""Elasticsearch 8 backend, for installations beyond what PostgreSQL serves comfortably.

* Analyzers per language: German (decompounding of the domain's compounds, German
  normalisation, light stemming), French (elision, folding, light stemming) and Italian
  (elision, folding, light stemming). A document's body goes into the field of its
  detected language; queries run against every language field, each with its analyzer.
* References and enterprise numbers are keywords, also indexed in every typing.
* Each entry carries its principals: ``owner_id`` and nested ``grants`` (role group
  ``g:<id>`` or person ``u:<id>``, each with ``until``). Every query filters by the
  asker's organisations, groups and id, resolved from the database, and by the current
  time, so hits, totals and facets only ever count what the asker may see. Knowledge
  pages carry their tree ``path``; the query leaves out the paths outside the asker's
  audience, resolved from the database.
* The index is reached through an alias; a rebuild fills a new index with the bulk API
  and swaps the alias in one atomic step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import timezone
from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from search.backends.base import (
    FACETS,
    HIT_FIELDS,
    BackendUnavailable,
    Hit,
    Query,
    Results,
    SearchBackend,
    mark,
)
from search.records import Record

LANGUAGES = ("de", "fr", "it")
# Parts of the domain's compounds, so "Kontrolle" also finds "Lohnkontrolle".
GERMAN_PARTS = [
    "lohn",
    "löhne",
    "kontrolle",
    "kontrollen",
    "arbeit",
    "arbeits",
    "zeit",
    "vertrag",
    "gesamt",
    "entsendung",
    "entsende",
    "betrieb",
    "firma",
    "bericht",
    "buch",
    "liste",
    "lohnbuch",
    "verfügung",
    "busse",
    "sanktion",
    "sperre",
    "spesen",
    "ferien",
    "zuschlag",
    "mindest",
    "bau",
    "gewerbe",
    "reinigung",
    "gastro",
    "kommission",
    "stunden",
]

ANALYSIS = {
    "filter": {
        "de_parts": {
            "type": "dictionary_decompounder",
            "word_list": GERMAN_PARTS,
            "only_longest_match": False,
        },
        "de_stem": {"type": "stemmer", "language": "light_german"},
        "fr_elision": {
            "type": "elision",
            "articles_case": True,
            "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"],
        },
        "fr_stem": {"type": "stemmer", "language": "light_french"},
        "it_elision": {
            "type": "elision",
            "articles": [
                "c",
                "l",
                "all",
                "dall",
                "dell",
                "nell",
                "sull",
                "coll",
                "pell",
                "gl",
                "agl",
                "dagl",
                "degl",
                "negl",
                "sugl",
                "un",
                "m",
                "t",
                "s",
                "v",
                "d",
            ],
        },
        "it_stem": {"type": "stemmer", "language": "light_italian"},
    },
    "analyzer": {
        "de": {
            "tokenizer": "standard",
            "filter": ["lowercase", "de_parts", "german_normalization", "de_stem"],
        },
        "fr": {"tokenizer": "standard", "filter": ["fr_elision", "lowercase", "asciifolding", "fr_stem"]},
        "it": {"tokenizer": "standard", "filter": ["it_elision", "lowercase", "asciifolding", "it_stem"]},
        "folded": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
        "identifiers": {"tokenizer": "whitespace", "filter": ["lowercase"]},
    },
}

_TEXT = {
    "type": "text",
    "analyzer": "folded",
    "fields": {lang: {"type": "text", "analyzer": lang} for lang in LANGUAGES},
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "key": {"type": "keyword"},
        "kind": {"type": "keyword"},
        "object_id": {"type": "long"},
        "dossier_id": {"type": "long"},
        "owner_id": {"type": "long"},
        "status": {"type": "keyword"},
        "canton": {"type": "keyword"},
        "sector": {"type": "keyword"},
        "year": {"type": "integer"},
        "doc_type": {"type": "keyword"},
        "language": {"type": "keyword"},
        "extraction": {"type": "keyword"},
        "date": {"type": "date"},
        "reference": {"type": "keyword"},
        "path": {"type": "keyword"},
        "url": {"type": "keyword", "index": False},
        "title": _TEXT,
        "company": {"type": "text", "analyzer": "folded", "fields": {"raw": {"type": "keyword"}}},
        "identifiers": {"type": "text", "analyzer": "identifiers"},
        **{f"body_{lang}": {"type": "text", "analyzer": lang} for lang in LANGUAGES},
        "body_xx": {"type": "text", "analyzer": "folded"},
        "grants": {
            "type": "nested",
            "properties": {"principal": {"type": "keyword"}, "until": {"type": "date"}},
        },
    },
}
SEARCHED = [
    "title^3",
    "title.de^3",
    "title.fr^3",
    "title.it^3",
    "identifiers^4",
    "company^2",
    "body_de",
    "body_fr",
    "body_it",
    "body_xx",
]
HIGHLIGHTED = ["body_de", "body_fr", "body_it", "body_xx"]


def _document(record: Record) -> dict:
    body_field = f"body_{record.language}" if record.language in LANGUAGES else "body_xx"
    return {
        "key": record.key,
        "kind": record.kind,
        "object_id": record.object_id,
        "dossier_id": record.dossier_id,
        "owner_id": record.owner_id,
        "status": record.status,
        "canton": record.canton,
        "sector": record.sector,
        "year": record.year,
        "doc_type": record.doc_type,
        "language": record.language,
        "extraction": record.extraction,
        "date": record.date.isoformat(),
        "reference": record.reference,
        "title": record.title,
        "company": record.company,
        "identifiers": record.identifiers,
        "path": record.path,
        "url": record.url,
        body_field: record.body,
        "grants": [
            {"principal": g.principal, "until": g.until.isoformat() if g.until else None}
            for g in record.grants
        ],
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, alias: str):
        self.alias = alias
        self.client = Elasticsearch(url, request_timeout=30, retry_on_timeout=False, max_retries=0)

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (ApiError, TransportError, helpers.BulkIndexError) as exc:
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}"[:500]) from exc

    # --- index management --------------------------------------------------------------

    def _new_index(self) -> str:
        name = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        self._call(
            self.client.indices.create,
            index=name,
            settings={"number_of_shards": 1, "number_of_replicas": 0, "analysis": ANALYSIS},
            mappings=MAPPINGS,
        )
        return name

    def ensure_index(self) -> None:
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            name = self._new_index()
            self._call(self.client.indices.put_alias, index=name, name=self.alias)

    def drop(self) -> None:
        """Remove the alias and every index behind it (tests and a full reset)."""
        self._call(self.client.indices.delete, index=f"{self.alias}-*", ignore_unavailable=True)

    # --- writing -----------------------------------------------------------------------

    def index(self, records: list[Record]) -> None:
        if not records:
            return
        self.ensure_index()
        actions = ({"_index": self.alias, "_id": r.key, "_source": _document(r)} for r in records)
        self._call(helpers.bulk, self.client, actions, refresh="wait_for")

    def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys)
        self._call(helpers.bulk, self.client, actions, refresh="wait_for", raise_on_error=False)

    def delete_dossier(self, dossier_id: int) -> None:
        self.ensure_index()
        self._call(
            self.client.delete_by_query,
            index=self.alias,
            query={"term": {"dossier_id": dossier_id}},
            refresh=True,
            conflicts="proceed",
        )

    def rebuild(self, batches: Iterable[list[Record]], progress: Callable[[int], None]) -> int:
        name = self._new_index()
        self._call(self.client.indices.put_settings, index=name, settings={"refresh_interval": "-1"})
        done = 0
        for records in batches:
            actions = ({"_index": name, "_id": r.key, "_source": _document(r)} for r in records)
            self._call(helpers.bulk, self.client, actions, chunk_size=1000)
            done += len(records)
            progress(done)
        self._call(self.client.indices.put_settings, index=name, settings={"refresh_interval": "1s"})
        self._call(self.client.indices.refresh, index=name)
        old = list(self._call(self.client.indices.get_alias, name=self.alias, ignore_unavailable=True) or {})
        actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        return done

    def count(self) -> int:
        self.ensure_index()
        return self._call(self.client.count, index=self.alias)["count"]

    # --- reading -----------------------------------------------------------------------

    @staticmethod
    def permission_filter(query: Query) -> dict:
        principals = query.principals
        if not principals.organisation_ids:
            return {"bool": {"must_not": {"match_all": {}}}}
        names = [f"g:{g}" for g in principals.group_ids] + [f"u:{principals.user_id}"]
        now = query.at.isoformat()
        live = {
            "bool": {
                "should": [
                    {"bool": {"must_not": {"exists": {"field": "grants.until"}}}},
                    {"range": {"grants.until": {"gt": now}}},
                ],
                "minimum_should_match": 1,
            }
        }
        allowed = {
            "bool": {
                "should": [
                    {"terms": {"owner_id": principals.organisation_ids}},
                    {
                        "nested": {
                            "path": "grants",
                            "query": {"bool": {"filter": [{"terms": {"grants.principal": names}}, live]}},
                        }
                    },
                ],
                "minimum_should_match": 1,
            }
        }
        if principals.hidden_pages is not None:
            # Knowledge pages: every member, except under a path outside their audience.
            allowed["bool"]["should"].append(
                {
                    "bool": {
                        "filter": [{"term": {"kind": "page"}}],
                        "must_not": [{"prefix": {"path": path}} for path in principals.hidden_pages],
                    }
                }
            )
        if principals.excluded_dossiers:
            return {
                "bool": {
                    "filter": [allowed],
                    "must_not": [{"terms": {"dossier_id": principals.excluded_dossiers}}],
                }
            }
        return allowed

    def _body(self, query: Query) -> dict:
        text = {
            "bool": {
                "should": [
                    {
                        "simple_query_string": {
                            "query": query.text,
                            "fields": SEARCHED,
                            "default_operator": "and",
                        }
                    },
                    {
                        "bool": {
                            "filter": [{"term": {"kind": "dossier"}}],
                            "must": [
                                {
                                    "match": {
                                        "company": {
                                            "query": query.text,
                                            "fuzziness": "AUTO",
                                            "operator": "and",
                                        }
                                    }
                                }
                            ],
                        }
                    },
                ],
                "minimum_should_match": 1,
            }
        }
        filters = [self.permission_filter(query)]
        for name, values in query.filters.items():
            if values:
                field = "dossier_id" if name == "dossier" else name
                filters.append({"terms": {field: values}})
        sort = (
            ["_score", {"date": "desc"}, {"key": "asc"}]
            if query.sort == "relevance"
            else [{"date": "desc"}, {"key": "asc"}]
        )
        return {
            "query": {"bool": {"must": [text], "filter": filters}},
            "sort": sort,
            "from": query.offset,
            "size": query.limit,
            "track_total_hits": True,
            "aggs": {name: {"terms": {"field": name, "size": 100}} for name in FACETS},
            "highlight": {
                "fields": {f: {"number_of_fragments": 2, "fragment_size": 160} for f in HIGHLIGHTED},
                "pre_tags": ["\x02"],
                "post_tags": ["\x03"],
                "encoder": "default",
            },
            "_source": list(HIT_FIELDS),
        }

    def raw_search(self, query: Query) -> dict:
        self.ensure_index()
        return self._call(self.client.search, index=self.alias, **self._body(query))

    def search(self, query: Query) -> Results:
        answer = self.raw_search(query)
        hits = []
        for hit in answer["hits"]["hits"]:
            source = hit["_source"]
            fragments = [f for values in hit.get("highlight", {}).values() for f in values]
            hits.append(
                Hit(
                    key=source["key"],
                    kind=source["kind"],
                    object_id=source["object_id"],
                    dossier_id=source.get("dossier_id"),
                    title=source["title"],
                    reference=source["reference"],
                    date=datetime.fromisoformat(source["date"]),
                    language=source["language"],
                    doc_type=source["doc_type"],
                    extraction=source["extraction"],
                    url=source.get("url", ""),
                    snippet=mark(" … ".join(fragments[:2])),
                )
            )
        facets = {
            name: sorted(
                (
                    (str(b["key"]), b["doc_count"])
                    for b in answer["aggregations"][name]["buckets"]
                    if b["key"] != ""
                ),
                key=lambda item: (-item[1], item[0]),
            )
            for name in FACETS
        }
        return Results(answer["hits"]["total"]["value"], hits, facets)

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False
