"""Statistics pages. Thin: who may see what is in ``access``, the counting in ``figures``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.journal.actions import record
from portal.journal.models import Action
from portal.statistics import access, selectors
from portal.statistics.actions import FIRST_YEAR, may_submit, submit_report
from portal.statistics.charts import as_csv as chart_csv
from portal.statistics.disclosure import Cube, selection
from portal.statistics.figures import Filters, Period, all_dossiers, cells_for, figures_for, own_dossiers
from portal.statistics.forms import FigureFilterForm, previous
from portal.statistics.models import ReportSubmission
from portal.statistics.overlap import begin
from portal.statistics.presentation import COLUMNS
from portal.statistics.report import as_csv, as_xlsx, sections
from tenants.models import Organisation


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    return year


def _figures_page(request, scope, *, protect: bool, bodies: bool = False, chart_url=None):
    """The context of a figures page; ``chart_url(slug)`` gives the address of a chart's data."""
    form = FigureFilterForm(request.GET or None, sectors=selectors.sectors_of(scope))
    filters = form.filters()
    # Medians of the tables the page shows only (the months' and the report cells' are not).
    shown = ("by_kind", "by_sector", "by_canton", *(("by_owner",) if bodies else ()))
    # The previous period (only its total is shown) and a filtered page's cells on other
    # connections meanwhile, when they may (overlap.py).
    before = begin(figures_for, scope, previous(filters), breakdowns=False)
    cells = begin(cells_for, scope, filters.period) if protect and selection(filters) != (None,) * 3 else None
    current = figures_for(scope, filters, medians=shown)
    cube = _cube(current, cells) if protect else None
    before = before.result()
    context = {
        "form": form,
        "filters": filters,
        "previous_period": before.filters.period,
        **selectors.tables(current, before, protect=protect, bodies=bodies, cube=cube),
    }
    if chart_url is not None:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        context["chart_downloads"] = {
            chart.slug: chart_url(chart.slug) + query for chart in context["charts"]
        }
    return context


def _cube(figures, cells) -> Cube:
    """The period's margins protected together: from the page's own cells when it is not
    filtered, else from the whole scope's (``cells``, one more query), so every filter agrees."""
    if cells is None:
        return Cube.protected(figures.by_cell)
    return Cube.protected(cells.result())


