from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.documents.models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    files = forms.FileField(
        label=_("Files"),
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True}),
        help_text=_("PDF, Office and OpenDocument, text, CSV, HTML, e-mails (EML, MSG), JPEG, PNG, TIFF."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("For a single file; otherwise each file's name."),
    )


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"), required=False)
