"""Staff pages for the catalogue: look up, create and edit records (form and MARC editor),
quick add by ISBN, add and edit copies, shelving locations, printable item lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.selectors import units_in_scope
from wenjin.catalog import selectors, services
from wenjin.catalog.forms import (
    CopiesForm,
    IsbnForm,
    ItemForm,
    LocationForm,
    MarcEditorForm,
    MoveForm,
    RecordForm,
    WithdrawForm,
)
from wenjin.catalog.marc_edit import common_fields
from wenjin.catalog.models import Location, Record
from wenjin.lib.errors import DomainError, NotFound
from wenjin.lib.isbn import hyphenate, isbn13
from wenjin.lib.marc.mnemonic import MnemonicError, from_text, to_text
from wenjin.lib.marc.reader import parse_stored
from wenjin.network.models import OrgUnit
from wenjin.network.selectors import get_unit
from wenjin.search.facets import facet_links, with_params
from wenjin.search.forms import SearchForm
from wenjin.search.selectors import SearchFilters, search
from wenjin.web.formtools import add_domain_error


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, request.user)


def _record_or_404(record_id: int) -> Record:
    try:
        return selectors.get_record(record_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _location_choices(units: list[OrgUnit]) -> list[tuple[str, str]]:
    labels = selectors.location_labels({unit.pk for unit in units})
    codes = {unit.pk: unit.code for unit in units}
    locations = Location.objects.filter(org_unit__in=units).order_by(
        "org_unit__path", "sort_order", "code"
    )
    return [
        (str(loc.pk), f"{codes[loc.org_unit_id]} · {labels[loc.pk]} ({loc.code})")
        for loc in locations
    ]


def _status(form: object) -> int:
    return 400 if getattr(form, "errors", None) else 200


PAGE_SIZE = 25


@login_required
def catalog_home(request: HttpRequest) -> HttpResponse:
    """Staff search: the shared search form and selector with facets; an exact barcode or
    record number is offered first."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        result = search("", SearchFilters(), page=1, page_size=PAGE_SIZE, sort="-year")
        query, page_number, exact = "", 1, []
    else:
        query = form.query_text()
        page_number = form.cleaned_data.get("page") or 1
        plain = (form.cleaned_data.get("q") or "").strip()
        exact = list(selectors.find_exact(plain)) if plain else []
        try:
            result = search(
                query,
                form.filters(),
                page=page_number,
                page_size=PAGE_SIZE,
                sort=form.sort_order(bool(query)),
            )
        except DomainError as error:
            messages.error(request, error.message)
            result = search("", SearchFilters(), page=1, page_size=PAGE_SIZE, sort="-year")
    return render(
        request,
        "catalog/home.html",
        {
            "form": form,
            "query": query,
            "result": result,
            "exact": exact,
            "facets": facet_links(request.GET, result.facets),
            "has_previous": page_number > 1,
            "has_next": page_number * PAGE_SIZE < result.count,
            "previous_query": with_params(request.GET, page=page_number - 1),
            "next_query": with_params(request.GET, page=page_number + 1),
        },
        status=400 if form.errors else 200,
    )


