"""The messages tab of a dossier."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.documents.models import Document
from portal.documents.views import streamed_upload
from portal.dossiers.levels import Level
from portal.dossiers.views import acting_for, tab_context
from portal.threads.actions import mark_read, post_message
from portal.threads.forms import MessageForm
from portal.threads.models import Message, ReadState


@streamed_upload
def thread(request, dossier):
    form = MessageForm(request.POST or None) if dossier.access_level >= Level.CONTRIBUTE else None
    if request.method == "POST" and form is not None:
        attachments = request.FILES.getlist("attachments")
        if form.is_valid():
            try:
                post_message(
                    dossier=dossier,
                    body=form.cleaned_data["body"],
                    acting_user=request.user,
                    acting_for=acting_for(request, dossier),
                    attachments=attachments,
                    request=request,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                flash.success(request, _("Your message has been sent."))
                return redirect("dossiers:messages", dossier.pk)
        for upload in attachments:
            upload.discard()
    state = ReadState.objects.filter(dossier=dossier, user=request.user).first()
    read_until = state.read_until if state else None
    thread_messages = list(
        Message.objects.filter(dossier=dossier)
        .select_related("author", "organisation")
        .prefetch_related(
            Prefetch(
                "attachments", queryset=Document.objects.select_related("current_version").order_by("id")
            )
        )
    )
    for message in thread_messages:
        message.unread = read_until is None or message.created_at > read_until
    if thread_messages:
        mark_read(dossier=dossier, user=request.user, until=thread_messages[-1].created_at)
    return render(
        request,
        "threads/thread.html",
        tab_context(request, dossier, "messages", thread=thread_messages, form=form),
    )
