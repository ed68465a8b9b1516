"""The bare baseline for ``bench/sip2.py``: an asyncio server with the same framing as the
SIP2 server (Wenjin's frame splitter), one equivalent SQL round trip per message (the
item's status by barcode) in a thread pool of the same size, and a fixed reply with a
checksum. Whatever the SIP2 server costs above this is Wenjin's own work.

Usage (by the benchmark): python bench/_sip2_echo.py PORT THREADS
"""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor


def main() -> None:
    port, threads = int(sys.argv[1]), int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenjin.bench_settings")
    import django

    django.setup()
    from django.db import connection

    from wenjin.sip2.framing import FrameSplitter, FrameTooLong, add_trailer

    pool = ThreadPoolExecutor(threads)

    def lookup(frame: bytes) -> bytes:
        # The item or card barcode of the frame (AB, else AA), looked up once.
        text = frame.decode("utf-8", "replace")
        barcode = ""
        for part in text.split("|"):
            if part[:2] in ("AB", "AA"):
                barcode = part[2:]
                break
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM catalog_item WHERE barcode = %s", [barcode])
            cursor.fetchall()
        return add_trailer(b"18" + b"0" * 8 + b"AB" + barcode.encode() + b"|", "0") + b"\r"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        splitter = FrameSplitter()
        loop = asyncio.get_running_loop()
        try:
            while data := await reader.read(16384):
                for frame in splitter.feed(data):
                    if isinstance(frame, FrameTooLong):
                        writer.write(b"96\r")
                        continue
                    writer.write(await loop.run_in_executor(pool, lookup, frame))
                    await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        print(f"echo on {port}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
