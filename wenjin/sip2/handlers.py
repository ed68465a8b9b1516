"""SIP2 message handlers: each request goes to the same services the desk uses, and each
refusal comes back with the desk's explanation on the kiosk's screen (AF).

``dispatch`` runs in the server's thread pool (it uses the database); ``on_error`` gives a
safe "failed" reply of the right type when a handler breaks. Every message is logged by
:mod:`wenjin.sip2.logbook` (never a PIN or password).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from wenjin.accounts.actor import Actor
from wenjin.network.devices import device_login
from wenjin.network.models import Device
from wenjin.sip2 import fields
from wenjin.sip2.codec import Request, Response
from wenjin.sip2.messages import LAYOUTS, REPLY_TO
from wenjin.sip2.session import Session

logger = logging.getLogger("wenjin.sip2")

# Which device operation each request needs (login and status need none).
OPERATION = {
    "63": "patron",
    "23": "patron",
    "25": "patron",
    "35": "patron",
    "11": "checkout",
    "09": "checkin",
    "29": "renew",
    "65": "renew",
    "17": "item",
    "19": "item",
    "15": "hold",
    "37": "fee",
    "01": "block",
}


def institution() -> str:
    """The institution id (AO) this system answers to; requests may also leave it empty."""
    return getattr(settings, "WENJIN_SIP2_INSTITUTION", "") or "WENJIN"


def now() -> datetime:
    return timezone.localtime()


def reply(
    code: str,
    fixed: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    screen: str | list[str] | None = None,
) -> Response:
    """A response with every fixed field filled: those not given get the neutral value of
    their kind (now for dates, 0/N/blank otherwise)."""
    given = dict(fixed or {})
    for spec in LAYOUTS[code].fixed:
        if spec.name in given:
            continue
        if spec.kind == fields.Kind.DATE:
            given[spec.name] = now()
        elif spec.kind in (fields.Kind.BIT, fields.Kind.FLAG):
            given[spec.name] = False
        elif spec.kind == fields.Kind.NUMBER:
            given[spec.name] = 0
        else:
            given[spec.name] = ""
    variable = dict(values or {})
    if screen:
        variable["AF"] = [screen] if isinstance(screen, str) else list(screen)
    return Response(code, given, variable)


def refused(session: Session, request: Request, message: str, code: str = "REFUSED") -> Response:
    """The reply to ``request`` that says no, with ``message`` on the screen."""
    session.state["outcome"] = ("refused", code)
    answer = REPLY_TO.get(request.code, "96")
    if answer == "96":
        return Response("96")
    values: dict[str, Any] = {"AO": request.get("AO") or institution()}
    for echo in ("AA", "AB"):
        if request.get(echo):
            values[echo] = request.get(echo)
    fixed: dict[str, Any] = {}
    if answer in ("64", "24", "26"):
        fixed["patron_status"] = fields.patron_status(charge_privileges_denied=True)
        values["BL"] = False
    if answer == "10":
        fixed["resensitize"] = False
        fixed["magnetic_media"] = "U"
    if answer in ("12", "30"):
        fixed["magnetic_media"] = "U"
    if answer == "36":
        fixed["end_session"] = True
    return reply(answer, fixed, values, message)


def actor_for(session: Session) -> Actor:
    device = session.device
    # "via" is a short channel name (16 characters); the device goes in the label.
    return Actor.system("sip2", agent=device.code if device else "")


# --- Login and status -------------------------------------------------------------------


def login(session: Session, request: Request) -> Response:
    device = None
    if not request.lossy:
        device = device_login(request.get("CN") or "", request.get("CO") or "")
    if device is None:
        session.state["outcome"] = ("refused", "LOGIN_FAILED")
        return reply("94", {"ok": False})
    session.device, session.encoding = device, device.encoding
    session.state.clear()
    return reply("94", {"ok": True})


SUPPORTED = frozenset(REPLY_TO) - {"25"}


def sc_status(session: Session, request: Request) -> Response:
    device: Device | None = session.device
    may = device.may if device else (lambda _operation: False)
    return reply(
        "98",
        {
            "online_status": True,
            "checkin_ok": may("checkin"),
            "checkout_ok": may("checkout"),
            "acs_renewal_policy": may("renew"),
            "status_update_ok": False,
            "offline_ok": True,
            "timeout_period": 30,
            "retries_allowed": 3,
            "date_time_sync": now(),
            "protocol_version": "2.00",
        },
        {
            "AO": institution(),
            "AM": device.org_unit.name_zh if device else "",
            "BX": fields.supported_messages(SUPPORTED),
            "AN": device.org_unit.code if device else "",
        },
    )


# --- Dispatch ---------------------------------------------------------------------------


def _handlers() -> dict[str, Callable[[Session, Request], Response]]:
    from wenjin.sip2 import circulation, patrons

    return {
        "93": login,
        "99": sc_status,
        "63": patrons.patron_information,
        "23": patrons.patron_status,
        "25": patrons.patron_status,
        "35": patrons.end_session,
        "01": patrons.block_patron,
        "11": circulation.checkout,
        "09": circulation.checkin,
        "29": circulation.renew,
        "65": circulation.renew_all,
        "17": circulation.item_information,
        "19": circulation.item_status_update,
        "15": circulation.hold,
        "37": circulation.fee_paid,
    }


def dispatch(session: Session, request: Request) -> Response:
    """Answer one request (in the device's language: Chinese)."""
    session.state["outcome"] = ("ok", "")
    session.state["started"] = time.monotonic()
    handler = _handlers().get(request.code)
    device_zone = session.device.time_zone if session.device is not None else ""
    with (
        override(getattr(settings, "WENJIN_SIP2_LANGUAGE", "zh-hans")),
        # Dates in requests and replies are the device's local time.
        timezone.override(device_zone or None),
    ):
        if handler is None:
            return refused(session, request, _("This message is not supported."), "UNSUPPORTED")
        if request.code not in ("93", "99") and session.device is None:
            return refused(session, request, _("The device has not logged in."), "NOT_LOGGED_IN")
        if (
            request.code == "99"
            and session.device is None
            and not getattr(settings, "WENJIN_SIP2_STATUS_BEFORE_LOGIN", False)
        ):
            return refused(session, request, _("The device has not logged in."), "NOT_LOGGED_IN")
        operation = OPERATION.get(request.code)
        if operation and not session.device.may(operation):
            return refused(
                session, request, _("This machine may not do that."), "OPERATION_NOT_ALLOWED"
            )
        if request.code not in ("93", "99") and (request.get("AO") or "") not in (
            "",
            institution(),
        ):
            return refused(session, request, _("Wrong institution id."), "WRONG_INSTITUTION")
        return handler(session, request)


def on_error(session: Session, request: Request) -> Response | None:
    """The reply when a handler broke: the request's response type, saying it failed."""
    with override(getattr(settings, "WENJIN_SIP2_LANGUAGE", "zh-hans")):
        response = refused(session, request, _("System error: please ask at the desk."), "ERROR")
    session.state["outcome"] = ("error", "")
    return response
