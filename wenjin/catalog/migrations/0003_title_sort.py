"""Records get a pinyin filing form of their title, so lists can be sorted by title the
way Chinese catalogues are (existing records are filled in from their titles)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from wenjin.search.analysis import sort_key

    Record = apps.get_model("catalog", "Record")
    # Plain UPDATE … WHERE id = … per row: bulk_update's CASE expression grows with the
    # batch and takes hours over a million records.
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(
            Record.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "title")[:5000]
        ):
            cursor.executemany(
                "UPDATE catalog_record SET title_sort = %s WHERE id = %s",
                [(sort_key(title), pk) for pk, title in batch],
            )
            last = batch[-1][0]


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
