"""The isolation oracle of the dossiers work, through the API: random organisations, people,
dossiers, shares, expiries, revocations and hand-overs; each organisation's API client must list,
read, download, search and see the messages of exactly the dossiers the independent model
allows a case worker of that organisation, and nothing else."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import example, given, settings

from portal.api.clients import register_client
from search import queue
from tests.api.conftest import Api
from tests.dossiers.test_isolation_oracle import EVERY_RULE, MAX_ORGS, Rollback, build, world

pytestmark = pytest.mark.django_db


def check(users, dossiers, model):
    queue.process()
    admins = dict(list(users.items())[:MAX_ORGS])  # build() creates one administrator per organisation first
    for admin_id, admin in admins.items():
        index = model.memberships[admin_id][0][0]
        organisation = admin.memberships.get().organisation
        client, secret = register_client(
            organisation=organisation, acting_user=admin, name="Oracle", scopes=["read"], rate_limit=100_000
        )
        # The client's account is a reader of its organisation: add it to the model as such.
        model.memberships[client.account_id] = [(index, "reader", "current")]
        api = Api(client, secret)
        expected = {d.pk for d in dossiers if model.level(client.account_id, d.pk) > 0}
        listed = {d["id"] for d in api.get("/api/v1/dossiers", {"limit": 200}).json()["items"]}
        assert listed == expected, f"API list of {organisation}"
        found = api.get("/api/v1/search", {"q": "Nachricht", "per_page": 100}).json()
        assert {hit["dossier_id"] for hit in found["hits"]} == expected, f"API search of {organisation}"
        assert found["total"] == len(expected)
        owners = {f["value"]: f["count"] for f in found["facets"]["owner_id"]}
        assert sum(owners.values()) == len(expected)
        for dossier in dossiers:
            seen = dossier.pk in expected
            status = 200 if seen else 404
            assert api.get(f"/api/v1/dossiers/{dossier.pk}").status_code == status
            documents = api.get(f"/api/v1/dossiers/{dossier.pk}/documents")
            assert documents.status_code == status
            document_id = dossier.documents.get().pk
            assert api.get(f"/api/v1/documents/{document_id}/content").status_code == status
            messages = api.get(f"/api/v1/dossiers/{dossier.pk}/messages")
            assert messages.status_code == status
            assert (f"Nachricht zu {dossier.reference}" in messages.content.decode()) == seen


def run(spec):
    try:
        with transaction.atomic():
            check(*build(spec))
            raise Rollback
    except Rollback:
        pass


# Few worlds, always the same, in the default suite; many new ones in the `slow` run.
@settings(max_examples=15)
@example(spec=EVERY_RULE)
@given(spec=world)
def test_each_organisations_client_sees_exactly_what_the_rules_allow(spec):
    run(spec)


@pytest.mark.slow
@settings(max_examples=300)
@example(spec=EVERY_RULE)
@given(spec=world)
def test_each_organisations_client_sees_exactly_what_the_rules_allow_long_run(spec):
    run(spec)