@login_required
def record_view(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    actor = _actor(request)
    items = list(selectors.items_of(record))
    labels = selectors.location_labels({item.current_org_id for item in items})
    return render(
        request,
        "catalog/record.html",
        {
            "record": record,
            "items": [(item, labels.get(item.location_id, "")) for item in items],
            "isbns": [hyphenate(isbn) for isbn in record.isbns],
            "may_edit": bool(actor.scope(Perm.CATALOG_EDIT) or actor.is_system),
            "may_add_items": bool(actor.scope(Perm.ITEMS_EDIT)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    source_id = request.GET.get("from")
    if source_id and source_id.isdigit():
        source = Record.objects.filter(pk=int(source_id)).first()
        if source is not None:
            initial = RecordForm.initial_for(
                common_fields(parse_stored(source.marc), source.marc_format)
            )
            initial["marc_format"] = source.marc_format
    if request.GET.get("isbn"):
        initial["isbns"] = request.GET["isbn"]
    form = RecordForm(request.POST or None, initial=initial, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_save_fields(
                actor=_actor(request),
                values=form.values(),
                flavour=form.cleaned_data["marc_format"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Record created."))
            return redirect("catalog:record", record_id=record.pk)
    return render(
        request, "catalog/record_form.html", {"form": form, "creating": True}, status=_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    initial = RecordForm.initial_for(common_fields(parse_stored(record.marc), record.marc_format))
    form = RecordForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_save_fields(
                actor=_actor(request), values=form.values(), record_id=record.pk
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:record", record_id=record.pk)
    return render(
        request, "catalog/record_form.html", {"form": form, "record": record}, status=_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def marc_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    form = MarcEditorForm(
        request.POST or None, initial={"text": to_text(parse_stored(record.marc))}
    )
    if request.method == "POST" and form.is_valid():
        try:
            marc = from_text(form.cleaned_data["text"])
            services.record_save_marc(
                actor=_actor(request), marc=marc, flavour=record.marc_format, record_id=record.pk
            )
        except MnemonicError as error:
            form.add_error("text", str(error))
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("MARC saved."))
            return redirect("catalog:record", record_id=record.pk)
    return render(
        request, "catalog/marc_editor.html", {"form": form, "record": record}, status=_status(form)
    )


@login_required
def isbn_quick_add(request: HttpRequest) -> HttpResponse:
    """Type or scan an ISBN: it is checked, and a matching record is offered for new copies
    or as the model for a new record; with no match a new record starts with the ISBN."""
    form = IsbnForm(request.GET or None)
    matches: list[Record] = []
    normalised = None
    if request.GET and form.is_valid():
        normalised = isbn13(form.cleaned_data["isbn"])
        if normalised is None:
            form.add_error(
                "isbn",
                _("This is not a valid ISBN: check the digits (the last one is a check digit)."),
            )
        else:
            matches = list(selectors.records_with_isbn(normalised)[:20])
            if not matches:
                messages.info(request, _("No record has this ISBN yet: catalogue it now."))
                return redirect(f"{reverse('catalog:record-create')}?isbn={normalised}")
    return render(
        request,
        "catalog/isbn.html",
        {"form": form, "matches": matches, "isbn": hyphenate(normalised) if normalised else ""},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def items_add_view(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    actor = _actor(request)
    units = units_in_scope(actor, Perm.ITEMS_EDIT)
    if not units:
        messages.error(request, _("Your roles do not allow adding copies."))
        return redirect("catalog:record", record_id=record.pk)
    form = CopiesForm(
        request.POST or None,
        units=units,
        locations=_location_choices(units),
        initial={
            "material_type": record.material_type,
            "language": record.language,
            "is_children": record.is_children,
            "call_number": record.clc,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            items = services.items_add(
                actor=actor,
                record_id=record.pk,
                owning_org_code=data["owning_org"],
                barcodes=form.barcode_list(),
                location_id=int(data["location"]) if data["location"] else None,
                call_number=data["call_number"],
                material_type=data["material_type"],
                language=data["language"],
                is_children=data["is_children"],
                is_braille=data["is_braille"],
                is_rare=data["is_rare"],
                price=data["price"],
                acquisition_source=data["acquisition_source"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d copy added.", "%(count)d copies added.", len(items))
                % {"count": len(items)},
            )
            return redirect("catalog:record", record_id=record.pk)
    return render(
        request, "catalog/items_form.html", {"form": form, "record": record}, status=_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_view(request: HttpRequest, barcode: str) -> HttpResponse:
    try:
        item = selectors.get_item(barcode)
    except NotFound as error:
        raise Http404(error.message) from None
    actor = _actor(request)
    unit_locations = _location_choices([item.current_org])
    action = request.POST.get("action")
    edit = ItemForm(
        request.POST if action == "edit" else None,
        initial={f: getattr(item, f) for f in ItemForm.base_fields},
    )
    if item.status not in services.CATALOGUING_STATUSES:
        del edit.fields["status"]  # on loan, in transit…: circulation owns the status
    move = MoveForm(
        request.POST if action == "move" else None,
        locations=unit_locations,
        initial={"location": item.location_id or ""},
    )
    withdraw = WithdrawForm(request.POST if action == "withdraw" else None)
    try:
        if action == "edit" and edit.is_valid():
            changes = dict(edit.cleaned_data)
            if changes.get("status") in (None, "", item.status):
                changes.pop("status", None)
            services.item_update(actor=actor, barcode=barcode, changes=changes)
            messages.success(request, _("Saved."))
            return redirect("catalog:item", barcode=barcode)
        if action == "move" and move.is_valid():
            location = move.cleaned_data["location"]
            services.item_move(
                actor=actor, barcode=barcode, location_id=int(location) if location else None
            )
            messages.success(request, _("Moved."))
            return redirect("catalog:item", barcode=barcode)
        if action == "withdraw" and withdraw.is_valid():
            services.item_withdraw(
                actor=actor,
                barcode=barcode,
                reason=withdraw.cleaned_data["reason"],
                on=withdraw.cleaned_data["on"],
            )
            messages.success(request, _("Withdrawn."))
            return redirect("catalog:item", barcode=barcode)
    except DomainError as error:
        add_domain_error({"edit": edit, "move": move, "withdraw": withdraw}[action], error)
    labels = selectors.location_labels({item.current_org_id})
    return render(
        request,
        "catalog/item.html",
        {
            "item": item,
            "location_label": labels.get(item.location_id, ""),
            "edit": edit,
            "move": move,
            "withdraw": withdraw,
            "may_edit": actor.can(Perm.ITEMS_EDIT, item.owning_org),
        },
        status=400 if action and request.method == "POST" else 200,
    )


@login_required
def record_print(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    items = list(selectors.items_of(record))
    labels = selectors.location_labels({item.current_org_id for item in items})
    return render(
        request,
        "catalog/print.html",
        {"record": record, "items": [(item, labels.get(item.location_id, "")) for item in items]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def locations_view(request: HttpRequest, code: str) -> HttpResponse:
    try:
        unit = get_unit(code)
    except NotFound as error:
        raise Http404(error.message) from None
    actor = _actor(request)
    choices = _location_choices([unit])
    form = LocationForm(request.POST or None, locations=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.location_create(
                actor=actor,
                org_code=unit.code,
                kind=data["kind"],
                code=data["code"],
                name=data["name"],
                parent_id=int(data["parent"]) if data["parent"] else None,
                call_number_from=data["call_number_from"],
                call_number_to=data["call_number_to"],
                geometry=form.geometry(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Location added."))
            return redirect("catalog:locations", code=unit.code)
    return render(
        request,
        "catalog/locations.html",
        {
            "unit": unit,
            "tree": selectors.location_tree(unit),
            "form": form,
            "may_edit": actor.can(Perm.NETWORK_EDIT, unit),
        },
        status=_status(form),
    )


@login_required
@require_POST
def location_delete_view(request: HttpRequest, code: str, location_id: int) -> HttpResponse:
    try:
        services.location_delete(actor=_actor(request), location_id=location_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removed."))
    return redirect("catalog:locations", code=code)
