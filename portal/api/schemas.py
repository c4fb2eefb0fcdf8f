"""What the API reads and writes, as pydantic schemas (the OpenAPI document is built from them)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

from portal.documents.models import Category
from portal.dossiers.levels import Level
from portal.dossiers.models import ControlKind
from portal.dossiers.workflow import Status
from tenants.models import Canton, OrganisationKind
from tenants.roles import Role

StatusName = Enum("StatusName", {s.name: s.value for s in Status}, type=str)
ControlKindName = Enum("ControlKindName", {k.name: k.value for k in ControlKind}, type=str)
CantonCode = Enum("CantonCode", {c.name: c.value for c in Canton}, type=str)
CategoryName = Enum("CategoryName", {c.name: c.value for c in Category}, type=str)
RoleName = Enum("RoleName", {r.name: r.value for r in Role}, type=str)
OrganisationKindName = Enum("OrganisationKindName", {k.name: k.value for k in OrganisationKind}, type=str)
LevelName = Literal["view", "contribute", "edit", "manage"]
LEVELS: dict[str, int] = {
    "view": Level.VIEW,
    "contribute": Level.CONTRIBUTE,
    "edit": Level.EDIT,
    "manage": Level.MANAGE,
}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso(pattern: re.Pattern, example: str):
    def check(value):
        if isinstance(value, str) and pattern.match(value):
            return value
        if isinstance(value, date) and not isinstance(value, str):
            return value
        raise ValueError(f"write it as text in ISO 8601, e.g. {example}")

    return BeforeValidator(check)


# Dates are ISO 8601 text; pydantic would otherwise read 0 or "0" as 1 January 1970.
IsoDate = Annotated[date, _iso(ISO_DATE, "2026-03-31")]
IsoDateTime = Annotated[datetime, _iso(ISO_DATETIME, "2026-03-31T17:00:00+02:00")]


class Strict(Schema):
    """Request bodies: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class OrganisationRef(Schema):
    id: int
    short_name: str


class Organisation(Schema):
    id: int
    slug: str
    short_name: str
    name: str
    kind: OrganisationKindName
    canton: str


class DossierOut(Schema):
    id: int
    reference: str
    owner: OrganisationRef
    status: StatusName
    allowed_transitions: list[StatusName]
    company_name: str
    company_uid: str
    company_foreign_register: str
    company_country: str
    company_address: str
    sector: str
    collective_agreement: str
    canton: str
    commune: str
    work_start: date | None
    work_end: date | None
    control_kind: ControlKindName
    persons_checked: int
    deadline: date | None
    wage_underpayment_chf: Decimal | None
    working_time_violations: str
    penalty_chf: Decimal | None
    fine_chf: Decimal | None
    ban_years: int | None
    agreement_extended: bool = Field(
        description="The sector's collective labour agreement is declared generally binding."
    )
    listed_publicly: bool = Field(
        description="The company is on the federal secretariat's public list of sanctioned companies."
    )
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime
    destroy_after: datetime
    on_legal_hold: bool
    access_level: LevelName | None = Field(None, description="Your level; only on single dossiers.")


