"""Dossier pages. Thin: every read goes through the policy, every write through an action."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.core.forms import add_errors
from portal.core.pagination import CappedPaginator
from portal.dossiers import actions, audit, export, retention, selectors, sharing
from portal.dossiers.access import (
    access_dossier,
    may_choose_responsible,
    own_access,
    visible_dossiers,
    who_has_access,
)
from portal.dossiers.forms import (
    BulkStatusForm,
    DossierForm,
    HandoverForm,
    LegalHoldForm,
    ShareForm,
    StatusForm,
)
from portal.dossiers.journaling import journal
from portal.dossiers.levels import Level
from portal.dossiers.models import DossierShare
from portal.journal.models import Action
from portal.workspace import selectors as workspace
from portal.workspace.actions import mark_inbox_read
from portal.workspace.badge import forget_inbox_badge
from tenants.roles import Capability

PAGE_SIZE = 50


def acting_for(request, dossier):
    """The organisation a person acts for on ``dossier``: the owner if they belong to it."""
    membership = request.tenant.membership_for(dossier.owner_id)
    return membership.organisation if membership else request.tenant.organisation


def dossier_view(level: int = Level.VIEW):
    """Resolve ``pk`` through the policy (404 when invisible) and pass the dossier on."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, pk: int, *args, **kwargs):
            dossier = access_dossier(request.user, pk, level)
            return view(request, dossier, *args, **kwargs)

        return wrapped

    return decorator


def tab_context(request, dossier, tab: str, **extra) -> dict:
    return {
        "dossier": dossier,
        "tab": tab,
        "level": dossier.access_level,
        "level_label": Level(dossier.access_level).label,
        "can_contribute": dossier.access_level >= Level.CONTRIBUTE,
        "can_edit": dossier.access_level >= Level.EDIT,
        "can_manage": dossier.access_level >= Level.MANAGE,
        "can_hold": retention.may_hold(request.user, dossier),
        **extra,
    }


@login_required
def dossier_list(request):
    filterset = selectors.dossier_list(request.user, request.GET)
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dossiers/list.html",
        {
            "filter": filterset,
            "page": page,
            "can_create": request.tenant.can(Capability.CREATE_DOSSIERS),
            "my_organisations": {m.organisation_id for m in request.tenant.memberships},
        },
    )


def _unconfirmed_duplicates(request, form, dossier=None) -> list:
    """Other visible dossiers about the same enterprise number, until the person confirms.

    Two dossiers about one company are legitimate (a new control, another canton), so this
    is a question, not a refusal; it is asked only when the number is new to this dossier.
    """
    uid = form.cleaned_data.get("company_uid", "")
    if request.POST.get("duplicate_confirmed") or (dossier is not None and uid == dossier.company_uid):
        return []
    return selectors.same_enterprise(request.user, uid, exclude=dossier.pk if dossier else None)


