"""Records get a pinyin filing form of their title, so lists can be sorted by title the
way Chinese catalogues are (existing records are filled in from their titles)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from wenjin.search.analysis import sort_key

    Record = apps.get_model("catalog", "Record")
    changed = []
    for record in Record.objects.only("pk", "title").iterator(chunk_size=2000):
        record.title_sort = sort_key(record.title)
        changed.append(record)
        if len(changed) == 2000:
            Record.objects.bulk_update(changed, ["title_sort"])
            changed = []
    Record.objects.bulk_update(changed, ["title_sort"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_default_rules")]

    operations = [
        migrations.AddField(
            model_name="record",
            name="title_sort",
            field=models.CharField(blank=True, db_index=True, max_length=255),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
