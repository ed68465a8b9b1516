"""Remote self-registration (远程自助办证) and card recovery on the public site.

Both are one form in two steps that work without JavaScript: the first submit sends a
code to the phone, the second (with the code) registers or sets a new password. The
rules and every check are in ``wenjin.patrons.services.remote``; these views only collect
the input and show the outcome.

No reader identifier goes into a URL. The card number and the new PIN travel to the
result page in the session and are removed from it when shown: a reload shows them no
more (they were also sent by text message).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.forms.utils import ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from wenjin.accounts.selectors import client_ip
from wenjin.lib.errors import DomainError
from wenjin.opac.account_views import current_reader, start_reader_session
from wenjin.opac.forms import new_pin_field, repeated_pin_field
from wenjin.patrons import remote_rules
from wenjin.patrons.models import IdentityType
from wenjin.patrons.services import remote

RESULT_SESSION_KEY = "opac_register_result"
RECOVERED_SESSION_KEY = "opac_recover_result"
# Where a service's field name differs from the form's.
FIELD_ALIASES = {"pin": "new_pin", "category": "local_residence"}

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
CODE_ATTRS = {
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "pattern": "[0-9]*",
    "maxlength": str(remote_rules.CODE_LENGTH),
}
IDENTITY_ATTRS = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class RegisterForm(forms.Form):
    """Only shapes and presence are checked here; the service checks the rest."""

    name = forms.CharField(
        label=pgettext_lazy("of a person", "Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=gettext_lazy("As on your identity document."),
    )
    identity_type = forms.ChoiceField(
        label=gettext_lazy("Identity document"),
        choices=IdentityType.choices,
        initial=IdentityType.RESIDENT_ID,
        help_text=gettext_lazy(
            "With a resident identity card you get your card at once. With another "
            "document, a library desk confirms your registration when you show it."
        ),
    )
    identity_number = forms.CharField(
        label=gettext_lazy("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs=IDENTITY_ATTRS),
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=gettext_lazy("Only for documents other than the resident identity card."),
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone number"),
        max_length=20,
        # type "text" with a telephone keypad: the site's styles size text inputs
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=gettext_lazy("We send a code to this phone to check that it is yours."),
    )
    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    local_residence = forms.TypedChoiceField(
        label=gettext_lazy("Do you live in this city?"),
        choices=[],  # set in __init__ (the temporary card's validity is configured)
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    home_org_code = forms.ChoiceField(
        label=gettext_lazy("Home library"),
        help_text=gettext_lazy("Where your card belongs. You can borrow and return anywhere."),
    )
    guardian_barcode = forms.CharField(
        label=gettext_lazy("Guardian's card number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=NUMERIC),
    )
    guardian_pin = forms.CharField(
        label=gettext_lazy("Guardian's password"),
        max_length=32,
        required=False,
        widget=forms.PasswordInput(attrs=NUMERIC),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("I have read the privacy notice and agree to it."),
        error_messages={"required": gettext_lazy("You must agree to the privacy notice.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs=CODE_ATTRS),
        help_text=gettext_lazy("Six digits, valid for 10 minutes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_org_code"].choices = [("", _("Choose a library"))] + [
            (unit.code, unit.name) for unit in remote.home_libraries()
        ]
        self.fields["local_residence"].choices = [
            ("yes", _("Yes: local household registration or a residence permit")),
            (
                "no",
                _("No: I get a temporary card, valid for %(days)d days")
                % {"days": remote.temporary_days()},
            ),
        ]
        self.fields["guardian_barcode"].help_text = _(
            "Children under %(age)d need a guardian who has a library card."
        ) % {"age": remote_rules.GUARDIAN_UNDER_AGE}


class RecoverForm(forms.Form):
    identity_type = forms.ChoiceField(
        label=gettext_lazy("Identity document"),
        choices=IdentityType.choices,
        initial=IdentityType.RESIDENT_ID,
    )
    identity_number = forms.CharField(
        label=gettext_lazy("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs=IDENTITY_ATTRS),
    )
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    # Asked only in the code step: blank in the first.
    new_pin = new_pin_field(required=False)
    repeated = repeated_pin_field(required=False)


# --- Helpers ------------------------------------------------------------------------------


def _show_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's error on the field it names (or at the top of the form)."""
    placed = False
    for name in error.details.get("fields") or {}:
        name = FIELD_ALIASES.get(name, name)
        if name in form.fields:
            form.add_error(name, error.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def error_summary(form: forms.Form) -> list[tuple[str, str]]:
    """(anchor, message) for the summary at the top of the form: each links to its
    field (a radio group to its first button)."""
    items: list[tuple[str, str]] = [("", str(message)) for message in form.non_field_errors()]
    for name in form.fields:
        errors: ErrorList | None = form.errors.get(name)
        if not errors:
            continue
        field = form[name]
        anchor = f"{field.auto_id}_0" if field.widget_type == "radioselect" else field.auto_id
        items.extend((anchor, f"{field.label}: {message}") for message in errors)
    return items


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    error: DomainError | None = None,
) -> HttpResponse:
    """These pages carry personal data (a form being filled in, a PIN): never cached. A
    refusal for too many requests says when to try again (``Retry-After``)."""
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)
    retry_after = error.details.get("retry_after_seconds") if error is not None else None
    if status == 429 and retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


