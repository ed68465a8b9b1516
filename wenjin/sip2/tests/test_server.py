"""The asyncio SIP2 server over real sockets on 127.0.0.1, with fake dispatch functions.

No database: the handlers are stand-ins, and each test runs its own event loop with
``asyncio.run`` (no pytest plugin needed).
"""

from __future__ import annotations

import asyncio
import resource
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from wenjin.sip2.codec import Request, Response, decode
from wenjin.sip2.framing import add_trailer, verify
from wenjin.sip2.server import Sip2Server
from wenjin.sip2.session import Session

STATUS = b"9900302.00"  # 99: status 0, print width 030, protocol 2.00
RESEND = b"96\r"
RESEND_CHECKED = b"96AZFEF6\r"


def acs_status(screen: str | None = None) -> Response:
    """A 98 with fixed test values (and an optional screen message)."""
    return Response(
        "98",
        {
            "online_status": True,
            "checkin_ok": True,
            "checkout_ok": True,
            "acs_renewal_policy": True,
            "status_update_ok": False,
            "offline_ok": False,
            "timeout_period": 10,
            "retries_allowed": 3,
            "date_time_sync": None,
            "protocol_version": "2.00",
        },
        {"AO": "YX", "BX": "YYYYYYYYYYYYYYYY", "AF": [screen] if screen else None},
    )


def fake_dispatch(session: Session, request: Request) -> Response:
    """99 → 98 (echoing field XX on the screen, sleeping when asked); 93 → 94 and
    the encoding given in field XE; anything else raises."""
    if request.code == "93":
        session.encoding = request.get("XE") or session.encoding
        return Response("94", {"ok": True})
    if request.code == "99":
        delay = request.get("XS")
        if delay:
            time.sleep(float(delay))
        return acs_status(request.get("XX"))
    raise RuntimeError("not supported by the fake")


def failing_dispatch(session: Session, request: Request) -> Response:
    raise RuntimeError("the database is on fire")


def frame(body: bytes, sequence: str | None = None, checked: bool = False) -> bytes:
    """A request frame, with ``AY<sequence>AZ<checksum>`` when asked."""
    if checked or sequence is not None:
        body = add_trailer(body, sequence)
    return body + b"\r"


def run(test: Callable[[], Awaitable[None]], limit: float = 10.0) -> None:
    """Run one test coroutine in a fresh event loop, failing rather than hanging."""

    async def bounded() -> None:
        await asyncio.wait_for(test(), limit)

    asyncio.run(bounded())


@asynccontextmanager
async def running(
    dispatch: Callable[[Session, Request], Response] = fake_dispatch,
    on_error: Callable[[Session, Request], Response | None] | None = None,
    **options: Any,
) -> AsyncIterator[Sip2Server]:
    options.setdefault("connection_hook", None)
    server = Sip2Server(dispatch, on_error, host="127.0.0.1", port=0, **options)
    await server.start()
    try:
        yield server
    finally:
        await server.shutdown(2.0)


