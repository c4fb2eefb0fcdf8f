"""What a person has already seen: the base of "new since your last visit" and "unread"."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Visit(models.Model):
    """A person's visits to their home page.

    ``since`` is where "new since your last visit" starts: the last time they looked before
    the current sitting. It moves only when they come back after a pause, so reloading the
    home page does not make what was new a moment ago disappear.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} since {self.since}"


class InboxRead(models.Model):
    """Up to when a person has looked at an organisation's inbox: later entries are unread."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("tenants.Organisation", on_delete=models.CASCADE, related_name="+")
    read_until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_inbox_read_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read inbox {self.organisation_id} until {self.read_until}"
