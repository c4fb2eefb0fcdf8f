"""PostgreSQL full-text search: the default backend.

Entries live in ``search_searchentry``; a trigger computes each entry's vector with the
text-search configuration of its language (German, French, Italian or simple, all folding
accents). A query is parsed with every configuration and the results OR-ed, so a word
matches whatever the language its document was indexed in. Company names also match by
trigram similarity, which forgives typos.

Permissions are inside the query: entries join the dossier grant tables through
``visible_dossiers`` (owner organisation and roles, role groups and persons, each grant
with its expiry, the user's memberships resolved at query time); knowledge pages are
checked against the asker's hidden tree paths, computed from the audience rows. Counts, facets and the
page come from that one filtered set, so they can never disagree, and a revocation is in
effect the moment its transaction commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Count

from search.backends.base import CAP, FACETS, HIT_FIELDS, Hit, Query, Results, SearchBackend, mark
from search.language import equivalents_of, fold
from search.models import SearchEntry
from search.records import KINDS, Record

CONFIGS = ("portal_german", "portal_french", "portal_italian", "portal_simple")
ENTRY_CONFIG = (
    "(CASE e.language WHEN 'de' THEN 'portal_german' WHEN 'fr' THEN 'portal_french' "
    "WHEN 'it' THEN 'portal_italian' ELSE 'portal_simple' END)::regconfig"
)
HEADLINE_OPTIONS = (
    'StartSel=\x02, StopSel=\x03, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'
)
FIELDS = [f.attname for f in SearchEntry._meta.concrete_fields if f.attname not in ("vector", "head")]
# The best matches by their head rank (title, references, names) and date that are ranked
# again by their whole vector; the rest follow in head-rank order. Ten pages of twenty.
RANKED = 200
# A hyphen between letters ("sous-traitant") would make a phrase query, which PostgreSQL can
# only check by reading every candidate's vector: the parts are AND-ed instead.
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")  # between letters: not in "GE-2026-00001"
# Up to this many visible dossiers are passed to the queries as an array of ids (one look-up
# of the policy per search); beyond, the policy's subquery goes into each query.
VISIBLE_IDS = 50_000
# Up to this many company names within typing distance (of all organisations) are taken from
# the trigram index; beyond, the closer names (``CLOSE_NAMES``), and beyond those too, the
# asker's own dossiers' names are compared instead.
NAMES = 200
# The company names within typing distance, of every organisation, as the trigram index
# offers them: a few keys, or NAMES + 1 when the names are alike (and then it stops).
NAMES_SQL = (
    "SELECT n.key FROM search_searchentry n "
    f"WHERE portal_fold(n.company) %%> portal_fold(%(q)s) LIMIT {NAMES + 1}"
)
# When names are alike ("Firma 4242 AG" among thousands of "Firma N AG"), the asker's visible
# names at this word similarity or closer (the database's threshold is 0.5, migration 0003):
# at 1.1 M entries the trigram index gives them in about 4 ms, where comparing the asker's
# 21,750 dossiers' names takes about 150 ms. That comparison is still made when no visible
# name is that close (a typo such as "Fima 4242 AG"), so a misspelt name is found as before.
# Set for the one statement, then back to the default.
CLOSE_NAMES = 0.8
CLOSE_NAMES_SQL = (
    f"SET LOCAL pg_trgm.word_similarity_threshold = {CLOSE_NAMES}; "
    "SELECT n.key FROM search_searchentry n WHERE portal_fold(n.company) %%> portal_fold(%(q)s) "
    f"AND {{visible}} LIMIT {NAMES + 1}; "
    "SET LOCAL pg_trgm.word_similarity_threshold TO DEFAULT"
)
_WORD = re.compile(r"\w+")
# For the search statement alone (``SET LOCAL``: a message of several statements is one
# transaction, with Django's client-side parameter binding). No parallel workers: the
# candidates must be the same 10,001 rows on every request, or pages above the cap would
# repeat or skip entries, and workers do not pay on two cores. No JIT: compiling takes
# longer than the statement (servers built with LLVM; the embedded one has none). Enough
# memory for the matches' bitmap to stay exact: a lossy bitmap re-checks each row of its
# pages against its whole vector.
SETTINGS = "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off; SET LOCAL work_mem = '32MB';"


def tsquery(text: str) -> tuple[str, dict]:
    """The query in every configuration, OR-ed, folded like the entries (``portal_fold``),
    each word of an ``EQUIVALENTS`` group widened to its group (``ts_rewrite``)."""
    params: dict = {}
    rewrites = []
    text = _INNER_HYPHEN.sub(" ", text)
    for word in dict.fromkeys(_WORD.findall(fold(text))):
        others = equivalents_of(word)
        if others:
            n = len(rewrites)
            params[f"eq{n}"] = word
            params[f"eq{n}_all"] = " | ".join((word, *others))
            rewrites.append(n)
    parts = []
    for config in CONFIGS:
        sql = f"websearch_to_tsquery('{config}', portal_fold(%(q)s))"
        for n in rewrites:
            sql = (
                f"ts_rewrite({sql}, to_tsquery('{config}', %(eq{n})s), to_tsquery('{config}', %(eq{n}_all)s))"
            )
        parts.append(sql)
    return "(" + " || ".join(parts) + ")", params


class PostgresBackend(SearchBackend):
    name = "postgres"

    # --- writing ---------------------------------------------------------------------

    def _entries(self, records: list[Record]) -> list[SearchEntry]:
        return [
            SearchEntry(
                key=r.key,
                kind=r.kind,
                object_id=r.object_id,
                dossier_id=r.dossier_id,
                owner_id=r.owner_id,
                status=r.status,
                canton=r.canton,
                sector=r.sector,
                year=r.year,
                doc_type=r.doc_type,
                language=r.language,
                date=r.date,
                title=r.title[:300],
                reference=r.reference,
                company=r.company,
                identifiers=r.identifiers,
                body=r.body,
                extraction=r.extraction,
                path=r.path,
                url=r.url,
            )
            for r in records
        ]

    def index(self, records: list[Record]) -> None:
        if not records:
            return
        updated = [f for f in FIELDS if f != "key"]
        SearchEntry.objects.bulk_create(
            self._entries(records), update_conflicts=True, unique_fields=["key"], update_fields=updated
        )

    def delete(self, keys: list[str]) -> None:
        SearchEntry.objects.filter(key__in=keys).delete()

    def delete_dossier(self, dossier_id: int) -> None:
        SearchEntry.objects.filter(dossier_id=dossier_id).delete()

    def rebuild(self, batches: Iterable[list[Record]], progress: Callable[[int], None]) -> int:
        # One transaction: searchers keep the old entries (MVCC) until the new ones commit.
        done = 0
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            for records in batches:
                SearchEntry.objects.bulk_create(self._entries(records), batch_size=1000)
                done += len(records)
                progress(done)
        return done

    def count(self) -> int:
        return SearchEntry.objects.count()

    def counts_by_kind(self) -> dict[str, int]:
        found = dict(SearchEntry.objects.values_list("kind").annotate(n=Count("pk")))
        return {kind: found.get(kind, 0) for kind in KINDS}

    # --- reading ---------------------------------------------------------------------

    def _where(self, query: Query) -> tuple[str, dict, str]:
        """``FROM … e WHERE …``: the matches the asker may see, with the query's filters; and
        those conditions alone (on an entry ``e``), for a scan of other candidates.

        The matches are scans glued together: the full-text ones (exact from the GIN index,
        so no match's vector is read again), then the company names within typing distance
        that are not among them: the few the trigram index offers (``_names``: those within
        the database's distance, or when names are alike the closer ones), or, when even
        those are more than ``NAMES``, the asker's own dossiers' names."""
        matches, words = tsquery(query.text)
        params: dict = {"q": _INNER_HYPHEN.sub(" ", query.text), **words}
        visible = query.principals.visible_dossiers.order_by().values_list("pk", flat=True)
        ids = list(visible[: VISIBLE_IDS + 1])
        names = self._names(params["q"], ids if len(ids) <= VISIBLE_IDS else None)
        # CASE: only a name within distance has its vector read, to leave out the entries
        # the words found already.
        distinct = f"CASE WHEN portal_fold(%(q)s) <%% portal_fold(company) THEN NOT (vector @@ {matches}) ELSE false END"
        if names is not None:
            # Few names alike: those entries, by key.
            params["names"] = names
            near = f"SELECT * FROM search_searchentry WHERE key = ANY(%(names)s) AND {distinct}"
        else:
            # Names alike and none of the asker's close (a typo), or too many visible dossiers
            # to pass: the names of the asker's visible dossiers, each compared once (through the trigram index each would be compared three
            # times, and re-checked against the visible ids one by one).
            near = f"SELECT * FROM search_searchentry WHERE kind = 'dossier' AND {distinct}"
        source = f"(SELECT * FROM search_searchentry WHERE vector @@ {matches} UNION ALL {near}) e"
        if len(ids) <= VISIBLE_IDS:
            # Few enough: one look-up of the policy per search, then a hashed array.
            params["visible"] = ids
            visibility = "e.dossier_id = ANY(%(visible)s)"
        else:
            visible_sql, visible_params = visible.query.sql_with_params()
            # Django renders the subquery with %s placeholders; turn them into named ones.
            for index, value in enumerate(visible_params):
                params[f"v{index}"] = value
            visible_sql = (
                visible_sql.replace("{", "{{")
                .replace("}", "}}")
                .replace("%s", "{}")
                .format(*(f"%(v{i})s" for i in range(len(visible_params))))
            )
            visibility = f"e.dossier_id IN ({visible_sql})"
        hidden = query.principals.hidden_pages
        clauses = []
        if hidden is not None:
            # Knowledge pages (the entries of no dossier): readable by every member, except
            # under a path outside the asker's audience (resolved from the audience rows at
            # query time). The first clause is all the dossier index needs to answer exactly
            # (an OR it can only half answer makes every match re-check the whole array).
            visibility = f"({visibility} OR e.dossier_id IS NULL)"
            pages = "e.dossier_id IS NOT NULL OR (e.kind = 'page'"
            if hidden:
                params["hidden"] = [f"{path}%" for path in hidden]
                pages += " AND NOT (e.path LIKE ANY(%(hidden)s))"
            clauses.append(f"({pages}))")
        clauses.insert(0, visibility)
        if query.principals.excluded_dossiers:
            clauses.append("(e.dossier_id IS NULL OR NOT (e.dossier_id = ANY(%(excluded)s)))")
            params["excluded"] = list(query.principals.excluded_dossiers)
        for name, values in query.filters.items():
            if not values:
                continue
            column = "dossier_id" if name == "dossier" else name
            if column not in (*FACETS, "dossier_id"):
                continue
            params[f"f_{column}"] = (
                [int(v) for v in values] if column in ("owner_id", "year", "dossier_id") else values
            )
            clauses.append(f"e.{column} = ANY(%(f_{column})s)")
        conditions = " AND ".join(clauses)
        return f"FROM {source} WHERE {conditions}", params, conditions

    @staticmethod
    def _names(text: str, visible: list[int] | None) -> list[str] | None:
        """The keys of the entries whose company name is within typing distance of ``text``:
        of every organisation at the database's threshold (visibility is applied with the
        matches); when more than ``NAMES`` are that close (names alike), the asker's visible
        ones at ``CLOSE_NAMES``. ``None`` when there is no close visible name either, or too
        many, or the visible dossiers were too many to pass (``visible`` is ``None``): the
        asker's own dossiers' names are compared then."""
        with connection.cursor() as cursor:
            cursor.execute(NAMES_SQL, {"q": text})
            keys = [key for (key,) in cursor.fetchall()]
            if len(keys) <= NAMES:
                return keys
            if visible is None:
                return None
            cursor.execute(
                CLOSE_NAMES_SQL.replace("{visible}", "n.dossier_id = ANY(%(visible)s)"),
                {"q": text, "visible": visible},
            )
            while cursor.description is None and cursor.nextset():
                pass  # past the setting's result, to the names
            keys = [key for (key,) in cursor.fetchall()]
            while cursor.nextset():
                pass  # the default threshold back
        return keys if 0 < len(keys) <= NAMES else None

    def _search_sql(self, query: Query, where: str, params: dict, conditions: str) -> tuple[str, dict]:
        """Total, facets and one page in one statement, its work bounded by the cap.

        ``m``: the first ``CAP + 1`` visible matches in the order the indexes give them (a
        bitmap scan stops there), with their facet columns and their pre-order (does the small
        ``head`` vector match, the name's similarity). The total and the facets are counted
        over ``m``: exact when it holds ``CAP`` or fewer, that is every visible match.

        By relevance the page is ranked from ``m``, pre-ordered by head match, name
        similarity and date, the first ``RANKED`` ranked again by ``ts_rank_cd`` over their
        whole vector. Up to the cap ``m`` is every visible match, so this is the full
        ranking. Above it (the page says "more than 10,000"; narrowing brings the rest back)
        the candidates are ``m`` and the visible entries whose ``head`` (title, references,
        company) matches (up to ``CAP + 1``), found through the head's own index wherever they
        lie: the strongest matches are not left out by the cap. By date: the newest visible
        matches of all, straight from the matches (an index scan by date when the words are
        common, the few matches sorted when they are rare).

        Rows come back tagged: ``0`` a facet row (grouping mask, the facet columns, the
        count), ``1`` a page row (its position, key)."""
        matches, _words = tsquery(query.text)
        similarity = (
            "CASE WHEN e.kind = 'dossier' THEN word_similarity(portal_fold(%(q)s), portal_fold(e.company)) "
            "ELSE 0 END"
        )
        params = {**params, "limit": query.limit, "offset": query.offset, "ranked": RANKED}
        picked = ", ".join(f"e.{c}" for c in FACETS)
        columns = ", ".join(FACETS)
        sets = ", ".join(["()"] + [f"({c})" for c in FACETS])
        texts = ", ".join(f"{c}::text" for c in FACETS)
        nulls = ", ".join("NULL" for _ in FACETS)
        if query.sort == "relevance":
            candidates = (
                # The visible entries whose head matches, through the head's own index (no
                # head vector is read: it lies in the TOAST table with the body).
                "h AS MATERIALIZED (SELECT e.key, e.date, "
                f"{similarity} AS similarity FROM search_searchentry e "
                f"WHERE e.head @@ {matches} AND e.vector @@ {matches} AND {conditions} LIMIT {CAP + 1}), "
                f"m AS MATERIALIZED (SELECT e.key, e.date, {picked}, {similarity} AS similarity "
                f"{where} LIMIT {CAP + 1}), "
            )
            params["candidates"] = max(RANKED, query.offset + query.limit)
            page = (
                # Above the cap, the head matches that are not among ``m`` are candidates too.
                "a AS (SELECT m.key, m.date, (m.key IN (SELECT key FROM h))::int AS head, m.similarity FROM m "
                "UNION ALL SELECT h.key, h.date, 1, h.similarity FROM h "
                f"WHERE (SELECT count(*) > {CAP} FROM m) AND h.key NOT IN (SELECT key FROM m)), "
                "c AS (SELECT a.key, a.similarity, row_number() OVER "
                "(ORDER BY a.head + a.similarity DESC, a.date DESC, a.key) AS n FROM a "
                "ORDER BY a.head + a.similarity DESC, a.date DESC, a.key LIMIT %(candidates)s), "
                "p AS (SELECT r.key, row_number() OVER (ORDER BY r.n > %(ranked)s, r.rank DESC, r.n) AS position "
                "FROM (SELECT c.key, c.n, CASE WHEN c.n <= %(ranked)s "
                f"THEN ts_rank_cd(e.vector, {matches}, 32) + c.similarity END AS rank "
                "FROM c JOIN search_searchentry e ON e.key = c.key) r "
                "ORDER BY r.n > %(ranked)s, r.rank DESC, r.n LIMIT %(limit)s OFFSET %(offset)s) "
            )
        else:
            candidates = f"m AS MATERIALIZED (SELECT {picked} {where} LIMIT {CAP + 1}), "
            page = (
                "p AS (SELECT d.key, row_number() OVER (ORDER BY d.date DESC, d.key) AS position "
                f"FROM (SELECT e.key, e.date {where} ORDER BY e.date DESC, e.key "
                "LIMIT %(limit)s OFFSET %(offset)s) d) "
            )
        sql = (
            f"WITH {candidates}"
            f"f AS (SELECT GROUPING({columns}) AS mask, {columns}, count(*) AS n FROM m "
            f"GROUP BY GROUPING SETS ({sets})), "
            f"{page}"
            f"SELECT 0, mask, {texts}, n, NULL FROM f "
            f"UNION ALL SELECT 1, NULL, {nulls}, position, key FROM p"
        )
        return sql, params

    def raw_search(self, query: Query) -> list:
        """The backend's one statement for total, facets and page (see ``_search_sql``),
        sent in one message with its own settings (``SETTINGS``)."""
        sql, params = self._search_sql(query, *self._where(query))
        with connection.cursor() as cursor:
            cursor.execute(f"{SETTINGS} {sql}", params)
            while cursor.description is None and cursor.nextset():
                pass  # past the settings' results, to the statement's
            return cursor.fetchall()

    @staticmethod
    def _read(rows: list) -> tuple[int, bool, dict[str, list[tuple[str, int | None]]], list[str]]:
        """Total, capped, facets and the page's keys from ``raw_search``'s tagged rows. Above the
        cap the facets list the values found among the candidates without counts (narrowing
        still works, no number is made up)."""
        full = (1 << len(FACETS)) - 1
        masks = {full ^ (1 << (len(FACETS) - 1 - i)): i for i in range(len(FACETS))}
        total = 0
        for row in rows:
            if row[0] == 0 and row[1] == full:
                total = row[-2]
        capped = total > CAP
        facets: dict[str, list[tuple[str, int | None]]] = {name: [] for name in FACETS}
        page = []
        for row in rows:
            if row[0] == 1:
                page.append((row[-2], row[-1]))
                continue
            mask, values, count = row[1], row[2:-2], row[-2]
            if mask in masks:
                index = masks[mask]
                value = values[index]
                if value not in (None, ""):
                    facets[FACETS[index]].append((value, None if capped else count))
        for name in facets:
            facets[name].sort(key=lambda item: (-(item[1] or 0), item[0]))
        return total, capped, facets, [key for _position, key in sorted(page)]

    def search(self, query: Query) -> Results:
        total, capped, facets, keys = self._read(self.raw_search(query))
        if not total:
            return Results(0, [], facets)
        matches, words = tsquery(query.text)
        snippet = f"ts_headline({ENTRY_CONFIG}, left(e.body, 20000), {matches}, '{HEADLINE_OPTIONS}')"
        columns = ", ".join(f"e.{c}" for c in HIT_FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, {snippet} FROM search_searchentry e WHERE e.key = ANY(%(keys)s)",
                {"keys": keys, "q": query.text, **words},
            )
            rows = {row[0]: row for row in cursor.fetchall()}
        hits = []
        width = len(HIT_FIELDS)
        for key in keys:
            row = rows.get(key)
            if row is None:
                continue
            headline = row[width] or ""
            hits.append(Hit(*row[:width], snippet=mark(headline) if "\x02" in headline else ""))
        return Results(total, hits, facets, capped=capped)