class Client:
    """A bare TCP client speaking raw bytes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, server: Sip2Server) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def reply(self, timeout: float = 2.0) -> bytes:
        return await asyncio.wait_for(self.reader.readuntil(b"\r"), timeout)

    async def ask(self, data: bytes, timeout: float = 2.0) -> bytes:
        await self.send(data)
        return await self.reply(timeout)

    async def closed_within(self, timeout: float) -> bool:
        """True when the server closes the connection within ``timeout`` seconds."""
        try:
            rest = await asyncio.wait_for(self.reader.read(), timeout)
        except TimeoutError:
            return False
        except ConnectionError:
            return True
        return rest == b""

    def close(self) -> None:
        self.writer.close()


# --- round trips, error detection, resend ---


def test_status_round_trip() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            reply = await client.ask(STATUS + b"\r")
            assert reply.startswith(b"98YYYYNN010003")
            assert b"AY" not in reply and b"AZ" not in reply  # none asked for, none sent
            response = decode(reply)
            assert response.code == "98"
            assert response.get("AO") == "YX"
            client.close()

    run(body)


def test_sequence_echoed_and_reply_checksummed() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            reply = await client.ask(frame(STATUS, "7"))
            assert b"AY7AZ" in reply and verify(reply.rstrip(b"\r"))
            # AZ without AY: a checksum but no sequence number in the reply.
            reply = await client.ask(frame(STATUS, checked=True))
            assert b"AY" not in reply and b"AZ" in reply and verify(reply.rstrip(b"\r"))
            # Lowercase hex digits are accepted.
            checked = frame(STATUS, "2")
            reply = await client.ask(checked[:-5] + checked[-5:-1].lower() + b"\r")
            assert reply.startswith(b"98") and b"AY2AZ" in reply
            client.close()

    run(body)


def test_bad_checksum_gets_96() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            assert await client.ask(STATUS + b"AY1AZ0000\r") == RESEND_CHECKED
            assert await client.ask(STATUS + b"AY1AZZZZZ\r") == RESEND_CHECKED
            assert (await client.ask(frame(STATUS, "1"))).startswith(b"98")
            client.close()

    run(body)


def test_97_resends_the_last_reply_byte_for_byte() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            assert await client.ask(b"97\r") == RESEND  # nothing to resend yet
            first = await client.ask(frame(STATUS + b"|XX\xe4\xbd\xa0\xe5\xa5\xbd|", "4"))
            assert await client.ask(frame(b"97", checked=True)) == first
            # A 96 is not remembered: 97 still gives the last real reply.
            assert await client.ask(b"ZZ\r") == RESEND
            assert await client.ask(b"97\r") == first
            client.close()

    run(body)


# --- bad input ---


def test_garbage_gets_96_and_the_connection_goes_on() -> None:
    async def body() -> None:
        async with running(max_frame=4096) as server:
            client = await Client.connect(server)
            assert await client.ask(b"ZZ whatever\r") == RESEND  # unknown code
            assert await client.ask(b"99\r") == RESEND  # fixed part too short
            assert await client.ask(b"\xff\xfe\x00\x80garbage\r") == RESEND
            assert await client.ask(b"ZZ|AY1AZ0000\r") == RESEND_CHECKED  # SC checks: so do we
            # A megabyte without a terminator, then one: a single 96, nothing buffered.
            await client.send(b"x" * (1 << 20))
            assert await client.ask(b"\r") == RESEND
            assert (await client.ask(STATUS + b"\r")).startswith(b"98")
            client.close()

    run(body)


def test_unterminated_garbage_then_silence_hits_the_idle_timeout() -> None:
    async def body() -> None:
        async with running(idle_timeout=0.3, max_frame=4096) as server:
            client = await Client.connect(server)
            await client.send(b"9900302.00" + b"y" * (1 << 20))
            assert await client.closed_within(3.0)
            other = await Client.connect(server)
            assert (await other.ask(STATUS + b"\r")).startswith(b"98")
            other.close()
            client.close()

    run(body)


def test_handler_error_gets_on_error_reply_and_the_connection_stays() -> None:
    def on_error(session: Session, request: Request) -> Response:
        return Response("94", {"ok": False})

    async def body() -> None:
        async with running(fake_dispatch, on_error) as server:
            client = await Client.connect(server)
            # 23 is not handled by the fake: it raises.
            reply = await client.ask(frame(b"23000" + b"20250101    120000" + b"AOYX|AAP1|", "5"))
            assert reply.startswith(b"940") and b"AY5AZ" in reply
            assert (await client.ask(STATUS + b"\r")).startswith(b"98")
            client.close()

    run(body)


def test_handler_error_without_on_error_gets_96() -> None:
    def broken_on_error(session: Session, request: Request) -> Response:
        raise ValueError("broken too")

    async def body() -> None:
        for on_error in (None, broken_on_error, lambda s, r: None):
            async with running(failing_dispatch, on_error) as server:
                client = await Client.connect(server)
                assert await client.ask(STATUS + b"\r") == RESEND
                assert await client.ask(frame(STATUS, "3")) == RESEND_CHECKED
                client.close()

    run(body)


def test_bad_response_from_a_handler_is_a_handler_error() -> None:
    def wrong(session: Session, request: Request) -> Response:
        return Response("98", {"online_status": True})  # fixed fields missing

    async def body() -> None:
        async with running(wrong) as server:
            client = await Client.connect(server)
            assert await client.ask(STATUS + b"\r") == RESEND
            client.close()

    run(body)


# --- concurrency, timeouts, shutdown ---


def test_a_slow_handler_does_not_delay_another_connection() -> None:
    async def body() -> None:
        async with running(pool_size=4) as server:
            slow, fast = await Client.connect(server), await Client.connect(server)
            await slow.send(STATUS + b"|XS1.0|\r")
            await asyncio.sleep(0.05)  # the slow one is in the pool now
            started = time.monotonic()
            assert (await fast.ask(STATUS + b"\r")).startswith(b"98")
            assert time.monotonic() - started < 0.3
            assert (await slow.reply(3.0)).startswith(b"98")
            slow.close()
            fast.close()

    run(body)


def test_idle_connection_is_closed() -> None:
    async def body() -> None:
        async with running(idle_timeout=0.3) as server:
            client = await Client.connect(server)
            assert (await client.ask(STATUS + b"\r")).startswith(b"98")
            assert not await client.closed_within(0.1)
            assert await client.closed_within(2.0)
            await asyncio.sleep(0.05)
            assert server.connection_count == 0
            client.close()

    run(body)


def test_shutdown_finishes_the_message_in_flight() -> None:
    async def body() -> None:
        server = Sip2Server(fake_dispatch, None, host="127.0.0.1", port=0, connection_hook=None)
        await server.start()
        port = server.port
        busy, idle = await Client.connect(server), await Client.connect(server)
        await busy.send(frame(STATUS + b"|XS0.5|", "6"))
        await asyncio.sleep(0.1)
        stopping = asyncio.create_task(server.shutdown(5.0))
        assert await idle.closed_within(0.3)  # idle ones go at once
        reply = await busy.reply(3.0)
        assert reply.startswith(b"98") and b"AY6AZ" in reply
        assert await busy.closed_within(1.0)
        await stopping
        try:
            await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            pass
        else:
            raise AssertionError("the server still accepts connections")
        await server.serve_forever()  # returns at once: already stopped
        busy.close()
        idle.close()

    run(body)


def idle_connection_count(wanted: int) -> int:
    """As many of ``wanted`` idle connections as this process's descriptor limit allows
    (each costs two here: the client's socket and the server's), raising the soft limit
    up to the hard one first, as a SIP2 service would be configured to."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 2 * wanted + 100 if hard == resource.RLIM_INFINITY else min(hard, 2 * wanted + 100)
        if target > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return min(wanted, (soft - 100) // 2)


def test_thousands_of_idle_connections_do_not_stall_an_active_one() -> None:
    count = idle_connection_count(2000)
    assert count >= 400, "the descriptor limit allows too few connections to test"

    async def body() -> None:
        async with running() as server:
            idle: list[Client] = []
            for start in range(0, count, 250):  # in waves, so the listen backlog keeps up
                wave = min(250, count - start)
                idle += await asyncio.gather(*(Client.connect(server) for _ in range(wave)))
            await idle[0].send(b"9900302.")  # half a frame, to be held
            await idle[-1].send(b"9900302.")
            active = await Client.connect(server)
            for _ in range(20):
                # Each answer within the client's own timeout: no idle socket holds it up.
                assert (await active.ask(STATUS + b"\r", timeout=5.0)).startswith(b"98")
            await asyncio.sleep(0.05)
            assert server.connection_count == count + 1
            assert (await idle[0].ask(b"00\r")).startswith(b"98")  # "9900302.00" joined
            assert (await idle[-1].ask(b"00\r")).startswith(b"98")
            for client in (*idle, active):
                client.close()

    run(body, limit=60.0)


def test_connection_reset_mid_message_is_quiet() -> None:
    async def body() -> None:
        async with running() as server:
            gone = await Client.connect(server)
            await gone.send(STATUS + b"|XS0.2|\r")
            gone.writer.transport.abort()  # RST while the handler runs
            await asyncio.sleep(0.4)
            client = await Client.connect(server)
            assert (await client.ask(STATUS + b"\r")).startswith(b"98")
            client.close()

    run(body)


def test_half_closed_client_still_gets_its_reply() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            await client.send(STATUS + b"\r" + STATUS + b"\r9900")  # the last is cut off
            client.writer.write_eof()
            assert (await client.reply()).startswith(b"98")
            assert (await client.reply()).startswith(b"98")
            assert await client.closed_within(1.0)
            client.close()

    run(body)


# --- framing on the wire ---


def test_frame_split_across_writes_and_several_in_one() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            for byte in frame(STATUS, "1"):
                await client.send(bytes([byte]))
                await asyncio.sleep(0.001)
            assert b"AY1AZ" in await client.reply()
            await client.send(b"".join(frame(STATUS, str(n)) for n in range(2, 7)))
            for n in range(2, 7):
                assert f"AY{n}AZ".encode() in await client.reply()
            client.close()

    run(body)


def test_crlf_and_lf_terminators() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            assert b"AY1AZ" in await client.ask(frame(STATUS, "1")[:-1] + b"\r\n")
            assert b"AY2AZ" in await client.ask(frame(STATUS, "2")[:-1] + b"\n")
            # The LF of a CRLF arriving on its own is not a frame: no extra reply.
            await client.send(frame(STATUS, "3"))
            assert b"AY3AZ" in await client.reply()
            assert b"AY4AZ" in await client.ask(b"\n" + frame(STATUS, "4"))
            client.close()

    run(body)


def test_gb18030_session() -> None:
    async def body() -> None:
        async with running() as server:
            client = await Client.connect(server)
            login = b"9300CNkiosk|COsecret|CPYX|XEgb18030|"
            assert (await client.ask(frame(login, "0"))).startswith(b"941")
            text = "借书成功，欢迎光临"
            reply = await client.ask(frame(STATUS + b"|XX" + text.encode("gb18030") + b"|", "1"))
            assert text.encode("gb18030") in reply
            assert text.encode("utf-8") not in reply
            assert verify(reply.rstrip(b"\r"))  # checksum over the GB18030 bytes
            assert decode(reply, "gb18030").getlist("AF") == [text]
            client.close()

    run(body)


# --- hooks ---


def test_transaction_log_and_connection_hook_run_in_workers() -> None:
    logged: list[tuple[str, str, str, int, str]] = []
    hooks: list[str] = []

    def on_transaction(session: Session, code: str, outcome: str, duration_ms: int) -> None:
        logged.append((session.peer, code, outcome, duration_ms, threading.current_thread().name))

    def hook() -> None:
        hooks.append(threading.current_thread().name)

    async def body() -> None:
        async with running(
            on_transaction=on_transaction, connection_hook=hook, on_error=None
        ) as server:
            client = await Client.connect(server)
            await client.ask(b"9300CNkiosk|COsecret|CPYX|\r")
            await client.ask(STATUS + b"|XS0.05|\r")
            await client.ask(STATUS + b"AY1AZ0000\r")
            await client.ask(b"23garbage\r")
            await client.ask(b"97\r")
            await client.ask(b"6300120250101    120000          AOYX|AAP1|ADpin|\r")
            client.close()

    run(body)
    assert [(code, outcome) for _, code, outcome, _, _ in logged] == [
        ("93", "ok"),
        ("99", "ok"),
        ("99", "checksum"),
        ("23", "malformed"),
        ("97", "resend"),
        ("63", "error"),
    ]
    assert logged[1][3] >= 40  # the handler's 50 ms
    assert all(thread.startswith("sip2") for *_, thread in logged)
    assert all(peer.startswith("127.0.0.1:") for peer, *_ in logged)
    assert "secret" not in repr(logged) and "pin" not in repr(logged)
    assert hooks and all(thread.startswith("sip2") for thread in hooks)
    assert len(hooks) == 2 * len(logged)  # before and after each message


def test_default_connection_hook_needs_no_database() -> None:
    async def body() -> None:
        server = Sip2Server(fake_dispatch, None, host="127.0.0.1", port=0)
        await server.start()
        client = await Client.connect(server)
        assert (await client.ask(STATUS + b"\r")).startswith(b"98")
        client.close()
        await server.shutdown(1.0)

    run(body)
