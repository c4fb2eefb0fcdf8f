"""seed_demo builds a realistic set, is idempotent and sends no mail."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase, override_settings

from portal.crypto import decrypt_text
from portal.documents.actions import read_version
from portal.documents.models import DocumentVersion
from portal.dossiers.access import visible_dossiers
from portal.dossiers.models import Dossier, DossierShare, Handover
from portal.notifications.models import Notification
from portal.notifications.services import send_digests
from tenants.models import Membership, Organisation
from tenants.roles import Role

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(scope="module")
def _documents(tmp_path_factory):
    location = tmp_path_factory.mktemp("demo-documents")
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}}


@pytest.fixture
def document_storage(_documents, settings):
    """The demo's documents, stored once for the module, stay readable in each test."""
    settings.STORAGES = {**settings.STORAGES, "documents": _documents}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, _documents):
    """seed_demo, run once for the module (it takes 10 to 30 s) as `make run` runs it: the
    callbacks of each action's commit (notifications among them) run; background tasks
    (text extraction, search and CMS indexing) are only queued, as `make run` queues them
    for its worker. Each test runs in a savepoint on top of it; the demo data is rolled
    back when the module is done."""
    output = io.StringIO()
    storages = {**django_settings.STORAGES, "documents": _documents}
    queued = {
        "default": {**django_settings.TASKS["default"], "BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages, TASKS=queued),
        transaction.atomic(),
    ):
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=output)
        yield SimpleNamespace(output=output.getvalue(), mails=list(mail.outbox))
        transaction.set_rollback(True)


def _snapshot():
    organisations = sorted(
        Organisation.objects.values_list(
            "slug", "short_name", "kind", "canton", "name_de", "name_fr", "is_active"
        )
    )
    users = sorted(User.objects.values_list("email", "first_name", "password", "is_platform_operator"))
    memberships = sorted(
        Membership.objects.values_list(
            "user__email", "organisation__slug", "role", "is_active", "valid_until"
        )
    )
    secrets = sorted(
        (a.user.email, a.type, decrypt_text(a.data.get("secret") or a.data.get("seed")))
        for a in Authenticator.objects.select_related("user")
    )
    dossiers = sorted(Dossier.objects.values_list("reference", "company_name", "status"))
    return organisations, users, memberships, secrets, dossiers, DocumentVersion.objects.count()


def test_demo_tools_are_refused_where_disabled(settings):
    # First in the module, before any test asks for the demo data.
    settings.PORTAL_DEMO_TOOLS = False
    with pytest.raises(CommandError):
        call_command("seed_demo", "--quiet")
    assert not Organisation.objects.exists()


def test_seed_demo_again_leaves_the_same_data(demo):
    first = _snapshot()
    call_command("seed_demo", "--quiet")
    assert _snapshot() == first


def test_the_demo_covers_every_kind_of_body_and_every_role(demo):
    authorities = Organisation.objects.filter(kind="cantonal_authority")
    assert authorities.count() == 26
    assert Organisation.objects.filter(kind="tripartite_commission").count() == 26
    assert Organisation.objects.filter(kind="joint_commission").count() >= 8
    assert Organisation.objects.filter(kind="control_association").count() == 3
    assert Organisation.objects.filter(kind="federal_secretariat").count() == 1
    assert Organisation.objects.filter(kind="umbrella_association").count() == 1
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.filter(is_platform_operator=True).exists()
    # Somebody works for several organisations, as control associations do.
    assert any(user.memberships.count() > 1 for user in User.objects.all())


def test_the_demo_sign_ins_are_printed_with_their_totp_secrets(demo):
    assert "case.ge@demo.example" in demo.output
    secret = decrypt_text(
        Authenticator.objects.get(user__email="case.ge@demo.example", type=Authenticator.Type.TOTP).data[
            "secret"
        ]
    )
    assert secret in demo.output


def test_demo_dossiers_come_with_documents_messages_shares_and_a_hand_over(demo):
    from portal.demo.dossiers import DOSSIERS

    # The hand-made dossiers; the statistics' generated cases come on top (tests/demo/test_statistics.py).
    assert Dossier.objects.filter(company_name__in=[row[2] for row in DOSSIERS]).count() == 9
    assert DocumentVersion.objects.count() == 18
    assert Handover.objects.filter(to_organisation__slug="zh-authority").count() == 1
    assert DossierShare.objects.filter(target_organisation__slug="kv-bau-nordwest").exists()
    version = DocumentVersion.objects.filter(content_type="application/pdf").first()
    assert b"".join(read_version(version)).startswith(b"%PDF-1.4")
    zurich = User.objects.get(email="case.zh@demo.example")
    geneva = User.objects.get(email="case.ge@demo.example")
    assert visible_dossiers(zurich).filter(company_name="Schneider Hochbau GmbH").exists()
    assert not visible_dossiers(geneva).filter(company_name="Schneider Hochbau GmbH").exists()


def test_the_demo_data_sends_no_mail_now_or_in_a_digest(demo):
    assert demo.mails == []
    assert Notification.objects.filter(kind="shared").exists()  # the demo's shares are recorded...
    assert not Notification.objects.filter(sent_at__isnull=True).exists()  # ...as told already
    assert send_digests() == 0
    assert mail.outbox == []
