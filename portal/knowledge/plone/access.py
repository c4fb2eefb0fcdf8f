"""Plone's local roles as audiences, never wider than in Plone.

Plone lets a folder be read by those given a role on it ("Reader", "Editor", …, for users
and groups) and can stop inheriting the roles from above ("block"). The portal has
audiences: kinds of organisation and pools. The operator says which Plone group stands
for which audience (``--audiences FILE``: ``{"group-id": {"kind": "cantonal_authority"}}``
or ``{"group-id": {"pool": "Pool name"}}``). Then:

- an item that is not published, or that blocks inheritance, is *restricted*: it is read
  by the principals with a reading role on it (and above it, unless blocked);
- a restricted item whose readers include groups with an audience is imported live with
  those audiences (people not in them lose access, which is listed);
- a restricted item with no reader that maps to an audience stays a draft: nobody reads it
  until an editor decides, which is listed;
- a published item without a block stays for every member; roles given on it are listed
  as not carried over (the portal has no per-page editors or readers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from portal.knowledge.models import Pool
from tenants.models import OrganisationKind

READING_ROLES = {"Reader", "Editor", "Contributor", "Reviewer"}
# The creator's role and the site's own administrators: nothing to carry over.
IGNORED_ROLES = {"Owner", "Manager", "Site Administrator"}
# Every signed-in member: the portal's default, so not a restriction.
EVERYONE = {"AuthenticatedUsers", "Anonymous"}
LIVE_STATES = {"published", "internally_published"}


class AudienceMapError(Exception):
    pass


@dataclass(frozen=True)
class AudienceRule:
    kind: str = ""
    pool_id: int | None = None
    label: str = ""


def load_audience_map(path: Path | None) -> dict[str, AudienceRule]:
    """The operator's group → audience table, checked before anything is imported."""
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AudienceMapError(f"{path}: not readable as JSON ({error})") from error
    if not isinstance(data, dict):
        raise AudienceMapError(f"{path}: a JSON object of group ids was expected")
    kinds = dict(OrganisationKind.choices)
    rules: dict[str, AudienceRule] = {}
    for group, rule in data.items():
        if isinstance(rule, dict) and rule.get("kind") in kinds:
            rules[group] = AudienceRule(kind=rule["kind"], label=str(kinds[rule["kind"]]))
        elif isinstance(rule, dict) and isinstance(rule.get("pool"), str):
            pool = Pool.objects.filter(name=rule["pool"]).first()
            if pool is None:
                raise AudienceMapError(f"{path}: group {group!r}: there is no pool named {rule['pool']!r}")
            rules[group] = AudienceRule(pool_id=pool.pk, label=pool.name)
        else:
            raise AudienceMapError(
                f'{path}: group {group!r}: expected {{"kind": one of {", ".join(kinds)}}} or {{"pool": name}}'
            )
    return rules


def readers(entry: dict | None) -> tuple[set[str], set[str]]:
    """(principals with a reading role, principals with other roles that are not carried over)."""
    reading: set[str] = set()
    other: set[str] = set()
    for principal, roles in ((entry or {}).get("localroles") or {}).items():
        roles = set(roles or [])
        if roles & READING_ROLES:
            reading.add(principal)
        elif roles - IGNORED_ROLES:
            other.add(principal)
    return reading, other


@dataclass(frozen=True)
class Access:
    live: bool
    rules: tuple[AudienceRule, ...] = ()
    note: str = ""  # what could not be carried over, for the report


def decide(
    *,
    review_state: str,
    entry: dict | None,
    inherited: frozenset[str],
    rules: dict[str, AudienceRule],
) -> tuple[Access, frozenset[str]]:
    """How the item is imported, and the readers its children inherit."""
    own, other = readers(entry)
    blocked = bool((entry or {}).get("block"))
    effective = frozenset(own if blocked else own | inherited)
    restricted = blocked or review_state not in LIVE_STATES
    notes = []
    if other:
        notes.append("roles other than reading not carried over for " + ", ".join(sorted(other)))
    if not restricted:
        if own - EVERYONE:
            notes.append(
                "readers added in Plone not carried over (every member reads it): " + ", ".join(sorted(own))
            )
        return Access(live=True, note="; ".join(notes)), effective
    if effective & EVERYONE:
        return Access(live=True, note="; ".join(notes)), effective
    mapped = tuple(dict.fromkeys(rules[p] for p in sorted(effective) if p in rules))
    unmapped = sorted(p for p in effective if p not in rules)
    if mapped:
        if unmapped:
            notes.append("no audience for " + ", ".join(unmapped) + ": they lose access")
        return Access(live=True, rules=mapped, note="; ".join(notes)), effective
    if unmapped:
        notes.append("kept as a draft: its readers " + ", ".join(unmapped) + " have no audience")
    return Access(live=False, note="; ".join(notes)), effective
