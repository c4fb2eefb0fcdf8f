"""Every interface string exists in German, French and Italian, with intact placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_every_string_is_translated_with_the_same_placeholders(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            if not translation:
                problems.append(f"untranslated: {entry.msgid!r}")
            elif sorted(PLACEHOLDER.findall(translation)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"placeholders differ: {entry.msgid!r} -> {translation!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_the_compiled_catalogue_is_newer_than_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = folder / "django.mo"
    assert compiled.exists(), "run `make messages` (part of `make install`)"
    assert compiled.stat().st_mtime >= (folder / "django.po").stat().st_mtime


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """A string added to the code but never extracted would show in English only."""
    import os
    import shutil

    from django.core.management import call_command

    root = LOCALE.parent
    for folder in ("portal", "tenants", "search", "templates"):
        shutil.copytree(
            root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copytree(LOCALE / "de", tmp_path / "locale" / "de")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["de"], verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    extracted = {e.msgid for e in fresh if not e.obsolete}
    committed = {
        e.msgid for e in polib.pofile(str(LOCALE / "de" / "LC_MESSAGES" / "django.po")) if not e.obsolete
    }
    assert sorted(extracted - committed) == [], "run makemessages and translate the new strings"
