"""``wenjin create-staff USERNAME --org CODE [--role ROLE]``: create a staff account; the
password is read from the terminal (or standard input with --password-stdin)."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import Role
from wenjin.accounts.services import role_grant, staff_create
from wenjin.lib.errors import DomainError


class Command(BaseCommand):
    help = "Create a staff account at an org unit, optionally granting a role there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="home unit code; the role applies there")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        actor = Actor.system("cli")
        try:
            user = staff_create(
                actor=actor,
                username=options["username"],
                password=password,
                home_org_code=options["org"],
                display_name=options["display_name"],
            )
            if options["role"]:
                role_grant(actor=actor, user=user, role=options["role"], org_code=options["org"])
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(f"Created {user.username} at {options['org']}.")
