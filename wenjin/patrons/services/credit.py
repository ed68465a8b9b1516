"""The local credit ledger: returns, losses and finds move a reader's score; staff adjust
it with a reason. Each change is one ``CreditEvent`` plus the running total on the reader,
written together with the reader's row locked.

Circulation calls ``credit_note_return`` / ``credit_note_lost`` / ``credit_note_found``
inside its own transaction. Each runs in a savepoint, so a fact recorded twice (its
``source_key`` is unique) is simply skipped without spoiling the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import NotFound, ValidationFailed
from wenjin.patrons import credit
from wenjin.patrons.credit import Reason
from wenjin.patrons.credit_providers import clear_credit_cache, credit_config
from wenjin.patrons.models import CreditEvent, CreditSettings, Patron
from wenjin.patrons.services.common import today

NOTE_MAX_LENGTH = 200


def _record(
    *,
    patron_id: int,
    reason: str,
    change: int,
    source_key: str,
    on: date,
    policy: credit.CreditPolicy,
    note: str = "",
    actor: Actor | None = None,
    reverses: CreditEvent | None = None,
) -> CreditEvent:
    """Lock the reader, write the event and the new total (three statements). Raises
    IntegrityError when ``source_key`` was recorded before; callers wrap it in a savepoint.
    """
    # The lock serialises every change to one reader's score, so two returns at two desks
    # both count and ``score_after`` is exact.
    score = (
        Patron.objects.select_for_update()
        .filter(pk=patron_id)
        .values_list("credit_score", flat=True)
        .first()
    )
    if score is None:
        raise NotFound("PATRON_NOT_FOUND", _("There is no such reader."))
    after = credit.apply_change(score, change, policy)
    event = CreditEvent.objects.create(
        patron_id=patron_id,
        on=on,
        change=after - score,
        score_after=after,
        reason=reason,
        note=note[:NOTE_MAX_LENGTH],
        actor=actor.user if actor is not None else None,
        source_key=source_key,
        reverses=reverses,
    )
    if after != score:
        Patron.objects.filter(pk=patron_id).update(credit_score=after)
    return event


def _record_once(**kwargs: object) -> CreditEvent | None:
    """``_record`` in a savepoint: None when the same fact was already recorded."""
    try:
        with transaction.atomic():
            return _record(**kwargs)  # type: ignore[arg-type]
    except IntegrityError:
        # Only the unique source key can clash here (the reader exists, it is locked):
        # the fact is already in the ledger, from an earlier call or a concurrent one.
        if CreditEvent.objects.filter(source_key=kwargs["source_key"]).exists():
            return None
        raise


def _late_note(overdue_days: int) -> str:
    # The ledger is read later by anyone, in any language: written once in the
    # network's own language rather than in whatever language the desk had switched to.
    with translation.override(settings.LANGUAGE_CODE):
        return _("Returned %(days)d day(s) late") % {"days": overdue_days}


def credit_note_return(
    *, patron_id: int, loan_id: int, overdue_days: int, on: date, note: str = ""
) -> CreditEvent | None:
    """A loan came back: on time (``overdue_days == 0``) raises the score, late lowers it by
    how late. Once per loan; None when this return was already counted. ``note`` (say the
    title) is added to the ledger row."""
    if overdue_days < 0:
        raise ValueError("overdue_days cannot be negative")
    policy = credit_config().policy
    reason = Reason.ON_TIME_RETURN if overdue_days == 0 else Reason.OVERDUE_RETURN
    if overdue_days:
        note = f"{_late_note(overdue_days)} {note}".strip()
    return _record_once(
        patron_id=patron_id,
        reason=reason,
        change=credit.score_change(reason, overdue_days, policy),
        source_key=f"loan:{loan_id}:return",
        on=on,
        policy=policy,
        note=note,
    )


def credit_note_lost(
    *, patron_id: int, item_id: int, on: date, note: str = ""
) -> CreditEvent | None:
    """An item on loan to the reader was declared lost: the lost penalty, once per item and
    day. None when already recorded."""
    policy = credit_config().policy
    return _record_once(
        patron_id=patron_id,
        reason=Reason.LOST,
        change=credit.score_change(Reason.LOST, 0, policy),
        source_key=f"item:{item_id}:lost:{on.isoformat()}",
        on=on,
        policy=policy,
        note=note,
    )


def credit_note_found(
    *, patron_id: int, item_id: int, on: date, note: str = ""
) -> CreditEvent | None:
    """A lost item turned up: give back exactly what its latest unreversed loss took.
    None when there is no such loss (never lost, or already reversed)."""
    policy = credit_config().policy
    try:
        with transaction.atomic():
            # Locked first, so two finds of one item queue here and the second sees the
            # first's reversal (and the one-to-one ``reverses`` is the backstop).
            if not Patron.objects.select_for_update().filter(pk=patron_id).exists():
                raise NotFound("PATRON_NOT_FOUND", _("There is no such reader."))
            loss = (
                CreditEvent.objects.filter(
                    patron_id=patron_id,
                    reason=Reason.LOST,
                    source_key__startswith=f"item:{item_id}:lost:",
                    reversed_by__isnull=True,
                )
                .order_by("-on", "-pk")
                .first()
            )
            if loss is None:
                return None
            return _record(
                patron_id=patron_id,
                reason=Reason.FOUND_AFTER_LOST,
                change=-loss.change,
                source_key=f"{loss.source_key}:found",
                on=on,
                policy=policy,
                note=note,
                reverses=loss,
            )
    except IntegrityError:
        return None


def _check_adjustment(change: object, note: str, policy: credit.CreditPolicy) -> str:
    if not isinstance(change, int) or isinstance(change, bool):
        raise ValidationFailed(
            _("The change must be a whole number of points."),
            fields={"change": str(change)},
            code="INVALID_CREDIT_CHANGE",
        )
    if change == 0:
        raise ValidationFailed(
            _("A change of 0 points changes nothing."),
            fields={"change": "0"},
            code="CREDIT_CHANGE_ZERO",
        )
    if abs(change) > policy.max_adjustment:
        raise ValidationFailed(
            _("A change of more than %(max)d points at once is not allowed.")
            % {"max": policy.max_adjustment},
            fields={"change": str(change)},
            code="CREDIT_CHANGE_TOO_LARGE",
        )
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            _("Say why the score is changed."), fields={"note": ""}, code="CREDIT_NOTE_REQUIRED"
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            _("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX_LENGTH},
            fields={"note": note[:20] + "…"},
            code="CREDIT_NOTE_TOO_LONG",
        )
    return note


def credit_adjust(*, actor: Actor, patron: Patron, change: int, note: str) -> CreditEvent:
    """Staff move a reader's score by hand, with a reason; needs the credit-adjust
    permission on the reader's home library, and is audited."""
    actor.require(Perm.CREDIT_ADJUST, patron.home_org)
    policy = credit_config().policy
    note = _check_adjustment(change, note, policy)
    with transaction.atomic():
        event = _record(
            patron_id=patron.pk,
            reason=Reason.STAFF_ADJUSTMENT,
            change=change,
            # every adjustment is its own fact; the key only has to be unique
            source_key=f"adjust:{uuid.uuid4().hex}",
            on=today(),
            policy=policy,
            note=note,
            actor=actor,
        )
        audit_record(
            actor,
            "patron.credit_adjust",
            org_unit=patron.home_org,
            target=patron,
            changes={
                "requested": change,
                "change": event.change,
                "score_after": event.score_after,
                "note": note,
            },
        )
    patron.credit_score = event.score_after
    return event


