"""``wenjin report annual --year Y [--org CODE] [--format json|xlsx|html] [--out PATH]`` and
``wenjin report monthly --year Y --month M [--org CODE] [--format …] [--out PATH]``: the
statistics report of an org unit's subtree (the network's root by default) as JSON, an
xlsx workbook laid out like the national form, or a printable html document.

Without ``--out`` JSON and html go to standard output; an xlsx workbook needs ``--out``.
Without ``--format`` the format follows the extension of ``--out`` (else JSON).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wenjin.lib.errors import DomainError
from wenjin.stats import policies, report_io
from wenjin.stats.render_html import report_document
from wenjin.stats.render_xlsx import report_xlsx_bytes
from wenjin.stats.report import annual_report, monthly_report


def _whole(text: Any, option: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise CommandError(
            _("%(option)s must be a whole number, not “%(text)s”.")
            % {"option": option, "text": text}
        ) from None


class Command(BaseCommand):
    help = (
        "The statistics report of an org unit and its subtree: `annual --year Y` or "
        "`monthly --year Y --month M`, with [--org CODE] (default: the network's root), "
        "[--format json|xlsx|html] and [--out PATH] (json and html go to standard output "
        "without it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        annual = kinds.add_parser("annual", help=_("the annual report (综合统计 and 活动统计)"))
        monthly = kinds.add_parser("monthly", help=_("the report of one month"))
        monthly.add_argument("--month", required=True, help="1-12")
        for sub in (annual, monthly):
            sub.add_argument("--year", required=True, help="the year, e.g. 2025")
            sub.add_argument("--org", default="", help="org unit code (default: the root)")
            sub.add_argument(
                "--format",
                choices=report_io.FORMATS,
                default=None,
                help="json (default), xlsx or html; by default from --out's extension",
            )
            sub.add_argument("--out", default="", help="file to write (xlsx needs one)")

    def handle(self, *args: object, **options: Any) -> None:
        year = _whole(options["year"], "--year")
        month = _whole(options["month"], "--month") if options["kind"] == "monthly" else None
        out = Path(options["out"]) if options.get("out") else None
        form = options.get("format") or self._format_of(out)
        if form == "xlsx" and out is None:
            raise CommandError(
                _("An xlsx workbook cannot go to the terminal: give --out FILE.xlsx.")
            )
        if out is not None and out.parent and not out.parent.is_dir():
            raise CommandError(_("There is no directory %s.") % out.parent)
        try:
            report_io.check_period(year, month)
            unit = report_io.report_unit(options.get("org"))
            report = (
                annual_report(unit, year) if month is None else monthly_report(unit, year, month)
            )
        except policies.InputError as error:
            raise CommandError(error.message) from None
        except DomainError as error:
            raise CommandError(self._message(error)) from None
        self._write(report, form, out)

    @staticmethod
    def _format_of(out: Path | None) -> str:
        extension = out.suffix.lower().lstrip(".") if out else ""
        if extension == "htm":
            return "html"
        return extension if extension in report_io.FORMATS else "json"

    @staticmethod
    def _message(error: DomainError) -> str:
        if error.code == "ORG_UNIT_NOT_FOUND":
            return error.message
        fields = error.details.get("fields") or {}
        if "org" in fields:  # several roots: say which option to give
            return _("The network has several top-level units: give --org CODE.")
        return error.message

    def _write(self, report: dict[str, Any], form: str, out: Path | None) -> None:
        if form == "xlsx":
            content: bytes | str = report_xlsx_bytes(report)
        elif form == "html":
            content = report_document(report)
        else:
            content = report_io.report_json_text(report)
        if out is None:
            self.stdout.write(str(content), ending="")
            return
        try:
            if isinstance(content, bytes):
                out.write_bytes(content)
            else:
                out.write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s") % {"path": out, "reason": error.strerror}
            ) from None
        self.stdout.write(_("Report written to %s") % out)
