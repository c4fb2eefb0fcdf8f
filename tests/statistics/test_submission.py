"""A body's administrator submits its yearly report; the secretariat sees who submitted."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from portal.journal.models import JournalEntry
from portal.statistics.actions import submit_report
from portal.statistics.models import ReportSubmission
from tenants.roles import Role
from tests.statistics.generator import generate
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def secretariat():
    return OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")


def test_an_administrator_submits_the_report_as_it_is_downloaded_and_it_is_journaled(
    admin_a, organisation_a, organisation_b
):
    generate([organisation_a, organisation_b], count=30)
    client = client_of(admin_a)
    response = client.post(reverse("statistics:submit", args=[2025]))
    assert response.status_code == 302
    submission = ReportSubmission.objects.get()
    download = client.get(reverse("statistics:report-file", args=[2025, "csv"])).content
    assert (submission.organisation, submission.year, submission.version) == (organisation_a, 2025, 1)
    assert bytes(submission.csv) == download
    assert submission.sha256 == hashlib.sha256(download).hexdigest()
    assert submission.submitted_by == admin_a
    entry = JournalEntry.objects.get(object_type="statistics_submission")
    assert (entry.action, entry.actor_id, entry.organisation_id, entry.object_id) == (
        "create",
        admin_a.pk,
        organisation_a.pk,
        submission.pk,
    )
    assert entry.details == {"year": 2025, "version": 1, "sha256": submission.sha256}
    page = client.get(reverse("statistics:report", args=[2025])).content.decode()
    assert "Version 1" in page or "Version\xa01" in page


def test_submitting_again_adds_a_version_and_keeps_the_earlier_one(admin_a, organisation_a):
    generate([organisation_a], count=5, seed=2)
    first = submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    generate([organisation_a], count=20, seed=3)
    second = submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 != second.sha256
    assert list(ReportSubmission.objects.values_list("version", flat=True)) == [2, 1]
    assert JournalEntry.objects.filter(object_type="statistics_submission").count() == 2


def test_the_secretariat_sees_which_bodies_submitted_and_which_not(
    admin_a, organisation_a, organisation_b, secretariat
):
    submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    client = client_of(member(secretariat, Role.CASE_WORKER))
    response = client.get(reverse("statistics:submissions", args=[2025]))
    assert response.status_code == 200
    submitted = response.context["submitted"]
    assert [(body, row["versions"]) for body, row in submitted] == [(organisation_a, 2)]
    assert organisation_b in response.context["missing"] and secretariat not in response.context["missing"]
    page = response.content.decode()
    assert organisation_a.short_name in page and organisation_b.short_name in page
    other_year = client.get(reverse("statistics:submissions", args=[2024]))
    assert other_year.context["submitted"] == []


def test_another_body_sees_neither_the_list_nor_a_third_bodys_submission(
    admin_a, organisation_a, organisation_b, admin_b
):
    submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    client = client_of(admin_b)
    assert client.get(reverse("statistics:submissions", args=[2025])).status_code == 403
    page = client.get(reverse("statistics:report", args=[2025]))
    assert list(page.context["submissions"]) == []
    assert "Not submitted yet" in page.content.decode() or page.context["submissions"].count() == 0
    own = client_of(admin_a).get(reverse("statistics:report", args=[2025]))
    assert [s.organisation_id for s in own.context["submissions"]] == [organisation_a.pk]


def test_readers_and_case_workers_cannot_submit(organisation_a, worker_a, reader_a):
    assert client_of(reader_a).post(reverse("statistics:submit", args=[2025])).status_code == 403
    assert client_of(worker_a).post(reverse("statistics:submit", args=[2025])).status_code == 403
    with pytest.raises(PermissionDenied):
        submit_report(organisation=organisation_a, year=2025, acting_user=worker_a)
    assert not ReportSubmission.objects.exists()
    assert not JournalEntry.objects.filter(object_type="statistics_submission").exists()
    page = client_of(worker_a).get(reverse("statistics:report", args=[2025])).content.decode()
    assert reverse("statistics:submit", args=[2025]) not in page


def test_an_administrator_of_another_body_cannot_submit_for_this_one(organisation_a, admin_b):
    with pytest.raises(PermissionDenied):
        submit_report(organisation=organisation_a, year=2025, acting_user=admin_b)


def test_no_submission_for_a_future_year(admin_a):
    assert client_of(admin_a).post(reverse("statistics:submit", args=[2999])).status_code == 404
    assert not ReportSubmission.objects.exists()
