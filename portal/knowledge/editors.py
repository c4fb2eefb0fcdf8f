"""Editing rights in /cms/ follow roles in the umbrella association, not hand-made groups.

Case workers of an umbrella-association organisation are *knowledge editors* (they write
and submit for review); its administrators are also *knowledge reviewers* (they approve
and publish, and may lock pages). Membership changes and each sign-in bring a person's
two groups up to date; nobody else holds them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.models import Membership, OrganisationKind
from tenants.roles import Role

EDITORS = "Knowledge editors"
REVIEWERS = "Knowledge reviewers"
EDITOR_ROLES = {Role.CASE_WORKER, Role.ADMINISTRATOR}
REVIEWER_ROLES = {Role.ADMINISTRATOR}


def groups() -> tuple[Group, Group]:
    editors, _created = Group.objects.get_or_create(name=EDITORS)
    reviewers, _created = Group.objects.get_or_create(name=REVIEWERS)
    return editors, reviewers


def sync(user) -> None:
    """Give ``user`` exactly the knowledge groups their current memberships call for."""
    roles = set(
        Membership.objects.current()
        .filter(user=user, organisation__kind=OrganisationKind.UMBRELLA_ASSOCIATION)
        .values_list("role", flat=True)
    )
    editors, reviewers = groups()
    for group, wanted in ((editors, roles & EDITOR_ROLES), (reviewers, roles & REVIEWER_ROLES)):
        if wanted and user.is_active:
            user.groups.add(group)
        else:
            user.groups.remove(group)


def setup_permissions(homes) -> None:
    """Admin access, page rights on the knowledge homes, documents, and the review workflow."""
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
        Workflow,
        WorkflowTask,
    )

    editors, reviewers = groups()
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    root = Collection.get_first_root_node()
    for group, page_rights in (
        (editors, ["add_page", "change_page"]),
        (reviewers, ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]),
    ):
        group.permissions.add(access)
        for home in homes:
            for codename in page_rights:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=home,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
        for codename in ("add_document", "change_document", "choose_document"):
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root,
                permission=Permission.objects.get(content_type__app_label="wagtaildocs", codename=codename),
            )
    workflow, created = Workflow.objects.get_or_create(name="Knowledge review")
    if created:
        task = GroupApprovalTask.objects.create(name="Review by the secretariat")
        task.groups.set([reviewers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for home in homes:
        workflow.workflow_pages.get_or_create(page=home)


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance, **kwargs):
    transaction.on_commit(lambda: sync(instance.user))


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    sync(user)


def edits_knowledge(user, memberships) -> bool:
    """Whether ``user`` works in /cms/: what :func:`sync` grants the knowledge groups for (or a
    superuser), read from their current ``memberships`` with organisations, without a query."""
    return user.is_superuser or any(
        m.organisation.kind == OrganisationKind.UMBRELLA_ASSOCIATION and m.role in EDITOR_ROLES
        for m in memberships
    )
