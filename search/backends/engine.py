"""The search-engine backend: OpenSearch or Elasticsearch 8, written once with their DSL.

* Analyzers per language: German (folding with umlaut digraphs, decompounding of the
  domain's compounds, light stemming), French (elision, folding, light stemming) and
  Italian (elision, folding, light stemming); all of them widen the equivalent word forms
  of ``search.language``. A document's body goes into the field of its
  detected language; queries run against every language field, each with its analyzer.
* References and enterprise numbers are keywords, also indexed in every typing.
* Each entry carries its principals: ``owner_id`` and nested ``grants`` (role group
  ``g:<id>`` or membership ``m:<id>``, each with ``until``). Every query filters by the
  asker's organisations, groups and id, resolved from the database, and by the current
  time, so hits, totals and facets only ever count what the asker may see. Knowledge
  pages carry their tree ``path``; the query leaves out the paths outside the asker's
  audience, resolved from the database.
* The index is reached through an alias; a rebuild fills a new index with the bulk API
  and swaps the alias in one atomic step, so searches see the old index until then.
* The client knows every node of the cluster and retries a failed request on another.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime

from django.utils import timezone

from search.backends.base import (
    CAP,
    FACETS,
    HIT_FIELDS,
    BackendUnavailable,
    Hit,
    Query,
    Results,
    SearchBackend,
    mark,
)
from search.backends.engines import FLAVOURS, Flavour
from search.language import COMPOUND_PARTS, EQUIVALENTS
from search.records import KINDS, Record

LANGUAGES = ("de", "fr", "it")
_OR = re.compile(r"\s+OR\s+")
FRENCH_ARTICLES = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]
ITALIAN_ARTICLES = [
    *("c", "l", "all", "dall", "dell", "nell", "sull", "coll", "pell", "gl", "agl", "dagl", "degl"),
    *("negl", "sugl", "un", "m", "t", "s", "v", "d"),
]
# Match markers: private-use characters, because the highlighter trims control characters
# (up to U+0020) at a fragment's edges and a marker there would be lost.
MARK_START, MARK_STOP = "\ue000", "\ue001"
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


def analyzers(dsl) -> dict:
    """Every analyzer folds as PostgreSQL's ``portal_fold`` does (``german_normalization``
    turns ``ae``/``oe``/``ue`` into ``a``/``o``/``u`` as well as the umlauts) and widens the
    ``EQUIVALENTS`` of ``search.language``; German also splits the listed compound parts."""
    token_filter, analyzer = dsl.token_filter, dsl.analyzer
    fold = ["lowercase", "german_normalization", "asciifolding"]
    equivalents = token_filter("equivalents", "synonym", synonyms=[", ".join(group) for group in EQUIVALENTS])
    de_stem = token_filter("de_stem", "stemmer", language="light_german")
    return {
        "de": analyzer(
            "de",
            tokenizer="standard",
            filter=[
                *fold,
                token_filter(
                    "de_parts",
                    "dictionary_decompounder",
                    word_list=list(COMPOUND_PARTS),
                    only_longest_match=False,
                ),
                equivalents,
                de_stem,
            ],
        ),
        # Queries are not split: "Lohnkontrolle" must not find every text with "Lohn".
        "de_search": analyzer("de_search", tokenizer="standard", filter=[*fold, equivalents, de_stem]),
        "fr": analyzer(
            "fr",
            tokenizer="standard",
            filter=[
                token_filter("fr_elision", "elision", articles_case=True, articles=FRENCH_ARTICLES),
                *fold,
                equivalents,
                token_filter("fr_stem", "stemmer", language="light_french"),
            ],
        ),
        "it": analyzer(
            "it",
            tokenizer="standard",
            filter=[
                token_filter("it_elision", "elision", articles=ITALIAN_ARTICLES),
                *fold,
                equivalents,
                token_filter("it_stem", "stemmer", language="light_italian"),
            ],
        ),
        "folded": analyzer("folded", tokenizer="standard", filter=[*fold, equivalents]),
        "identifiers": analyzer("identifiers", tokenizer="whitespace", filter=["lowercase"]),
    }


def _language_text(dsl, a: dict, lang: str):
    if lang == "de":  # compounds are split when indexed, not when searched
        return dsl.Text(analyzer=a["de"], search_analyzer=a["de_search"])
    return dsl.Text(analyzer=a[lang])


def mapping(dsl):
    """The index's fields; strict, so a document with an unknown field is refused."""
    a = analyzers(dsl)
    m = dsl.Mapping()
    m.meta("dynamic", "strict")
    for name in ("key", "kind", "status", "canton", "sector", "doc_type", "language", "extraction"):
        m.field(name, dsl.Keyword())
    for name in ("object_id", "dossier_id", "owner_id"):
        m.field(name, dsl.Long())
    m.field("year", dsl.Integer())
    m.field("date", dsl.Date())
    m.field("reference", dsl.Keyword())
    m.field("path", dsl.Keyword())
    m.field("url", dsl.Keyword(index=False))
    m.field(
        "title",
        dsl.Text(analyzer=a["folded"], fields={lang: _language_text(dsl, a, lang) for lang in LANGUAGES}),
    )
    m.field("company", dsl.Text(analyzer=a["folded"], fields={"raw": dsl.Keyword()}))
    m.field("identifiers", dsl.Text(analyzer=a["identifiers"]))
    for lang in LANGUAGES:
        m.field(f"body_{lang}", _language_text(dsl, a, lang))
    m.field("body_xx", dsl.Text(analyzer=a["folded"]))
    m.field("grants", dsl.Nested(properties={"principal": dsl.Keyword(), "until": dsl.Date()}))
    return m


