"""The public catalogue's server time over a large catalogue: the home page, the search page
(facets on, the committed queries of bench/search_queries.txt) and record pages (a fixed
sample of records, half with copies and half without), plus each page's weight.

Usage: ./run bench opac [--records N] [--file LC-FILE]
Builds (or reuses) the same catalogue as bench/search.py: the LC file's records, then
generated Chinese CNMARC records (each with one copy) up to N records. Set WENJIN_DATA_DIR
to keep (and reuse) a SQLite catalogue between runs, or WENJIN_DATABASE_URL for PostgreSQL.

The timed part runs in a fresh process with DEBUG off, as a web worker would. Each request
goes through Django's WSGI handler and the whole middleware stack, as gunicorn calls it:
the time runs from the call to the handler until the body has been read and the response
closed (which, as in production, ends the request and closes a SQLite connection). A page
that answers anything but 200, or raises, is reported after the table and fails the run.

Page weight is the page's HTML plus the stylesheets and scripts it links, read from the
collected static files (KB = 1024 bytes, uncompressed; the gzip figures are what travels).
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import subprocess
import sys
import time
import traceback
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django
from search import DEFAULT_FILES, QUERIES, build, percentile

RECORD_SAMPLE = 500
HOME_REPEAT = 200
WARM_UP = 20
SEED = 7


class Assets(HTMLParser):
    """The stylesheets and scripts a page links."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            self.urls.append(values.get("href") or "")
        elif tag == "script" and values.get("src"):
            self.urls.append(values["src"])


class Server:
    """Calls Django's WSGI handler the way a WSGI server does, and keeps what went wrong."""

    def __init__(self) -> None:
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.signals import got_request_exception
        from django.db import connection

        self.handler = WSGIHandler()
        self.failures: list[str] = []
        self.queries = 0
        got_request_exception.connect(self._exception, weak=False)
        connection.execute_wrappers.append(self._count)

    def _count(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def _exception(self, sender, request=None, **kwargs) -> None:
        path = request.get_full_path() if request is not None else "?"
        self.failures.append(f"{path}: exception\n{traceback.format_exc()}")

    def get(self, url: str) -> tuple[float, int, bytes]:
        """Seconds, number of SQL statements and body of one GET."""
        path, _, query = url.partition("?")
        environ: dict = {}
        setup_testing_defaults(environ)
        environ.update(
            REQUEST_METHOD="GET",
            PATH_INFO=path,
            QUERY_STRING=query,
            HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9",
            HTTP_ACCEPT_ENCODING="gzip",
        )
        environ["wsgi.input"] = BytesIO(b"")
        status: list[str] = []
        self.queries = 0
        started = time.perf_counter()
        response = self.handler(environ, lambda line, headers, exc_info=None: status.append(line))
        try:
            body = b"".join(response)
        finally:
            response.close()
        elapsed = time.perf_counter() - started
        if not status or not status[0].startswith("200"):
            self.failures.append(f"{url}: {status[0] if status else 'no status'}")
        return elapsed, self.queries, body


def sample_records(rng: random.Random, count: int) -> tuple[list[int], list[int]]:
    """About ``count`` random record ids, half with copies and half without (fewer of one
    kind when the catalogue has too few of it; the rest then come from the other)."""
    from django.db.models import Max, Min

    from wenjin.catalog.models import Item, Record

    bounds = Record.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]
    held: list[int] = []
    bare: list[int] = []
    seen: set[int] = set()
    half = count // 2
    for _ in range(40):
        if len(held) >= half and len(bare) >= count - half:
            break
        candidates = rng.sample(range(low, high + 1), min(500, high - low + 1))
        candidates = [pk for pk in candidates if pk not in seen]
        seen.update(candidates)
        existing = set(Record.objects.filter(pk__in=candidates).values_list("pk", flat=True))
        with_items = set(
            Item.objects.filter(record_id__in=existing).values_list("record_id", flat=True)
        )
        for pk in candidates:
            if pk in with_items and len(held) < count:
                held.append(pk)
            elif pk in existing and pk not in with_items and len(bare) < count:
                bare.append(pk)
    # Even halves where possible; otherwise fill up from the kind there is more of.
    take_held = min(len(held), max(half, count - len(bare)))
    take_bare = min(len(bare), count - take_held)
    return held[:take_held], bare[:take_bare]


def page_weight(html: bytes) -> tuple[int, int]:
    """Bytes of the page and everything it links (uncompressed, gzip)."""
    from django.conf import settings

    parser = Assets()
    parser.feed(html.decode("utf-8", "replace"))
    raw, packed = len(html), len(gzip.compress(html, 9))
    for url in dict.fromkeys(parser.urls):
        if not url.startswith(settings.STATIC_URL):
            raise SystemExit(f"page links {url}, outside the static files")
        data = (Path(settings.STATIC_ROOT) / url[len(settings.STATIC_URL) :]).read_bytes()
        raw += len(data)
        packed += len(gzip.compress(data, 9))
    return raw, packed


