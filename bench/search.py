"""Search speed over a large catalogue: the committed mixed queries (bench/search_queries.txt:
Chinese, pinyin, initials, English, ISBN), with and without facets, plus suggestions.

Usage: ./run bench search [--records N] [--file LC-FILE]
Builds the catalogue once in the scratch database: the LC file's records, then generated
Chinese CNMARC records (each with one copy) up to N records (at least 20 % Chinese).
Set WENJIN_DATABASE_URL to run on PostgreSQL (a scratch database), or WENJIN_DATA_DIR to
keep (and reuse) a SQLite catalogue between runs. On PostgreSQL the build ends with
VACUUM ANALYZE, as autovacuum does within minutes of a bulk import.

The timed part runs in a fresh process, as a web worker would: its resident memory is
reported. Every SQL statement a search runs is recorded and replayed bare through the
database cursor; the ratio of the two totals is Wenjin's overhead over the backend.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django

QUERIES = Path(__file__).resolve().parent / "search_queries.txt"
DEFAULT_FILES = [
    Path("bench/data/BooksAll.2016.part01.utf8"),
    Path("/work/data/BooksAll.2016.part01.utf8"),
]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def build(target: int, lc_file: Path | None) -> int:
    import pymarc

    from wenjin.accounts.actor import Actor
    from wenjin.catalog.importer import ImportOptions, import_marc
    from wenjin.catalog.models import Record
    from wenjin.demo.chinese_records import generate_cnmarc
    from wenjin.network import services as network

    actor = Actor.system("bench")
    if not Record.objects.exists():
        network.org_unit_create(
            actor=actor, code="GZ", kind="city_center", name_zh="广州图书馆", parent_code=None
        )
        network.org_unit_create(
            actor=actor, code="YX", kind="district_main", name_zh="越秀区图书馆", parent_code="GZ"
        )
        lc_count = int(target * 0.8)
        if lc_file:
            source = lc_file
            if lc_count < 250_000:  # the LC file holds 250,000 records
                from wenjin.lib.marc.reader import iter_iso2709

                source = Path(tempfile.mkstemp(suffix=".mrc")[1])
                with lc_file.open("rb") as whole, source.open("wb") as out:
                    for raw in itertools.islice(iter_iso2709(whole), lc_count):
                        out.write(raw.data)
            import_marc(source, ImportOptions(), actor=actor)
        missing = target - Record.objects.count()
        rng = random.Random(1)
        serial = itertools.count(1)
        while missing > 0:
            batch = min(missing, 50_000)
            path = Path(tempfile.mkstemp(suffix=".mrc")[1])
            with path.open("wb") as out:
                for record in generate_cnmarc(rng, batch, start_number=next(serial) * 1_000_000):
                    record.add_ordered_field(
                        pymarc.Field(
                            tag="905",
                            indicators=pymarc.Indicators(" ", " "),
                            subfields=[
                                pymarc.Subfield("a", "YX"),
                                pymarc.Subfield("b", f"B{record['001'].data}"),
                            ],
                        )
                    )
                    out.write(record.as_marc())
            import_marc(path, ImportOptions(items_from="905", match="none"), actor=actor)
            missing -= batch
    return Record.objects.count()


class Recorder:
    """Records every SQL statement (with its parameters) that a search runs, so the same
    statements can be replayed bare: the backend's own time for the same work."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def replay(statements: list[tuple[str, object]]) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return time.perf_counter() - started


def measure(records: int) -> None:
    """The timed part, in a fresh process (as a web worker would be): resident memory is
    that of searching, not of building the catalogue."""
    from django.db import connection

    from wenjin.search.selectors import search, suggest

    queries = [
        line.strip() for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    for query in queries[:20]:  # warm caches and jieba
        search(query)
    with_facets, without_facets, bare, suggestions = [], [], [], []
    for query in queries:
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            started = time.perf_counter()
            search(query, facets=True)
            with_facets.append(time.perf_counter() - started)
        bare.append(replay(recorder.statements))
        started = time.perf_counter()
        search(query, facets=False)
        without_facets.append(time.perf_counter() - started)
        prefix = query[: max(1, len(query) // 2)]
        started = time.perf_counter()
        suggest(prefix)
        suggestions.append(time.perf_counter() - started)

    p95_target = 100 if connection.vendor == "postgresql" else 150
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    metrics = [
        metric("search_p50_ms", 1000 * statistics.median(with_facets), "ms", 20, "lower"),
        metric("search_p95_ms", 1000 * percentile(with_facets, 0.95), "ms", p95_target, "lower"),
        metric("bare_sql_p50_ms", 1000 * statistics.median(bare), "ms", None, "lower"),
        metric("bare_sql_p95_ms", 1000 * percentile(bare, 0.95), "ms", None, "lower"),
        metric("ratio_to_bare_sql", sum(with_facets) / sum(bare), "x", 1.5, "lower"),
        metric(
            "search_no_facets_p50_ms", 1000 * statistics.median(without_facets), "ms", None, "lower"
        ),
        metric(
            "search_no_facets_p95_ms", 1000 * percentile(without_facets, 0.95), "ms", None, "lower"
        ),
        metric("suggest_p95_ms", 1000 * percentile(suggestions, 0.95), "ms", 30, "lower"),
        metric("web_process_rss_mb", rss_mb, "MB", 500, "lower"),
    ]
    report("search", {"records": records, "queries": len(queries)}, metrics)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup_django()
    if args.measure:
        measure(args.records)
        return
    lc_file = args.file or next((p for p in DEFAULT_FILES if p.exists()), None)
    records = build(args.records, lc_file)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what the nightly maintenance job does
            cursor.execute("VACUUM ANALYZE")
    connection.close()
    # Measure in a fresh process; it inherits the scratch data directory that
    # wenjin.bench_settings put in the environment, so it opens the same database.
    subprocess.run([sys.executable, __file__, "--measure", "--records", str(records)], check=True)


if __name__ == "__main__":
    main()
