"""Fold umlaut digraphs, split the domain's German compounds, forgive typos in names.

* ``portal_fold(text)``: accents off (``unaccent``), lower case, ``ae``/``oe``/``ue``
  folded as Lucene's ``german_normalization`` does (``ue`` not after a vowel or ``q``).
  Applied to every field when indexed and to the query, so ``Mueller`` finds ``Müller``.
* ``portal_compound_list()``: the compound parts of ``search.language.COMPOUND_PARTS``
  (a test checks they agree); ``portal_compound_parts(text)`` lists the parts found inside
  the longer words of a folded text, indexed with the German configuration at weight D.
* ``portal_entry_vector(...)``: the whole vector of an entry, used by the trigger and by
  the benchmark's bulk load, so both compute the same thing.
* The trigram index on company names is on the folded name; ``<%`` matches from a word
  similarity of 0.5 (default 0.6), so one or two letters wrong in a ten-letter name match.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations

from search.models import Fold

# Frozen here; search.language.COMPOUND_PARTS must list the same (tests/search/test_language.py).
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
_PARTS = ", ".join(f"'{part}'" for part in COMPOUND_PARTS)

FUNCTIONS = rf"""
CREATE FUNCTION portal_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT regexp_replace(
        regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)), '([ao])e', '\1', 'g'),
        '(^|[^aeiouyq])ue', '\1u', 'g')
$$;

CREATE FUNCTION portal_compound_list() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[{_PARTS}]::text[] $$;

CREATE FUNCTION portal_compound_parts(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(string_agg(DISTINCT p, ' '), '')
    FROM (SELECT DISTINCT w FROM regexp_split_to_table(t, '[^[:alnum:]]+') AS w WHERE length(w) >= 5) AS words,
         unnest(portal_compound_list()) AS p
    WHERE length(w) > length(p) AND strpos(w, p) > 0
$$;

CREATE FUNCTION portal_entry_vector(language text, title text, identifiers text, company text, body text)
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    config regconfig := CASE language
        WHEN 'de' THEN 'portal_german' WHEN 'fr' THEN 'portal_french'
        WHEN 'it' THEN 'portal_italian' ELSE 'portal_simple' END;
    folded_title text := portal_fold(coalesce(title, ''));
    folded_body text := portal_fold(coalesce(body, ''));
BEGIN
    RETURN setweight(to_tsvector(config, folded_title), 'A')
        || setweight(to_tsvector('portal_simple', portal_fold(coalesce(identifiers, ''))), 'A')
        || setweight(to_tsvector('portal_simple', portal_fold(coalesce(company, ''))), 'B')
        || setweight(to_tsvector(config, folded_body), 'D')
        || setweight(to_tsvector('portal_german', portal_compound_parts(
            CASE WHEN language = 'de' THEN folded_title || ' ' || folded_body ELSE folded_title END)), 'D');
END
$$;

CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.vector := portal_entry_vector(NEW.language, NEW.title, NEW.identifiers, NEW.company, NEW.body);
    RETURN NEW;
END
$$;

DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.5', current_database());
END $$;
SET pg_trgm.word_similarity_threshold = 0.5;

-- Existing entries get the new vectors (rebuild_index would too).
UPDATE search_searchentry SET title = title;
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    config regconfig := CASE NEW.language
        WHEN 'de' THEN 'portal_german' WHEN 'fr' THEN 'portal_french'
        WHEN 'it' THEN 'portal_italian' ELSE 'portal_simple' END;
BEGIN
    NEW.vector :=
        setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('portal_simple', coalesce(NEW.identifiers, '')), 'A')
        || setweight(to_tsvector('portal_simple', coalesce(NEW.company, '')), 'B')
        || setweight(to_tsvector(config, coalesce(NEW.body, '')), 'D');
    RETURN NEW;
END
$$;
DROP FUNCTION IF EXISTS portal_entry_vector(text, text, text, text, text);
DROP FUNCTION IF EXISTS portal_compound_parts(text);
DROP FUNCTION IF EXISTS portal_compound_list();
DROP FUNCTION IF EXISTS portal_fold(text);
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold', current_database());
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0002_knowledge_pages")]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=REVERSE),
        # Django renders this expression index with the operator class inside parentheses,
        # which PostgreSQL refuses; the database gets it in SQL, the state from the model.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX search_entry_company_trgm; CREATE INDEX search_entry_company_trgm "
                    "ON search_searchentry USING gin ((portal_fold(company)) gin_trgm_ops)",
                    reverse_sql="DROP INDEX search_entry_company_trgm; CREATE INDEX search_entry_company_trgm "
                    "ON search_searchentry USING gin (company gin_trgm_ops)",
                )
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="searchentry", name="search_entry_company_trgm"),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=GinIndex(OpClass(Fold("company"), name="gin_trgm_ops"), name="search_entry_company_trgm"),
                ),
            ],
        ),
    ]
