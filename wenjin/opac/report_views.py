"""The reader's reading report (阅读报告) and the year summary they may share.

``/account/report/`` shows one year (``?year=2025``; the current year by default) of a
logged-in reader who keeps their reading history: numbers, charts drawn on the server
(each with a table of the same numbers) and the share controls. ``/shared/reading/<token>/``
and ``<token>.svg`` show a shared summary to anyone who has the address, from the
snapshot taken when it was shared, and nothing that identifies the reader.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from wenjin.lib.errors import DomainError
from wenjin.opac import charts, reading, report_selectors, report_services
from wenjin.opac.account_views import current_reader, login_first, render_account
from wenjin.opac.reading import ClassTally, SharedYear, YearSummary

# Rows shown in the report's lists and bar charts (the tables next to them have them all).
TOP_ROWS = 10


def _safe(svg: str) -> SafeString:
    # The chart builders escape every text they write (charts.text), so the markup is safe.
    return mark_safe(svg)  # noqa: S308


def hour_span(hour: int | None) -> str:
    """ "20:00–21:00" for hour 20; "" for None."""
    return "" if hour is None else f"{hour:02d}:00–{hour + 1:02d}:00"


def _report_url(year: int | None = None) -> str:
    url = reverse("opac:report")
    return f"{url}?year={year}" if year else url


def _year(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    # Only ASCII digits: str.isdigit() also accepts "²" and other digits int() refuses.
    if (
        re.fullmatch(r"[0-9]{4}", raw)
        and report_services.FIRST_YEAR <= int(raw) <= report_services.LAST_YEAR
    ):
        return int(raw)
    return None


def _chosen_year(request: HttpRequest, default: int) -> int:
    """The ``year`` asked for, or ``default`` when it is missing or not a sensible year
    (a page to look at can fall back; a form that changes something must not)."""
    year = _year(request.GET.get("year"))
    return default if year is None else year


def _posted_year(request: HttpRequest) -> int | None:
    return _year(request.POST.get("year"))


def _class_rows(data: YearSummary | SharedYear) -> list[tuple[str, int]]:
    """Classes as (label, count) table rows, and the books without a class last."""
    rows = [(f"{tally.letter} {tally.name}", tally.count) for tally in data.classes]
    if data.unclassified:
        rows.append((_("Not classified"), data.unclassified))
    return rows


def _peak_sentence(label: str, count: int) -> str:
    return _("Most loans: %(label)s (%(count)s).") % {"label": label, "count": count}


def _charts(
    summary: YearSummary | SharedYear, branches: list[tuple[str, int]] | None
) -> dict[str, SafeString]:
    """The report's charts, each with a one-sentence description for screen readers."""
    month = summary.busiest_month
    hour = summary.busiest_hour
    drawn: dict[str, SafeString] = {
        "months": _safe(
            charts.month_chart(
                summary.months,
                ident="chart-months",
                title=_("Books borrowed per month in %(year)s") % {"year": summary.year},
                description=_peak_sentence(str(MONTHS[month]), summary.months[month - 1])
                if month
                else "",
            )
        ),
        "hours": _safe(
            charts.hour_chart(
                summary.hours,
                ident="chart-hours",
                title=_("Books borrowed by hour of the day"),
                description=_peak_sentence(hour_span(hour), summary.hours[hour])
                if hour is not None
                else "",
            )
        ),
    }
    top = summary.top_class
    drawn["classes"] = _safe(
        charts.bar_chart(
            _class_rows(summary)[:TOP_ROWS],
            ident="chart-classes",
            title=_("Books borrowed by subject (CLC class)"),
            description=_peak_sentence(f"{top.letter} {top.name}", top.count) if top else "",
            empty_text=_("No classified books."),
        )
    )
    if branches is not None:
        drawn["branches"] = _safe(
            charts.bar_chart(
                branches[:TOP_ROWS],
                ident="chart-branches",
                title=_("Books borrowed by library"),
                description=_peak_sentence(*branches[0]) if branches else "",
            )
        )
    return drawn


