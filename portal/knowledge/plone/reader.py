"""Reading an export directory as collective.exportimport writes it.

Content comes either as one JSON list per file (``Plone.json``, "all items in one file")
or as a folder of numbered files with one item each (``Plone/1.json``, "one file per
item"). Next to it the add-on writes ``export_translations.json`` (a list of
``{language: UID}`` groups), ``export_localroles.json`` (``{"uuid", "localroles",
"block"}``), ``export_redirects.json`` (``{old path: new path}``) and others this import
does not need. Blobs are in the item (``"data"`` in base64) or named by ``"blob_path"``,
relative to the old site's blob storage.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

EXTRAS = {
    "translations": "export_translations.json",
    "localroles": "export_localroles.json",
    "redirects": "export_redirects.json",
}
# Written by the add-on but not read here (ordering, portlets, members, discussion, ...).
IGNORED = {
    "export_defaultpages.json",
    "export_discussion.json",
    "export_members.json",
    "export_ordering.json",
    "export_portlets.json",
    "export_relations.json",
    "errors.json",
}
UID = re.compile(r"^[0-9a-fA-F]{32}$")


class ExportError(Exception):
    """The export as a whole cannot be read (no such folder, no content)."""


@dataclass
class Item:
    data: dict
    source: str  # the file it came from, for the report

    @property
    def uid(self) -> str:
        return self.data["UID"]

    @property
    def type(self) -> str:
        return self.data["@type"]

    @property
    def url(self) -> str:
        return self.data["@id"]


@dataclass
class Export:
    directory: Path
    items: list[Item] = field(default_factory=list)
    translations: list[dict[str, str]] = field(default_factory=list)
    localroles: dict[str, dict] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file or path, reason)

    @property
    def site_url(self) -> str:
        """The old site's address: the parent of the language roots or of the top items."""
        for item in self.items:
            parent = item.data.get("parent") or {}
            if parent.get("@type") == "Plone Site" and parent.get("@id"):
                return parent["@id"].rstrip("/")
        raise ExportError("cannot tell the site's address: no item has the Plone site as its parent")


def _load(path: Path, problems: list[tuple[str, str]], name: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append((name, f"not readable as JSON: {error}"))
        return None


def _item(data, name: str, problems: list[tuple[str, str]]) -> Item | None:
    if not isinstance(data, dict):
        problems.append((name, "not an item (a JSON object was expected)"))
        return None
    if "unexported_paths" in data:  # the add-on's own error list at the end of a one-file export
        return None
    missing = [key for key in ("UID", "@type", "@id") if not data.get(key)]
    if missing:
        problems.append((data.get("@id") or name, f"the item has no {', '.join(missing)}"))
        return None
    return Item(data, name)


def _number(path: Path) -> tuple[int, str]:
    return (int(path.stem), path.name) if path.stem.isdigit() else (1 << 62, path.name)


def read_export(directory: Path) -> Export:
    if not directory.is_dir():
        raise ExportError(f"{directory} is not a folder")
    export = Export(directory)
    problems = export.problems
    for path in sorted(directory.glob("*.json")):
        if path.name in IGNORED or path.name in EXTRAS.values():
            continue
        data = _load(path, problems, path.name)
        if data is None:
            continue
        if not isinstance(data, list):
            problems.append((path.name, "not a content export (a JSON list of items was expected)"))
            continue
        for number, entry in enumerate(data, start=1):
            if item := _item(entry, f"{path.name}#{number}", problems):
                export.items.append(item)
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and p.name != "blobstorage"):
        for path in sorted(folder.glob("*.json"), key=_number):
            name = f"{folder.name}/{path.name}"
            data = _load(path, problems, name)
            if data is not None and (item := _item(data, name, problems)):
                export.items.append(item)
    if not export.items:
        raise ExportError(f"{directory} holds no content exported by collective.exportimport")

    translations = _extra(directory, "translations", problems)
    if isinstance(translations, list):
        export.translations = [
            {lang: uid for lang, uid in group.items() if isinstance(uid, str)}
            for group in translations
            if isinstance(group, dict)
        ]
    localroles = _extra(directory, "localroles", problems)
    if isinstance(localroles, list):
        export.localroles = {
            entry["uuid"]: entry for entry in localroles if isinstance(entry, dict) and entry.get("uuid")
        }
    redirects = _extra(directory, "redirects", problems)
    if isinstance(redirects, dict):
        export.redirects = {old: new for old, new in redirects.items() if isinstance(new, str)}
    return export


def _extra(directory: Path, kind: str, problems: list[tuple[str, str]]):
    path = directory / EXTRAS[kind]
    return _load(path, problems, path.name) if path.exists() else None
