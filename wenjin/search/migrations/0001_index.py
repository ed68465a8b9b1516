"""The search index: an FTS5 table on SQLite, a tsvector table with a GIN index on
PostgreSQL. Both hold the same pre-analysed terms (wenjin.search.analysis)."""

from django.db import migrations

SQLITE = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, author, subject, series, notes, pinyin, isbn,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
)
"""
POSTGRESQL = [
    """
    CREATE TABLE search_document (
        -- No foreign key: the catalogue services remove entries with their records, and a
        -- key would stop test and maintenance flushes from truncating catalog_record.
        record_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    # A large pending list lets batch imports add entries in bulk instead of one by one.
    "CREATE INDEX search_document_gin ON search_document USING gin (document) "
    "WITH (fastupdate = on, gin_pending_list_limit = 65536)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE)
    elif schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    table = "search_fts" if schema_editor.connection.vendor == "sqlite" else "search_document"
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_default_rules")]
    operations = [migrations.RunPython(create, drop)]
