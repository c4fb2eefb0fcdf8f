from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.actions import OPERATOR_FIELDS
from tenants.models import Canton, Organisation, OrganisationKind
from tenants.roles import Role


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CASE_WORKER)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for no end date."),
    )

    def clean_valid_until(self):
        value = self.cleaned_data.get("valid_until")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The end date cannot lie in the past."))
        return value


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)


class OrganisationDetailsForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["email", "phone", "street", "postcode", "city", "website"]


class CreateOrganisationForm(forms.ModelForm):
    admin_email = forms.EmailField(label=_("E-mail of the first administrator"))
    admin_first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    admin_last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [OPERATOR_FIELDS[0], "slug", *OPERATOR_FIELDS[1:]]  # the slug only when creating
        widgets = {
            "kind": forms.Select(choices=OrganisationKind.choices),
            "canton": forms.Select(choices=Canton.choices),
        }


class OperatorOrganisationForm(forms.ModelForm):
    """What a platform operator may correct; the slug stays, it is in addresses and the API."""

    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = list(OPERATOR_FIELDS)


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Search organisations"), required=False, max_length=100)
