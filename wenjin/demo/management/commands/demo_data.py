"""``wenjin demo-data``: build deterministic demo data and write the demo manifest."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.demo import builder


class Command(BaseCommand):
    help = (
        "Build the demo network, staff and (as later parts arrive) records, items, readers "
        "and loans. Same --seed on the same day gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=builder.SCALES, default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--catalog",
            choices=("full", "tiny", "none"),
            default="full",
            help="size of the demo catalogue (tiny builds in seconds, for development)",
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            help="also write the demo manifest (with a fresh API token) to this path",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but still write the manifest) when the database holds data",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        if builder.database_is_empty():
            try:
                dataset = builder.build(
                    seed=options["seed"], scale=options["scale"], catalog=options["catalog"]
                )
            except builder.DemoDataError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Built demo data ({dataset.scale}, seed {dataset.seed}) "
                f"in {time.monotonic() - started:.1f} s."
            )
        elif options["if_empty"]:
            self.stdout.write("The database already holds data; keeping it.")
        else:
            raise CommandError(
                "The database already holds a network; demo data needs an empty database "
                "(use --if-empty to keep it)."
            )
        if options["manifest"]:
            base_url, host, port = builder.default_manifest_location()
            try:
                data = builder.manifest(base_url=base_url, sip2_host=host, sip2_port=port)
            except builder.DemoDataError as error:
                raise CommandError(str(error)) from error
            builder.write_manifest(options["manifest"], data)
            self.stdout.write(f"Wrote the demo manifest to {options['manifest']}.")
