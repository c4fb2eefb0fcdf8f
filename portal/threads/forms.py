from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.documents.forms import MultipleFileInput


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = forms.FileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
        help_text=_("Attachments become documents of the dossier."),
    )
