"""``wenjin sip2 [--host HOST] [--port PORT] [--workers N]``: run the SIP2 server until
SIGINT/SIGTERM.

One process runs Python on one core at a time; with ``--workers N`` (or
``WENJIN_SIP2_WORKERS``) N processes listen on the same port (SO_REUSEPORT, Linux) and
the kernel spreads the kiosks' connections over them, as gunicorn's workers do for the
web. The parent only starts, watches and stops them.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from wenjin.sip2.server import Sip2Server, server_from_settings


class Command(BaseCommand):
    help = "Run the SIP2 server for self-check kiosks, lending machines and sorters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="address to listen on")
        parser.add_argument("--port", type=int, default=None, help="TCP port")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="server processes sharing the port (default WENJIN_SIP2_WORKERS, 1)",
        )
        parser.add_argument(
            "--grace",
            type=float,
            default=10.0,
            help="seconds to let in-flight messages finish on shutdown",
        )

    def handle(self, *args: object, **options: object) -> None:
        workers = options["workers"] or int(getattr(settings, "WENJIN_SIP2_WORKERS", 1))
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        host, port = options["host"], options["port"]
        grace = float(options["grace"])  # type: ignore[arg-type]
        if workers == 1:
            self._run(host, port, grace, reuse_port=False)  # type: ignore[arg-type]
            return
        self._supervise(workers, host, port, grace)  # type: ignore[arg-type]

    def _run(self, host: str | None, port: int | None, grace: float, *, reuse_port: bool) -> None:
        # Imported here: the handlers pull in the whole circulation stack, which the
        # server core itself does not need.
        from wenjin.sip2.handlers import dispatch, on_error
        from wenjin.sip2.logbook import Logbook

        logbook = Logbook()
        server = server_from_settings(
            dispatch, on_error, logbook.record, host=host, port=port, reuse_port=reuse_port
        )
        logbook.start()
        try:
            asyncio.run(self._serve(server, grace))
        finally:
            logbook.close()

    def _supervise(self, workers: int, host: str | None, port: int | None, grace: float) -> None:
        # No database connection may cross the fork.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        children = [
            context.Process(target=self._run, args=(host, port, grace), kwargs={"reuse_port": True})
            for _ in range(workers)
        ]
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for child in children:
            child.start()
        self.stdout.write(f"SIP2 server: {workers} processes (pids {[c.pid for c in children]})")
        while not stopping:
            if any(not child.is_alive() for child in children):
                self.stderr.write("a SIP2 server process ended; stopping the others")
                break
            time.sleep(0.5)
        for child in children:
            if child.is_alive() and child.pid is not None:
                os.kill(child.pid, signal.SIGTERM)
        for child in children:
            child.join(grace + 5)
            if child.is_alive():
                child.kill()
        failed = [child.exitcode for child in children if child.exitcode not in (0, -15)]
        if failed and not stopping:
            raise CommandError(f"SIP2 server processes failed: exit codes {failed}")

    async def _serve(self, server: Sip2Server, grace: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await server.start()
        self.stdout.write(f"SIP2 server on {server.host}:{server.port} (pid {os.getpid()})")
        self.stdout.flush()
        await stop.wait()
        self.stdout.write("SIP2 server stopping")
        await server.shutdown(grace)
