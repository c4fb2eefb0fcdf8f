"""Thin views over :mod:`tenants.actions` and :mod:`tenants.selectors`."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.forms import add_errors
from tenants import actions, context, selectors
from tenants.actions import OPERATOR_FIELDS
from tenants.forms import (
    CreateOrganisationForm,
    InviteMemberForm,
    MembershipForm,
    OperatorOrganisationForm,
    OrganisationDetailsForm,
    OrganisationSearchForm,
    SwitchOrganisationForm,
)
from tenants.models import Organisation
from tenants.policies import is_platform_operator
from tenants.roles import Capability

PAGE_SIZE = 50


def require_capability(capability: Capability):
    """The active membership must grant ``capability`` in the active organisation."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.tenant.organisation is None or not request.tenant.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def require_platform_operator(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_platform_operator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@login_required
def switch_organisation(request):
    form = SwitchOrganisationForm(request.POST)
    if not form.is_valid() or context.activate(request, form.cleaned_data["organisation"]) is None:
        # Same answer for an organisation that does not exist and one the user is not in.
        raise Http404(_("Organisation not found."))
    target = form.cleaned_data.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    messages.success(
        request, _("You are now working for %(name)s.") % {"name": request.tenant.organisation.name}
    )
    return redirect(target)


@require_capability(Capability.VIEW_MEMBERS)
def member_list(request):
    organisation = request.tenant.organisation
    page = Paginator(selectors.members_of(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tenants/member_list.html",
        {
            "organisation": organisation,
            "page": page,
            "can_manage": request.tenant.can(Capability.MANAGE_MEMBERS),
        },
    )


@require_capability(Capability.MANAGE_MEMBERS)
def member_invite(request):
    organisation = request.tenant.organisation
    form = InviteMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.invite_member(
                organisation=organisation,
                acting_user=request.user,
                language=request.LANGUAGE_CODE,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(email)s has been invited.") % {"email": membership.user.email})
            return redirect("tenants:members")
    return render(request, "tenants/member_invite.html", {"form": form, "organisation": organisation})


@require_capability(Capability.MANAGE_MEMBERS)
def member_edit(request, membership_id: int):
    organisation = request.tenant.organisation
    membership = selectors.membership_in(organisation, membership_id)
    initial = {
        "role": membership.role,
        "valid_until": membership.valid_until,
        "is_active": membership.is_active,
    }
    form = MembershipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_membership(membership=membership, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The membership has been saved."))
            return redirect("tenants:members")
    return render(
        request,
        "tenants/member_edit.html",
        {"form": form, "membership": membership, "organisation": organisation},
    )


@require_capability(Capability.MANAGE_ORGANISATION)
def organisation_settings(request):
    organisation = request.tenant.organisation
    form = OrganisationDetailsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        actions.update_organisation_details(
            organisation=organisation,
            acting_user=request.user,
            **{f: form.cleaned_data[f] for f in form.fields},
        )
        messages.success(request, _("The organisation's details have been saved."))
        return redirect("tenants:settings")
    return render(request, "tenants/organisation_settings.html", {"form": form, "organisation": organisation})


@require_platform_operator
def operator_organisation_list(request):
    search = OrganisationSearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(selectors.organisations_for_operator(text), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "tenants/operator/organisation_list.html", {"page": page, "search": search, "text": text}
    )


@require_platform_operator
def operator_organisation_edit(request, organisation_id: int):
    organisation = get_object_or_404(selectors.organisations_for_operator(), pk=organisation_id)
    form = OperatorOrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and "active" in request.POST:
        active = request.POST["active"] == "1"
        actions.set_organisation_active(organisation=organisation, active=active, acting_user=request.user)
        messages.success(
            request,
            (_("%(name)s is active again.") if active else _("%(name)s has been deactivated."))
            % {"name": organisation.short_name},
        )
        return redirect("tenants:operator-organisation-edit", organisation.pk)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation(
                organisation=Organisation.objects.get(pk=organisation.pk),
                acting_user=request.user,
                **{name: form.cleaned_data[name] for name in OPERATOR_FIELDS},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("tenants:operator-organisations")
    return render(
        request, "tenants/operator/organisation_edit.html", {"form": form, "organisation": organisation}
    )


@require_platform_operator
def operator_organisation_create(request):
    form = CreateOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CreateOrganisationForm.Meta.fields}
        try:
            organisation, _membership = actions.create_organisation(
                data=actions.OrganisationData(**data),
                admin_email=form.cleaned_data["admin_email"],
                admin_first_name=form.cleaned_data["admin_first_name"],
                admin_last_name=form.cleaned_data["admin_last_name"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been created.") % {"name": organisation.name})
            return redirect("tenants:operator-organisations")
    return render(request, "tenants/operator/organisation_create.html", {"form": form})
