"""``wenjin sip2 [--host HOST] [--port PORT]``: run the SIP2 server until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from django.core.management.base import BaseCommand, CommandParser

from wenjin.sip2.server import Sip2Server, server_from_settings


class Command(BaseCommand):
    help = "Run the SIP2 server for self-check kiosks, lending machines and sorters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="address to listen on")
        parser.add_argument("--port", type=int, default=None, help="TCP port")
        parser.add_argument(
            "--grace",
            type=float,
            default=10.0,
            help="seconds to let in-flight messages finish on shutdown",
        )

    def handle(self, *args: object, **options: object) -> None:
        # Imported here: the handlers pull in the whole circulation stack, which the
        # server core itself does not need.
        from wenjin.sip2.handlers import dispatch, log_transaction, on_error

        server = server_from_settings(
            dispatch,
            on_error,
            log_transaction,
            host=options["host"],  # type: ignore[arg-type]
            port=options["port"],  # type: ignore[arg-type]
        )
        asyncio.run(self._serve(server, float(options["grace"])))  # type: ignore[arg-type]

    async def _serve(self, server: Sip2Server, grace: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await server.start()
        self.stdout.write(f"SIP2 server on {server.host}:{server.port}")
        await stop.wait()
        self.stdout.write("SIP2 server stopping")
        await server.shutdown(grace)
