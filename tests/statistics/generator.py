"""A fixed, generated set of control cases with their journaled status history.

Each case is written as a dossier row plus the journal entries ``change_status`` would have
written, at the times chosen here, so the figures can be checked against a plain
computation over :class:`Case` (kept next to the rows, never read back from them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

from portal.dossiers.identifiers import uid_check_digit
from portal.dossiers.journaling import journal
from portal.dossiers.models import Handover
from portal.journal.models import Action
from portal.statistics.facts import refresh
from tests.dossiers.factories import DossierFactory

ZURICH = ZoneInfo("Europe/Zurich")
KINDS = ("posted_workers", "self_employed", "swiss_employer", "temporary_agency")
SECTORS = ("Bauhauptgewerbe", "Gastgewerbe", "Reinigung", "")
CANTONS = ("GE", "ZH", "TI", "VD")
PATH = ("under_control", "report_written", "transferred_for_sanction", "sanction_decided", "closed")


@dataclass
class Case:
    owner_id: int
    kind: str
    sector: str
    canton: str
    persons: int
    opened_at: datetime
    underpayment: Decimal | None
    working_time: str
    penalty: Decimal | None
    fine: Decimal | None
    ban_years: int | None
    deadline: date | None
    moves: list[tuple[str, datetime]] = field(default_factory=list)
    reference: str = ""
    company: str = ""
    handed_over_from: int | None = None
    extended: bool = False  # the sector has an extended collective agreement
    listed: bool = False  # the company was listed publicly
    uid: str = ""  # the company's enterprise number, normalised; empty: none given

    @property
    def status(self) -> str:
        return self.moves[-1][0] if self.moves else "opened"


def uid(number: int) -> str:
    """A valid, normalised enterprise number from eight digits (``CHE`` + digits + check digit)."""
    digits = f"{number:08d}"
    return f"CHE{digits}{uid_check_digit(digits)}"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=ZURICH)


def write_case(case: Case, owner) -> None:
    dossier = DossierFactory(
        owner=owner,
        company_name=case.company or f"Geheim {owner.pk}-{case.opened_at:%j%H%M%S} AG",
        control_kind=case.kind,
        sector=case.sector,
        canton=case.canton,
        persons_checked=case.persons,
        created_at=case.opened_at,
        status=case.status,
        deadline=case.deadline,
        wage_underpayment_chf=case.underpayment,
        working_time_violations=case.working_time,
        penalty_chf=case.penalty,
        fine_chf=case.fine,
        ban_years=case.ban_years,
        agreement_extended=case.extended,
        listed_publicly=case.listed,
        company_uid=case.uid,
    )
    case.reference, case.company = dossier.reference, dossier.company_name
    previous = "opened"
    for status, at in case.moves:
        with mock.patch("django.utils.timezone.now", return_value=at):
            journal(dossier, Action.CHANGE, details={"status": [previous, status]})
        previous = status
    if case.handed_over_from is not None:
        Handover.objects.create(
            dossier=dossier, from_organisation_id=case.handed_over_from, to_organisation=owner
        )
    refresh([dossier.pk])  # rows written directly, as bulk writers do, not through the actions


def generate(organisations, count: int = 80, seed: int = 17) -> list[Case]:
    """``count`` cases over 2025 and 2026 among ``organisations``, written to the database."""
    rng = random.Random(seed)
    # A second stream for the report's split and public listing, so the first draws the same
    # cases as before these fields existed.
    more = random.Random(seed + 1)
    # A third for the companies: a few enterprise numbers shared by several cases (the same
    # company controlled again, by another body, in another canton), some cases without one.
    companies = random.Random(seed + 2)
    drawn = companies.sample(range(10_000_000, 99_999_999), 24)
    pool = [uid(n) for n in drawn if uid_check_digit(f"{n:08d}") is not None][:12]
    cases = []
    for _ in range(count):
        owner = rng.choice(organisations)
        opened = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 700))
        case = Case(
            owner_id=owner.pk,
            kind=rng.choice(KINDS),
            sector=rng.choice(SECTORS),
            canton=rng.choice(CANTONS),
            persons=rng.randrange(0, 25),
            opened_at=_at(opened),
            underpayment=rng.choice([None, Decimal("0.00"), Decimal(rng.randrange(100, 90000))]),
            working_time=rng.choice(["", "", "Ruhezeiten nicht eingehalten"]),
            penalty=rng.choice([None, None, Decimal("0.00"), Decimal(rng.randrange(500, 20000))]),
            fine=rng.choice([None, None, Decimal(rng.randrange(200, 5000))]),
            ban_years=rng.choice([None, None, None, rng.randrange(1, 6)]),
            deadline=rng.choice([None, opened + timedelta(days=rng.randrange(10, 400))]),
        )
        case.extended = more.random() < 0.5
        case.listed = bool(case.ban_years or case.fine) and more.random() < 0.4
        case.uid = "" if companies.random() < 0.25 else companies.choice(pool)
        steps = rng.randrange(0, len(PATH) + 1)
        at = case.opened_at
        for status in PATH[:steps]:
            at += timedelta(days=rng.randrange(1, 90), hours=rng.randrange(0, 8))
            case.moves.append((status, at))
        if steps and rng.random() < 0.15 and case.status != "closed":
            at += timedelta(days=3)
            case.moves.append(("closed", at))  # closed early, from wherever it stood
        if case.status == "closed" and rng.random() < 0.1:
            at += timedelta(days=5)  # reopened, then closed again: the last closing counts
            case.moves.append(("under_control", at))
            at += timedelta(days=7)
            case.moves.append(("closed", at))
        if len(organisations) > 1 and rng.random() < 0.1:
            case.handed_over_from = rng.choice([o for o in organisations if o.pk != owner.pk]).pk
        write_case(case, owner)
        cases.append(case)
    return cases
