"""Property tests: no input crashes the framer or decoder; encode/decode round-trips."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from wenjin.sip2 import (
    ENCODINGS,
    FrameSplitter,
    FrameTooLong,
    Request,
    Response,
    Sip2FormatError,
    decode,
    encode,
)
from wenjin.sip2.codec import sanitise
from wenjin.sip2.fields import SECRET_IDS, Kind
from wenjin.sip2.messages import LAYOUTS

# Hypothesis caches constants and Unicode tables under ./.hypothesis even without an
# example database; keep them out of the working tree unless told where to put them.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "wenjin-hypothesis")

# Moderate example counts: the machine has two cores shared with CI.
# database=None: no .hypothesis/ directory left in the working tree.
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ROUND = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

encodings = st.sampled_from(ENCODINGS)
# Bytes biased towards SIP2-looking input so the fuzzer reaches the field parser.
sip_bytes = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda code, rest: code.encode() + rest,
        st.sampled_from(sorted(LAYOUTS)),
        st.binary(max_size=200),
    ),
    st.builds(
        lambda code, text: (code + text).encode("utf-8", "surrogatepass"),
        st.sampled_from(sorted(LAYOUTS)),
        st.text(alphabet="0123456789 YNAZ|\r\n\x00ABCDEFOP三体", max_size=120),
    ),
)


def read_all(data: bytes, encoding: str, max_length: int = 128) -> list[object]:
    """Frame and decode everything in ``data`` the way the server will."""
    out: list[object] = []
    splitter = FrameSplitter(max_length)
    for item in splitter.feed(data) + splitter.feed(b"\r"):
        if isinstance(item, FrameTooLong):
            out.append(item)
            continue
        try:
            out.append(decode(item, encoding))
        except Sip2FormatError as exc:
            out.append(exc)
    return out


@FUZZ
@given(data=sip_bytes, encoding=encodings)
def test_any_bytes_decode_or_typed_error(data, encoding):
    for result in read_all(data, encoding):
        assert isinstance(result, Request | Sip2FormatError | FrameTooLong)
        if isinstance(result, Request):
            assert result.code in LAYOUTS
            assert result.checksum_ok in (None, True, False)
            # The server echoes the sequence number: it must always be sendable.
            assert result.sequence is None or result.sequence in tuple("0123456789")
            reply = encode(Response("94", {"ok": False}), encoding, result.sequence, True)
            assert decode(reply, encoding).checksum_ok is True


@FUZZ
@given(data=sip_bytes, encoding=encodings, strict=st.booleans())
def test_decode_alone_raises_only_typed_error(data, encoding, strict):
    try:
        request = decode(data, encoding, "strict" if strict else "replace")
    except Sip2FormatError as exc:
        assert exc.reason in {"empty", "unknown_code", "short_fixed", "encoding"}
    else:
        assert not (strict and request.lossy)


@FUZZ
@given(chunks=st.lists(st.binary(max_size=40), max_size=20))
def test_splitter_independent_of_chunking(chunks):
    whole = FrameSplitter(64).feed(b"".join(chunks))
    split = FrameSplitter(64)
    pieces: list[object] = []
    for chunk in chunks:
        pieces += split.feed(chunk)
    frames = [p for p in whole if isinstance(p, bytes)]
    assert frames == [p for p in pieces if isinstance(p, bytes)]
    assert all(b"\r" not in f and b"\n" not in f for f in frames)


# --- round trip ---

# Values as sent: any text, including separators, controls and characters some
# encodings lack; what comes back is the sanitised, encodable form.
values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)


@st.composite
def messages(draw: st.DrawFn) -> tuple[Response, str, str | None, bool]:
    layout = LAYOUTS[draw(st.sampled_from(sorted(LAYOUTS)))]
    fixed: dict[str, object] = {}
    for spec in layout.fixed:
        if spec.kind in (Kind.FLAG, Kind.BIT):
            fixed[spec.name] = draw(st.booleans())
        elif spec.kind is Kind.NUMBER:
            fixed[spec.name] = draw(st.integers(0, 10**spec.length - 1))
        else:
            fixed[spec.name] = draw(st.text(alphabet="0123456789 YN.Z", max_size=spec.length))
    fields: dict[str, object] = {}
    for spec in layout.fields:
        if draw(st.booleans()):
            if spec.repeatable:
                fields[spec.id] = draw(st.lists(values, min_size=1, max_size=3))
            else:
                fields[spec.id] = draw(values)
    sequence = draw(st.none() | st.sampled_from("0123456789"))
    return Response(layout.code, fixed, fields), draw(encodings), sequence, draw(st.booleans())


def expected_value(value: str, encoding: str, strip: bool) -> str:
    """What the decoder returns for a sent value: sanitised, as the encoding could
    carry it, trimmed unless it is a secret."""
    text = sanitise(value).encode(encoding, "replace").decode(encoding)
    return text.strip(" \t\x00") if strip else text


@ROUND
@given(message=messages())
def test_encode_decode_round_trip(message):
    response, encoding, sequence, error_detection = message
    wire = encode(response, encoding, sequence, error_detection)
    assert wire.endswith(b"\r") and wire.count(b"\r") == 1 and b"\n" not in wire
    request = decode(wire, encoding)
    layout = LAYOUTS[response.code]
    assert request.code == response.code
    assert [len(v) for v in request.fixed.values()] == [f.length for f in layout.fixed]
    for spec in layout.fixed:
        sent = response.fixed[spec.name]
        got = request.fixed[spec.name]
        if isinstance(sent, bool):
            assert request.flag(spec.name) is sent
        elif isinstance(sent, int):
            assert int(got) == sent
        else:
            assert got == sent.ljust(spec.length)
    for spec in layout.fields:
        sent = response.fields.get(spec.id)
        if sent is None:
            expected = [""] if spec.id in layout.required else []
        else:
            sent_list = sent if isinstance(sent, list) else [sent]
            strip = spec.id not in SECRET_IDS
            expected = [expected_value(v, encoding, strip) for v in sent_list]
        assert request.getlist(spec.id) == expected, spec.id
    if error_detection:
        assert request.checksum_ok is True
        assert request.sequence == sequence
    else:
        assert request.checksum_ok is None
