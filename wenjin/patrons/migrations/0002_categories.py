"""The reader categories every network starts with (editable afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from wenjin.patrons.defaults import ensure_categories

    ensure_categories(apps.get_model("patrons", "PatronCategory"))


class Migration(migrations.Migration):
    dependencies = [("patrons", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
