"""Writes to organisations and memberships.

Views, commands and (later) the API all go through these functions: one transaction
each, mails sent only once the transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tenants.models import Membership, Organisation
from tenants.roles import Role

User = get_user_model()


@dataclass(frozen=True)
class OrganisationData:
    slug: str
    short_name: str
    name_de: str
    name_fr: str
    name_it: str
    name_en: str
    kind: str
    canton: str
    email: str = ""
    phone: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    website: str = ""


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def password_setup_url(user) -> str:
    kwargs = {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        path = reverse("account_reset_password_from_key", kwargs=kwargs)
    return _absolute(path)


def _send_invitation(membership: Membership, *, new_user: bool) -> None:
    user = membership.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user,
            "organisation": membership.organisation,
            "role": membership.get_role_display(),
            "setup_url": password_setup_url(user) if new_user else None,
            "login_url": _absolute(reverse("account_login")),
        }
        subject = render_to_string("tenants/email/invitation_subject.txt", context).strip()
        body = render_to_string("tenants/email/invitation_message.txt", context)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])


def _get_or_create_user(
    *, email: str, first_name: str, last_name: str, language: str = ""
) -> tuple[User, bool]:
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email, first_name=first_name, last_name=last_name, preferred_language=language
    )
    return user, True


@transaction.atomic
def invite_member(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    acting_user,
    first_name: str = "",
    last_name: str = "",
    valid_until: date | None = None,
    language: str = "",
) -> Membership:
    """Add a person to ``organisation``; a new person gets a link to choose a password."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    user, created = _get_or_create_user(
        email=email, first_name=first_name, last_name=last_name, language=language
    )
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
    membership.role = role
    membership.is_active = True
    membership.valid_until = valid_until
    membership.invited_by = acting_user
    membership.full_clean(exclude=["user", "organisation", "invited_by"])
    membership.save()
    transaction.on_commit(
        lambda: _send_invitation(membership, new_user=created or not user.has_usable_password())
    )
    return membership


def _active_administrators(organisation: Organisation):
    return Membership.objects.current().filter(organisation=organisation, role=Role.ADMINISTRATOR)


@transaction.atomic
def change_membership(
    *,
    membership: Membership,
    acting_user,
    role: str | None = None,
    valid_until: date | None = None,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's role, validity or active flag; the last administrator stays."""
    # Serialise changes within one organisation so two admins cannot demote each other at once.
    Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    new_role = role if role is not None else membership.role
    new_active = is_active if is_active is not None else membership.is_active
    if new_role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    loses_admin = membership.role == Role.ADMINISTRATOR and (new_role != Role.ADMINISTRATOR or not new_active)
    if loses_admin and not _active_administrators(membership.organisation).exclude(pk=membership.pk).exists():
        raise ValidationError(_("An organisation keeps at least one active administrator."))
    membership.role = new_role
    membership.is_active = new_active
    membership.valid_until = valid_until
    membership.full_clean(exclude=["user", "organisation", "invited_by"])
    membership.save(update_fields=["role", "is_active", "valid_until"])
    return membership


@transaction.atomic
def update_organisation_details(*, organisation: Organisation, acting_user, **details) -> Organisation:
    allowed = {"email", "phone", "street", "postcode", "city", "website"}
    unknown = set(details) - allowed
    if unknown:
        raise ValueError(f"Not organisation details: {sorted(unknown)}")
    for name, value in details.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=sorted(details))
    return organisation


@transaction.atomic
def create_organisation(
    *,
    data: OrganisationData,
    admin_email: str,
    acting_user,
    admin_first_name: str = "",
    admin_last_name: str = "",
) -> tuple[Organisation, Membership]:
    """Create an organisation with its first administrator (platform operators only)."""
    organisation = Organisation(**data.__dict__)
    organisation.full_clean()
    organisation.save()
    membership = invite_member(
        organisation=organisation,
        email=admin_email,
        role=Role.ADMINISTRATOR,
        acting_user=acting_user,
        first_name=admin_first_name,
        last_name=admin_last_name,
    )
    return organisation, membership


OPERATOR_FIELDS = (
    "short_name",
    "name_de",
    "name_fr",
    "name_it",
    "name_en",
    "kind",
    "canton",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "website",
)


@transaction.atomic
def update_organisation(*, organisation: Organisation, acting_user, **fields) -> Organisation:
    """A platform operator corrects an organisation's names, kind, canton or contact details."""
    unknown = set(fields) - set(OPERATOR_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by operators: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(organisation, name) != value)
    for name in changed:
        setattr(organisation, name, fields[name])
    organisation.full_clean()
    if changed:
        organisation.save(update_fields=changed)
        _journal_organisation(organisation, acting_user, {"fields": changed})
    return organisation


@transaction.atomic
def set_organisation_active(*, organisation: Organisation, active: bool, acting_user) -> Organisation:
    """Deactivate (or reactivate) an organisation. Its members keep their rows; the tenant
    context no longer offers an inactive organisation and it is no longer a share target."""
    if organisation.is_active != active:
        organisation.is_active = active
        organisation.save(update_fields=["is_active"])
        _journal_organisation(organisation, acting_user, {"active": active})
    return organisation


def _journal_organisation(organisation: Organisation, acting_user, details: dict) -> None:
    from portal.journal.actions import record
    from portal.journal.models import Action

    record(
        action=Action.CHANGE,
        object_type="organisation",
        object_id=organisation.pk,
        object_reference=organisation.short_name,
        actor=acting_user,
        details=details,
    )
