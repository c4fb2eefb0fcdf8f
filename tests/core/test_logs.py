"""What an ordinary refusal leaves in the log: one line, no traceback, written once."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from portal.core.logs import ClientErrorsWithoutTraceback
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_a_403_and_a_404_are_logged_as_one_line_without_traceback(
    signed_in, reader_a, organisation_a, caplog
):
    dossier = DossierFactory(owner=organisation_a)
    client = signed_in(reader_a)
    with caplog.at_level(logging.INFO, logger="django.request"):
        forbidden = client.get(reverse("dossiers:edit", args=[dossier.pk]))
        missing = client.get(reverse("dossiers:detail", args=[dossier.pk + 1]))
    assert (forbidden.status_code, missing.status_code) == (403, 404)
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage().split(":")[0] for r in records] == ["Forbidden (Permission denied)", "Not Found"]
    assert all(r.exc_info is None and r.exc_text is None for r in records)


def test_server_errors_keep_their_traceback():
    try:
        raise RuntimeError("broken")
    except RuntimeError as error:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "boom", (), (type(error), error, None)
        )
    record.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(record) and record.exc_info is not None


def test_django_records_reach_only_the_root_handler_debug_or_not():
    """Django's own console handler (active with DEBUG) used to print each record a second time."""
    reached, logger = [], logging.getLogger("django.request")
    while logger is not None:
        reached += logger.handlers
        logger = logger.parent if logger.propagate else None
    assert reached == logging.getLogger().handlers