SETTINGS_FIELDS = ("provider", *(f.name for f in dataclasses.fields(credit.CreditPolicy)))


def credit_settings_update(*, actor: Actor, changes: dict[str, Any]) -> CreditSettings:
    """Change the network's credit rules (network-wide: needs the rules permission, which
    network administrators hold). Checked as a whole before anything is saved; audited."""
    actor.require_anywhere(Perm.RULES_EDIT)
    unknown = sorted(set(changes) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("Unknown credit settings: %(names)s.") % {"names": ", ".join(unknown)},
            fields=dict.fromkeys(unknown, ""),
        )
    for name, value in changes.items():
        if name == "provider":
            if value not in CreditSettings.Provider.values:
                raise ValidationFailed(
                    _("Unknown credit score provider."),
                    fields={"provider": str(value)},
                    code="UNKNOWN_CREDIT_PROVIDER",
                )
        # 32767: what the smallest column holds; no sensible credit number comes near it
        elif not isinstance(value, int) or isinstance(value, bool) or abs(value) > 32767:
            raise ValidationFailed(
                _("Credit settings are whole numbers (at most 32767)."),
                fields={name: str(value)},
            )
    with transaction.atomic():
        CreditSettings.objects.get_or_create(pk=CreditSettings.SINGLETON_PK)
        row = CreditSettings.objects.select_for_update().get(pk=CreditSettings.SINGLETON_PK)
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        problems = credit.policy_problems(row.policy())
        if problems:
            raise ValidationFailed(
                _("These credit settings do not fit together."),
                fields=problems,
                code="CREDIT_SETTINGS_INVALID",
            )
        row.save()
        # saving cleared the cache; clear it again once committed, in case another
        # thread read the old row in between
        transaction.on_commit(clear_credit_cache)
        audit_record(
            actor,
            "patrons.credit_settings",
            changes={name: [before[name], value] for name, value in changes.items()},
        )
    return row