def _tables(summary: YearSummary | SharedYear) -> dict[str, list[tuple[str, int]]]:
    """The numbers behind the month and hour charts, as table rows."""
    return {
        "months": [(str(MONTHS[n + 1]), count) for n, count in enumerate(summary.months)],
        "hours": [(hour_span(h), count) for h, count in enumerate(summary.hours) if count],
    }


def _numbers(data: YearSummary | SharedYear, libraries: int, streak: int) -> list[tuple[str, str]]:
    """The year's headline numbers as (value, label) tiles; busiest hour and month only
    when there were loans."""
    numbers = [
        (str(data.total), ngettext("book borrowed", "books borrowed", data.total)),
        (str(data.titles), ngettext("different title", "different titles", data.titles)),
        (
            str(data.reading_days),
            ngettext("day with a loan", "days with a loan", data.reading_days),
        ),
        (str(libraries), ngettext("library used", "libraries used", libraries)),
        (
            str(streak),
            ngettext(
                "week in a row with a loan (longest streak)",
                "weeks in a row with a loan (longest streak)",
                streak,
            ),
        ),
    ]
    if data.busiest_hour is not None:
        numbers.append((hour_span(data.busiest_hour), _("busiest hour of the day")))
    if data.busiest_month:
        numbers.append((str(MONTHS[data.busiest_month]), _("busiest month")))
    return numbers


def _notes(summary: YearSummary) -> list[str]:
    """Sentences under the report's numbers: the busiest weekday, and when the longest
    streak was (the shared page leaves both out: dates say more than counts)."""
    notes = []
    if summary.busiest_weekday is not None:
        notes.append(
            _("You borrowed most often on a %(day)s.") % {"day": WEEKDAYS[summary.busiest_weekday]}
        )
    if summary.streak is not None:
        notes.append(
            ngettext(
                "Longest streak: %(weeks)s week with at least one book borrowed, "
                "%(start)s to %(end)s.",
                "Longest streak: %(weeks)s weeks in a row with at least one book borrowed, "
                "%(start)s to %(end)s.",
                summary.streak.weeks,
            )
            % {
                "weeks": summary.streak.weeks,
                "start": f"{summary.streak.first_monday:%Y-%m-%d}",
                "end": f"{summary.streak.last_sunday:%Y-%m-%d}",
            }
        )
    return notes


@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    """One year of the reader's reading, or why there is none: a report needs the reading
    history, and a reader without it is told where to turn it on."""
    card = current_reader(request)
    if card is None:
        return login_first(reverse("opac:report"))
    patron = card.patron
    if not patron.keeps_history:
        return render_account(request, "opac/report.html", {"history_off": True})
    this_year = timezone.localdate().year
    year = _chosen_year(request, this_year)
    borrowings = report_selectors.reader_borrowings(patron)
    years = sorted({*reading.years_with_loans(borrowings), this_year, year}, reverse=True)
    summary = reading.year_summary(borrowings, year)
    branches = [(tally.label, tally.count) for tally in summary.branches]
    share = report_selectors.reader_shares(patron).get(year)
    context: dict[str, Any] = {
        "summary": summary,
        "year": year,
        "years": years,
        "charts": _charts(summary, branches),
        "tables": _tables(summary),
        "class_rows": _class_rows(summary),
        "branches": branches,
        "numbers": _numbers(summary, len(branches), summary.streak.weeks if summary.streak else 0),
        "notes": _notes(summary),
        "share": share,
        "share_url": request.build_absolute_uri(reverse("opac:report-shared", args=[share.token]))
        if share
        else "",
    }
    return render_account(request, "opac/report.html", context)


