"""The SIP2 TCP server: asyncio for the connections, a bounded thread pool for the work.

Each connection is a task reading frames with a :class:`~wenjin.sip2.framing.FrameSplitter`
and answering them one at a time, in order (SIP2 is strictly request/response). Framing,
checksums, 97 (resend) and unreadable frames are handled here, on the event loop, since
they are cheap and touch no database; every decoded request goes to the ``dispatch``
callable in a worker thread, because a handler's service call is a database transaction
with row locks that Django's async ORM cannot run. One slow or broken connection so
only ever holds its own worker thread, never the loop.

Whatever happens in a handler, the connection gets a reply: ``on_error``'s "failed"
response of the right type, or 96 when there is none. Connections end on idle timeout,
on the peer closing or resetting, and on :meth:`Sip2Server.shutdown`, which lets the
message being handled finish and its reply be written first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from wenjin.sip2.codec import Request, Response, Sip2FormatError, decode, encode
from wenjin.sip2.framing import DEFAULT_MAX_FRAME, FrameSplitter, FrameTooLong, split_trailer
from wenjin.sip2.session import Dispatch, Session

__all__ = [
    "ErrorReply",
    "Sip2Server",
    "TransactionLog",
    "close_old_connections",
    "server_from_settings",
]

logger = logging.getLogger(__name__)

ErrorReply = Callable[[Session, Request], Response | None]
# (session, request code, outcome, duration in ms); called in a worker thread.
TransactionLog = Callable[[Session, str, str, int], None]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 6001
DEFAULT_IDLE_SECONDS = 300.0
DEFAULT_THREADS = 16
# asyncio's default listen backlog (100) is too small when a whole district's kiosks
# reconnect at once after a restart; the kernel caps it at net.core.somaxconn anyway.
DEFAULT_BACKLOG = 1024
# One read is at most this much; a frame may span reads (the splitter joins them).
READ_SIZE = 16 * 1024

# Outcomes passed to on_transaction besides the handlers' own "ok"/"error".
OUTCOME_OK = "ok"
OUTCOME_ERROR = "error"
OUTCOME_CHECKSUM = "checksum"
OUTCOME_MALFORMED = "malformed"
OUTCOME_TOO_LONG = "too_long"
OUTCOME_RESEND = "resend"

# 96 ("request SC resend") never carries a sequence number; with error detection on it
# still carries a checksum, so there are two forms.
_RESEND = encode(Response("96"))
_RESEND_CHECKED = encode(Response("96"), error_detection=True)


# A worker's database connection idle longer than this is checked (SELECT 1) before its
# next use, as Django checks one at each web request. One in steady use is not: at
# hundreds of messages a second that check would be a round trip per message, and a
# connection broken meanwhile fails one message, which the kiosk sends again.
HEALTH_CHECK_AFTER_IDLE = 10.0


def close_old_connections() -> None:
    """Django's per-request connection hygiene, for a worker thread.

    Database connections belong to the thread that opened them; running this before and
    after each message drops connections that are broken or past ``CONN_MAX_AGE``, as
    Django does around each web request, and has one idle for a while checked before use.
    """
    from django.db import close_old_connections as django_close_old_connections
    from django.db import connections

    django_close_old_connections()
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        used_at = getattr(connection, "wenjin_used_at", None)
        if used_at is not None and now - used_at < HEALTH_CHECK_AFTER_IDLE:
            connection.health_check_done = True
        connection.wenjin_used_at = now


@dataclass(eq=False, slots=True)
class _Connection:
    """Bookkeeping for shutdown: the connection's task and whether it is mid-message."""

    task: asyncio.Task[None]
    busy: bool = False