def _chart_data(request, context: dict, *, slug: str, organisation, name: str) -> HttpResponse:
    """A chart's data as CSV, the same figures (and suppressions) as the page's table."""
    chart = next((chart for chart in context["charts"] if chart.slug == slug), None)
    if chart is None:
        raise Http404
    period = context["filters"].period
    record(
        action=Action.DOWNLOAD,
        object_type="statistics_chart",
        object_reference=f"{name}-{slug}",
        actor=request.user,
        organisation=organisation,
        request=request,
        details={"chart": slug, "start": period.start.isoformat(), "end": period.end.isoformat()},
    )
    response = HttpResponse(chart_csv(chart), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = (
        f'attachment; filename="statistics-{name}-{slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def dashboard(request, chart: str | None = None):
    organisation = access.body_for(request)
    context = _figures_page(
        request,
        own_dossiers(organisation),
        protect=False,
        chart_url=lambda slug: reverse("statistics:chart", args=[slug]),
    )
    if chart is not None:
        return _chart_data(request, context, slug=chart, organisation=organisation, name=organisation.slug)
    context.update(organisation=organisation, may_see_national=access.may_see_national(request.tenant))
    return render(request, "statistics/dashboard.html", context)


@login_required
def national(request, body_id: int | None = None, chart: str | None = None):
    organisation = access.national_for(request)
    body = get_object_or_404(Organisation, pk=body_id) if body_id is not None else None
    scope = own_dossiers(body) if body is not None else all_dossiers()
    if body is None:
        chart_url = lambda slug: reverse("statistics:national-chart", args=[slug])  # noqa: E731
    else:
        chart_url = lambda slug: reverse("statistics:national-body-chart", args=[body.pk, slug])  # noqa: E731
    context = _figures_page(request, scope, protect=True, bodies=body is None, chart_url=chart_url)
    if chart is not None:
        name = f"national-{body.slug}" if body is not None else "national"
        return _chart_data(request, context, slug=chart, organisation=organisation, name=name)
    context["body"] = body
    return render(request, "statistics/national.html", context)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _report(
    request, *, year: int, fmt: str, scope, protect: bool, organisation, name: str, title: str, extra=None
):
    if fmt not in ("html", *CONTENT_TYPES):
        raise Http404
    _year_or_404(year)
    figures = figures_for(scope, Filters(period=Period.year(year)))
    report = sections(figures, protect=protect, cube=Cube.protected(figures.by_cell) if protect else None)
    record(
        action=Action.VIEW if fmt == "html" else Action.DOWNLOAD,
        object_type="statistics_report",
        object_reference=f"{name}-{year}",
        actor=request.user,
        organisation=organisation,
        request=request,
        details={"year": year, "format": fmt, "national": protect},
    )
    if fmt == "html":
        return render(
            request,
            "statistics/report.html",
            {
                "report": report,
                "columns": COLUMNS,
                "year": year,
                "title": title,
                "national": protect,
                **(extra or {}),
            },
        )
    content = as_csv(report) if fmt == "csv" else as_xlsx(report, title=title)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="statistics-{name}-{year}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def body_report(request, year: int, fmt: str = "html"):
    organisation = access.body_for(request)
    title = _("Control activity %(year)s: %(name)s") % {"year": year, "name": organisation.short_name}
    return _report(
        request,
        year=year,
        fmt=fmt,
        scope=own_dossiers(organisation),
        protect=False,
        organisation=organisation,
        name=organisation.slug,
        title=title,
        extra={
            "submissions": ReportSubmission.objects.filter(organisation=organisation, year=year).defer("csv"),
            "may_submit": may_submit(request.user, organisation),
        },
    )


@login_required
def submit(request, year: int):
    """POST: the body's administrator submits the report for ``year`` to the secretariat."""
    organisation = access.body_for(request)
    _year_or_404(year)
    if request.method != "POST":
        return redirect("statistics:report", year=year)
    if not may_submit(request.user, organisation):
        raise PermissionDenied
    submission = submit_report(
        organisation=organisation, year=year, acting_user=request.user, request=request
    )
    messages.success(
        request,
        _("The report %(year)s has been submitted to the federal secretariat (version %(version)s).")
        % {"year": year, "version": submission.version},
    )
    return redirect("statistics:report", year=year)


@login_required
def submissions(request, year: int):
    """For the secretariat: which bodies submitted their report for ``year``, when, and which not."""
    access.national_for(request)
    _year_or_404(year)
    latest = {
        row["organisation"]: row
        for row in ReportSubmission.objects.filter(year=year)
        .values("organisation")
        .annotate(versions=Count("id"), last_version=Max("version"), last_at=Max("submitted_at"))
    }
    bodies = (
        Organisation.objects.filter(is_active=True)
        .exclude(kind__in=access.NATIONAL_KINDS)
        .order_by("short_name")
    )
    rows = [(body, latest.get(body.pk)) for body in bodies]
    return render(
        request,
        "statistics/submissions.html",
        {
            "year": year,
            "submitted": [(body, row) for body, row in rows if row],
            "missing": [body for body, row in rows if not row],
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "may_read": access.may_read_submissions(request.tenant),
        },
    )


@login_required
def national_report(request, year: int, fmt: str = "html"):
    organisation = access.national_for(request)
    title = _("Control activity %(year)s: all bodies") % {"year": year}
    return _report(
        request,
        year=year,
        fmt=fmt,
        scope=all_dossiers(),
        protect=True,
        organisation=organisation,
        name="national",
        title=title,
    )


@login_required
def submission(request, year: int, body_id: int, fmt: str = "html"):
    """For the secretariat: a body's submitted report as submitted (latest version, or
    ``?version=N``), as a page or the CSV itself."""
    organisation = access.secretariat_for(request)
    _year_or_404(year)
    if fmt not in ("html", "csv"):
        raise Http404
    version = request.GET.get("version")
    chosen, versions = selectors.submission_for(
        organisation_id=body_id, year=year, version=int(version) if version and version.isdigit() else None
    )
    record(
        action=Action.VIEW if fmt == "html" else Action.DOWNLOAD,
        object_type="statistics_submission",
        object_id=chosen.pk,
        object_reference=f"{chosen.organisation.slug}-{year}",
        actor=request.user,
        organisation=organisation,
        request=request,
        details={"year": year, "version": chosen.version, "format": fmt},
    )
    if fmt == "csv":
        response = HttpResponse(bytes(chosen.csv), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = (
            f'attachment; filename="report-{chosen.organisation.slug}-{year}-v{chosen.version}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response
    header, rows = selectors.submission_table(chosen)
    return render(
        request,
        "statistics/submission.html",
        {"submission": chosen, "versions": versions, "year": year, "header": header, "rows": rows},
    )
