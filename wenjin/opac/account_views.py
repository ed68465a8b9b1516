"""A reader's session on the public site: log in with card and PIN, log out, place a hold.

The session holds only the card's primary key: no card number or ID number ever appears
in a URL, and the session id is rotated at login.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wenjin.accounts.selectors import client_ip
from wenjin.circulation.selectors import debt_of, loan_fee, open_loans, patron_holds
from wenjin.circulation.services.holds import queue_position
from wenjin.lib.errors import DomainError
from wenjin.opac import services
from wenjin.patrons.models import Card

READER_SESSION_KEY = "opac_card_id"
READER_STAMP_KEY = "opac_card_stamp"

# Readers are reminded on their account page this many days before the card expires.
CARD_EXPIRY_WARNING_DAYS = 30

# The reader's pages, in the order of the tabs on each of them.
ACCOUNT_TABS = (
    ("opac:account", gettext_lazy("Loans and holds")),
    ("events_public:mine", gettext_lazy("My events")),
    ("opac:fees", gettext_lazy("Fees")),
    ("opac:card", gettext_lazy("Card and credit")),
    ("opac:history", gettext_lazy("Reading history")),
    ("opac:report", gettext_lazy("Reading report")),
    ("opac:settings", gettext_lazy("Settings")),
    ("opac:privacy", gettext_lazy("My data")),
)


def render_account(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render one of the reader's own pages: with the account tabs, and never cached (they
    show personal data, perhaps on a shared computer)."""
    response = render(request, template, {**context, "account_tabs": ACCOUNT_TABS}, status=status)
    add_never_cache_headers(response)
    return response


class ReaderLoginForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("Card number or resident ID number"), max_length=40, strip=True
    )
    pin = forms.CharField(
        label=gettext_lazy("Password (PIN)"), max_length=32, widget=forms.PasswordInput
    )


def current_reader(request: HttpRequest) -> Card | None:
    """The logged-in reader's card. Each visit restarts the reader's idle timer
    (``WENJIN_READER_SESSION_MINUTES``, shorter than the staff's working day: readers log
    in on shared and public computers)."""
    card = services.reader_of(
        request.session.get(READER_SESSION_KEY), request.session.get(READER_STAMP_KEY)
    )
    if card is not None:
        request.session.set_expiry(settings.WENJIN_READER_SESSION_MINUTES * 60)
    return card


def start_reader_session(request: HttpRequest, card: Card) -> None:
    """Log the reader in: a new session id (no fixation), only the card's key kept, and the
    reader's idle timeout."""
    request.session.cycle_key()
    remember_reader(request, card)
    request.session.set_expiry(settings.WENJIN_READER_SESSION_MINUTES * 60)


def remember_reader(request: HttpRequest, card: Card) -> None:
    """Bind the session to ``card`` and its current PIN (again, after the reader changed
    either in this session)."""
    request.session[READER_SESSION_KEY] = card.pk
    request.session[READER_STAMP_KEY] = services.session_stamp(card)


def safe_next(request: HttpRequest, default: str = "") -> str:
    """Where to go after a form: the ``next`` address if it is on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse("opac:home")


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    form = ReaderLoginForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            card = services.reader_login(
                identifier=form.cleaned_data["identifier"],
                pin=form.cleaned_data["pin"],
                ip=client_ip(request),
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status
            retry_after = error.details.get("retry_after_seconds")
        else:
            start_reader_session(request, card)
            messages.success(request, _("You are logged in."))
            return redirect(safe_next(request, reverse("opac:account")))
    elif request.method == "POST":
        status = 400
    response = render(
        request,
        "opac/login.html",
        {
            "form": form,
            "next": safe_next(request, "/")
            if request.GET.get("next") or request.POST.get("next")
            else "",
            "reader": current_reader(request),
        },
        status=status,
    )
    if status == 429 and retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    # Everything goes: on a shared computer nothing of this reader may stay behind (a card
    # number and PIN waiting on the registration result page, say).
    request.session.flush()
    messages.success(request, _("You have logged out."))
    return redirect("opac:home")


@require_POST
def hold_page(request: HttpRequest, record_id: int) -> HttpResponse:
    """Place a hold on a title for the logged-in reader, collected where they choose."""
    record_url = reverse("opac:record", args=[record_id])
    card = current_reader(request)
    if card is None:
        return redirect(reverse("opac:login") + "?next=" + record_url)
    pickup = (request.POST.get("pickup") or "").strip()
    try:
        hold = services.reader_hold_place(card=card, record_id=record_id, pickup_org_code=pickup)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your hold is placed: number %(position)s in the queue.")
            % {"position": queue_position(hold)},
        )
    return redirect(record_url)


def login_first(path: str) -> HttpResponse:
    """Send a visitor to the reader login, to come back to ``path``."""
    return redirect(reverse("opac:login") + "?next=" + path)


@require_http_methods(["GET"])
def account_page(request: HttpRequest) -> HttpResponse:
    """The reader's loans (due dates, renewals left) and holds (queue position, pickup)."""
    card = current_reader(request)
    if card is None:
        return login_first(reverse("opac:account"))
    patron = card.patron
    today = timezone.localdate()
    waived = patron.category.fee_waiver
    loans = [(loan, loan_fee(loan, today, waived=waived)) for loan in open_loans(patron)]
    holds = [(hold, queue_position(hold)) for hold in patron_holds(patron)]
    return render_account(
        request,
        "opac/account.html",
        {
            "card": card,
            "loans": loans,
            "holds": holds,
            "today": today,
            "owed": debt_of(patron),
            "card_expires_soon": (card.expires_on - today).days <= CARD_EXPIRY_WARNING_DAYS,
        },
    )


@require_POST
def renew_page(request: HttpRequest) -> HttpResponse:
    """Renew one loan (``item``) or all of them (``all``); each refusal says why."""
    card = current_reader(request)
    if card is None:
        return login_first(reverse("opac:account"))
    if request.POST.get("all"):
        outcomes = services.reader_renew_all(card=card)
    else:
        barcode = (request.POST.get("item") or "").strip()
        try:
            outcomes = [(barcode, services.reader_renew(card=card, item_barcode=barcode))]
        except DomainError as error:
            outcomes = [(barcode, error)]
    for barcode, outcome in outcomes:
        if isinstance(outcome, DomainError):
            messages.error(request, f"{barcode}: {outcome.message}")
        else:
            messages.success(
                request,
                _("%(title)s renewed: due %(due)s.")
                % {
                    "title": outcome.loan.item.record.title,
                    "due": f"{outcome.loan.due_date:%Y-%m-%d}",
                },
            )
    return redirect("opac:account")


@require_POST
def hold_cancel_page(request: HttpRequest, hold_id: int) -> HttpResponse:
    card = current_reader(request)
    if card is None:
        return login_first(reverse("opac:account"))
    try:
        hold = services.reader_hold_cancel(card=card, hold_id=hold_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Hold on %(title)s cancelled.") % {"title": hold.record.title})
    return redirect("opac:account")
