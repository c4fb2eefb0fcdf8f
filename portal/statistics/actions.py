"""Writes of the statistics: a body submits its yearly report to the federal secretariat."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from portal.journal.actions import record
from portal.journal.models import Action
from portal.statistics.figures import Filters, Period, figures_for, own_dossiers
from portal.statistics.models import ReportSubmission
from portal.statistics.report import as_csv, sections
from tenants import policies
from tenants.models import Organisation
from tenants.roles import Role

FIRST_YEAR = 2000


def may_submit(user, organisation: Organisation) -> bool:
    """Only the body's administrators submit its report (they answer for it to the secretariat)."""
    membership = policies.membership_of(user, organisation)
    return membership is not None and membership.role == Role.ADMINISTRATOR


@transaction.atomic
def submit_report(*, organisation: Organisation, year: int, acting_user, request=None) -> ReportSubmission:
    """Snapshot the body's report for ``year`` as CSV and submit it as a new version.

    The CSV is the body's own report (unsuppressed, as its members download it), in the
    submitter's language. Earlier versions stay; the latest is the one that counts.
    """
    if not may_submit(acting_user, organisation):
        raise PermissionDenied
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValueError(f"no report for {year}")
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one version at a time
    last = ReportSubmission.objects.filter(organisation=organisation, year=year).aggregate(v=Max("version"))[
        "v"
    ]
    content = as_csv(
        sections(figures_for(own_dossiers(organisation), Filters(Period.year(year))), protect=False)
    )
    submission = ReportSubmission.objects.create(
        organisation=organisation,
        year=year,
        version=(last or 0) + 1,
        submitted_at=timezone.now(),
        submitted_by=acting_user,
        submitted_by_label=acting_user.email,
        language=translation.get_language() or "",
        csv=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    record(
        action=Action.CREATE,
        object_type="statistics_submission",
        object_id=submission.pk,
        object_reference=f"{organisation.slug}-{year}",
        actor=acting_user,
        organisation=organisation,
        request=request,
        details={"year": year, "version": submission.version, "sha256": submission.sha256},
    )
    return submission
