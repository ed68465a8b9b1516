"""Every write of notices: sending one notice (recorded whatever happens), the daily
scan for notices that fall due, and a reader's contact and preferences.

Idempotency: a notice row with its unique ``dedupe_key`` is committed *before* the
message goes out. Whoever inserts the key first sends; a second run, or a second copy of
the job running at the same moment, hits the unique constraint and skips. A process that
dies between insert and send leaves the row ``pending``: at most once, never twice.

Call ``notice_send`` outside any transaction of a change it announces (the circulation
signals are sent after commit for this reason), so nothing rolled back is announced.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.circulation.models import Hold, HoldStatus, Loan
from wenjin.lib import crypto
from wenjin.notices import channels, policies, texts
from wenjin.notices.models import (
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticeLanguage,
    NoticeOutcome,
    ReaderContact,
)
from wenjin.patrons.models import Card, CardStatus, Patron

logger = logging.getLogger("wenjin.notices")

# The kinds the daily scan produces (fee reminders are their own step: ``fee_reminders``).
DAILY_KINDS = (
    NoticeKind.DUE_SOON,
    NoticeKind.OVERDUE_1,
    NoticeKind.OVERDUE_7,
    NoticeKind.OVERDUE_30,
    NoticeKind.HOLD_READY,
    NoticeKind.HOLD_EXPIRING,
    NoticeKind.CARD_EXPIRING,
)
_KEY_CHUNK = 500  # keys per IN (...) query, well under every database's parameter limit


# --- Sending one notice -----------------------------------------------------------------


def _addresses(
    patron: Patron, contact: ReaderContact | None
) -> tuple[list[tuple[str, str]], list[str]]:
    """The channels to try, in order, with their addresses; and errors for channels that
    are on but whose stored address cannot be read. Email comes first: it costs nothing
    and has room for the whole text; SMS is the fallback."""
    found: list[tuple[str, str]] = []
    errors: list[str] = []
    wanted = []
    if contact is not None and contact.email_on and contact.email_encrypted:
        wanted.append((NoticeChannel.EMAIL, contact.email_encrypted))
    if (contact is None or contact.sms_on) and patron.phone_encrypted:
        wanted.append((NoticeChannel.SMS, patron.phone_encrypted))
    for name, stored in wanted:
        try:
            found.append((name, crypto.decrypt(stored)))
        except crypto.DecryptionError as error:
            errors.append(f"{name}: {error}")
    return found, errors


def _already_recorded(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    known: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        known.update(
            Notice.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        )
    return known


def notice_send(
    *,
    patron: Patron,
    kind: str,
    dedupe_key: str,
    context: dict[str, Any],
    now: datetime | None = None,
    loan_ids: Sequence[int] = (),
) -> Notice | None:
    """Tell a reader about one event, once: pick the channel from the reader's contact
    and preferences, render the text in their language, record the notice, send it and
    record the outcome (sent, failed, no_contact or opted_out). Returns None when a
    notice with ``dedupe_key`` already exists (nothing is sent again). Sending failures
    are recorded, never raised.

    ``context`` holds what the text names (titles, dates, ``library``/``pickup`` units);
    ``reader`` and ``library`` (the home library) are filled in when absent.
    """
    if _already_recorded([dedupe_key]):
        return None  # the cheap check; the unique constraint below settles races
    now = now or timezone.now()
    contact = ReaderContact.objects.filter(patron=patron).first()
    language = contact.language if contact is not None else NoticeLanguage.ZH_HANS
    opted_out = contact is not None and kind in (contact.opt_outs or [])
    targets, errors = ([], []) if opted_out else _addresses(patron, contact)
    context = {"reader": patron.name, "library": patron.home_org} | context
    # Notices that are not sent keep the full (email) text, for the record.
    first = targets[0][0] if targets else NoticeChannel.EMAIL
    subject, body = texts.render(kind, language, first, context)
    if opted_out:
        outcome = NoticeOutcome.OPTED_OUT
    elif targets:
        outcome = NoticeOutcome.PENDING
    else:
        outcome = NoticeOutcome.FAILED if errors else NoticeOutcome.NO_CONTACT
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                patron=patron,
                kind=kind,
                channel=first if targets else NoticeChannel.NONE,
                language=language,
                subject=subject,
                body=body,
                created_at=now,
                outcome=outcome,
                error="\n".join(errors),
                dedupe_key=dedupe_key,
                loan_ids=list(loan_ids),
            )
    except IntegrityError:
        if _already_recorded([dedupe_key]):
            return None  # another run got there first
        raise
    if outcome != NoticeOutcome.PENDING:
        return notice
    return _deliver(notice, targets, errors, context)


def _deliver(
    notice: Notice, targets: list[tuple[str, str]], errors: list[str], context: dict[str, Any]
) -> Notice:
    for name, address in targets:
        subject, body = notice.subject, notice.body
        if name != notice.channel:
            subject, body = texts.render(notice.kind, notice.language, name, context)
        try:
            channels.channel(name).send(address, subject, body)
        except Exception as error:  # any channel failure is recorded, never raised
            logger.warning("notice %s by %s failed: %s", notice.dedupe_key, name, error)
            errors.append(f"{name}: {error}")
            continue
        notice.channel, notice.subject, notice.body = name, subject, body
        notice.outcome, notice.sent_at = NoticeOutcome.SENT, timezone.now()
        break
    else:
        notice.outcome = NoticeOutcome.FAILED
    notice.error = "\n".join(errors)
    notice.save(update_fields=["channel", "subject", "body", "outcome", "sent_at", "error"])
    return notice


def _send_safely(**kwargs: Any) -> bool:
    """One notice of a batch: an error with one reader never stops the rest."""
    try:
        return notice_send(**kwargs) is not None
    except Exception:
        logger.exception("notice %s could not be recorded", kwargs.get("dedupe_key"))
        return False


# --- Holds ------------------------------------------------------------------------------


def _hold_context(hold: Hold) -> dict[str, Any]:
    return {"title": hold.record.title, "pickup": hold.pickup_org, "expires_on": hold.expires_on}


def _holds() -> Any:
    return Hold.objects.filter(status=HoldStatus.READY, patron__deleted_at=None).select_related(
        "record", "pickup_org", "patron", "patron__home_org"
    )


def hold_ready_notice(hold_id: int) -> Notice | None:
    """Tell the reader their hold is on the hold shelf (from the ``hold_ready`` signal).
    Nothing when the hold is no longer ready, or was already announced."""
    hold = _holds().filter(pk=hold_id).first()
    if hold is None:
        return None
    return notice_send(
        patron=hold.patron,
        kind=NoticeKind.HOLD_READY,
        dedupe_key=f"hold_ready:hold:{hold.pk}",
        context=_hold_context(hold),
    )


def _hold_notices(kind: str, holds: Iterable[Hold]) -> int:
    by_key = {f"{kind}:hold:{hold.pk}": hold for hold in holds}
    known = _already_recorded(by_key)
    return sum(
        _send_safely(patron=hold.patron, kind=kind, dedupe_key=key, context=_hold_context(hold))
        for key, hold in by_key.items()
        if key not in known
    )


# --- The daily scan ---------------------------------------------------------------------


def _loan_notices(window: policies.Window, on: date) -> int:
    """One notice per reader and due date in the window, listing all their loans due
    that day."""
    loans = (
        Loan.objects.filter(
            returned_at__isnull=True,
            patron__isnull=False,
            patron__deleted_at=None,
            due_date__gte=window.first,
            due_date__lte=window.last,
        )
        .select_related("item__record", "patron__home_org")
        .order_by("patron_id", "due_date", "pk")
    )
    groups: dict[str, list[Loan]] = defaultdict(list)
    for loan in loans:
        groups[f"{window.kind}:patron:{loan.patron_id}:{loan.due_date.isoformat()}"].append(loan)
    known = _already_recorded(groups)
    sent = 0
    for key, group in groups.items():
        if key in known:
            continue
        due = group[0].due_date
        context = {
            "titles": [loan.item.record.title for loan in group],
            "count": len(group),
            "due_date": due,
            "days_overdue": (on - due).days,
        }
        sent += _send_safely(
            patron=group[0].patron,
            kind=window.kind,
            dedupe_key=key,
            context=context,
            loan_ids=[loan.pk for loan in group],
        )
    return sent


def _card_notices(window: policies.Window) -> int:
    cards = Card.objects.filter(
        status=CardStatus.ACTIVE,
        patron__deleted_at=None,
        expires_on__gte=window.first,
        expires_on__lte=window.last,
    ).select_related("patron__home_org")
    # The expiry date is in the key: a card renewed and expiring again is told again.
    by_key = {f"{window.kind}:card:{card.pk}:{card.expires_on.isoformat()}": card for card in cards}
    known = _already_recorded(by_key)
    return sum(
        _send_safely(
            patron=card.patron,
            kind=window.kind,
            dedupe_key=key,
            context={"card_tail": policies.card_tail(card.barcode), "expires_on": card.expires_on},
        )
        for key, card in by_key.items()
        if key not in known
    )


def notices_due(on: date | None = None) -> dict[str, int]:
    """The daily job's notices as of ``on`` (default today); returns how many notices
    were recorded per kind (sent or not). Safe to run again, and to run twice at once.

    - due_soon: open loans due in ``WENJIN_NOTICE_DUE_SOON_DAYS`` days;
    - overdue_1/7/30: open loans that many days past due;
    - card_expiring: active cards expiring in ``WENJIN_NOTICE_CARD_EXPIRY_DAYS`` days;
      each of these also covers days the job missed, up to ``WENJIN_NOTICE_CATCH_UP_DAYS``
      (see ``policies``);
    - hold_expiring: ready holds on their last shelf day (today only: a later reminder
      would come after the hold expired). Sent from here rather than from the
      ``hold_expiring`` signal of ``expire_holds``, so the notice does not depend on
      which of the two jobs runs first; the signal is left unconnected.
    - hold_ready: normally sent by the ``hold_ready`` signal; ready holds without that
      notice (a process that stopped right after the checkin) get it here.
    """
    on = on or timezone.localdate()
    catch_up = settings.WENJIN_NOTICE_CATCH_UP_DAYS
    counts = dict.fromkeys(DAILY_KINDS, 0)
    windows = [
        policies.due_soon_window(on, settings.WENJIN_NOTICE_DUE_SOON_DAYS, catch_up),
        *policies.overdue_windows(on, catch_up),
    ]
    for window in windows:
        counts[window.kind] += _loan_notices(window, on)
    counts[NoticeKind.HOLD_READY] = _hold_notices(NoticeKind.HOLD_READY, _holds())
    counts[NoticeKind.HOLD_EXPIRING] = _hold_notices(
        NoticeKind.HOLD_EXPIRING, _holds().filter(expires_on=on)
    )
    counts[NoticeKind.CARD_EXPIRING] = _card_notices(
        policies.card_expiry_window(on, settings.WENJIN_NOTICE_CARD_EXPIRY_DAYS, catch_up)
    )
    return {str(kind): count for kind, count in counts.items()}


# A reader owing money is reminded once the oldest unpaid fee is a week old, then once in
# every 30 days after it was charged, while anything is owed.
FEE_REMINDER_AFTER_DAYS = 7
FEE_REMINDER_EVERY_DAYS = 30


def fee_reminders(on: date | None = None) -> int:
    """Fee reminders as of ``on``: one per reader and 30-day period of their oldest open fee
    (the period is in the key, so a run again the same day, or a copy running at the same
    moment, sends nothing twice). Returns how many were recorded."""
    from wenjin.circulation.fee_selectors import open_balance_by_patron

    on = on or timezone.localdate()
    due: dict[str, tuple[int, Any]] = {}
    for patron_id, owed, oldest in open_balance_by_patron():
        age = (on - timezone.localdate(oldest)).days
        if age < FEE_REMINDER_AFTER_DAYS:
            continue
        period = age // FEE_REMINDER_EVERY_DAYS
        due[f"{NoticeKind.FEE_REMINDER}:patron:{patron_id}:{period}"] = (patron_id, owed)
    known = _already_recorded(due)
    wanted = {key: value for key, value in due.items() if key not in known}
    patrons = (
        Patron.objects.filter(
            pk__in=[patron_id for patron_id, _ in wanted.values()], deleted_at=None
        )
        .select_related("home_org")
        .in_bulk()
    )
    return sum(
        _send_safely(
            patron=patrons[patron_id],
            kind=NoticeKind.FEE_REMINDER,
            dedupe_key=key,
            context={"amount": f"{owed:.2f}"},
        )
        for key, (patron_id, owed) in wanted.items()
        if patron_id in patrons
    )


# --- Contact and preferences ------------------------------------------------------------


def reader_contact_save(
    *,
    actor: Actor,
    patron: Patron,
    email: str | None,
    language: str,
    channels: Iterable[str],
    opt_outs: Iterable[str],
) -> ReaderContact:
    """Set how a reader is told things. ``email``: None keeps the stored address, ""
    removes it, anything else must be a valid address. ``channels``: the channels that
    are on (``email``, ``sms``); ``opt_outs``: the kinds of notice turned off. Everything
    is checked before anything is written; the change is audited (email masked)."""
    actor.require(Perm.PATRONS_EDIT, patron.home_org)
    wanted_channels = sorted(set(channels))
    wanted_opt_outs = sorted(set(opt_outs))
    policies.check_preferences(language, wanted_channels, wanted_opt_outs)
    cleaned = None
    if email is not None:
        cleaned = policies.check_email(email) if email.strip() else ""
    with transaction.atomic():
        contact, created = ReaderContact.objects.get_or_create(patron=patron)
        contact = ReaderContact.objects.select_for_update().get(pk=contact.pk)
        changes: dict[str, Any] = {}
        if cleaned is not None:
            new_hash = crypto.lookup_hash("email", cleaned.lower()) if cleaned else ""
            if new_hash != contact.email_hash:
                contact.email_encrypted = crypto.encrypt(cleaned)
                contact.email_hash = new_hash
                contact.email_masked = policies.mask_email(cleaned) if cleaned else ""
                changes["email"] = contact.email_masked
        values = {
            "language": language,
            "email_on": NoticeChannel.EMAIL in wanted_channels,
            "sms_on": NoticeChannel.SMS in wanted_channels,
            "opt_outs": wanted_opt_outs,
        }
        for field, value in values.items():
            if getattr(contact, field) != value:
                setattr(contact, field, value)
                changes[field] = value
        contact.save()
        if changes or created:
            audit_record(
                actor,
                "notices.contact_save",
                org_unit=patron.home_org,
                target=contact,
                changes=changes,
            )
    return contact


def reader_notices_forget(patron: Patron) -> int:
    """Remove a deleted reader's personal data from notices: the contact row (email) goes,
    and the texts of their notices (names, titles) are blanked and unlinked; the rows stay
    as anonymous counts. For ``patron_delete`` to call inside its transaction. Returns
    the number of notices blanked."""
    ReaderContact.objects.filter(patron=patron).delete()
    return Notice.objects.filter(patron=patron).update(
        patron=None, subject="", body="", error="", loan_ids=[]
    )
