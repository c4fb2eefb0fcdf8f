"""The call log keeps no query strings: those already logged (search terms, titles) go."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import StrIndex, Substr


def drop_query_strings(apps, schema_editor):
    ApiCall = apps.get_model("api", "ApiCall")
    ApiCall.objects.filter(path__contains="?").update(
        path=Substr(F("path"), 1, StrIndex(F("path"), Value("?")) - 1)
    )


class Migration(migrations.Migration):
    dependencies = [("api", "0002_idempotent_answers_go_with_their_dossier")]

    operations = [migrations.RunPython(drop_query_strings, migrations.RunPython.noop)]
