"""The word lists both backends share, and PostgreSQL's folding next to Python's."""

from __future__ import annotations

import pytest
from django.db import connection

from search.language import COMPOUND_PARTS, equivalents_of, fold

pytestmark = pytest.mark.django_db


def sql(expression: str, *params):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}", params)
        return cursor.fetchone()[0]


def test_the_database_splits_the_same_compound_parts_as_the_engine():
    assert sorted(sql("portal_compound_list()")) == sorted(COMPOUND_PARTS)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Müller", "muller"),
        ("MUELLER", "muller"),
        ("Wächter", "wachter"),
        ("Waechter", "wachter"),
        ("Strasse", "strasse"),
        ("Straße", "strasse"),
        ("Oechsle", "ochsle"),
        ("neue Quelle", "neue quelle"),  # "ue" after a vowel or "q" is no umlaut
        ("Bauer", "bauer"),
        ("contrôle", "controle"),
    ],
)
def test_folding_is_the_same_in_python_and_in_the_database(typed, folded):
    assert fold(typed) == folded
    assert sql("portal_fold(%s)", typed) == folded


def test_compound_parts_are_found_inside_longer_words_only():
    parts = set(sql("portal_compound_parts(%s)", "arbeitszeitkontrolle lohn baustelle").split())
    assert parts == {"arbeit", "arbeits", "arbeitszeit", "zeit", "kontrolle", "bau"}


def test_equivalents_are_the_other_words_of_the_group():
    assert set(equivalents_of("minimal")) == {"minimum", "minimale", "minimaux"}
    assert "minimo" in equivalents_of("minimale")  # also Italian
    assert equivalents_of("salaire") == ()
