"""The load benchmark's isolation oracle finds a foreign reference in an answer, and only that."""

from __future__ import annotations

import json

import pytest

from portal.api.clients import register_client
from portal.dossiers.levels import Level
from portal.dossiers.sharing import share_dossier
from tests.dossiers.factories import DossierFactory
from tests.production.oracle import oracle

pytestmark = pytest.mark.django_db


def _samples(tmp_path, *samples):
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in samples))
    return path


def test_an_answer_naming_another_organisations_dossier_is_a_violation(
    tmp_path, organisation_a, organisation_b, worker_a, admin_a, worker_b
):
    own = DossierFactory(owner=organisation_a)
    foreign = DossierFactory(owner=organisation_b)
    client, _secret = register_client(
        organisation=organisation_a, acting_user=admin_a, name="App", scopes=["read"]
    )
    plan = {"users": [{"email": worker_a.email}], "clients": {"a": {"id": client.client_id}}}
    samples = _samples(
        tmp_path,
        {"who": worker_a.email, "kind": "list", "references": [own.reference, "XX-2026-99999"]},
        {"who": worker_a.email, "kind": "search", "references": [own.reference, foreign.reference]},
        {"who": client.client_id, "kind": "api list", "references": [foreign.reference]},
    )

    result = oracle(plan, samples)

    assert result["answers_checked"] == 3
    assert result["references_checked"] == 4  # an unknown reference is not counted
    assert result["violations"] == 2
    assert [v["not_allowed"] for v in result["examples"]] == [[foreign.reference], [foreign.reference]]

    share_dossier(dossier=foreign, acting_user=worker_b, organisation=organisation_a, level=Level.VIEW)
    assert oracle(plan, samples)["violations"] == 0
