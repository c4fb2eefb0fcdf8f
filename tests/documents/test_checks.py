"""Without a "documents" storage the portal can neither store nor serve a file: the system
checks say so before it starts, and production settings have one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
    "PORTAL_SECRETS_KEY": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
    "STATISTICS_COMPANY_KEY": "a-statistics-company-key-for-this-test-only",
    "PORTAL_FILE_KEYS": "k1:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
    "DJANGO_ALLOWED_HOSTS": "portal.example.ch",
    "DATABASE_URL": "postgres://portal@db.invalid:5432/portal",  # nothing here connects
}


def _without_documents(storages: dict) -> dict:
    return {name: value for name, value in storages.items() if name != "documents"}


@pytest.mark.parametrize("deploy", [False, True])
def test_the_check_fails_when_storages_lack_documents(settings, deploy):
    settings.STORAGES = _without_documents(settings.STORAGES)
    with pytest.raises(SystemCheckError, match=r"documents\.E001.*STORAGES"):
        call_command("check", deploy=deploy)


def test_the_check_passes_with_a_documents_storage(capsys):
    call_command("check")
    assert "documents.E001" not in capsys.readouterr().out


def test_production_settings_keep_a_documents_storage():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "DATABASE_URL"))}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "from django.core.files.storage import storages; "
            "print(sorted(settings.STORAGES)); print(type(storages['documents']).__name__)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "['default', 'documents', 'staticfiles']",
        "FileSystemStorage",
    ]
