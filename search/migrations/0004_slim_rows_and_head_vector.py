"""Slim rows and a small ranking vector, for search at a million entries.

* ``head``: the vector of the title, references and company name alone (weights A and
  B), computed by the trigger. It stays inside the row; the PostgreSQL backend pre-ranks
  every match with it and reads the whole ``vector`` only for the candidates it ranks.
* ``toast_tuple_target = 128``: the body and the whole vector are compressed or moved to
  the TOAST table as soon as a row passes 128 bytes, so a scan over the matches (facets,
  counts, pre-ranking) reads narrow rows. Rows written before keep their layout until
  they are written again (the UPDATE below, or ``rebuild_index``).
"""

import django.contrib.postgres.search
from django.db import migrations

FUNCTIONS = r"""
CREATE FUNCTION portal_entry_head(language text, title text, identifiers text, company text)
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    config regconfig := CASE language
        WHEN 'de' THEN 'portal_german' WHEN 'fr' THEN 'portal_french'
        WHEN 'it' THEN 'portal_italian' ELSE 'portal_simple' END;
    folded_title text := portal_fold(coalesce(title, ''));
BEGIN
    RETURN setweight(to_tsvector(config, folded_title), 'A')
        || setweight(to_tsvector('portal_simple', portal_fold(coalesce(identifiers, ''))), 'A')
        || setweight(to_tsvector('portal_simple', portal_fold(coalesce(company, ''))), 'B')
        || setweight(to_tsvector('portal_german', portal_compound_parts(folded_title)), 'B');
END
$$;

CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.vector := portal_entry_vector(NEW.language, NEW.title, NEW.identifiers, NEW.company, NEW.body);
    NEW.head := portal_entry_head(NEW.language, NEW.title, NEW.identifiers, NEW.company);
    RETURN NEW;
END
$$;

ALTER TABLE search_searchentry SET (toast_tuple_target = 128);
UPDATE search_searchentry SET title = title;
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION search_entry_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.vector := portal_entry_vector(NEW.language, NEW.title, NEW.identifiers, NEW.company, NEW.body);
    RETURN NEW;
END
$$;
DROP FUNCTION IF EXISTS portal_entry_head(text, text, text, text);
ALTER TABLE search_searchentry RESET (toast_tuple_target);
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0003_fold_digraphs_split_compounds")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunSQL(FUNCTIONS, reverse_sql=REVERSE),
    ]
