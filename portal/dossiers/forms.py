from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.dossiers.actions import EDITABLE_FIELDS
from portal.dossiers.identifiers import normalise_uid
from portal.dossiers.levels import LEVEL_DESCRIPTIONS, Level
from portal.dossiers.models import Dossier
from portal.dossiers.workflow import Status, allowed_targets
from tenants.models import Membership, Organisation
from tenants.roles import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DossierForm(forms.ModelForm):
    """Create and edit. Validation is the model's, so messages name the field concerned."""

    company_uid = forms.CharField(
        label=_("enterprise number (UID)"),
        required=False,
        max_length=20,
        help_text=_("For example CHE-116.281.710, with or without dots"),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate with commas, e.g. Lohnkontrolle, Bau")
    )

    class Meta:
        model = Dossier
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "work_start": DATE,
            "work_end": DATE,
            "deadline": DATE,
            "company_address": forms.Textarea(attrs={"rows": 3}),
            "working_time_violations": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owner: Organisation, choose_responsible: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_responsible:
            self.fields["responsible"].queryset = get_user_model().objects.filter(
                pk__in=Membership.objects.current().filter(organisation=owner).values("user_id")
            )
        else:
            # Someone outside the owner (a recipient with edit level): the owner's members are
            # not theirs to see, so the field is left out and the responsible person stays.
            del self.fields["responsible"]
        if self.instance.pk:
            self.initial["tags"] = ", ".join(sorted(self.instance.tags.names()))

    def clean_company_uid(self):
        value = self.cleaned_data.get("company_uid", "")
        return normalise_uid(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("work_start"), cleaned.get("work_end")
        if start and end and end < start:
            self.add_error("work_end", _("The end of the work lies before its start."))
        return cleaned

    def _post_clean(self):
        # The model's own validation runs again in the action, with the reference set.
        pass

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))

    def __init__(self, *args, dossier: Dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, Status(s).label) for s in Status.values if s in allowed_targets(dossier.status)
        ]


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in the portal's time zone: an expiry date is inclusive."""
    return timezone.make_aware(datetime.combine(day, time.max))


def level_choices(maximum: int = Level.MANAGE):
    return [
        (level, format_lazy("{} – {}", Level(level).label, LEVEL_DESCRIPTIONS[level]))
        for level in Level.values
        if level <= maximum
    ]


class ShareForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Share with"),
        choices=[("organisation", _("An organisation")), ("person", _("A person"))],
        widget=forms.RadioSelect,
        initial="organisation",
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.active().order_by("kind", "short_name"),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every member. Each member gets at most what their role allows."),
    )
    email = forms.EmailField(label=_("Person's e-mail address"), required=False)
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, choices=level_choices(), initial=Level.VIEW)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DATE,
        help_text=_("Inclusive: access ends at the end of this day (23:59)."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    # The fields of each kind of recipient; the page shows only those of the chosen kind.
    KIND_FIELDS = {"organisation": ("organisation", "roles"), "person": ("email",)}

    def __init__(self, *args, dossier=None, exclude_organisation=None, **kwargs):
        """``exclude_organisation``: the sharer's own organisation, never a recipient in bulk."""
        super().__init__(*args, **kwargs)
        excluded = {
            pk for pk in (getattr(dossier, "owner_id", None), getattr(exclude_organisation, "pk", None)) if pk
        }
        if excluded:
            self.fields["organisation"].queryset = self.fields["organisation"].queryset.exclude(
                pk__in=excluded
            )

    @property
    def organisation_fields(self) -> list:
        return [self[name] for name in self.KIND_FIELDS["organisation"]]

    @property
    def person_fields(self) -> list:
        return [self[name] for name in self.KIND_FIELDS["person"]]

    @property
    def common_fields(self) -> list:
        kind_names = {name for names in self.KIND_FIELDS.values() for name in names}
        return [self[name] for name in self.fields if name not in kind_names and name != "target"]

    def clean(self):
        cleaned = super().clean()
        # Fields of the kind not chosen are hidden on the page: their values never count.
        for kind, names in self.KIND_FIELDS.items():
            if cleaned.get("target") and cleaned.get("target") != kind:
                for name in names:
                    self.errors.pop(name, None)
                    cleaned.pop(name, None)
        if cleaned.get("target") == "organisation" and not cleaned.get("organisation"):
            self.add_error("organisation", _("Choose the organisation."))
        if cleaned.get("target") == "person":
            email = cleaned.get("email")
            if not email:
                self.add_error("email", _("Enter the person's e-mail address."))
            else:
                user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
                if user is None:
                    self.add_error("email", _("Nobody with this address uses the portal."))
                cleaned["user"] = user
        expires_on = cleaned.get("expires_on")
        if expires_on and expires_on < timezone.localdate():
            self.add_error("expires_on", _("The expiry date cannot lie in the past."))
        return cleaned

    def share_arguments(self) -> dict:
        data = self.cleaned_data
        expires_on = data.get("expires_on")
        arguments = {
            "level": data["level"],
            "note": data.get("note", ""),
            "expires_at": end_of_day(expires_on) if expires_on else None,
        }
        if data["target"] == "organisation":
            arguments |= {"organisation": data["organisation"], "roles": data.get("roles") or []}
        else:
            arguments |= {"user": data["user"]}
        return arguments


class HandoverForm(forms.Form):
    prefix = "handover"

    organisation = forms.ModelChoiceField(
        label=_("Hand over to"), queryset=Organisation.objects.active().order_by("kind", "short_name")
    )
    level_kept = forms.TypedChoiceField(
        label=_("Your organisation keeps"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("No access")), *level_choices()],
        initial=Level.VIEW,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my organisation will no longer own this dossier.")
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dossier is not None:
            self.fields["organisation"].queryset = self.fields["organisation"].queryset.exclude(
                pk=dossier.owner_id
            )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the legal hold"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
