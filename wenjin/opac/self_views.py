"""The reader's own pages beyond loans and holds: fees, card and credit, notice settings
and PIN, reading history, and their personal data (a copy, or deleting the account).

Every page needs a logged-in reader and shows only that reader's data; every change is a
POST with a CSRF token, and the ones that hand over or delete personal data ask for the
PIN again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenjin.circulation.fee_selectors import accruing, patron_fees, patron_payments
from wenjin.circulation.selectors import debt_of
from wenjin.lib.errors import DomainError, ValidationFailed
from wenjin.notices.models import NoticeKind, NoticeLanguage
from wenjin.notices.selectors import contact_for
from wenjin.opac import services
from wenjin.opac.account_views import (
    CARD_EXPIRY_WARNING_DAYS,
    current_reader,
    remember_reader,
    render_account,
)
from wenjin.opac.forms import HistoryForm, NoticeSettingsForm, PinChangeForm, PinConfirmForm
from wenjin.patrons import selectors as patron_selectors
from wenjin.patrons.credit_providers import credit_config
from wenjin.patrons.models import Card

ReaderView = Callable[[HttpRequest, Card], HttpResponse]


def reader_page(view: ReaderView) -> Callable[[HttpRequest], HttpResponse]:
    """Run ``view`` with the logged-in reader's card, or send the reader to log in first
    (and back here afterwards: a GET comes back to itself, a POST to the page it was on)."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        card = current_reader(request)
        if card is None:
            back = request.path if request.method == "GET" else reverse("opac:account")
            return redirect(reverse("opac:login") + "?next=" + back)
        return view(request, card)

    return wrapper


