"""``wenjin import-marc FILE``: import ISO 2709 or MARCXML records into the catalogue."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.accounts.actor import Actor
from wenjin.catalog import importer
from wenjin.lib.errors import DomainError
from wenjin.lib.marc.reader import MarcError


class Progress:
    """A progress line on standard error: records, rate and time left (by bytes read)."""

    def __init__(self, stream=sys.stderr) -> None:  # noqa: ANN001
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0
        self.interactive = stream.isatty()
        self.finished = False

    def __call__(self, records: int, done: int, total: int) -> None:
        now = time.monotonic()
        final = done >= total
        if self.finished or (not final and now - self.last < (0.5 if self.interactive else 10)):
            return
        self.finished = final
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = records / elapsed
        share = done / total if total else 1
        left = elapsed * (1 - share) / share if share > 0 else 0
        line = (
            f"{records:,} 条记录  {share:6.1%}  {rate:,.0f} 条/秒  "
            f"剩余约 {int(left // 60)} 分 {int(left % 60):02d} 秒"
        )
        end = "\n" if final or not self.interactive else ""
        self.stream.write(("\r" if self.interactive else "") + line + end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Import MARC records (ISO 2709 or MARCXML; MARC21 or CNMARC) into the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=importer.FORMATS, default="auto")
        parser.add_argument("--encoding", choices=("utf-8", "gb18030", "marc8"), default="utf-8")
        parser.add_argument(
            "--owning-org", help="unit that owns imported items (default for holdings)"
        )
        parser.add_argument("--items-from", choices=importer.ITEM_SOURCES, default="none")
        parser.add_argument("--match", choices=importer.MATCH_RULES, default="001")
        parser.add_argument("--on-match", choices=importer.ON_MATCH, default="skip")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress line")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        settings = importer.ImportOptions(
            format=options["format"],
            encoding=options["encoding"],
            owning_org=options["owning_org"],
            items_from=options["items_from"],
            match=options["match"],
            on_match=options["on_match"],
        )
        progress = None if options["quiet_progress"] else Progress()
        try:
            summary = importer.import_marc(
                path, settings, actor=Actor.system("cli"), progress=progress
            )
        except (DomainError, MarcError) as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for failure in summary.failures:
            self.stderr.write(f"第 {failure.position} 条记录：{failure.code} {failure.message}")
        if summary.failed > len(summary.failures):
            self.stderr.write(f"（另有 {summary.failed - len(summary.failures)} 条失败未列出）")
        rate = summary.read / summary.seconds if summary.seconds else 0
        self.stdout.write(
            f"读取 {summary.read}，新建 {summary.created}，合并 {summary.merged}，"
            f"跳过 {summary.skipped}，失败 {summary.failed}；单册 {summary.items_created}，"
            f"警告 {summary.warnings}。用时 {summary.seconds:.1f} 秒（{rate:,.0f} 条/秒）。\n"
            f"read {summary.read}, created {summary.created}, merged {summary.merged}, "
            f"skipped {summary.skipped}, failed {summary.failed}"
        )
