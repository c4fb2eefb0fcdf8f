"""Who hears about what happened to a dossier."""

from __future__ import annotations

from django.dispatch import receiver

from portal.dossiers import events
from portal.dossiers.access import who_has_access
from portal.notifications.models import Kind
from portal.notifications.services import notify
from tenants.models import Membership
from tenants.roles import Role


@receiver(events.dossier_shared)
def on_shared(sender, share, actor, **kwargs):
    if share.target_user_id:
        recipients = [share.target_user]
    else:
        members = Membership.objects.current().filter(organisation_id=share.target_organisation_id)
        if share.roles:
            members = members.filter(role__in=share.roles)
        recipients = [m.user for m in members.select_related("user")]
    notify(recipients, share.dossier, Kind.SHARED, actor=actor)


@receiver(events.dossier_handed_over)
def on_handed_over(sender, handover, actor, **kwargs):
    members = Membership.objects.current().filter(
        organisation_id=handover.to_organisation_id, role__in=[Role.ADMINISTRATOR, Role.CASE_WORKER]
    )
    notify([m.user for m in members.select_related("user")], handover.dossier, Kind.HANDED_OVER, actor=actor)


def _everyone_with_access(dossier):
    return [access.user for access in who_has_access(dossier)]


@receiver(events.document_added)
def on_document(sender, document, version, actor, **kwargs):
    if document.message_id:  # the message's own notification covers its attachments
        return
    notify(_everyone_with_access(document.dossier), document.dossier, Kind.DOCUMENT, actor=actor)


@receiver(events.message_posted)
def on_message(sender, message, actor, **kwargs):
    notify(_everyone_with_access(message.dossier), message.dossier, Kind.MESSAGE, actor=actor)
