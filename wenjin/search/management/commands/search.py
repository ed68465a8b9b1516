"""``wenjin search "query" [--json]``: search the catalogue from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.lib.errors import DomainError
from wenjin.search.selectors import SearchFilters, search


class Command(BaseCommand):
    help = "Search the catalogue as readers do (Chinese, pinyin, initials, English, ISBN)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--org", help="holding unit code (its subtree counts)")
        parser.add_argument("--available", action="store_true")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = search(
                options["query"],
                SearchFilters(org=options["org"], available=options["available"] or None),
                page_size=max(1, min(options["limit"], 100)),
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        if options["json"]:
            rows = [
                {
                    "id": h.record.pk,
                    "title": h.record.title,
                    "authors": h.record.authors,
                    "year": h.record.year,
                    "available": h.available,
                }
                for h in result.hits
            ]
            self.stdout.write(
                json.dumps(
                    {"count": result.count, "results": rows, "facets": result.facets},
                    ensure_ascii=False,
                    default=str,
                )
            )
            return
        self.stdout.write(f"{result.count} 条结果 / results")
        for hit in result.hits:
            authors = "；".join(hit.record.authors[:2])
            self.stdout.write(
                f"{hit.record.pk:>8}  {hit.record.title}  {authors}  {hit.record.year or ''}  可借 {hit.available}/{hit.items}"
            )