def _status(form: forms.Form, error: DomainError | None) -> int:
    if error is not None:
        return error.status
    return 400 if form.errors else 200


# --- Registration -------------------------------------------------------------------------


def _registration_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "identity_type": data["identity_type"],
        "identity_number": data["identity_number"],
        "phone": data["phone"],
        "home_org_code": data["home_org_code"],
        "birth_date": data["birth_date"],
        "address": data["address"],
        "local_residence": data["local_residence"],
        "guardian_barcode": data["guardian_barcode"],
        "consent": data["consent"],
    }


def _register_result(request: HttpRequest, result: remote.RemoteResult) -> None:
    """Keep what the result page shows once; log the new reader in (unless someone is
    logged in already: a parent registering a child stays themselves)."""
    if result.registration is not None:
        registration = result.registration
        if current_reader(request) is None:
            start_reader_session(request, registration.card)
        request.session[RESULT_SESSION_KEY] = {
            "barcode": registration.card.barcode,
            "pin": registration.pin,
            "expires_on": registration.card.expires_on.isoformat(),
            "category": registration.patron.category.name,
            "library": registration.patron.home_org.name,
            "temporary": registration.patron.category.code == "temporary",
        }
    elif result.pending is not None:
        request.session[RESULT_SESSION_KEY] = {
            "reference": result.pending.reference,
            "library": result.pending.home_org.name,
        }


@require_http_methods(["GET", "POST"])
def register_page(request: HttpRequest) -> HttpResponse:
    """Step 1 ("send") checks the form and texts a code; step 2 ("register") registers."""
    form = RegisterForm(request.POST or None)
    action = request.POST.get("action", "")
    code_step = action == "register"
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ip = client_ip(request)
        try:
            if action == "register":
                if not data["code"]:
                    form.add_error("code", _("Enter the code we sent to your phone."))
                else:
                    result = remote.remote_register(
                        **_registration_fields(data),
                        code=data["code"],
                        guardian_pin=data["guardian_pin"],
                        ip=ip,
                    )
                    _register_result(request, result)
                    return redirect("opac:register-done")
            else:
                remote.registration_check(**_registration_fields(data))
                remote.phone_code_send(phone=data["phone"], ip=ip)
                code_step = True
                messages.info(
                    request, _("We have sent a code to your phone. Enter it below to finish.")
                )
        except remote.AlreadyRegistered as conflict:
            messages.info(request, conflict.message)
            return redirect("opac:recover")
        except DomainError as refused:
            error = refused
            _show_error(form, refused)
            # A code sent a moment ago is still good: let the reader type it.
            code_step = code_step or refused.code == "CODE_SENT_RECENTLY"
    return _page(
        request,
        "opac/register.html",
        {
            "form": form,
            "code_step": code_step,
            "errors": error_summary(form),
            "code_minutes": int(remote_rules.CODE_VALID_FOR.total_seconds() // 60),
            "guardian_age": remote_rules.GUARDIAN_UNDER_AGE,
        },
        status=_status(form, error) if request.method == "POST" else 200,
        error=error,
    )


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    """The card number and PIN (or the pending reference), shown this once."""
    result = request.session.pop(RESULT_SESSION_KEY, None)
    return _page(request, "opac/register_done.html", {"result": result})


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opac/privacy_notice.html",
        {
            "code_minutes": int(remote_rules.CODE_VALID_FOR.total_seconds() // 60),
            "guardian_age": remote_rules.GUARDIAN_UNDER_AGE,
        },
    )


# --- Recovery -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def recover_page(request: HttpRequest) -> HttpResponse:
    """Step 1 ("send") texts a code to the phone on file, if there is a card (the page
    says the same either way); step 2 ("reset") sets the new password and logs in."""
    form = RecoverForm(request.POST or None)
    action = request.POST.get("action", "")
    code_step = action == "reset"
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identity = {
            "identity_type": data["identity_type"],
            "identity_number": data["identity_number"],
            "ip": client_ip(request),
        }
        try:
            if action == "reset":
                if not data["code"]:
                    form.add_error("code", _("Enter the code we sent to your phone."))
                elif data["new_pin"] != data["repeated"]:
                    form.add_error("repeated", _("Type the same new password twice."))
                else:
                    card = remote.recovery_finish(
                        **identity, code=data["code"], new_pin=data["new_pin"]
                    )
                    start_reader_session(request, card)
                    request.session[RECOVERED_SESSION_KEY] = {"barcode": card.barcode}
                    return redirect("opac:recover-done")
            else:
                remote.recovery_start(**identity)
                code_step = True
                messages.info(
                    request,
                    _(
                        "If a library card belongs to this document, we have sent a code to "
                        "the mobile phone on file for it."
                    ),
                )
        except DomainError as refused:
            error = refused
            _show_error(form, refused)
    return _page(
        request,
        "opac/recover.html",
        {"form": form, "code_step": code_step, "errors": error_summary(form)},
        status=_status(form, error) if request.method == "POST" else 200,
        error=error,
    )


@require_GET
def recover_done(request: HttpRequest) -> HttpResponse:
    result = request.session.pop(RECOVERED_SESSION_KEY, None)
    if result is None:
        return redirect(reverse("opac:account"))
    return _page(request, "opac/recover_done.html", {"result": result})
