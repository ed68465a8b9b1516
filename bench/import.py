"""Import speed: the Library of Congress file of 250,000 MARC21 records, end to end (read,
check, map, match, insert), against a bare pymarc parse of the same file in the same run.

Usage: ./run bench import [--file PATH] [--limit N]
The file is BooksAll.2016.part01.utf8 from the pymarc 5.4.0 source distribution:
    pip download pymarc==5.4.0 --no-binary :all: --no-deps
    tar xzf pymarc-5.4.0.tar.gz pymarc-5.4.0/BooksAll.2016.part01.utf8
Set WENJIN_DATABASE_URL to run on PostgreSQL (a scratch database; it is emptied first).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django

DEFAULT_FILES = [
    Path("bench/data/BooksAll.2016.part01.utf8"),
    Path("/work/data/BooksAll.2016.part01.utf8"),
]


def bare_parse_rate(path: Path, limit: int | None) -> tuple[int, float]:
    import pymarc

    started = time.perf_counter()
    count = 0
    with path.open("rb") as stream:
        reader = pymarc.MARCReader(
            stream, to_unicode=True, force_utf8=True, hide_utf8_warnings=True
        )
        for _record in itertools.islice(reader, limit):
            count += 1
    return count, count / (time.perf_counter() - started)


def empty_catalogue() -> None:
    """Start from an empty catalogue and search index, as a fresh SQLite file does. On
    PostgreSQL with TRUNCATE: deleting leaves the last run's rows dead in the tables and
    indexes until a vacuum (a scratch server may run without autovacuum), and the search
    index tables hold no foreign key, so deleting records leaves their entries behind."""
    from django.db import connection

    from wenjin.catalog.models import Item, Record, RecordIsbn

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: loans and holds of the scratch database refer to items and records.
            cursor.execute(
                "TRUNCATE catalog_item, catalog_recordisbn, catalog_record, search_suggestion, "
                "search_document CASCADE"
            )
            return
        Item.objects.all().delete()
        RecordIsbn.objects.all().delete()
        Record.objects.all().delete()
        cursor.execute("DELETE FROM search_fts")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path)
    parser.add_argument("--limit", type=int, help="import only the first N records")
    args = parser.parse_args()
    path = args.file or next((p for p in DEFAULT_FILES if p.exists()), None)
    if path is None or not path.exists():
        sys.exit(__doc__)
    setup_django()
    from django.db import connection

    from wenjin.accounts.actor import Actor
    from wenjin.catalog.importer import ImportOptions, import_marc

    source = path
    if args.limit:
        from wenjin.lib.marc.reader import iter_iso2709

        partial = Path(tempfile.mkstemp(suffix=".mrc")[1])
        with path.open("rb") as stream, partial.open("wb") as out:
            for raw in itertools.islice(iter_iso2709(stream), args.limit):
                out.write(raw.data)
        source = partial

    empty_catalogue()

    parsed, parse_rate = bare_parse_rate(source, None)
    summary = import_marc(source, ImportOptions(), actor=Actor.system("bench"))
    import_rate = summary.read / summary.seconds
    started = time.perf_counter()
    again = import_marc(source, ImportOptions(), actor=Actor.system("bench"))
    reimport_rate = again.read / (time.perf_counter() - started)

    metrics = [
        metric("records", summary.read, "count", None, "higher"),
        metric("created", summary.created, "count", None, "higher"),
        metric("failed", summary.failed, "count", None, "lower"),
        metric("bare_pymarc_parse_rate", parse_rate, "rec/s", None, "higher"),
        metric("import_rate", import_rate, "rec/s", 2000, "higher"),
        metric("import_vs_bare_parse_ratio", import_rate / parse_rate, "ratio", None, "higher"),
        metric("reimport_unchanged_rate", reimport_rate, "rec/s", None, "higher"),
    ]
    assert again.created == 0 and again.skipped == summary.created, "re-import changed data"
    report(
        "import",
        {"file": path.name, "records": parsed, "database": connection.vendor},
        metrics,
    )


if __name__ == "__main__":
    main()
