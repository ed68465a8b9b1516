"""3M SIP2 (Standard Interchange Protocol 2.00) for self-check kiosks, 24-hour
self-service libraries and sorters.

This package is the pure protocol codec: framing and error detection
(:mod:`.framing`), field and message layouts as data (:mod:`.fields`,
:mod:`.messages`), and the decoder/encoder (:mod:`.codec`). It does no I/O and
touches no database, so the asyncio server and the tests can share it.
"""

from wenjin.sip2.codec import (
    ENCODINGS,
    Request,
    Response,
    Sip2FormatError,
    decode,
    encode,
)
from wenjin.sip2.framing import (
    DEFAULT_MAX_FRAME,
    FrameSplitter,
    FrameTooLong,
    Trailer,
    add_trailer,
    checksum,
    split_trailer,
    verify,
)

__all__ = [
    "DEFAULT_MAX_FRAME",
    "ENCODINGS",
    "FrameSplitter",
    "FrameTooLong",
    "Request",
    "Response",
    "Sip2FormatError",
    "Trailer",
    "add_trailer",
    "checksum",
    "decode",
    "encode",
    "split_trailer",
    "verify",
]
