"""Changes that the index must follow, queued in the transaction that makes them."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.documents.models import Document, DocumentVersion
from portal.dossiers.models import Dossier, DossierShare
from portal.threads.models import Message
from search import queue
from search.models import ExtractedText


@receiver(post_save, sender=Dossier)
@receiver(post_delete, sender=Dossier)
def dossier_changed(sender, instance, **kwargs):
    # The dossier's facets and principals are copied onto its documents and messages, so
    # the whole dossier is re-indexed; ``acl`` keeps it out of stale answers meanwhile.
    queue.enqueue([f"dossier:{instance.pk}"], acl=True)


@receiver(post_save, sender=DossierShare)
@receiver(post_delete, sender=DossierShare)
def share_changed(sender, instance, **kwargs):
    queue.enqueue([f"dossier:{instance.dossier_id}"], acl=True)


@receiver(post_save, sender=Document)
@receiver(post_delete, sender=Document)
def document_changed(sender, instance, **kwargs):
    queue.enqueue([f"document:{instance.pk}"])


@receiver(post_save, sender=Message)
@receiver(post_delete, sender=Message)
def message_changed(sender, instance, **kwargs):
    queue.enqueue([f"message:{instance.pk}"])


@receiver(post_save, sender=DocumentVersion)
def version_added(sender, instance, created, **kwargs):
    if not created:
        return
    ExtractedText.objects.get_or_create(version=instance)
    version_id = instance.pk

    def start():
        from search.tasks import extract_text

        extract_text.enqueue(version_id)

    transaction.on_commit(start)


def _page_and_below(page) -> list[str]:
    # A page's title, slug or place shows in its descendants' addresses and paths, so
    # they follow it; pages that are not (or no longer) live leave the index.
    return [
        f"page:{pk}" for pk in Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)
    ]


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance, **kwargs):
    queue.enqueue(_page_and_below(instance))


@receiver(post_page_move)
def page_moved_in_tree(sender, instance, **kwargs):
    queue.enqueue(_page_and_below(Page.objects.get(pk=instance.pk)))


@receiver(post_delete, sender=Page)
def page_deleted(sender, instance, **kwargs):
    queue.enqueue([f"page:{instance.pk}"])
