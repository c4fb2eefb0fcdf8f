from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.utils import timezone

from portal.documents.uploads import encrypt_stream
from portal.dossiers.models import Dossier
from tests.tenants.factories import OrganisationFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier written straight to the table (no journal): for tests about reading."""

    class Meta:
        model = Dossier

    owner = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"T-2026-{n:05d}")
    company_name = factory.Sequence(lambda n: f"Firma {n} AG")
    canton = "GE"
    control_kind = "posted_workers"
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyAttribute(lambda d: d.created_at)
    destroy_after = factory.LazyAttribute(lambda d: d.created_at + timedelta(days=365))


def upload(name: str = "report.pdf", content: bytes = PDF, **kwargs):
    """An encrypted upload, as the HTTP handler would produce it."""
    return encrypt_stream(io.BytesIO(content), name, **kwargs)