def index_definition(dsl, name: str, *, shards: int = 1, replicas: int = 0):
    index = dsl.Index(name)
    index.settings(number_of_shards=shards, number_of_replicas=replicas)
    index.mapping(mapping(dsl))
    return index


def permission_filter(dsl, query: Query):
    """Only what the asker may see: owned, granted (and not expired), or a page of their audience."""
    Q = dsl.Q
    principals = query.principals
    if not principals.organisation_ids:
        return Q("bool", must_not=[Q("match_all")])
    names = [f"g:{g}" for g in principals.group_ids] + [f"m:{m}" for m in principals.membership_ids]
    live = Q(
        "bool",
        should=[
            Q("bool", must_not=[Q("exists", field="grants.until")]),
            Q("range", **{"grants.until": {"gt": query.at.isoformat()}}),
        ],
        minimum_should_match=1,
    )
    allowed = [
        Q("terms", owner_id=principals.organisation_ids),
        Q("nested", path="grants", query=Q("bool", filter=[Q("terms", **{"grants.principal": names}), live])),
    ]
    if principals.hidden_pages is not None:
        # Knowledge pages: every member, except under a path outside their audience.
        allowed.append(
            Q(
                "bool",
                filter=[Q("term", kind="page")],
                must_not=[Q("prefix", path=path) for path in principals.hidden_pages],
            )
        )
    visible = Q("bool", should=allowed, minimum_should_match=1)
    if principals.excluded_dossiers:
        return Q("bool", filter=[visible], must_not=[Q("terms", dossier_id=principals.excluded_dossiers)])
    return visible


def build_search(dsl, query: Query, index: str):
    """The whole request for one page of results, with totals, facets and snippets."""
    Q = dsl.Q
    # The search box speaks web-search syntax (as PostgreSQL's websearch_to_tsquery):
    # words are AND-ed, "OR" between words is simple_query_string's "|".
    typed = _OR.sub(" | ", query.text)
    text = Q(
        "bool",
        should=[
            Q("simple_query_string", query=typed, fields=SEARCHED, default_operator="and"),
            Q(
                "bool",
                filter=[Q("term", kind="dossier")],
                must=[Q("match", company={"query": query.text, "fuzziness": "AUTO", "operator": "and"})],
            ),
        ],
        minimum_should_match=1,
    )
    filters = [permission_filter(dsl, query)]
    for name, values in query.filters.items():
        if values:
            filters.append(Q("terms", **{"dossier_id" if name == "dossier" else name: values}))
    search = dsl.Search(index=index).query(Q("bool", must=[text], filter=filters))
    order = [{"date": "desc"}, {"key": "asc"}]
    search = search.sort(*(["_score", *order] if query.sort == "relevance" else order))
    search = search.extra(from_=query.offset, size=query.limit, track_total_hits=CAP + 1)
    for name in FACETS:
        search.aggs.bucket(name, dsl.A("terms", field=name, size=100))
    search = search.highlight(*HIGHLIGHTED, number_of_fragments=2, fragment_size=160)
    search = search.highlight_options(pre_tags=[MARK_START], post_tags=[MARK_STOP], encoder="default")
    return search.source(list(HIT_FIELDS))


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


