from __future__ import annotations

import factory
import pyotp
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from portal.crypto import encrypt_text

PASSWORD = "Correct-Horse-Battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.ch")
    first_name = factory.Faker("first_name", locale="de_CH")
    last_name = factory.Faker("last_name", locale="de_CH")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def finish(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def enrol_totp(user) -> str:
    """Give ``user`` a TOTP authenticator; returns the secret for computing codes."""
    secret = pyotp.random_base32()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt_text(secret)}
    )
    return secret


class EnrolledUserFactory(UserFactory):
    """A user who has completed two-factor enrolment."""

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        if create:
            obj.totp_secret = enrol_totp(obj)
