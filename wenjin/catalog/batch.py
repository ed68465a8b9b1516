"""Settings and upkeep for a long batch write (the MARC import): what suits hundreds of
thousands of inserts in a row but not a web request, set for the batch and undone after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from wenjin.search.analysis import load_analysers

# SQLite: a page cache that holds the indexes a chunk writes to at random (digest, title
# sort key, ISBN, suggestion key), and a WAL checkpoint every ~80 MB rather than every
# 4 MB, so that a page written by several chunks is copied back to the database once.
SQLITE_PRAGMAS = {"cache_size": -131072, "wal_autocheckpoint": 20000}

# PostgreSQL: the columns each chunk looks rows up by (matching, barcodes, replacing the
# search entries of the chunk's records).
LOOKUP_COLUMNS = {
    "catalog_record": ("control_number", "marc_digest"),
    "catalog_recordisbn": ("isbn13", "record_id"),
    "catalog_item": ("barcode",),
    "search_document": ("record_id",),
    "search_suggestion": ("record_id",),
}


@contextmanager
def batch_settings() -> Iterator[None]:
    """The garbage collector: the text analysers' tables (pypinyin's phrase table alone is
    some 200,000 lists) are loaded and frozen, and collections run far less often (a
    batch makes millions of objects, few of them in cycles); otherwise collecting costs
    more than the search indexing itself. SQLite: ``SQLITE_PRAGMAS`` on this connection."""
    load_analysers()
    freeze = gc.get_freeze_count() == 0  # objects someone else froze stay frozen
    if freeze:
        gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 10000), thresholds[1], thresholds[2] * 10)
    saved: dict[str, int] = {}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name, value in SQLITE_PRAGMAS.items():
                cursor.execute(f"PRAGMA {name}")
                saved[name] = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        if saved:
            with connection.cursor() as cursor:
                for name, value in saved.items():
                    cursor.execute(f"PRAGMA {name} = {value}")
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


class StatisticsUpkeep:
    """PostgreSQL plans each chunk's lookups (``control_number IN (…2,000 values…)``) from
    table statistics. Tables this batch is filling have none or stale ones until autovacuum
    analyses them, a minute or more later (never, where it is off), and meanwhile every
    lookup reads the whole table: the import slows as the catalogue grows. So the lookup
    columns are analysed whenever the rows written since the last time reach the number
    written before it (after 2,000, 4,000, 8,000…: nine times for a million records)."""

    def __init__(self, first: int) -> None:
        self.due = first
        self.enabled = connection.vendor == "postgresql"

    def written(self, total: int) -> None:
        """Called with the number of records the batch has written so far."""
        if not self.enabled or total < self.due:
            return
        self.due = total * 2
        tables = ", ".join(f"{table} ({', '.join(cols)})" for table, cols in LOOKUP_COLUMNS.items())
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
