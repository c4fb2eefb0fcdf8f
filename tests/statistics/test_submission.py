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


def test_the_secretariat_reads_a_submitted_report_as_it_was_submitted(
    admin_a, organisation_a, organisation_b
):
    cases = generate([organisation_a, organisation_b], count=30)
    first = submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    generate([organisation_a], count=12, seed=99)  # the body's figures change after its first submission
    latest = submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    assert bytes(first.csv) != bytes(latest.csv)
    seco = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    client = client_of(member(seco, Role.CASE_WORKER))

    listing = client.get(reverse("statistics:submissions", args=[2025])).content.decode()
    page_url = reverse("statistics:submission", args=[2025, organisation_a.pk])
    assert f'href="{page_url}"' in listing

    page = client.get(page_url)
    assert page.status_code == 200 and page.context["submission"] == latest
    own_controls = sum(1 for c in cases if c.owner_id == organisation_a.pk and c.opened_at.year == 2025)
    assert own_controls > 0
    totals = [row for row in page.context["rows"] if row[1] == "Total"]
    assert totals and latest.sha256 in page.content.decode()

    earlier = client.get(page_url, {"version": 1})
    assert earlier.context["submission"] == first
    download = client.get(
        reverse("statistics:submission-file", args=[2025, organisation_a.pk, "csv"]), {"version": 1}
    )
    assert download.content == bytes(first.csv)
    assert download["Content-Disposition"].endswith(f'report-{organisation_a.slug}-2025-v1.csv"')
    entries = JournalEntry.objects.filter(
        object_type="statistics_submission", action__in=["view", "download"]
    )
    assert {(e.action, e.object_id, e.organisation_id) for e in entries} == {
        ("view", latest.pk, seco.pk),
        ("view", first.pk, seco.pk),
        ("download", first.pk, seco.pk),
    }


def test_only_the_secretariat_reads_submitted_reports(admin_a, organisation_a, organisation_b, worker_b):
    submit_report(organisation=organisation_a, year=2025, acting_user=admin_a)
    umbrella = OrganisationFactory(short_name="VSAA", kind="umbrella_association", canton="CH")
    seco = OrganisationFactory(short_name="SECO", kind="federal_secretariat", canton="CH")
    url = reverse("statistics:submission", args=[2025, organisation_a.pk])
    assert client_of(member(umbrella, Role.ADMINISTRATOR)).get(url).status_code == 403
    assert client_of(worker_b).get(url).status_code == 403
    assert client_of(member(seco, Role.READER)).get(url).status_code == 403
    listing = client_of(member(umbrella, Role.ADMINISTRATOR)).get(
        reverse("statistics:submissions", args=[2025])
    )
    assert listing.status_code == 200 and url not in listing.content.decode()
    secretariat_client = client_of(member(seco, Role.ADMINISTRATOR))
    assert (
        secretariat_client.get(reverse("statistics:submission", args=[2025, organisation_b.pk])).status_code
        == 404
    )
    assert secretariat_client.get(url, {"version": 7}).status_code == 404
    assert not JournalEntry.objects.filter(object_type="statistics_submission", action="view").exists()
