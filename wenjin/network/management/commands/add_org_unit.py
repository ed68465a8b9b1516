"""``wenjin add-org-unit CODE KIND NAME [--parent CODE]``: add a unit from the command line
(the only way to add the root unit of a fresh installation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.accounts.actor import Actor
from wenjin.lib.errors import DomainError
from wenjin.network.models import OrgUnitKind
from wenjin.network.services import org_unit_create


class Command(BaseCommand):
    help = "Add an org unit (as the system; recorded in the audit log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("kind", choices=OrgUnitKind.values)
        parser.add_argument("name_zh")
        parser.add_argument("--parent", help="parent unit code; none for the root")
        parser.add_argument("--name-en", default="")

    def handle(self, *args: object, **options: object) -> None:
        try:
            unit = org_unit_create(
                actor=Actor.system("cli"),
                code=options["code"],
                kind=options["kind"],
                name_zh=options["name_zh"],
                parent_code=options["parent"],
                name_en=options["name_en"],
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(f"Added {unit.code} {unit.name_zh}.")
