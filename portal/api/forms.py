from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.api.clients import parse_networks
from portal.api.models import Scope


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. the case software's name."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )
    allowed_networks = forms.CharField(
        label=_("Allowed networks"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("One address or range per line (e.g. 192.0.2.0/24). Empty: from anywhere."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    rate_limit = forms.IntegerField(
        label=_("Calls per minute"),
        min_value=1,
        max_value=100_000,
        initial=settings.PORTAL_API_RATE_PER_MINUTE,
    )

    def clean_allowed_networks(self):
        try:
            return parse_networks(self.cleaned_data["allowed_networks"].splitlines())
        except ValidationError as error:
            raise ValidationError(error.message_dict["allowed_networks"]) from error
