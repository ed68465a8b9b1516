"""The default rules matrix and settings row (see wenjin.circulation.defaults)."""

from django.db import migrations

from wenjin.circulation.defaults import ensure_default_rules


def add_defaults(apps, schema_editor):
    ensure_default_rules(
        apps.get_model("circulation", "LoanRule"),
        apps.get_model("patrons", "PatronCategory"),
        apps.get_model("circulation", "CirculationSettings"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0001_initial"),
        ("patrons", "0002_categories"),
    ]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