@login_required
def dossier_export(request):
    """The list as filtered on the page, as CSV or XLSX; journaled with what was exported."""
    filterset = selectors.dossier_list(request.user, request.GET)
    fmt = request.GET.get("format", "")
    try:
        dossiers = export.prepare(filterset.qs, fmt=fmt, acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        params = request.GET.copy()
        params.pop("format", None)
        return redirect(f"{reverse('dossiers:list')}?{params.urlencode()}")
    content_type, extension = export.FORMATS[fmt]
    name = f"dossiers-{timezone.localdate():%Y-%m-%d}.{extension}"
    table = export.rows(dossiers)
    if fmt == "csv":
        response = StreamingHttpResponse(export.csv_stream(table), content_type=content_type)
    else:
        response = FileResponse(export.xlsx_file(table), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def dossier_create(request):
    organisation = request.tenant.organisation
    if organisation is None or not request.tenant.can(Capability.CREATE_DOSSIERS):
        raise PermissionDenied
    form = DossierForm(request.POST or None, owner=organisation)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = _unconfirmed_duplicates(request, form)
    if request.method == "POST" and form.is_valid() and not duplicates:
        try:
            dossier = actions.create_dossier(
                owner=organisation,
                acting_user=request.user,
                request=request,
                tags=form.tag_list(),
                **form.changes(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Dossier %(reference)s has been created.") % {"reference": dossier.reference}
            )
            return redirect("dossiers:detail", dossier.pk)
    return render(
        request, "dossiers/form.html", {"form": form, "organisation": organisation, "duplicates": duplicates}
    )


@dossier_view()
def dossier_detail(request, dossier):
    actions.record_view(dossier=dossier, acting_user=request.user, request=request)
    return render(
        request,
        "dossiers/detail.html",
        tab_context(
            request,
            dossier,
            "overview",
            status_form=StatusForm(dossier=dossier),
            hold_form=LegalHoldForm(),
            related=visible_dossiers(request.user)
            .filter(pk__in=dossier.related.values("pk"))
            .select_related("owner"),
            tags=sorted(dossier.tags.names()),
        ),
    )


@dossier_view(Level.EDIT)
def dossier_edit(request, dossier):
    form = DossierForm(
        request.POST or None,
        instance=dossier,
        owner=dossier.owner,
        choose_responsible=may_choose_responsible(request.user, dossier),
    )
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = _unconfirmed_duplicates(request, form, dossier)
    if request.method == "POST" and form.is_valid() and not duplicates:
        try:
            actions.update_dossier(
                dossier=dossier,
                acting_user=request.user,
                request=request,
                tags=form.tag_list(),
                **form.changes(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The dossier has been saved."))
            return redirect("dossiers:detail", dossier.pk)
    return render(
        request,
        "dossiers/form.html",
        tab_context(request, dossier, "overview", form=form, duplicates=duplicates),
    )


@require_POST
@dossier_view(Level.EDIT)
def dossier_status(request, dossier):
    form = StatusForm(request.POST, dossier=dossier)
    if form.is_valid():
        try:
            actions.change_status(
                dossier=dossier, target=form.cleaned_data["status"], acting_user=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The status has been changed."))
    else:
        messages.error(request, _("This status cannot follow the current one."))
    return redirect("dossiers:detail", dossier.pk)


@require_POST
@dossier_view()
def dossier_hold(request, dossier):
    if request.POST.get("lift"):
        retention.lift_legal_hold(dossier=dossier, acting_user=request.user, request=request)
        messages.success(request, _("The legal hold has been lifted."))
        return redirect("dossiers:detail", dossier.pk)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the legal hold."))
    else:
        retention.set_legal_hold(
            dossier=dossier, reason=form.cleaned_data["reason"], acting_user=request.user, request=request
        )
        messages.success(request, _("The dossier is on legal hold and will not be destroyed."))
    return redirect("dossiers:detail", dossier.pk)


@dossier_view()
def dossier_sharing(request, dossier):
    share_form = (
        ShareForm(request.POST or None, dossier=dossier) if dossier.access_level >= Level.MANAGE else None
    )
    if request.method == "POST":
        if share_form is None:
            raise PermissionDenied
        if share_form.is_valid():
            try:
                sharing.share_dossier(
                    dossier=dossier,
                    acting_user=request.user,
                    acting_for=acting_for(request, dossier),
                    request=request,
                    **share_form.share_arguments(),
                )
            except ValidationError as error:
                add_errors(share_form, error)
            else:
                messages.success(request, _("The dossier has been shared."))
                return redirect("dossiers:sharing", dossier.pk)
    if dossier.access_level < Level.MANAGE:
        # Below manage, only what concerns the person: who else may see it is not theirs to know.
        return render(
            request,
            "dossiers/sharing.html",
            tab_context(request, dossier, "sharing", mine=own_access(request.user, dossier)),
        )
    shares = DossierShare.objects.filter(dossier=dossier).select_related(
        "target_organisation", "target_user", "created_by"
    )
    return render(
        request,
        "dossiers/sharing.html",
        tab_context(
            request,
            dossier,
            "sharing",
            people=who_has_access(dossier),
            shares=shares,
            share_form=share_form,
            handover_form=HandoverForm(dossier=dossier),
        ),
    )


@require_POST
@dossier_view(Level.MANAGE)
def share_revoke(request, dossier, share_id: int):
    share = get_object_or_404(DossierShare, pk=share_id, dossier=dossier)
    sharing.revoke_share(
        share=share, acting_user=request.user, acting_for=acting_for(request, dossier), request=request
    )
    messages.success(request, _("The share has been revoked; access ended at once."))
    return redirect("dossiers:sharing", dossier.pk)


@require_POST
@dossier_view(Level.MANAGE)
def dossier_hand_over(request, dossier):
    form = HandoverForm(request.POST, dossier=dossier)
    if form.is_valid():
        try:
            sharing.hand_over(
                dossier=dossier,
                to_organisation=form.cleaned_data["organisation"],
                level_kept=form.cleaned_data["level_kept"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
                acting_for=acting_for(request, dossier),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The dossier has been handed over to %(name)s.")
                % {"name": form.cleaned_data["organisation"].short_name},
            )
            if visible_dossiers(request.user).filter(pk=dossier.pk).exists():
                return redirect("dossiers:detail", dossier.pk)
            return redirect("dossiers:list")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("dossiers:sharing", dossier.pk)


@dossier_view(Level.MANAGE)
def dossier_journal(request, dossier):
    form = audit.JournalFilterForm(request.GET or None, dossier=dossier)
    filters = form.filters() if request.GET else {}
    page = Paginator(audit.dossier_entries(dossier, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dossiers/journal.html",
        tab_context(
            request,
            dossier,
            "journal",
            page=page,
            lines=audit.describe(page),
            filter_form=form,
            query=query.urlencode(),
        ),
    )


@dossier_view(Level.MANAGE)
def dossier_journal_export(request, dossier):
    """The (filtered) journal as CSV for an audit; the export itself is journaled."""
    form = audit.JournalFilterForm(request.GET or None, dossier=dossier)
    filters = form.filters() if request.GET else {}
    journal(
        dossier,
        Action.DOWNLOAD,
        actor=request.user,
        acting_for=acting_for(request, dossier),
        request=request,
        object_type="journal",
        details={"filters": {name: str(value) for name, value in filters.items()}},
    )
    response = StreamingHttpResponse(
        audit.csv_lines(audit.export_rows(audit.dossier_entries(dossier, **filters))),
        content_type="text/csv; charset=utf-8",
    )
    name = f"journal-{dossier.reference}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def inbox(request):
    organisation = request.tenant.organisation
    if organisation is None:
        raise Http404
    items = workspace.new_in_inbox(request.user, organisation, limit=selectors.INBOX_SIZE)
    mark_inbox_read(user=request.user, organisation=organisation)
    forget_inbox_badge(request)
    return render(request, "dossiers/inbox.html", {"items": items, "organisation": organisation})


@require_POST
@login_required
def bulk(request):
    ids = [int(value) for value in request.POST.getlist("dossiers") if value.isdigit()][:PAGE_SIZE]
    action = request.POST.get("action")
    chosen = list(visible_dossiers(request.user).filter(pk__in=ids).select_related("owner"))
    if not chosen:
        messages.error(request, _("Select at least one dossier."))
        return redirect("dossiers:list")
    data = request.POST if "apply" in request.POST else None
    if action == "share":
        form = ShareForm(data, exclude_organisation=request.tenant.organisation)
    else:
        form = BulkStatusForm(data)
    if "apply" in request.POST and form.is_valid():
        done, refused = [], []
        for dossier in chosen:
            try:
                if action == "share":
                    sharing.share_dossier(
                        dossier=dossier,
                        acting_user=request.user,
                        acting_for=acting_for(request, dossier),
                        request=request,
                        **form.share_arguments(),
                    )
                else:
                    actions.change_status(
                        dossier=dossier,
                        target=form.cleaned_data["status"],
                        acting_user=request.user,
                        request=request,
                    )
                done.append(dossier.reference)
            except (PermissionDenied, ValidationError):
                refused.append(dossier.reference)
        if done:
            messages.success(
                request,
                ngettext("%(count)d dossier done: %(list)s", "%(count)d dossiers done: %(list)s", len(done))
                % {"count": len(done), "list": ", ".join(done)},
            )
        if refused:
            messages.error(
                request,
                _("Not allowed or not possible for: %(list)s") % {"list": ", ".join(refused)},
            )
        return redirect("dossiers:list")
    return render(request, "dossiers/bulk.html", {"form": form, "chosen": chosen, "action": action})
