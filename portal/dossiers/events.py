"""What happened to a dossier, announced once the transaction commits.

Actions call these; receivers elsewhere (notifications, the search index) react. Nothing
is announced for a transaction that rolls back.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

dossier_shared = Signal()  # share, actor
share_revoked = Signal()  # dossier, details
dossier_handed_over = Signal()  # handover, actor
dossier_changed = Signal()  # dossier, actor
document_added = Signal()  # document, version, actor
message_posted = Signal()  # message, actor
dossier_destroyed = Signal()  # dossier_id, reference


def _later(signal: Signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs), robust=False)


def shared(share, *, actor) -> None:
    _later(dossier_shared, share=share, actor=actor)


def revoked(dossier, details) -> None:
    _later(share_revoked, dossier=dossier, details=details)


def handed_over(handover, *, actor) -> None:
    _later(dossier_handed_over, handover=handover, actor=actor)


def changed(dossier, *, actor) -> None:
    _later(dossier_changed, dossier=dossier, actor=actor)


def document(document, version, *, actor) -> None:
    _later(document_added, document=document, version=version, actor=actor)


def message(message, *, actor) -> None:
    _later(message_posted, message=message, actor=actor)


def destroyed(dossier_id: int, reference: str) -> None:
    _later(dossier_destroyed, dossier_id=dossier_id, reference=reference)
