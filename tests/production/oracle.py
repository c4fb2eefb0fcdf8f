"""The load benchmark's isolation oracle: the portal's own policy judges sampled answers.

Each sample names who asked (a person's e-mail or an API client's id) and the dossier
references found in the answer. ``visible_dossiers`` of that person, or of the client's
service account, says which references they may see; any other known reference is a leak.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model

from portal.api.models import ApiClient
from portal.dossiers.access import visible_dossiers
from portal.dossiers.models import Dossier


def oracle(plan: dict, samples_path: Path) -> dict:
    known = set(Dossier.objects.values_list("reference", flat=True))
    users = get_user_model().objects
    askers = {u["email"]: users.get(email=u["email"]) for u in plan["users"]}
    for client in plan["clients"].values():
        askers[client["id"]] = ApiClient.objects.get(client_id=client["id"]).account
    allowed = {
        who: set(visible_dossiers(user).values_list("reference", flat=True)) for who, user in askers.items()
    }
    checked, references, violations = 0, 0, []
    with samples_path.open() as samples:
        for line in samples:
            sample = json.loads(line)
            checked += 1
            named = set(sample["references"]) & known
            references += len(named)
            if leaked := named - allowed[sample["who"]]:
                violations.append({**sample, "not_allowed": sorted(leaked)})
    return {
        "answers_checked": checked,
        "references_checked": references,
        "violations": len(violations),
        "examples": violations[:5],
    }
