"""The dossier's journal as people read it: filtered, described in words, exportable.

The journal stores ids, references and field names only (never case contents). This module
turns a page of entries into lines a person can read: document titles, who wrote a message,
people by name with the organisation they acted for, every kind of entry in the reader's
language. Names are looked up for a whole page at once, so a page costs the same number of
queries whatever its length.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.dossiers.levels import Level
from portal.dossiers.models import Dossier
from portal.dossiers.workflow import Status
from portal.journal.models import Action, JournalEntry

EXPORT_CHUNK = 500

OBJECT_KINDS = {
    "dossier": gettext_lazy("dossier"),
    "document": gettext_lazy("document"),
    "message": gettext_lazy("message"),
    "journal": gettext_lazy("journal"),
}


class JournalFilterForm(forms.Form):
    """Filters of the journal tab. Bad values are ignored field by field, with a message."""

    person = forms.TypedChoiceField(
        label=gettext_lazy("Person"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=gettext_lazy("Kind of entry"), required=False)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone")), *people_in_journal(dossier)]
        self.fields["action"].choices = [("", _("Every kind")), *Action.choices]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("This date lies before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters only: an invalid one is shown with its message and not applied."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


def people_in_journal(dossier: Dossier) -> list[tuple[int, str]]:
    """The people who appear in the dossier's journal, by name (one query)."""
    ids = JournalEntry.objects.filter(details__dossier=dossier.pk, actor__isnull=False).values("actor_id")
    return [(user.pk, person_name(user)) for user in get_user_model().objects.filter(pk__in=ids)]


