"""``wenjin reindex``: rebuild the search index from the catalogue."""

from django.core.management.base import BaseCommand

from wenjin.search.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index (after a restore or a change in text analysis)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"reindexed {reindex_all()} records")
