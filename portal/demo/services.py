"""Building the demo data. Every step is an upsert, so running it twice changes nothing."""

from __future__ import annotations

import base64
import hashlib

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import transaction

from portal.crypto import decrypt_text, encrypt_text
from portal.demo import data
from tenants.models import Membership, Organisation

User = get_user_model()


def demo_totp_secret(email: str) -> str:
    """A stable TOTP secret per demo address, so a phone enrolled once keeps working."""
    digest = hashlib.sha256(f"flam-portal-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _demo_recovery_seed(email: str) -> str:
    return hashlib.sha256(f"flam-portal-demo-recovery:{email}".encode()).hexdigest()


def _upsert_authenticator(user, kind: str, secret_field: str, secret: str, extra: dict) -> None:
    existing = Authenticator.objects.filter(user=user, type=kind).first()
    if existing is not None:
        try:
            if decrypt_text(existing.data.get(secret_field, "")) == secret:
                return
        except ValueError:
            pass
        existing.delete()
    Authenticator.objects.create(user=user, type=kind, data={secret_field: encrypt_text(secret), **extra})


@transaction.atomic
def seed() -> list[dict]:
    organisations = {}
    for fields in data.all_organisations():
        slug = fields["slug"]
        defaults = {key: value for key, value in fields.items() if key != "slug"}
        organisations[slug], _ = Organisation.objects.update_or_create(slug=slug, defaults=defaults)

    people = []
    for email, first, last, language, operator, memberships in data.PEOPLE:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "preferred_language": language,
                "is_platform_operator": operator,
                "is_active": True,
            },
        )
        if not user.check_password(data.DEMO_PASSWORD):
            user.set_password(data.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        secret = demo_totp_secret(email)
        _upsert_authenticator(user, Authenticator.Type.TOTP, "secret", secret, {})
        _upsert_authenticator(
            user, Authenticator.Type.RECOVERY_CODES, "seed", _demo_recovery_seed(email), {"used_mask": 0}
        )
        for slug, role in memberships:
            Membership.objects.update_or_create(
                user=user,
                organisation=organisations[slug],
                defaults={"role": role, "is_active": True, "valid_until": None},
            )
        people.append(
            {
                "email": email,
                "name": f"{first} {last}",
                "memberships": ", ".join(f"{organisations[s].short_name} ({r})" for s, r in memberships),
                "operator": operator,
                "totp_secret": secret,
            }
        )
    return people
