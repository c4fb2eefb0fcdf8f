"""The engine backend on a real OpenSearch node: what only an engine can get wrong, and the
promise that one backend serves OpenSearch and Elasticsearch 8 alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from search.backends.base import Principals, Query
from search.backends.engine import build_search, index_definition
from search.backends.engines import FLAVOURS
from search.records import Grant, Record

OWNER = 7


def record(number: int, body: str = "Die Lohnkontrolle auf der Baustelle", **fields) -> Record:
    return Record(
        **{
            "key": f"document:{number}",
            "kind": "document",
            "object_id": number,
            "dossier_id": 100 + number,
            "owner_id": OWNER,
            "status": "opened",
            "canton": "GE",
            "sector": "Bau",
            "year": 2026,
            "doc_type": "control_report",
            "language": "de",
            "date": timezone.now(),
            "title": f"Bericht {number}",
            "reference": f"GE-2026-{number:05d}",
            "body": body,
            **fields,
        }
    )


def query(text: str, **fields) -> Query:
    principals = Principals(
        user_id=1, organisation_ids=[OWNER], group_ids=[3], visible_dossiers=None, membership_ids=[5]
    )
    return Query(text=text, principals=principals, at=timezone.now(), **fields)


def index_names(engine) -> list[str]:
    return sorted(engine.client.indices.get(index=f"{engine.alias}-*", allow_no_indices=True))


def test_the_test_node_refuses_wildcard_deletes_as_elasticsearch_8_does(engine):
    """Otherwise the next test could not fail: OpenSearch allows them by default."""
    engine.ensure_index()
    with pytest.raises(Exception, match=r"[Ww]ildcard"):
        engine.client.indices.delete(index=f"{engine.alias}-*")


def test_drop_removes_every_index_of_the_alias_by_name(engine):
    engine.ensure_index()
    engine._new_index()  # left behind by a rebuild that never swapped
    assert len(index_names(engine)) == 2
    engine.drop()
    assert index_names(engine) == []
    assert not engine.client.indices.exists_alias(name=engine.alias)


def test_rebuild_works_when_no_alias_exists_yet(engine):
    assert not engine.client.indices.exists_alias(name=engine.alias)
    assert engine.rebuild([[record(1), record(2)], [record(3)]], lambda done: None) == 3
    assert engine.count() == 3
    assert len(index_names(engine)) == 1


def test_a_match_at_the_edges_of_a_fragment_keeps_its_marks(engine):
    engine.index([record(1, body="Lohnkontrolle"), record(2, body="Baustelle Lohnkontrolle")])
    snippets = {hit.key: hit.snippet for hit in engine.search(query("Lohnkontrolle")).hits}
    assert snippets == {
        "document:1": "<mark>Lohnkontrolle</mark>",
        "document:2": "Baustelle <mark>Lohnkontrolle</mark>",
    }


def test_a_rebuild_serves_the_old_index_until_the_alias_swaps(engine):
    engine.index([record(1), record(2)])
    seen_during = []

    def batches():
        for number in (3, 4, 5):
            yield [record(number, body="Die Lohnkontrolle im neuen Index")]
            # A search between two bulk requests still sees the complete old index only.
            seen_during.append({hit.key for hit in engine.search(query("Lohnkontrolle")).hits})

    assert engine.rebuild(batches(), lambda done: None) == 3
    assert seen_during == [{"document:1", "document:2"}] * 3
    assert {hit.key for hit in engine.search(query("Lohnkontrolle")).hits} == {
        "document:3",
        "document:4",
        "document:5",
    }


def test_grants_expire_at_query_time_and_other_owners_stay_hidden(engine):
    later = timezone.now() + timedelta(hours=1)
    engine.index(
        [
            record(1, owner_id=99, grants=[Grant("g:3", later)]),
            record(2, owner_id=99, grants=[Grant("m:5", None)]),  # a personal share, through membership 5
            record(3, owner_id=99),
        ]
    )
    assert {hit.key for hit in engine.search(query("Lohnkontrolle")).hits} == {"document:1", "document:2"}
    after = query("Lohnkontrolle")
    after.at = later + timedelta(seconds=1)
    assert {hit.key for hit in engine.search(after).hits} == {"document:2"}


def test_both_dsls_build_the_same_index_definition():
    opensearch, elasticsearch = (FLAVOURS[name]().dsl for name in ("opensearch", "elasticsearch"))
    built = [
        index_definition(dsl, "portal-x", shards=2, replicas=1).to_dict()
        for dsl in (opensearch, elasticsearch)
    ]
    assert built[0] == built[1]
    assert built[0]["settings"]["number_of_replicas"] == 1
    assert built[0]["mappings"]["properties"]["body_de"]["search_analyzer"] == "de_search"


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"sort": "date", "offset": 40, "limit": 20},
        {"filters": {"canton": ["GE", "VD"], "dossier": ["12"], "year": ["2026"]}},
    ],
)
def test_both_dsls_build_the_same_query(fields):
    """The conformance suite checks every query it sends this way; these add the shapes it
    may not send: no organisation, hidden knowledge paths, dossiers excluded while queued."""
    opensearch, elasticsearch = (FLAVOURS[name]().dsl for name in ("opensearch", "elasticsearch"))
    for principals in (
        Principals(user_id=1, organisation_ids=[], group_ids=[], visible_dossiers=None),
        Principals(
            user_id=1,
            organisation_ids=[7, 8],
            group_ids=[3],
            visible_dossiers=None,
            excluded_dossiers=[5, 6],
            hidden_pages=["00010002", "0001000300"],
        ),
    ):
        asked = Query(
            text="Lohnkontrolle OR salaire -Busse", principals=principals, at=timezone.now(), **fields
        )
        assert (
            build_search(opensearch, asked, "portal").to_dict()
            == build_search(elasticsearch, asked, "portal").to_dict()
        )


def test_a_failed_rebuild_leaves_the_old_index_serving_and_no_half_built_one(engine):
    engine.index([record(1)])
    before = index_names(engine)

    def batches():
        yield [record(2)]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(batches(), lambda done: None)
    assert index_names(engine) == before
    assert {hit.key for hit in engine.search(query("Lohnkontrolle")).hits} == {"document:1"}
