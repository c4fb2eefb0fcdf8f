"""The portal's user: identified by e-mail address, never by a separate user name."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalUserManager(UserManager):
    use_in_migrations = True

    def _create_user_object(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.password = ""
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        return user

    def _create_user(self, email, password, **extra_fields):
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person with access to the portal.

    Access to cases never comes from the user itself: it comes from memberships in
    organisations (see :mod:`tenants`) and from object-level grants. The only
    platform-wide flag is ``is_platform_operator``, for the federal secretariat's
    staff who create organisations and their first administrators.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    is_platform_operator = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("Staff of the federal secretariat who create organisations and their administrators."),
    )
    is_service_account = models.BooleanField(
        _("service account"),
        default=False,
        editable=False,
        help_text=_("The account an API client acts through; it cannot sign in."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, blank=True)
    notification_mode = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=[("immediate", _("One e-mail per event")), ("digest", _("A daily digest"))],
        default="immediate",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
