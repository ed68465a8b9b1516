"""``wenjin create-token USERNAME [--name NAME]``: issue an API token and print it once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import StaffUser
from wenjin.accounts.services import token_create


class Command(BaseCommand):
    help = "Issue an API token for a staff user; it is printed once and stored only hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: object, **options: object) -> None:
        user = StaffUser.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff user {options['username']}.")
        _token, raw = token_create(actor=Actor.system("cli"), user=user, name=options["name"])
        self.stdout.write(raw)
