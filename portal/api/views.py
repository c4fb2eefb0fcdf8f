"""The organisation administrator's pages for API clients: register, change, rotate, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.api import clients
from portal.api.forms import ClientForm
from portal.api.models import ApiClient
from portal.core.forms import add_errors
from tenants.roles import Capability
from tenants.views import require_capability

manage = require_capability(Capability.MANAGE_ORGANISATION)


def _client(request, pk: int) -> ApiClient:
    return get_object_or_404(ApiClient, pk=pk, organisation=request.tenant.organisation)


@manage
def client_list(request):
    found = ApiClient.objects.filter(organisation=request.tenant.organisation).order_by("revoked_at", "name")
    return render(request, "api/client_list.html", {"clients": found})


def _fields(form) -> dict:
    return {
        name: form.cleaned_data[name] for name in ("scopes", "allowed_networks", "expires_at", "rate_limit")
    }


@never_cache
@manage
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = clients.register_client(
                organisation=request.tenant.organisation,
                acting_user=request.user,
                name=form.cleaned_data["name"],
                request=request,
                **_fields(form),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return render(request, "api/client_secret.html", {"client": client, "secret": secret})
    return render(request, "api/client_form.html", {"form": form})


@never_cache
@manage
def client_detail(request, pk: int):
    client = _client(request, pk)
    initial = {
        "name": client.name,
        "scopes": client.scopes,
        "allowed_networks": "\n".join(client.allowed_networks),
        "expires_at": client.expires_at,
        "rate_limit": client.rate_limit,
    }
    form = ClientForm(request.POST or None, initial=initial)
    form.fields["name"].disabled = True
    if request.method == "POST" and not client.revoked_at and form.is_valid():
        try:
            clients.update_client(client=client, acting_user=request.user, request=request, **_fields(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The client has been saved. Its tokens must be fetched again."))
            return redirect("api-clients:detail", client.pk)
    calls = client.calls.order_by("-at")[:20]
    return render(request, "api/client_detail.html", {"client": client, "form": form, "calls": calls})


@require_POST
@never_cache
@manage
def client_rotate(request, pk: int):
    client = _client(request, pk)
    try:
        secret = clients.rotate_secret(client=client, acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("api-clients:detail", client.pk)
    return render(request, "api/client_secret.html", {"client": client, "secret": secret, "rotated": True})


@require_POST
@manage
def client_revoke(request, pk: int):
    client = _client(request, pk)
    if client.revoked_at is None:
        clients.revoke_client(client=client, acting_user=request.user, request=request)
        messages.success(request, _("The client has been revoked; it can no longer call the API."))
    return redirect("api-clients:list")
