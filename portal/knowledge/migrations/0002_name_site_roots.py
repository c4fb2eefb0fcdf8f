from django.db import migrations


def forwards(apps, schema_editor):
    from portal.knowledge.roots import name_site_roots

    name_site_roots(apps.get_model("wagtailcore", "Page"))


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