class DossierPage(Schema):
    items: list[DossierOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class _DossierFields(Strict):
    company_uid: str = Field(
        "", max_length=20, description="For example CHE-116.281.710, with or without separators"
    )
    company_foreign_register: str = Field("", max_length=60)
    company_country: str = Field("CH", min_length=2, max_length=2)
    company_address: str = Field("", max_length=2000)
    sector: str = Field("", max_length=120)
    collective_agreement: str = Field("", max_length=200)
    commune: str = Field("", max_length=100)
    work_start: IsoDate | None = None
    work_end: IsoDate | None = None
    persons_checked: int = Field(0, strict=True, ge=0, le=1_000_000)
    deadline: IsoDate | None = None
    agreement_extended: bool = Field(
        False,
        strict=True,
        description="The sector's collective labour agreement is declared generally binding.",
    )
    listed_publicly: bool = Field(
        False,
        strict=True,
        description="The company is on the federal secretariat's public list of sanctioned companies.",
    )
    tags: list[str] = Field([], max_length=20)


class DossierIn(_DossierFields):
    company_name: str = Field(min_length=1, max_length=200)
    canton: CantonCode
    control_kind: ControlKindName


class DossierPatch(Strict):
    company_name: str | None = Field(None, min_length=1, max_length=200)
    company_uid: str | None = Field(None, max_length=20)
    company_foreign_register: str | None = Field(None, max_length=60)
    company_country: str | None = Field(None, min_length=2, max_length=2)
    company_address: str | None = Field(None, max_length=2000)
    sector: str | None = Field(None, max_length=120)
    collective_agreement: str | None = Field(None, max_length=200)
    canton: CantonCode | None = None
    commune: str | None = Field(None, max_length=100)
    work_start: IsoDate | None = None
    work_end: IsoDate | None = None
    control_kind: ControlKindName | None = None
    persons_checked: int | None = Field(None, strict=True, ge=0, le=1_000_000)
    deadline: IsoDate | None = None
    wage_underpayment_chf: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    working_time_violations: str | None = Field(None, max_length=5000)
    penalty_chf: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    fine_chf: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    ban_years: int | None = Field(None, strict=True, ge=1, le=5)
    agreement_extended: bool | None = Field(None, strict=True)
    listed_publicly: bool | None = Field(None, strict=True)
    tags: list[str] | None = Field(None, max_length=20)


class StatusIn(Strict):
    status: StatusName


class VersionOut(Schema):
    number: int
    file_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: datetime


class DocumentOut(Schema):
    id: int
    dossier_id: int
    title: str
    category: CategoryName
    message_id: int | None
    created_at: datetime
    current_version: VersionOut


class DocumentDetail(DocumentOut):
    versions: list[VersionOut]


class UploadIn(Strict):
    file_name: str = Field(min_length=1, max_length=200)
    size: int = Field(gt=0, strict=True, description="Bytes in the whole file")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Of the whole file, lower-case hex")
    title: str = Field("", max_length=200)
    category: CategoryName = CategoryName.OTHER
    document_id: int | None = Field(
        None, strict=True, description="Set to add a version to this document instead"
    )


class UploadOut(Schema):
    id: str
    dossier_id: int
    document_id: int | None
    file_name: str
    size: int
    received: int
    expires_at: datetime


class ShareIn(Strict):
    organisation_id: int = Field(strict=True)
    level: LevelName = "view"
    roles: list[RoleName] = Field([], description="Empty: every member of the organisation")
    expires_at: IsoDateTime | None = None
    note: str = Field("", max_length=2000)


class ShareOut(Schema):
    id: int
    kind: Literal["share", "handover"]
    organisation: OrganisationRef | None
    person_id: int | None
    roles: list[RoleName]
    level: LevelName
    expires_at: datetime | None
    note: str
    created_at: datetime


class HandoverIn(Strict):
    organisation_id: int = Field(strict=True)
    level_kept: LevelName | None = Field("view", description="What your organisation keeps; null: nothing")
    note: str = Field("", max_length=2000)


class HandoverOut(Schema):
    dossier_id: int
    from_organisation: OrganisationRef
    to_organisation: OrganisationRef
    level_kept: LevelName | None
    handed_over_at: datetime


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=20000)


class MessageOut(Schema):
    id: int
    dossier_id: int
    body: str
    author: str
    organisation: OrganisationRef | None
    created_at: datetime
    attachment_ids: list[int]


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class SearchHit(Schema):
    kind: Literal["dossier", "document", "message", "page"]
    id: int
    dossier_id: int | None = Field(description="Empty for knowledge pages")
    title: str
    reference: str
    date: datetime
    language: str
    snippet: str = Field(description="HTML-escaped, matches in <mark>")
    url: str = Field(
        "", description="Knowledge pages: the address where the page is read, from the portal's root"
    )


class FacetValue(Schema):
    value: str
    count: int | None = Field(
        description="Matches with this value; null when there are more than 10,000 matches in all "
        "(the value is offered for narrowing, uncounted)"
    )


class SearchOut(Schema):
    query: str
    total: int = Field(description="Matches, exact up to 10,000; 10,001 with `more`")
    more: bool = Field(False, description="More than 10,000 matches: narrow with the facets")
    page: int
    pages: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]


class ChangeOut(Schema):
    kind: str = Field(
        description="dossier.created, dossier.changed, dossier.shared, access.revoked, "
        "dossier.handed_over, document.added, message.posted, dossier.destroyed"
    )
    dossier_id: int
    reference: str
    object_type: str
    object_id: int | None
    at: datetime


class ChangePage(Schema):
    items: list[ChangeOut]
    next_cursor: str = Field(description="Pass as `since` next time, also when `items` is empty")
    more: bool


class TokenOut(Schema):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


class OAuthError(Schema):
    error: str
    error_description: str