@require_POST
def share_page(request: HttpRequest) -> HttpResponse:
    """Share (or refresh) the chosen year's summary; the reader stays on the report."""
    card = current_reader(request)
    if card is None:
        return login_first(reverse("opac:report"))
    year = _posted_year(request)
    if year is None:
        messages.error(request, _("Choose a year with loans."))
        return redirect(_report_url())
    try:
        report_services.report_share(card.patron, year)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your %(year)s summary is shared: anyone with the link can see it.") % {"year": year},
        )
    return redirect(_report_url(year))


@require_POST
def unshare_page(request: HttpRequest) -> HttpResponse:
    """Stop sharing the chosen year's summary: its link stops working at once."""
    card = current_reader(request)
    if card is None:
        return login_first(reverse("opac:report"))
    year = _posted_year(request)
    if year is None:
        messages.error(request, _("Choose a year with loans."))
        return redirect(_report_url())
    try:
        stopped = report_services.report_unshare(card.patron, year)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if stopped:
            messages.success(request, _("You stopped sharing: the link no longer works."))
        else:
            messages.info(request, _("That summary was not shared."))
    return redirect(_report_url(year))


def _shared_or_404(token: str) -> SharedYear:
    share = report_selectors.shared_report(token)
    if share is None:
        raise Http404(_("This reading report is not shared."))
    # The row's year is the one shared, whatever the snapshot says.
    return replace(SharedYear.from_snapshot(share.snapshot), year=share.year)


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a shared report out of search engines and shared caches: the link is for the
    people the reader gives it to, and it must stop working when they stop sharing."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-cache"
    return response


def headline(year: int) -> str:
    """The shared page's headline, "My 2025 reading report" (我的2025阅读报告)."""
    return _("My %(year)s reading report") % {"year": year}


@require_GET
def shared_page(request: HttpRequest, token: str) -> HttpResponse:
    """A shared year summary, for anyone with the link; no login, no reader identifier."""
    shared = _shared_or_404(token)
    context = {
        "shared": shared,
        "headline": headline(shared.year),
        "charts": _charts(shared, None),
        "tables": _tables(shared),
        "class_rows": _class_rows(shared),
        "numbers": _numbers(shared, shared.library_count, shared.streak_weeks),
        "image_url": reverse("opac:report-shared-image", args=[token]),
    }
    return _private(render(request, "opac/report_shared.html", context))


def poster_facts(shared: SharedYear) -> list[tuple[str, str]]:
    """The share image's facts, most telling first; none that is missing."""
    facts: list[tuple[str, str]] = []
    top: ClassTally | None = shared.top_class
    if top is not None:
        facts.append((_("Most-read subject"), top.name))
    if shared.busiest_hour is not None:
        facts.append((_("Busiest reading hour"), hour_span(shared.busiest_hour)))
    if shared.streak_weeks:
        facts.append(
            (
                _("Longest streak"),
                ngettext("%(weeks)s week", "%(weeks)s weeks in a row", shared.streak_weeks)
                % {"weeks": shared.streak_weeks},
            )
        )
    if shared.favourite is not None:
        facts.append((_("Borrowed most often"), shared.favourite.title))
    elif shared.titles:
        facts.append((_("Different titles"), str(shared.titles)))
    return facts


@require_GET
def shared_image(request: HttpRequest, token: str) -> HttpResponse:
    """The shared summary as a standalone SVG poster to save or send on."""
    shared = _shared_or_404(token)
    svg = charts.share_poster(
        headline=headline(shared.year),
        site_name=_("Wenjin"),
        site_title=_("Wenjin library services"),
        total=shared.total,
        total_label=ngettext("book borrowed", "books borrowed", shared.total),
        facts=poster_facts(shared),
        months=shared.months,
        months_label=_("Books borrowed per month"),
        footer=_("Shared from the reading report of Wenjin library services"),
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Opened on its own, the image must not run anything (it has nothing to run).
    response["Content-Security-Policy"] = "default-src 'none'"
    return _private(response)
