"""What both backends know about how people write German, French and Italian words.

One list of compound parts and one list of equivalent word forms, used by the PostgreSQL
backend (its SQL functions and query rewriting) and by the engine's analyzers, so that the
same words find the same entries on both.

* Folding (both backends, every field, at index and query time): lower case, accents off,
  ``ß`` as ``ss``, and German umlauts written as digraphs folded like the umlauts: ``ae``
  to ``a``, ``oe`` to ``o``, ``ue`` to ``u`` unless it follows a vowel or ``q`` (Lucene's
  ``german_normalization``; PostgreSQL's ``portal_fold``). So ``Mueller`` finds
  ``Müller`` and the other way round, and ``quelle`` or ``neue`` stay what they are.
* Compounds: a German word (title of every entry, text of German entries) that contains
  one of ``COMPOUND_PARTS`` is indexed with that part too, so ``Kontrolle`` finds
  ``Lohnkontrolle``. Queries are not split: ``Lohnkontrolle`` does not find every text
  with ``Lohn``. Only the parts listed here are split out; a compound made of other words
  (``Schalungsarbeiten`` for ``Schalung``) is found only as a whole or by its listed parts.
* Equivalent forms (``EQUIVALENTS``): derivations the stemmers keep apart although a
  person means the same (``salaire minimum`` and ``salaire minimal``). A query word of a
  group also finds the other words of its group.
"""

from __future__ import annotations

import re
import unicodedata

# Folded (see above), so they match folded text; three letters at least. The engine's
# decompounder and PostgreSQL's ``portal_compound_list()`` (migration 0003) hold this list;
# tests/search/test_language.py fails when they drift apart.
COMPOUND_PARTS = (
    "arbeit",
    "arbeits",
    "arbeitszeit",
    "arbeitnehmer",
    "bau",
    "bericht",
    "betrieb",
    "buch",
    "busse",
    "entsende",
    "entsendung",
    "ferien",
    "firma",
    "frist",
    "gesamt",
    "gewerbe",
    "kommission",
    "kontrolle",
    "kontrollen",
    "liste",
    "lohn",
    "lohne",
    "lohnbuch",
    "meldung",
    "mindest",
    "mindestlohn",
    "rapport",
    "reinigung",
    "sanktion",
    "sperre",
    "spesen",
    "stunden",
    "unternehmer",
    "vertrag",
    "verfugung",
    "zeit",
    "zuschlag",
)

# Groups of folded words that find each other (one language per group).
EQUIVALENTS = (
    ("minimum", "minimal", "minimale", "minimaux"),
    ("maximum", "maximal", "maximale", "maximaux"),
    ("minimo", "minimale", "minimi"),
    ("massimo", "massimale", "massimi"),
    ("mindestlohn", "minimallohn"),
)


def equivalents_of(word: str) -> tuple[str, ...]:
    """The other words that a query word also finds (folded, lower case)."""
    found: list[str] = []
    for group in EQUIVALENTS:
        if word in group:
            found += [w for w in group if w != word and w not in found]
    return tuple(found)


_DIGRAPH_AE_OE = re.compile(r"([ao])e")
_DIGRAPH_UE = re.compile(r"(^|[^aeiouyq])ue")


def fold(text: str) -> str:
    """Python's twin of PostgreSQL's ``portal_fold``: accents off, lower case, digraphs folded."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "SS"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _DIGRAPH_UE.sub(r"\1u", _DIGRAPH_AE_OE.sub(r"\1", text))
