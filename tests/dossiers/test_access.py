"""The permission policy: owner roles, shares, expiry, revocation, hand-over, and "who and why"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from portal.dossiers.access import access_dossier, level_for, visible_dossiers, who_has_access
from portal.dossiers.levels import Level
from portal.dossiers.models import DossierGroupObjectPermission, DossierShare, DossierUserObjectPermission
from portal.dossiers.sharing import hand_over, revoke_share, share_dossier
from portal.journal.models import JournalEntry
from tenants.roles import Role
from tests.dossiers.factories import DossierFactory
from tests.tenants.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(organisation_a):
    return DossierFactory(owner=organisation_a)


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


def test_members_of_the_owner_get_the_level_of_their_role(
    dossier, organisation_a, admin_a, worker_a, reader_a
):
    inspector = member(organisation_a, Role.INSPECTOR)
    assert level_for(admin_a, dossier) == Level.MANAGE
    assert level_for(worker_a, dossier) == Level.MANAGE
    assert level_for(inspector, dossier) == Level.CONTRIBUTE
    assert level_for(reader_a, dossier) == Level.VIEW
    assert list(visible_dossiers(reader_a)) == [dossier]
    assert not visible_dossiers(reader_a, Level.CONTRIBUTE).exists()
    assert list(visible_dossiers(worker_a, Level.MANAGE)) == [dossier]


def test_another_organisation_sees_nothing_and_gets_the_same_404_as_for_a_missing_dossier(dossier, admin_b):
    assert not visible_dossiers(admin_b).exists()
    with pytest.raises(Http404):
        access_dossier(admin_b, dossier.pk)
    with pytest.raises(Http404):
        access_dossier(admin_b, dossier.pk + 1000)


def test_seeing_a_dossier_is_not_enough_to_edit_it(dossier, reader_a):
    assert access_dossier(reader_a, dossier.pk).access_level == Level.VIEW
    with pytest.raises(PermissionDenied):
        access_dossier(reader_a, dossier.pk, Level.EDIT)


def test_a_share_with_some_roles_reaches_only_those_roles_capped_by_role(
    dossier, admin_a, organisation_b, admin_b, worker_b
):
    reader_b = member(organisation_b, Role.READER)
    share_dossier(
        dossier=dossier,
        acting_user=admin_a,
        organisation=organisation_b,
        roles=[Role.CASE_WORKER, Role.READER],
        level=Level.EDIT,
    )
    assert level_for(worker_b, dossier) == Level.EDIT
    assert level_for(reader_b, dossier) == Level.VIEW  # a reader never gets more than view
    assert level_for(admin_b, dossier) == 0
    assert list(visible_dossiers(worker_b, Level.EDIT)) == [dossier]
    assert not visible_dossiers(admin_b).exists()
    assert DossierGroupObjectPermission.objects.filter(content_object=dossier).count() == 2


def test_a_share_with_a_person_needs_a_current_membership_somewhere(dossier, admin_a, worker_b):
    share_dossier(dossier=dossier, acting_user=admin_a, user=worker_b, level=Level.CONTRIBUTE)
    assert level_for(worker_b, dossier) == Level.CONTRIBUTE
    assert DossierUserObjectPermission.objects.filter(user=worker_b, content_object=dossier).exists()
    worker_b.memberships.update(is_active=False)
    assert level_for(worker_b, dossier) == 0
    assert not visible_dossiers(worker_b).exists()


def test_an_expired_share_grants_nothing_from_the_second_it_expires(
    dossier, admin_a, organisation_b, worker_b
):
    expiry = timezone.now() + timedelta(days=2)
    share_dossier(
        dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW, expires_at=expiry
    )
    just_before, just_after = expiry - timedelta(seconds=1), expiry + timedelta(seconds=1)
    assert list(visible_dossiers(worker_b, at=just_before)) == [dossier]
    assert level_for(worker_b, dossier, at=just_before) == Level.VIEW
    assert not visible_dossiers(worker_b, at=just_after).exists()
    assert level_for(worker_b, dossier, at=just_after) == 0
    assert DossierShare.objects.count() == 1  # no clean-up job was needed


def test_revoking_ends_access_before_the_call_returns_and_is_journalled(
    dossier, admin_a, organisation_b, worker_b
):
    share = share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    assert visible_dossiers(worker_b).exists()
    revoke_share(share=share, acting_user=admin_a)
    assert not visible_dossiers(worker_b).exists()
    assert not DossierGroupObjectPermission.objects.exists()
    assert list(JournalEntry.objects.values_list("action", flat=True)) == ["share", "revoke"]


def test_only_managers_share_and_bad_targets_are_refused(
    dossier, reader_a, admin_a, organisation_a, organisation_b
):
    with pytest.raises(PermissionDenied):
        share_dossier(dossier=dossier, acting_user=reader_a, organisation=organisation_b, level=Level.VIEW)
    with pytest.raises(ValidationError) as error:
        share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_a, level=Level.VIEW)
    assert "organisation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        share_dossier(
            dossier=dossier,
            acting_user=admin_a,
            organisation=organisation_b,
            level=Level.VIEW,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
    assert "expires_at" in error.value.message_dict
    assert not DossierShare.objects.exists()


def test_sharing_again_with_the_same_target_replaces_the_share(dossier, admin_a, organisation_b, worker_b):
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.EDIT)
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    assert DossierShare.objects.count() == 1
    assert level_for(worker_b, dossier) == Level.VIEW


def test_hand_over_moves_ownership_and_leaves_the_former_owner_the_chosen_level(
    dossier, admin_a, worker_a, organisation_b, admin_b
):
    hand_over(dossier=dossier, to_organisation=organisation_b, acting_user=admin_a, level_kept=Level.VIEW)
    dossier.refresh_from_db()
    assert dossier.owner == organisation_b
    assert level_for(admin_b, dossier) == Level.MANAGE
    assert level_for(admin_a, dossier) == Level.VIEW
    assert level_for(worker_a, dossier) == Level.VIEW
    assert JournalEntry.objects.get(action="hand_over").details["to"] == "PK Bau"


def test_hand_over_without_keeping_access_leaves_the_former_owner_nothing(
    dossier, admin_a, organisation_b, worker_b
):
    share_dossier(dossier=dossier, acting_user=admin_a, organisation=organisation_b, level=Level.VIEW)
    hand_over(dossier=dossier, to_organisation=organisation_b, acting_user=admin_a, level_kept=None)
    assert level_for(admin_a, dossier) == 0
    assert level_for(worker_b, dossier) == Level.MANAGE  # now by role at the owner, not by the old share
    assert not DossierShare.objects.exists()


def test_who_has_access_names_every_person_and_the_grant_behind_it(
    dossier, admin_a, reader_a, organisation_b, worker_b, admin_b
):
    outsider_org = OrganisationFactory(short_name="SECO")
    person = member(outsider_org, Role.READER)
    member(outsider_org, Role.ADMINISTRATOR)  # in the organisation, but not shared with: absent
    expiry = timezone.now() + timedelta(days=10)
    share_dossier(
        dossier=dossier,
        acting_user=admin_a,
        organisation=organisation_b,
        roles=[Role.CASE_WORKER],
        level=Level.EDIT,
    )
    share_dossier(dossier=dossier, acting_user=admin_a, user=person, level=Level.VIEW, expires_at=expiry)
    rows = {access.user: access for access in who_has_access(dossier)}
    assert set(rows) == {admin_a, reader_a, worker_b, person}
    assert rows[admin_a].level == Level.MANAGE and rows[admin_a].grants[0].source == "owner"
    assert rows[worker_b].grants[0].source == "share" and "PK Bau" in rows[worker_b].grants[0].label
    assert rows[person].grants[0].expires_at == expiry
    assert admin_b not in rows


def test_a_personal_share_ends_with_the_membership_it_was_given_through(dossier, admin_a, organisation_b):
    """Issue 15, finding 5: the person kept (and could re-share) the dossier while a member elsewhere."""
    elsewhere = OrganisationFactory(short_name="TPK VD")
    through = MembershipFactory(organisation=organisation_b, role=Role.CASE_WORKER)
    person = through.user
    MembershipFactory(user=person, organisation=elsewhere, role=Role.READER)
    share_dossier(dossier=dossier, acting_user=admin_a, user=person, level=Level.MANAGE)
    assert level_for(person, dossier) == Level.MANAGE
    assert person in {access.user for access in who_has_access(dossier)}

    through.is_active = False  # leaves the organisation; still a reader at TPK VD
    through.save()
    assert level_for(person, dossier) == 0
    assert not visible_dossiers(person).exists()
    assert person not in {access.user for access in who_has_access(dossier)}
    with pytest.raises(PermissionDenied):
        share_dossier(dossier=dossier, acting_user=person, organisation=elsewhere, level=Level.VIEW)


def test_a_personal_share_never_exceeds_what_the_persons_role_allows(dossier, admin_a, organisation_b):
    reader = member(organisation_b, Role.READER)
    share_dossier(dossier=dossier, acting_user=admin_a, user=reader, level=Level.MANAGE)
    assert level_for(reader, dossier) == Level.VIEW
    assert list(visible_dossiers(reader)) == [dossier]
    assert not visible_dossiers(reader, Level.CONTRIBUTE).exists()
    [access] = [a for a in who_has_access(dossier) if a.user == reader]
    assert access.level == Level.VIEW
    with pytest.raises(PermissionDenied):
        share_dossier(dossier=dossier, acting_user=reader, organisation=organisation_b, level=Level.VIEW)
    membership = reader.memberships.get()
    membership.role = Role.INSPECTOR  # the ceiling follows the role as it is today
    membership.save()
    assert level_for(reader, dossier) == Level.CONTRIBUTE


def test_a_person_without_a_current_membership_cannot_be_shared_with(dossier, admin_a):
    from tests.accounts.factories import EnrolledUserFactory

    nobody = EnrolledUserFactory()
    with pytest.raises(ValidationError):
        share_dossier(dossier=dossier, acting_user=admin_a, user=nobody, level=Level.VIEW)
    assert not DossierShare.objects.exists()
