"""The public catalogue's pages: home, search with facets and suggestions, the record page
and its shelf finder, and the reader's display settings. No login; no reader identifier
ever travels in a URL."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from wenjin.catalog.models import Item, ItemStatus, Record
from wenjin.circulation.selectors import pickup_units
from wenjin.events import selectors as event_selectors
from wenjin.lib.errors import DomainError
from wenjin.lib.isbn import hyphenate
from wenjin.lib.languages import language_name
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import local_now
from wenjin.opac import selectors
from wenjin.opac.account_views import current_reader, safe_next
from wenjin.opac.display import DISPLAY_COOKIE, DisplayPrefs
from wenjin.search.facets import facet_links, with_params, without_params
from wenjin.search.forms import SearchForm
from wenjin.search.selectors import SearchResult, search, suggest

PAGE_SIZE = 20
SUGGESTIONS = 8
UPCOMING_EVENTS = 4
# Filters a reader may have applied, each with the parameters that undo it.
ACTIVE_FILTERS = (
    ("org", ("org",)),
    ("available", ("available",)),
    ("type", ("type",)),
    ("clc", ("clc",)),
    ("lang", ("lang",)),
    ("year_from", ("year_from", "year_to")),
    ("year_to", ("year_from", "year_to")),
    ("children", ("children",)),
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One search box, new arrivals, the libraries open now and the next events."""
    units = selectors.public_units()
    now = local_now()
    return render(
        request,
        "opac/home.html",
        {
            "form": SearchForm(),
            "new_arrivals": selectors.new_arrivals(),
            "open_now": selectors.open_now(units, now),
            "unit_count": len(units),
            "now": now,
            "upcoming_events": event_selectors.upcoming(limit=UPCOMING_EVENTS),
        },
    )


def _active_filters(form: SearchForm, params: object) -> list[dict]:
    """The filters in force, each with a link that removes it (shown above the results)."""
    data = form.cleaned_data
    shown: list[dict] = []
    seen: set[tuple[str, ...]] = set()
    for name, undo in ACTIVE_FILTERS:
        value = data.get(name)
        if value in (None, "", False) or undo in seen:
            continue
        seen.add(undo)
        field = form.fields[name]
        label = field.label
        if name in ("year_from", "year_to"):
            label = f"{data.get('year_from') or '…'}–{data.get('year_to') or '…'}"
            value = ""
        elif name == "lang":
            value = language_name(value)
        elif name == "org":
            unit = OrgUnit.objects.filter(code=value).first()
            value = unit.name if unit else value
        elif hasattr(field, "choices"):
            value = dict(field.choices).get(value, value)
        elif value is True:
            value = ""
        shown.append({"label": label, "value": value, "query": without_params(params, *undo)})
    return shown


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Results with facets, sorting and paging; the same page answers htmx's partial
    requests (facet clicks, paging) with the results region only."""
    form = SearchForm(request.GET)
    status = 200
    error = ""
    result = None
    query = ""
    if form.is_valid():
        query = form.query_text()
        page = form.cleaned_data.get("page") or 1
        try:
            result = search(
                query,
                form.filters(),
                page=page,
                page_size=PAGE_SIZE,
                sort=form.sort_order(bool(query)),
            )
        except DomainError as failure:
            error, status = failure.message, failure.status
    else:
        status = 400
    if result is None:  # nothing searched: the form or the query was refused
        result = SearchResult(count=0, page=1, page_size=PAGE_SIZE, hits=[])
    page = result.page
    last_page = max(1, -(-result.count // PAGE_SIZE))
    context = {
        "form": form,
        "query": query,
        "result": result,
        "error": error,
        "facets": facet_links(request.GET, result.facets),
        "active_filters": _active_filters(form, request.GET) if form.is_valid() else [],
        "page": page,
        "last_page": last_page,
        "first_number": (page - 1) * PAGE_SIZE + 1,
        "previous_query": with_params(request.GET, page=page - 1) if page > 1 else "",
        "next_query": with_params(request.GET, page=page + 1) if page < last_page else "",
        "sort_links": [
            (value, label, with_params(request.GET, sort=value))
            for value, label in form.fields["sort"].choices
        ],
        "current_sort": form.sort_order(bool(query)) if form.is_valid() else "relevance",
    }
    template = "opac/search.html"
    if request.htmx and request.htmx.target == "results":
        template = "opac/_results.html"
    return render(request, template, context, status=status)


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """Titles and authors starting with what was typed (characters, pinyin or initials),
    as a list of links for the box on the home and results pages."""
    text = (request.GET.get("q") or "").strip()[:100]
    found = suggest(text, SUGGESTIONS) if text else []
    return render(request, "opac/_suggestions.html", {"suggestions": found, "text": text})


def _record_or_404(record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise Http404
    return record


@require_GET
def record_page(request: HttpRequest, record_id: int) -> HttpResponse:
    """The full description, the copies by library, the first available copy's shelf
    finder and similar titles."""
    record = _record_or_404(record_id)
    reader = current_reader(request)
    libraries = selectors.holdings(record)
    first_available = next(
        (
            copy
            for library in libraries
            for copy in library.copies
            if copy.is_available and copy.has_plan
        ),
        None,
    )
    plan = selectors.shelf_plan(first_available.item) if first_available else None
    return render(
        request,
        "opac/record.html",
        {
            "record": record,
            "libraries": libraries,
            "available_at": sum(1 for library in libraries if library.available),
            "copies": sum(len(library.copies) for library in libraries),
            "isbns": [hyphenate(isbn) for isbn in record.isbns],
            "finder_copy": first_available,
            "plan": plan,
            "similar": selectors.similar_titles(record),
            "hold_url": reverse("opac:login") + "?next=" + reverse("opac:record", args=[record.pk]),
            "reader": reader,
            "pickup_units": pickup_units() if reader else [],
        },
    )


@require_GET
def shelf_page(request: HttpRequest, record_id: int, barcode: str) -> HttpResponse:
    """The shelf finder for one copy: its library's floor plan with the shelf marked."""
    record = _record_or_404(record_id)
    item = (
        Item.objects.filter(record=record, barcode=barcode)
        .exclude(status=ItemStatus.WITHDRAWN)
        .select_related("current_org")
        .first()
    )
    if item is None:
        raise Http404
    plan = selectors.shelf_plan(item)
    copy = selectors.Copy(item, None, plan.path_text if plan else "", plan is not None)
    return render(
        request, "opac/shelf.html", {"record": record, "item": item, "plan": plan, "copy": copy}
    )


@require_POST
def display_settings(request: HttpRequest) -> HttpResponse:
    """Large text and high contrast, kept in a cookie for a year (works without JS)."""
    prefs = DisplayPrefs.from_cookie(request.COOKIES.get(DISPLAY_COOKIE, ""))
    prefs = prefs.toggled(request.POST.get("toggle", ""))
    response = redirect(safe_next(request))
    response.set_cookie(
        DISPLAY_COOKIE,
        prefs.to_cookie(),
        max_age=365 * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