def dossier_entries(
    dossier: Dossier,
    *,
    person: int | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[JournalEntry]:
    """The entries about ``dossier``, its documents and messages, newest first, filtered."""
    entries = JournalEntry.objects.filter(details__dossier=dossier.pk)
    if person:
        entries = entries.filter(actor_id=person)
    if action:
        entries = entries.filter(action=action)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries.select_related("actor", "organisation").order_by("-id")


def person_name(user) -> str:
    return user.get_full_name() or user.email


@dataclass(frozen=True)
class Line:
    """One journal entry in words."""

    entry: JournalEntry
    person: str
    organisation: str
    kind: str
    subject: str
    details: str


def describe(entries: Iterable[JournalEntry]) -> list[Line]:
    """Entries in words, with names looked up for all of them at once (three queries at most)."""
    from portal.documents.models import Document
    from portal.threads.models import Message

    entries = list(entries)
    ids: dict[str, set[int]] = {"document": set(), "message": set()}
    people: set[int] = set()
    for entry in entries:
        if entry.object_type in ids and entry.object_id:
            ids[entry.object_type].add(entry.object_id)
        if isinstance(entry.details.get("person"), int):
            people.add(entry.details["person"])
    documents = (
        dict(Document.objects.filter(pk__in=ids["document"]).values_list("pk", "title"))
        if ids["document"]
        else {}
    )
    messages = (
        {
            message.pk: message
            for message in Message.objects.filter(pk__in=ids["message"]).select_related(
                "author", "organisation"
            )
        }
        if ids["message"]
        else {}
    )
    names = (
        {user.pk: person_name(user) for user in get_user_model().objects.filter(pk__in=people)}
        if people
        else {}
    )
    return [_line(entry, documents, messages, names) for entry in entries]


def _line(entry: JournalEntry, documents: dict, messages: dict, names: dict) -> Line:
    kind = str(OBJECT_KINDS.get(entry.object_type, entry.object_type))
    if entry.object_type == "document":
        title = documents.get(entry.object_id)
        subject = (
            _("Document “%(title)s”") % {"title": title}
            if title
            else _("Document no. %(id)s (deleted)") % {"id": entry.object_id}
        )
    elif entry.object_type == "message":
        message = messages.get(entry.object_id)
        if message is None:
            subject = _("Message no. %(id)s (deleted)") % {"id": entry.object_id}
        else:
            subject = _("Message of %(date)s from %(author)s") % {
                "date": date_format(timezone.localtime(message.created_at), "SHORT_DATETIME_FORMAT"),
                "author": person_name(message.author) if message.author else "–",
            }
    elif entry.object_type == "journal":
        subject = _("Journal of dossier %(reference)s") % {"reference": entry.object_reference}
    else:
        subject = _("Dossier %(reference)s") % {"reference": entry.object_reference}
    return Line(
        entry=entry,
        person=person_name(entry.actor) if entry.actor else (entry.actor_label or "–"),
        organisation=entry.organisation.short_name
        if entry.organisation
        else (entry.organisation_label or "–"),
        kind=f"{kind}: {entry.get_action_display()}",
        subject=subject,
        details=_details(entry, names),
    )


def _field_label(name: str) -> str:
    try:
        return str(Dossier._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _level(value) -> str:
    try:
        return str(Level(value).label)
    except ValueError:
        return str(value)


def _details(entry: JournalEntry, names: dict) -> str:
    """The entry's details in words; unknown keys are left out rather than shown raw."""
    details = entry.details
    parts: list[str] = []
    if fields := details.get("fields"):
        parts.append(_("fields: %(list)s") % {"list": ", ".join(_field_label(name) for name in fields)})
    if status := details.get("status"):
        labels = [str(Status(value).label) if value in Status.values else str(value) for value in status]
        parts.append(_("status: %(from)s → %(to)s") % {"from": labels[0], "to": labels[-1]})
    if details.get("legal_hold") == "set":
        parts.append(_("legal hold set"))
    elif details.get("legal_hold") == "lifted":
        parts.append(_("legal hold lifted"))
    if entry.action in (Action.SHARE, Action.REVOKE):
        target = details.get("organisation") or names.get(details.get("person")) or "–"
        parts.append(_("with %(target)s") % {"target": target})
        if "level" in details:
            parts.append(_("level: %(level)s") % {"level": _level(details["level"])})
        if expires_at := details.get("expires_at"):
            moment = timezone.localtime(timezone.datetime.fromisoformat(expires_at))
            parts.append(_("until %(date)s") % {"date": date_format(moment, "SHORT_DATETIME_FORMAT")})
    if entry.action == Action.HAND_OVER:
        parts.append(
            _("from %(from)s to %(to)s") % {"from": details.get("from", "–"), "to": details.get("to", "–")}
        )
        if details.get("level_kept"):
            parts.append(_("kept: %(level)s") % {"level": _level(details["level_kept"])})
    if "version" in details:
        parts.append(_("version %(number)s") % {"number": details["version"]})
    if details.get("preview"):
        parts.append(_("preview"))
    if details.get("attachments"):
        parts.append(_("attachments: %(count)s") % {"count": details["attachments"]})
    return "; ".join(parts)


def export_rows(entries: QuerySet[JournalEntry]) -> Iterator[list[str]]:
    """The CSV of an audit: a header, then one row per entry, described chunk by chunk."""
    yield [
        _("Time"),
        _("Person"),
        _("E-mail"),
        _("Acting for"),
        _("Kind of entry"),
        _("About"),
        _("Details"),
        _("Address"),
        _("Entry hash"),
    ]
    chunk: list[JournalEntry] = []
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(entry)
        if len(chunk) == EXPORT_CHUNK:
            yield from _rows(chunk)
            chunk = []
    yield from _rows(chunk)


def _rows(chunk: list[JournalEntry]) -> Iterator[list[str]]:
    for line in describe(chunk):
        yield [
            timezone.localtime(line.entry.created_at).isoformat(timespec="seconds"),
            line.person,
            line.entry.actor_label,
            line.organisation,
            line.kind,
            line.subject,
            line.details,
            line.entry.address or "",
            line.entry.entry_hash,
        ]


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    """Rows as CSV text, for a streamed response (UTF-8 with BOM so spreadsheets read umlauts)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_neutralise(cell) for cell in row])


def _neutralise(cell: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ as formulas: quote them."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