def _error_into(form: Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: on the fields it names (``aliases`` maps the
    service's field names to the form's), else on the form as a whole."""
    fields = error.details.get("fields") or {} if isinstance(error, ValidationFailed) else {}
    placed = False
    for name, message in fields.items():
        name = (aliases or {}).get(name, name)
        if name in form.fields:
            # Some services mark a field without a message of its own ("***").
            form.add_error(name, error.message if message in ("", "***") else message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@require_GET
@reader_page
def fees_page(request: HttpRequest, card: Card) -> HttpResponse:
    """What the reader owes, what is building up on overdue loans, and what they paid."""
    patron = card.patron
    return render_account(
        request,
        "opac/fees.html",
        {
            "card": card,
            "fees": list(patron_fees(patron)[:100]),
            "owed": debt_of(patron),
            "accruing": accruing(patron),
            "payments": patron_payments(patron, limit=50),
        },
    )


@require_GET
@reader_page
def card_page(request: HttpRequest, card: Card) -> HttpResponse:
    """The card (number masked), its expiry, the credit score and what it gives."""
    patron = card.patron
    return render_account(
        request,
        "opac/card.html",
        {
            "card": card,
            "patron": patron,
            "card_masked": "*" * (len(card.barcode) - 4) + card.barcode[-4:],
            "expires_soon": (card.expires_on - timezone.localdate()).days
            <= CARD_EXPIRY_WARNING_DAYS,
            "credit": patron_selectors.credit_standing(patron),
            "policy": credit_config().policy,
            "credit_history": patron_selectors.credit_history(patron, limit=20),
        },
    )


@require_POST
@reader_page
def card_lost(request: HttpRequest, card: Card) -> HttpResponse:
    try:
        new = services.reader_report_lost(card=card)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("opac:card")
    # The session follows the reader to the new card: the lost one no longer logs in.
    remember_reader(request, new)
    messages.success(
        request,
        _(
            "Your card is blocked. Your new card number ends in %(tail)s: collect the card at "
            "any library desk. Until then, log in with your ID number."
        )
        % {"tail": new.barcode[-4:]},
    )
    return redirect("opac:card")


def _notice_initial(card: Card) -> dict[str, object]:
    contact = contact_for(card.patron)
    if contact is None:
        return {
            "language": NoticeLanguage.values[0],
            "channels": ["sms"],
            "wanted": NoticeKind.values,
        }
    channels = [c for c, on in (("sms", contact.sms_on), ("email", contact.email_on)) if on]
    wanted = [kind for kind in NoticeKind.values if kind not in contact.opt_outs]
    return {"language": contact.language, "channels": channels, "wanted": wanted}


def _settings_context(card: Card, **forms: object) -> dict[str, object]:
    return {
        "card": card,
        "contact": contact_for(card.patron),
        "notice_form": forms.get("notice_form")
        or NoticeSettingsForm(initial=_notice_initial(card)),
        "pin_form": forms.get("pin_form") or PinChangeForm(),
        "history_form": forms.get("history_form")
        or HistoryForm(initial={"keep": card.patron.keeps_history}),
    }


@require_http_methods(["GET", "POST"])
@reader_page
def settings_page(request: HttpRequest, card: Card) -> HttpResponse:
    """Notice settings (channels, email, language, kinds); the PIN and history forms post to
    their own addresses."""
    if request.method == "GET":
        return render_account(request, "opac/settings.html", _settings_context(card))
    form = NoticeSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        email = "" if data["remove_email"] else (data["email"].strip() or None)
        try:
            services.reader_preferences_save(
                card=card,
                email=email,
                language=data["language"],
                channels=data["channels"],
                opt_outs=[k for k in NoticeKind.values if k not in data["wanted"]],
            )
        except DomainError as error:
            _error_into(form, error)
        else:
            messages.success(request, _("Your notice settings are saved."))
            return redirect("opac:settings")
    return render_account(
        request, "opac/settings.html", _settings_context(card, notice_form=form), status=400
    )


@require_POST
@reader_page
def pin_change(request: HttpRequest, card: Card) -> HttpResponse:
    form = PinChangeForm(request.POST)
    if form.is_valid():
        try:
            services.reader_pin_change(card=card, **form.cleaned_data)
        except DomainError as error:
            _error_into(form, error, aliases={"pin": "new_pin"})
            status = error.status
        else:
            # This session goes on with the new PIN; every other session of the reader ends.
            card.patron.refresh_from_db(fields=["pin_hash"])
            remember_reader(request, card)
            messages.success(request, _("Your password is changed."))
            return redirect("opac:settings")
    else:
        status = 400
    return render_account(
        request, "opac/settings.html", _settings_context(card, pin_form=form), status=status
    )


@require_POST
@reader_page
def history_keep(request: HttpRequest, card: Card) -> HttpResponse:
    form = HistoryForm(request.POST)
    keep = form.is_valid() and form.cleaned_data["keep"]
    try:
        services.reader_history_keep(card=card, keep=keep)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your reading history is kept from now on.")
            if keep
            else _("Your reading history is off, and the history kept so far is deleted."),
        )
    return redirect(safe_back(request, "opac:settings"))


def safe_back(request: HttpRequest, default: str) -> str:
    """One of the account pages the form came from (never an outside address)."""
    back = request.POST.get("back", "")
    return back if back in {"opac:history", "opac:settings"} else default


@require_GET
@reader_page
def history_page(request: HttpRequest, card: Card) -> HttpResponse:
    """The reader's past loans, when they keep a history."""
    loans = list(services.reading_history(card.patron)[:500]) if card.patron.keeps_history else []
    return render_account(
        request,
        "opac/history.html",
        {
            "card": card,
            "loans": loans,
            "history_form": HistoryForm(initial={"keep": card.patron.keeps_history}),
        },
    )


@require_GET
@reader_page
def history_csv(request: HttpRequest, card: Card) -> HttpResponse:
    """The whole reading history as a CSV file (with a BOM, so spreadsheet programs in
    China open it as UTF-8)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="reading-history-{day:%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Borrowed on"),
            _("Returned on"),
            _("Title"),
            _("Author"),
            _("Borrowed at"),
            _("Call number"),
        ]
    )
    if card.patron.keeps_history:
        for loan in services.reading_history(card.patron).iterator():
            record = loan.item.record
            writer.writerow(
                [
                    f"{timezone.localtime(loan.checked_out_at):%Y-%m-%d}",
                    f"{timezone.localtime(loan.returned_at):%Y-%m-%d}",
                    _spreadsheet_safe(record.title),
                    _spreadsheet_safe("; ".join(record.authors or [])),
                    loan.checkout_org.name,
                    _spreadsheet_safe(loan.item.call_number),
                ]
            )
    return response


def _spreadsheet_safe(text: str) -> str:
    # A catalogue title starting with = or + would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_POST
@reader_page
def history_forget(request: HttpRequest, card: Card) -> HttpResponse:
    try:
        count = services.reader_history_forget(card=card)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your reading history is deleted (%(n)d loans).") % {"n": count}
        )
    return redirect("opac:history")


@require_GET
@reader_page
def privacy_page(request: HttpRequest, card: Card) -> HttpResponse:
    return render_account(request, "opac/privacy.html", _privacy_context(card))


def _privacy_context(card: Card, **forms: object) -> dict[str, object]:
    return {
        "card": card,
        "export_form": forms.get("export_form") or PinConfirmForm(prefix="export"),
        "delete_form": forms.get("delete_form") or PinConfirmForm(prefix="delete"),
    }


@require_POST
@reader_page
def privacy_export(request: HttpRequest, card: Card) -> HttpResponse:
    """A JSON file of everything the library holds about the reader."""
    form = PinConfirmForm(request.POST, prefix="export")
    if form.is_valid():
        try:
            data = services.reader_export(card=card, pin=form.cleaned_data["pin"])
        except DomainError as error:
            form.add_error("pin", error.message)
            return render_account(
                request,
                "opac/privacy.html",
                _privacy_context(card, export_form=form),
                status=error.status,
            )
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        day = timezone.localdate()
        response["Content-Disposition"] = (
            f'attachment; filename="my-library-data-{day:%Y%m%d}.json"'
        )
        response["Cache-Control"] = "no-store"
        return response
    return render_account(
        request, "opac/privacy.html", _privacy_context(card, export_form=form), status=400
    )


@require_POST
@reader_page
def privacy_delete(request: HttpRequest, card: Card) -> HttpResponse:
    """Delete the account, then end the session."""
    form = PinConfirmForm(request.POST, prefix="delete")
    if form.is_valid():
        try:
            services.reader_delete(card=card, pin=form.cleaned_data["pin"])
        except DomainError as error:
            form.add_error(None if error.code != "WRONG_PIN" else "pin", error.message)
            return render_account(
                request,
                "opac/privacy.html",
                _privacy_context(card, delete_form=form),
                status=error.status,
            )
        request.session.flush()
        messages.success(request, _("Your account is deleted. Thank you for reading with us."))
        return redirect("opac:home")
    return render_account(
        request, "opac/privacy.html", _privacy_context(card, delete_form=form), status=400
    )