class Sip2Server:
    """An asyncio SIP2 server answering requests with ``dispatch`` in a thread pool.

    ``dispatch(session, request)`` returns the response; ``on_error(session, request)``
    gives the reply when dispatch raised (None or a failure → 96);
    ``on_transaction(session, code, outcome, duration_ms)`` is told about every message
    answered, in a worker thread, and never sees field values (so no PIN or password).
    ``connection_hook`` runs in the worker before and after each message (by default
    :func:`close_old_connections`; None for none, as in tests without a database).
    Pass ``port=0`` for an ephemeral port and read :attr:`port` after :meth:`start`.
    """

    def __init__(
        self,
        dispatch: Dispatch,
        on_error: ErrorReply | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        max_frame: int = DEFAULT_MAX_FRAME,
        idle_timeout: float = DEFAULT_IDLE_SECONDS,
        pool_size: int = DEFAULT_THREADS,
        on_transaction: TransactionLog | None = None,
        connection_hook: Callable[[], None] | None = close_old_connections,
        backlog: int = DEFAULT_BACKLOG,
        reuse_port: bool = False,
    ) -> None:
        if idle_timeout <= 0:
            raise ValueError("idle_timeout must be positive")
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        FrameSplitter(max_frame)  # validates max_frame now rather than per connection
        self.host = host
        self._port = port
        self.max_frame = max_frame
        self.idle_timeout = idle_timeout
        self.pool_size = pool_size
        self.backlog = backlog
        # Several server processes may listen on one port (SO_REUSEPORT): the kernel
        # spreads new connections over them, so handlers run on every core.
        self.reuse_port = reuse_port
        self._dispatch = dispatch
        self._on_error = on_error
        self._on_transaction = on_transaction
        self._hook = connection_hook
        self._server: asyncio.Server | None = None
        self._pool: ThreadPoolExecutor | None = None
        # A set, so that adding and removing a connection is O(1) however many are open.
        self._connections: set[_Connection] = set()
        self._closing = False
        self._stopped = asyncio.Event()

    # --- lifecycle ---

    @property
    def port(self) -> int:
        """The port listened on (the real one when constructed with port 0)."""
        if self._server is not None and self._server.sockets:
            return int(self._server.sockets[0].getsockname()[1])
        return self._port

    @property
    def connection_count(self) -> int:
        """Connections currently open."""
        return len(self._connections)

    async def start(self) -> None:
        """Create the thread pool and start listening (returns once listening)."""
        if self._server is not None:
            raise RuntimeError("the SIP2 server is already started")
        self._pool = ThreadPoolExecutor(self.pool_size, thread_name_prefix="sip2")
        self._server = await asyncio.start_server(
            self._handle,
            self.host,
            self._port,
            backlog=self.backlog,
            limit=READ_SIZE,
            reuse_port=self.reuse_port or None,
        )
        logger.info("SIP2 server listening on %s:%s", self.host, self.port)

    async def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` has finished (starting first if needed)."""
        if self._server is None:
            await self.start()
        await self._stopped.wait()

    async def shutdown(self, grace_seconds: float = 10.0) -> None:
        """Stop accepting, finish the messages being handled, then close everything.

        Idle connections are closed at once; a connection mid-message gets its reply
        written and is then closed. Whatever is still running after ``grace_seconds``
        is cancelled (a handler thread cannot be interrupted: its result is dropped).
        """
        if self._server is None or self._closing:
            await self._stopped.wait()
            return
        self._closing = True
        self._server.close()
        for conn in list(self._connections):
            if not conn.busy:
                conn.task.cancel()
        tasks = [conn.task for conn in self._connections]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace_seconds)
            for task in pending:
                logger.warning("SIP2 connection still busy after %ss: cancelled", grace_seconds)
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        await self._server.wait_closed()
        assert self._pool is not None
        self._pool.shutdown(wait=False, cancel_futures=True)
        logger.info("SIP2 server stopped")
        self._stopped.set()

    # --- one connection ---

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        conn = _Connection(task)
        self._connections.add(conn)
        peer = _peer_name(writer.get_extra_info("peername"))
        try:
            await self._converse(conn, Session(peer=peer), reader, writer)
        except asyncio.CancelledError:
            if not self._closing:
                raise
        except TimeoutError:
            # The peer stopped reading its replies; the buffer will never drain.
            logger.info("SIP2 %s: reply not read in %ss, closing", peer, self.idle_timeout)
            writer.transport.abort()
        except (ConnectionError, OSError) as exc:
            logger.debug("SIP2 %s: connection lost: %s", peer, exc)
        except Exception:
            logger.exception("SIP2 %s: unexpected error, closing the connection", peer)
        finally:
            self._connections.discard(conn)
            # close() flushes what is buffered (the last reply) before closing.
            writer.close()

    async def _converse(
        self,
        conn: _Connection,
        session: Session,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        splitter = FrameSplitter(self.max_frame)
        while not self._closing:
            conn.busy = False
            try:
                async with asyncio.timeout(self.idle_timeout):
                    data = await reader.read(READ_SIZE)
            except TimeoutError:
                logger.info(
                    "SIP2 %s: idle for %ss (%d bytes pending), closing",
                    session.peer,
                    self.idle_timeout,
                    splitter.pending,
                )
                return
            if not data:
                return  # EOF; an unterminated frame left in the splitter is dropped
            # Set before the next await, so shutdown never cancels a message midway.
            conn.busy = True
            for item in splitter.feed(data):
                reply, unlogged = await self._answer(session, item)
                writer.write(reply)
                async with asyncio.timeout(self.idle_timeout):
                    await writer.drain()
                if unlogged is not None:
                    # Logged after the reply is out, so logging never delays it.
                    await self._record_later(session, *unlogged)
                if self._closing:
                    return  # frames received but not started are dropped, not half-done

    async def _answer(
        self, session: Session, item: bytes | FrameTooLong
    ) -> tuple[bytes, tuple[str, str] | None]:
        """The reply to one frame, and (code, outcome) when it still has to be logged.

        Never raises for anything the peer can send.
        """
        if isinstance(item, FrameTooLong):
            logger.warning("SIP2 %s: frame of %d bytes discarded", session.peer, item.size)
            return _RESEND, ("??", OUTCOME_TOO_LONG)
        try:
            request = decode(item, session.encoding)
        except Sip2FormatError as exc:
            logger.info("SIP2 %s: unreadable frame (%s)", session.peer, exc.reason)
            return _resend_for(item), (_code_of(item), OUTCOME_MALFORMED)
        except Exception:
            # E.g. a handler set an encoding the codec does not know: still answer.
            logger.exception("SIP2 %s: cannot decode a frame", session.peer)
            return _resend_for(item), (_code_of(item), OUTCOME_MALFORMED)
        if request.checksum_ok is False:
            logger.info("SIP2 %s: checksum mismatch on %s", session.peer, request.code)
            return _RESEND_CHECKED, (request.code, OUTCOME_CHECKSUM)
        if request.code == "97":
            return session.last_reply or _resend_for(item), ("97", OUTCOME_RESEND)
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(self._pool, self._work, session, request)
        if not reply.startswith(b"96"):
            session.last_reply = reply
        return reply, None

    # --- in the worker threads ---

    def _work(self, session: Session, request: Request) -> bytes:
        """Dispatch, encode and log one request; runs in a worker thread."""
        started = time.perf_counter()
        self._run_hook()
        try:
            # Error detection in the reply exactly when the request used it.
            detect = request.checksum is not None or request.sequence is not None
            outcome = OUTCOME_OK
            try:
                response = self._dispatch(session, request)
                # Encoded here, not on the loop: the login handler may have just
                # changed the session's encoding, and a bad response is a handler bug.
                reply = encode(response, session.encoding, request.sequence, detect)
            except Exception:
                logger.exception("SIP2 %s: handler failed on %s", session.peer, request.code)
                outcome = OUTCOME_ERROR
                reply = self._error_reply(session, request, detect)
            self._record(session, request.code, outcome, started)
            return reply
        finally:
            self._run_hook()

    def _error_reply(self, session: Session, request: Request, detect: bool) -> bytes:
        if self._on_error is not None:
            try:
                response = self._on_error(session, request)
                if response is not None:
                    return encode(response, session.encoding, request.sequence, detect)
            except Exception:
                logger.exception("SIP2 %s: on_error failed on %s", session.peer, request.code)
        return _RESEND_CHECKED if detect else _RESEND

    def _record(self, session: Session, code: str, outcome: str, started: float) -> None:
        if self._on_transaction is None:
            return
        duration_ms = int((time.perf_counter() - started) * 1000)
        try:
            self._on_transaction(session, code, outcome, duration_ms)
        except Exception:
            # Losing a log line must not lose the reply.
            logger.exception("SIP2 %s: transaction log failed", session.peer)

    def _run_hook(self) -> None:
        if self._hook is None:
            return
        try:
            self._hook()
        except Exception:
            logger.exception("SIP2: connection hook failed")

    async def _record_later(self, session: Session, code: str, outcome: str) -> None:
        """Log a message answered on the loop (96, 97) via the pool: logging uses the DB."""
        if self._on_transaction is None:
            return
        assert self._pool is not None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self._record_hooked, session, code, outcome)

    def _record_hooked(self, session: Session, code: str, outcome: str) -> None:
        started = time.perf_counter()
        self._run_hook()
        try:
            self._record(session, code, outcome, started)
        finally:
            self._run_hook()


def _peer_name(peername: object) -> str:
    if isinstance(peername, tuple) and len(peername) >= 2:
        host, port = peername[0], peername[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(peername or "?")


def _code_of(frame: bytes) -> str:
    """The message code of a frame that could not be decoded, or ``??``."""
    head = frame.lstrip(b" \t")[:2]
    return head.decode("ascii") if len(head) == 2 and head.isdigit() else "??"


def _resend_for(frame: bytes) -> bytes:
    """96, with a checksum when the frame shows the SC uses error detection."""
    try:
        checked = split_trailer(frame).checksum is not None
    except Exception:  # the frame is garbage already; plain 96 is always safe
        checked = False
    return _RESEND_CHECKED if checked else _RESEND


def server_from_settings(
    dispatch: Dispatch,
    on_error: ErrorReply | None = None,
    on_transaction: TransactionLog | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    reuse_port: bool = False,
) -> Sip2Server:
    """A server configured from ``WENJIN_SIP2_*`` settings (``host``/``port`` override)."""
    from django.conf import settings

    return Sip2Server(
        dispatch,
        on_error,
        host=host or getattr(settings, "WENJIN_SIP2_HOST", DEFAULT_HOST),
        port=getattr(settings, "WENJIN_SIP2_PORT", DEFAULT_PORT) if port is None else port,
        max_frame=int(getattr(settings, "WENJIN_SIP2_MAX_FRAME", DEFAULT_MAX_FRAME)),
        idle_timeout=float(getattr(settings, "WENJIN_SIP2_IDLE_SECONDS", DEFAULT_IDLE_SECONDS)),
        pool_size=int(getattr(settings, "WENJIN_SIP2_THREADS", DEFAULT_THREADS)),
        on_transaction=on_transaction,
        reuse_port=reuse_port,
    )
