"""Statistics pages. Thin: who may see what is in ``access``, the counting in ``figures``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from portal.statistics import access, selectors
from portal.statistics.figures import all_dossiers, figures_for, own_dossiers
from portal.statistics.forms import FigureFilterForm, previous
from tenants.models import Organisation


def _figures_page(request, scope, *, protect: bool, bodies: bool = False):
    form = FigureFilterForm(request.GET or None, sectors=selectors.sectors_of(scope))
    filters = form.filters()
    current = figures_for(scope, filters)
    before = figures_for(scope, previous(filters))
    return {
        "form": form,
        "filters": filters,
        "previous_period": before.filters.period,
        **selectors.tables(current, before, protect=protect, bodies=bodies),
    }


@login_required
def dashboard(request):
    organisation = access.body_for(request)
    context = _figures_page(request, own_dossiers(organisation), protect=False)
    context.update(organisation=organisation, may_see_national=access.may_see_national(request.tenant))
    return render(request, "statistics/dashboard.html", context)


@login_required
def national(request, body_id: int | None = None):
    access.national_for(request)
    body = get_object_or_404(Organisation, pk=body_id) if body_id is not None else None
    scope = own_dossiers(body) if body is not None else all_dossiers()
    context = _figures_page(request, scope, protect=True, bodies=body is None)
    context["body"] = body
    return render(request, "statistics/national.html", context)
