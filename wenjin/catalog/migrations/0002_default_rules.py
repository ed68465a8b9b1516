"""Seed the network-scheme rules and the LCC → CLC table with their defaults."""

from django.db import migrations


def seed(apps, schema_editor):
    from wenjin.catalog.policies import DEFAULT_SCHEME_RULES
    from wenjin.lib.clc import DEFAULT_LCC_TO_CLC

    SchemeRule = apps.get_model("catalog", "SchemeRule")
    LccClcMapping = apps.get_model("catalog", "LccClcMapping")
    for priority, conditions, note in DEFAULT_SCHEME_RULES:
        SchemeRule.objects.get_or_create(priority=priority, defaults={**conditions, "note": note})
    for prefix, clc in DEFAULT_LCC_TO_CLC.items():
        LccClcMapping.objects.get_or_create(lcc_prefix=prefix, defaults={"clc_class": clc})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
