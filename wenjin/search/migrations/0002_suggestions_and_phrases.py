"""Suggestions get their own prefix table (title and author keys: folded text, pinyin,
initials), and the full-text index keeps each record's folded text for phrase checks;
the SQLite index drops its prefix indexes, which only suggestions used. The index is
rebuilt from the catalogue."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    "DROP TABLE IF EXISTS search_fts",
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, author, subject, series, notes, pinyin, isbn, phrase UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 0'
    )
    """,
    "CREATE INDEX search_suggestion_key ON search_suggestion (key, record_id)",
]
POSTGRESQL = [
    "ALTER TABLE search_document ADD COLUMN phrase text NOT NULL DEFAULT ''",
    # Prefix ranges and their order by code point, whatever the database's collation.
    'CREATE INDEX search_suggestion_key ON search_suggestion ((key COLLATE "C"), record_id)',
]


def rebuild(apps, schema_editor):
    from wenjin.search.services import index_records

    for statement in SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE search_document")
    Record = apps.get_model("catalog", "Record")
    fields = ["title", "title_romanized", "authors", "romanized", "subjects", "series"]
    fields += ["publisher", "summary", "isbns"]
    last = 0
    while chunk := list(Record.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:2000]):
        index_records(chunk)
        last = chunk[-1].pk


def unbuild(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_document DROP COLUMN phrase")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_title_sort"),
        ("search", "0001_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Suggestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("title", "Title"), ("author", "Author")], max_length=8
                    ),
                ),
                ("key", models.CharField(max_length=100)),
                ("text", models.CharField(max_length=300)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.record",
                    ),
                ),
            ],
        ),
        migrations.RunPython(rebuild, unbuild),
    ]
