"""The filters of the dashboard and the national view."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dossiers.models import ControlKind
from portal.statistics.figures import Filters, Period
from tenants.models import Canton

LONGEST_PERIOD_DAYS = 3660  # ten years


class FigureFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    control_kind = forms.ChoiceField(
        label=_("Kind of control"), required=False, choices=[("", _("All")), *ControlKind.choices]
    )
    canton = forms.ChoiceField(label=_("Canton"), required=False, choices=[("", _("All")), *Canton.choices])

    def __init__(self, data=None, *, sectors: list[str], today: date | None = None):
        super().__init__(data)
        self.today = today or timezone.localdate()
        self.fields["sector"].choices = [("", _("All"))] + [(s, s) for s in sectors]

    def default_period(self) -> Period:
        """From the first of January to today."""
        return Period(date(self.today.year, 1, 1), self.today)

    def clean(self):
        cleaned = super().clean()
        default = self.default_period()
        start, end = cleaned.get("start") or default.start, cleaned.get("end") or default.end
        if start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (end - start).days > LONGEST_PERIOD_DAYS:
            raise forms.ValidationError(_("A period may last ten years at most."))
        cleaned["period"] = Period(start, end)
        return cleaned

    def filters(self) -> Filters:
        """The filters asked for; the defaults where the form is invalid."""
        if not self.is_valid():
            return Filters(period=self.default_period())
        data = self.cleaned_data
        return Filters(
            period=data["period"],
            sector=data.get("sector") or "",
            control_kind=data.get("control_kind") or "",
            canton=data.get("canton") or "",
        )


def previous(filters: Filters) -> Filters:
    return replace(filters, period=filters.period.previous())
