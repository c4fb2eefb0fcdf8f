"""Creating and updating the knowledge section from a Plone export.

Each item is imported in its own transaction: either its page, document or image is
there with its record, or nothing of it is. Items are taken parents first; an item whose
parent was not imported is skipped with that reason. Links to items further down the
export are rewritten once everything is in. Every old path then gets a permanent redirect.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Revision

from portal.knowledge.models import Audience, EventPage, GuidancePage, KnowledgeHome, PloneItem, TopicPage
from portal.knowledge.plone import access
from portal.knowledge.plone.reader import Export, Item, read_export
from portal.knowledge.plone.richtext import Resolver, Target, to_blocks

PAGE_TYPES = {"Folder": TopicPage, "Document": GuidancePage, "News Item": GuidancePage, "Event": EventPage}
FILE_TYPES = {"File": "file", "Image": "image"}
# plone.app.multilingual's language root folders and the site itself: the knowledge homes.
ROOT_TYPES = {"LRF", "Plone Site"}
TRANSLATION_NAMESPACE = uuid.UUID("6f1d3c52-30a4-4b6e-9a43-5a1e0c7d2b90")


class Skip(Exception):
    """This item cannot be imported; the message says why."""


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    audiences: list[tuple[str, str]] = field(default_factory=list)
    not_carried_over: list[tuple[str, str]] = field(default_factory=list)
    links_rewritten: int = 0
    broken_links: list[tuple[str, str]] = field(default_factory=list)
    redirects: int = 0
    drafts: int = 0


def _date(value) -> datetime | None:
    """A Plone date. Plone writes ``effective`` and ``expires`` without a zone, as the wall
    clock of the site's time zone they were entered in; they are read in the portal's
    ``TIME_ZONE`` (Europe/Zurich), which is the Swiss sites' zone too."""
    if not value or not isinstance(value, str) or value == "None":
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class PloneImport:
    def __init__(
        self,
        export: Export,
        *,
        blobs: Path,
        audiences: dict[str, access.AudienceRule],
        old_urls: tuple[str, ...] = (),
        progress: Callable[[int, int], None] | None = None,
    ):
        self.export = export
        self.blobs = blobs.resolve()
        self.rules = audiences
        self.progress = progress or (lambda done, total: None)
        self.report = ImportReport()
        self.report.skipped += export.problems
        self.site_url = export.site_url
        self.site_path = urlsplit(self.site_url).path.rstrip("/")
        self.records = {record.uid: record for record in PloneItem.objects.all()}
        self.paths = {record.path: record.uid for record in self.records.values()}
        self.homes = {
            home.locale.language_code: home for home in KnowledgeHome.objects.select_related("locale")
        }
        self.translation_keys = self._translation_keys()
        self.readers: dict[str, frozenset[str]] = {}
        self.states: dict[str, str] = {}  # review state by UID, for items without a workflow
        self.pending: dict[str, Item] = {}  # pages whose links wait for later items
        self.collection = self._collection()
        exported_paths = {self.old_path(item) for item in export.items}
        self.resolver = Resolver(
            site_urls=[self.site_url, *old_urls],
            by_uid=self._target_by_uid,
            by_path=self._target_by_path,
            exported_uids={item.uid for item in export.items},
            exported_paths=exported_paths,
        )

    # -- lookups -------------------------------------------------------------------------

    def old_path(self, item: Item) -> str:
        url = item.url.rstrip("/")
        return url[len(self.site_url) :] if url.startswith(self.site_url) else urlsplit(url).path

    def _target(self, record: PloneItem | None) -> Target | None:
        if record is None:
            return None
        if record.page_id:
            return Target("page", record.page_id)
        if record.document_id:
            return Target("document", record.document_id)
        if record.image_id:
            return Target("image", record.image_id)
        return None

    def _target_by_uid(self, uid: str) -> Target | None:
        return self._target(self.records.get(uid))

    def _target_by_path(self, path: str) -> Target | None:
        uid = self.paths.get(path)
        return self._target(self.records.get(uid)) if uid else None

    def _translation_keys(self) -> dict[str, uuid.UUID]:
        keys = {}
        for group in self.export.translations:
            key = uuid.uuid5(TRANSLATION_NAMESPACE, ",".join(sorted(group.values())))
            for uid in group.values():
                keys[uid] = key
        return keys

    def _collection(self) -> Collection:
        root = Collection.get_first_root_node()
        existing = root.get_children().filter(name="Plone").first()
        return existing or root.add_child(name="Plone")

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> ImportReport:
        items = sorted(self.export.items, key=lambda item: self.old_path(item).count("/"))
        total = len(items)
        for done, item in enumerate(items, start=1):
            self._one(item)
            self.progress(done, total)
        for item in list(self.pending.values()):
            with transaction.atomic():
                self._relink(item)
        for item in items:
            if item.uid in self.records:
                self._redirects(item)
        self._plone_redirects()
        return self.report

    def _one(self, item: Item) -> None:
        path = self.old_path(item)
        if item.type in ROOT_TYPES:
            self.readers[item.uid] = frozenset()
            self.states[item.uid] = item.data.get("review_state") or "published"
            return
        try:
            with transaction.atomic():
                self._import(item, path)
        except Skip as reason:
            self.report.skipped.append((path, str(reason)))
            self.pending.pop(item.uid, None)
        except ValidationError as error:
            self.report.skipped.append((path, "; ".join(error.messages)))
            self.pending.pop(item.uid, None)

    def _parent(self, item: Item) -> Page:
        parent = item.data.get("parent") or {}
        language = item.data.get("language") or ""
        if isinstance(language, dict):  # exported without the migration option: a vocabulary term
            language = language.get("token") or ""
        if parent.get("@type") in ROOT_TYPES:
            home = self.homes.get(language)
            if home is None:
                raise Skip(f"no knowledge home in the language {language!r}")
            return home
        record = self.records.get(parent.get("UID") or "")
        if record is None or record.page is None:
            raise Skip("its parent was not imported")
        page = record.page.specific
        if not isinstance(page, (TopicPage, KnowledgeHome)):
            raise Skip(f"its parent became a {page._meta.verbose_name}, which holds no other pages")
        return page

    def _blob(self, item: Item, name: str) -> tuple[bytes, str]:
        blob = item.data.get(name)
        if not isinstance(blob, dict):
            raise Skip(f"the {name} is missing from the export")
        filename = blob.get("filename") or item.data.get("id") or "file"
        if "data" in blob:
            try:
                return base64.b64decode(blob["data"], validate=True), filename
            except (binascii.Error, TypeError, ValueError) as error:
                raise Skip(f"the {name}'s base64 data is broken ({error})") from error
        if "blob_path" in blob:
            path = (self.blobs / blob["blob_path"]).resolve()
            if not path.is_relative_to(self.blobs):
                raise Skip(f"the blob path {blob['blob_path']} is outside the blob folder")
            if not path.is_file():
                raise Skip(f"the blob {blob['blob_path']} is missing")
            return path.read_bytes(), filename
        raise Skip(f"the {name} has neither data nor a blob path (exported as download links?)")

    def _import(self, item: Item, path: str) -> None:
        data = item.data
        if item.type not in PAGE_TYPES and item.type not in FILE_TYPES:
            raise Skip(f"unknown type {item.type!r}")
        parent = self._parent(item)
        parent_uid = (data.get("parent") or {}).get("UID") or ""
        inherited = self.readers.get(parent_uid, frozenset())
        # A type without a workflow (Files and Images in Plone 6: review_state null) has no
        # state of its own: it is as public as its container.
        state = data.get("review_state") or self.states.get(parent_uid, "published")
        self.states[item.uid] = state
        decision, readers = access.decide(
            review_state=state,
            entry=self.export.localroles.get(item.uid),
            inherited=inherited,
            rules=self.rules,
        )
        self.readers[item.uid] = readers
        blob = self._blob(item, FILE_TYPES[item.type]) if item.type in FILE_TYPES else None
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode())
        digest.update(repr((decision, str(self.translation_keys.get(item.uid)), parent.pk)).encode())
        if blob:
            digest.update(hashlib.sha256(blob[0]).digest())
        checksum = digest.hexdigest()

        record = self.records.get(item.uid)
        if (
            record
            and record.checksum == checksum
            and (record.page_id or record.document_id or record.image_id)
        ):
            self.report.unchanged += 1
            return
        kind = "page" if item.type in PAGE_TYPES else FILE_TYPES[item.type]
        record = record or PloneItem(uid=item.uid)
        is_new = not (record.page_id or record.document_id or record.image_id)
        if item.type in PAGE_TYPES:
            self._page(item, record, parent, decision)
        elif item.type == "File":
            self._document(item, record, *blob)
            record.container = parent
        else:
            self._image(item, record, *blob)
            record.container = parent
        record.portal_type = item.type
        record.path = path
        record.checksum = checksum
        record.created = _date(data.get("created"))
        record.modified = _date(data.get("modified"))
        record.effective = _date(data.get("effective"))
        record.creators = [c for c in data.get("creators") or [] if isinstance(c, str)]
        record.review_state = data.get("review_state") or ""
        record.save()
        self.records[item.uid] = record
        self.paths[path] = item.uid
        (self.report.created if is_new else self.report.updated)[kind] += 1
        if decision.rules and item.type in PAGE_TYPES:
            self.report.audiences.append((path, ", ".join(rule.label for rule in decision.rules)))
        if decision.note and item.type in PAGE_TYPES:
            self.report.not_carried_over.append((path, decision.note))

    # -- pages -------------------------------------------------------------------------

    def _fields(self, item: Item, model) -> dict:
        data = item.data
        fields = {"title": (data.get("title") or data.get("id") or item.uid)[:255]}
        fields["intro"] = data.get("description") or ""
        if model is GuidancePage:
            effective = _date(data.get("effective"))
            fields["effective_date"] = effective.date() if effective else None
            fields["body"] = self._body(item)
        elif model is EventPage:
            start = _date(data.get("start"))
            if start is None:
                raise Skip("the event has no start")
            fields.update(
                starts_at=start,
                ends_at=_date(data.get("end")),
                place=(data.get("location") or "")[:200],
                registration_url=data.get("event_url") or "",
            )
            text = strip_tags(((data.get("text") or {}).get("data")) or "").strip()
            if text:
                fields["intro"] = "\n\n".join(part for part in (fields["intro"], text) if part)
        return fields

    def _body(self, item: Item) -> list[dict]:
        html = (item.data.get("text") or {}).get("data") or ""
        blocks, links = to_blocks(html, base=item.url, resolver=self.resolver)
        path = self.old_path(item)
        self.report.links_rewritten += links.rewritten
        self.report.broken_links += [(path, href) for href in links.broken]
        if links.pending:
            self.pending[item.uid] = item
        else:
            self.pending.pop(item.uid, None)
        return blocks

    def _page(self, item: Item, record: PloneItem, parent: Page, decision: access.Access) -> None:
        model = PAGE_TYPES[item.type]
        fields = self._fields(item, model)
        page = record.page.specific if record.page_id else None
        if page is not None and not isinstance(page, model):
            raise Skip(f"it was imported as a {page._meta.verbose_name} and is now a {item.type}")
        if page is None:
            key = self.translation_keys.get(item.uid) or uuid.uuid5(TRANSLATION_NAMESPACE, item.uid)
            slug = slugify(item.data.get("id") or "") or item.uid
            page = model(slug=slug, locale=parent.locale, translation_key=key, live=False, **fields)
            page.full_clean(exclude=["path", "depth", "url_path"], validate_unique=False)
            parent.add_child(instance=page)
        else:
            if page.get_parent().pk != parent.pk:
                page.move(parent, pos="last-child")
                page.refresh_from_db()
                page = page.specific
            for name, value in fields.items():
                setattr(page, name, value)
        page.knowledge_audience = [
            Audience(organisation_kind=rule.kind, pool_id=rule.pool_id) for rule in decision.rules
        ]
        self._save(page, item, decision.live)
        record.page = page

    def _save(self, page: Page, item: Item, live: bool) -> None:
        revision = page.save_revision(clean=True)
        if live:
            revision.publish()
        else:
            self.report.drafts += 1
            if page.live:
                page.unpublish()
        created = _date(item.data.get("created"))
        modified = _date(item.data.get("modified")) or created
        effective = _date(item.data.get("effective"))
        if modified:
            Revision.objects.filter(pk=revision.pk).update(created_at=modified)
            dates = {"latest_revision_created_at": modified}
            if live:
                dates.update(first_published_at=effective or created or modified, last_published_at=modified)
            Page.objects.filter(pk=page.pk).update(**dates)

    def _relink(self, item: Item) -> None:
        record = self.records[item.uid]
        page = Page.objects.get(pk=record.page_id).specific
        before = [(block["type"], block["value"]) for block in page.body.raw_data]
        self.pending.pop(item.uid, None)
        blocks = self._body(item)
        if [(block["type"], block["value"]) for block in blocks] != before:
            page.body = blocks
            self._save(page, item, page.live)

    # -- files -------------------------------------------------------------------------

    def _document(self, item: Item, record: PloneItem, data: bytes, filename: str) -> None:
        Document = get_document_model()
        document = Document.objects.filter(pk=record.document_id).first() or Document(
            collection=self.collection
        )
        document.title = (item.data.get("title") or filename)[:255]
        old = document.file.name if document.pk else None
        document.file.save(filename, ContentFile(data), save=False)
        document._set_document_file_metadata()
        document.save()
        if old and old != document.file.name:
            storage, name = document.file.storage, old
            transaction.on_commit(lambda: storage.delete(name))
        record.document = document

    def _image(self, item: Item, record: PloneItem, data: bytes, filename: str) -> None:
        Image = get_image_model()
        image = Image.objects.filter(pk=record.image_id).first() or Image(collection=self.collection)
        image.title = (item.data.get("title") or filename)[:255]
        old = image.file.name if image.pk else None
        image.file = ImageFile(ContentFile(data), name=filename)
        image.file_size = len(data)
        try:
            image.save()
        except Exception as error:  # Pillow's many error classes for a file that is no image
            raise Skip(f"the image cannot be read ({error})") from error
        image._set_file_hash()
        image.save(update_fields=["file_hash"])
        if old and old != image.file.name:
            storage, name = image.file.storage, old
            transaction.on_commit(lambda: storage.delete(name))
        record.image = image

    # -- redirects ---------------------------------------------------------------------

    def _redirect(self, old_path: str, record: PloneItem) -> None:
        old_path = Redirect.normalise_path(old_path)
        if len(old_path) > 255 or old_path in ("", "/"):
            return
        target = {"redirect_page_id": record.page_id, "redirect_link": ""}
        if not record.page_id:
            if not record.document_id:
                return  # images have no address of their own in the portal
            target = {"redirect_page_id": None, "redirect_link": record.document.url}
        existing = Redirect.objects.filter(old_path=old_path, site=None).first()
        if existing and all(getattr(existing, name) == value for name, value in target.items()):
            return
        Redirect.objects.update_or_create(
            old_path=old_path, site=None, defaults={"is_permanent": True, **target}
        )
        self.report.redirects += 1

    def _redirects(self, item: Item) -> None:
        record = self.records[item.uid]
        path = self.old_path(item)
        self._redirect(path, record)
        if record.document_id:
            self._redirect(f"{path}/@@download/file", record)
            self._redirect(f"{path}/view", record)

    def _plone_redirects(self) -> None:
        """Plone's own redirects (a renamed or moved item's old address) to the new page."""
        by_path = {record.path: record for record in self.records.values()}
        for old, new in self.export.redirects.items():
            old_path = old[len(self.site_path) :] if old.startswith(self.site_path + "/") else old
            new_path = new[len(self.site_path) :] if new.startswith(self.site_path + "/") else new
            record = by_path.get(new_path.rstrip("/"))
            if record is None:
                self.report.skipped.append((old_path, f"redirect to {new_path}, which was not imported"))
                continue
            self._redirect(old_path, record)


def import_plone(
    directory: Path,
    *,
    blobs: Path | None = None,
    audiences: dict[str, access.AudienceRule] | None = None,
    old_urls: tuple[str, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import (or import again) the export in ``directory``; see the module's docstring."""
    export = read_export(Path(directory))
    run = PloneImport(
        export,
        blobs=Path(blobs) if blobs else Path(directory) / "blobstorage",
        audiences=audiences or {},
        old_urls=old_urls,
        progress=progress,
    )
    return run.run()