class EngineBackend(SearchBackend):
    """OpenSearch or Elasticsearch 8, told apart only by the ``Flavour`` it is given."""

    principals_in_index = True

    def __init__(self, flavour: Flavour | str, urls: str | list[str], alias: str, *, replicas: int = 0):
        self.flavour = FLAVOURS[flavour]() if isinstance(flavour, str) else flavour
        self.name = self.flavour.name
        self.dsl = self.flavour.dsl
        self.urls = [u.strip() for u in urls.split(",") if u.strip()] if isinstance(urls, str) else urls
        self.alias = alias
        self.replicas = replicas
        self.client = self.flavour.connect(self.urls)
        self._ready = False

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except self.flavour.errors as exc:
            if isinstance(exc, self.flavour.not_found):
                self._ready = False
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}"[:500]) from exc

    # --- index management --------------------------------------------------------------

    def _new_index(self) -> str:
        name = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        definition = index_definition(self.dsl, name, replicas=self.replicas)
        self._call(self.client.indices.create, index=name, body=definition.to_dict())
        return name

    def _indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except self.flavour.not_found:
            return []
        except self.flavour.errors as exc:
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}"[:500]) from exc

    def ensure_index(self) -> None:
        if self._ready:
            return
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            name = self._new_index()
            self._call(self.client.indices.put_alias, index=name, name=self.alias)
        self._ready = True

    def drop(self) -> None:
        """Remove the alias and every index of it, each by name (Elasticsearch 8 refuses
        wildcard deletes by default: ``action.destructive_requires_name``)."""
        names = set(self._indices_behind_alias())
        pattern = f"{self.alias}-*"
        names |= set(
            self._call(self.client.indices.get, index=pattern, ignore_unavailable=True, allow_no_indices=True)
        )
        for name in sorted(names):
            self._call(self.client.indices.delete, index=name, ignore_unavailable=True)
        self._ready = False

    # --- writing -----------------------------------------------------------------------

    def _bulk(self, actions, **kwargs):
        return self._call(self.flavour.bulk, self.client, actions, **kwargs)

    def index(self, records: list[Record]) -> None:
        if not records:
            return
        self.ensure_index()
        self._bulk(
            ({"_index": self.alias, "_id": r.key, "_source": _document(r)} for r in records),
            refresh="wait_for",
        )

    def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        self.ensure_index()
        self._bulk(
            ({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys),
            refresh="wait_for",
            raise_on_error=False,
        )

    def delete_dossier(self, dossier_id: int) -> None:
        self.ensure_index()
        body = self.dsl.Search().query("term", dossier_id=dossier_id).to_dict()
        self._call(
            self.client.delete_by_query, index=self.alias, body=body, refresh=True, conflicts="proceed"
        )

    def rebuild(self, batches: Iterable[list[Record]], progress: Callable[[int], None]) -> int:
        name = self._new_index()
        try:
            self._call(
                self.client.indices.put_settings, index=name, body={"index": {"refresh_interval": "-1"}}
            )
            done = 0
            for records in batches:
                # 429 (circuit breaker, full write queue) is back-pressure: wait and send again.
                self._bulk(
                    ({"_index": name, "_id": r.key, "_source": _document(r)} for r in records),
                    chunk_size=1000,
                    max_retries=5,
                    initial_backoff=2,
                )
                done += len(records)
                progress(done)
        except BaseException:
            # Searches still use the old index; leave no half-built one behind.
            with contextlib.suppress(*self.flavour.errors):
                self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        self._call(self.client.indices.put_settings, index=name, body={"index": {"refresh_interval": "1s"}})
        self._call(self.client.indices.refresh, index=name)
        old = self._indices_behind_alias()
        actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, body={"actions": actions})
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        self._ready = True
        return done

    # --- reading -----------------------------------------------------------------------

    def count(self) -> int:
        self.ensure_index()
        return self._call(self.client.count, index=self.alias)["count"]

    def counts_by_kind(self) -> dict[str, int]:
        self.ensure_index()
        search = self.dsl.Search().extra(size=0, track_total_hits=True)
        search.aggs.bucket("kind", self.dsl.A("terms", field="kind", size=len(KINDS)))
        answer = self._call(self.client.search, index=self.alias, body=search.to_dict())
        found = {b["key"]: b["doc_count"] for b in answer["aggregations"]["kind"]["buckets"]}
        return {kind: found.get(kind, 0) for kind in KINDS}

    def raw_search(self, query: Query) -> dict:
        self.ensure_index()
        body = build_search(self.dsl, query, self.alias).to_dict()
        return self._call(self.client.search, index=self.alias, body=body)

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
                    snippet=mark(" … ".join(fragments[:2]), MARK_START, MARK_STOP),
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
        total = answer["hits"]["total"]
        return Results(total["value"], hits, facets, capped=total["relation"] == "gte")

    def status(self) -> dict:
        """Engine, version, cluster health and the index's size, for ``search_status``."""
        info = self._call(self.client.info)
        health = self._call(self.client.cluster.health)
        indices = self._indices_behind_alias()
        stats = {}
        if indices:
            stats = self._call(self.client.indices.stats, index=self.alias, metric="store")["_all"]
        return {
            "engine": info["version"].get("distribution", "elasticsearch"),
            "version": info["version"]["number"],
            "cluster": health["cluster_name"],
            "health": health["status"],
            "nodes": health["number_of_nodes"],
            "indices": indices,
            "size_bytes": stats.get("total", {}).get("store", {}).get("size_in_bytes", 0),
        }

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False
