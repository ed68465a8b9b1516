"""A line-per-field text form of a MARC record, for the staff MARC editor.

    LDR 00000nam a2200000 a 4500
    001 ocm12345
    245 10 $a红楼梦 /$c曹雪芹著
    880 10 $6245-01/$1$a…

Indicators: a blank is written "#" (a space, "_" or "\\" are read as blank too); "$"
starts a subfield; a literal dollar sign inside data is written "{$}".
"""

from __future__ import annotations

import re

import pymarc

BLANKS = {"#", "_", "\\", " "}
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")
DOLLAR = "{$}"


class MnemonicError(ValueError):
    """A line that cannot be read; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"第 {line} 行：{message}")
        self.line = line
        self.message = message


def _indicator(value: str) -> str:
    return "#" if value in (" ", "") else value


def to_text(record: pymarc.Record) -> str:
    lines = [f"LDR {record.leader}"]
    for field in record.fields:
        if field.is_control_field():
            lines.append(f"{field.tag} {field.data}")
        else:
            subfields = "".join(f"${s.code}{s.value.replace('$', DOLLAR)}" for s in field.subfields)
            lines.append(
                f"{field.tag} {_indicator(field.indicator1)}{_indicator(field.indicator2)} {subfields}"
            )
    return "\n".join(lines) + "\n"


def from_text(text: str) -> pymarc.Record:
    """Parse the text form; raises MnemonicError naming the first bad line."""
    record = pymarc.Record(force_utf8=True)
    leader = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip("\r")
        if not line.strip():
            continue
        tag, _space, rest = line.partition(" ")
        if tag.upper() == "LDR":
            if len(rest) != 24:
                raise MnemonicError(number, f"头标区必须正好 24 个字符（现为 {len(rest)} 个）。")
            leader = rest
            continue
        if not _TAG.match(tag):
            raise MnemonicError(number, f"“{tag}”不是三位字段号。")
        if tag < "010" and tag.isdigit():
            record.add_field(pymarc.Field(tag=tag, data=rest))
            continue
        if len(rest) < 3 or rest[2] not in " $":
            raise MnemonicError(number, "数据字段应写作：字段号 两位指示符 $a子字段…")
        indicators = [" " if c in BLANKS else c for c in rest[:2]]
        body = rest[3:] if rest[2] == " " else rest[2:]
        if not body.startswith("$") or len(body) < 2:
            raise MnemonicError(number, "数据字段至少要有一个子字段（$ 加代码）。")
        subfields = []
        for chunk in body.replace(DOLLAR, "\x00").split("$")[1:]:
            if not chunk:
                raise MnemonicError(number, "“$”后缺少子字段代码。")
            code, value = chunk[0], chunk[1:].replace("\x00", "$")
            if not code.isalnum():
                raise MnemonicError(number, f"子字段代码“{code}”无效。")
            subfields.append(pymarc.Subfield(code=code, value=value))
        record.add_field(
            pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=subfields)
        )
    if leader is None:
        raise MnemonicError(1, "缺少头标区（LDR 行）。")
    record.leader = pymarc.Leader(leader)
    if not record.fields:
        raise MnemonicError(1, "记录没有任何字段。")
    return record