def ms(samples: list[float], share: float | None = None) -> float:
    return 1000 * (statistics.median(samples) if share is None else percentile(samples, share))


def measure(records: int) -> None:
    """The timed part, in a fresh process with nothing cached but what a worker that has
    served a few pages would have."""
    from django.conf import settings
    from django.urls import reverse

    if settings.DEBUG:
        raise SystemExit("DEBUG is on: unset WENJIN_DEBUG to measure")
    rng = random.Random(SEED)
    queries = [
        line.strip() for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    held, bare = sample_records(rng, RECORD_SAMPLE + WARM_UP)
    half = WARM_UP // 2
    warm_ids, held, bare = held[:half] + bare[:half], held[half:], bare[half:]
    home_url = reverse("opac:home")

    def search_url(query: str) -> str:
        return reverse("opac:search") + "?" + urlencode({"q": query})

    def record_url(pk: int) -> str:
        return reverse("opac:record", args=[pk])

    server = Server()
    for index in range(WARM_UP):  # templates, URL resolver, jieba, translations
        server.get(home_url)
        server.get(search_url(queries[index]))
        if index < len(warm_ids):
            server.get(record_url(warm_ids[index]))

    home, home_html = [], b""
    for _ in range(HOME_REPEAT):
        elapsed, _, home_html = server.get(home_url)
        home.append(elapsed)

    searches, search_queries, search_html = [], [], b""
    for query in queries:
        elapsed, count, body = server.get(search_url(query))
        searches.append(elapsed)
        search_queries.append(count)
        if len(body) > len(search_html):
            search_html = body

    sample = [(pk, True) for pk in held] + [(pk, False) for pk in bare]
    rng.shuffle(sample)
    pages, pages_held, pages_bare, record_queries, record_html = [], [], [], [], b""
    for pk, has_copies in sample:
        elapsed, count, body = server.get(record_url(pk))
        pages.append(elapsed)
        (pages_held if has_copies else pages_bare).append(elapsed)
        record_queries.append(count)
        if len(body) > len(record_html):
            record_html = body

    weights = {
        name: page_weight(html)
        for name, html in [("home", home_html), ("search", search_html), ("record", record_html)]
    }
    metrics = [
        metric("record_p50_ms", ms(pages), "ms", None, "lower"),
        metric("record_p95_ms", ms(pages, 0.95), "ms", 50, "lower"),
        metric(
            "record_with_copies_p95_ms",
            ms(pages_held, 0.95) if pages_held else 0,
            "ms",
            None,
            "lower",
        ),
        metric(
            "record_no_copies_p95_ms",
            ms(pages_bare, 0.95) if pages_bare else 0,
            "ms",
            None,
            "lower",
        ),
        metric("record_sql_queries_max", max(record_queries), "count", None, "lower"),
        metric("search_p50_ms", ms(searches), "ms", None, "lower"),
        metric("search_p95_ms", ms(searches, 0.95), "ms", 150, "lower"),
        metric("search_sql_queries_max", max(search_queries), "count", None, "lower"),
        metric("home_p50_ms", ms(home), "ms", None, "lower"),
        metric("home_p95_ms", ms(home, 0.95), "ms", None, "lower"),
    ]
    for name, (raw, packed) in weights.items():
        metric_name = name if name == "home" else f"{name}_max"
        metrics.append(metric(f"{metric_name}_weight_kb", raw / 1024, "KB", 200, "lower"))
        metrics.append(metric(f"{metric_name}_weight_gzip_kb", packed / 1024, "KB", None, "lower"))
    scale = {
        "records": records,
        "queries": len(queries),
        "record_pages": len(sample),
        "record_pages_with_copies": len(pages_held),
    }
    report("opac", scale, metrics)
    if server.failures:
        print(f"\n{len(server.failures)} page(s) failed:", file=sys.stderr)
        for failure in server.failures[:20]:
            print(f"  {failure}", file=sys.stderr)
        raise SystemExit(1)


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
    started = time.perf_counter()
    records = build(args.records, lc_file)
    print(f"catalogue: {records} records ({time.perf_counter() - started:.0f} s to build or open)")
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what the nightly maintenance job does
            cursor.execute("VACUUM ANALYZE")
    # The pages link their CSS and JS through the manifest of the collected static files.
    call_command("collectstatic", interactive=False, verbosity=0)
    connection.close()
    # Measure in a fresh process; it inherits the scratch data directory that
    # wenjin.bench_settings put in the environment, so it opens the same database.
    subprocess.run([sys.executable, __file__, "--measure", "--records", str(records)], check=True)


if __name__ == "__main__":
    main()
