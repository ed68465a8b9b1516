"""Changing the network's statistics definitions, and asking for a rollup rebuild from the
staff pages (run in the background: a year takes up to a minute)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import DomainError, Forbidden
from wenjin.network.models import OrgUnit
from wenjin.stats.models import StatsSettings

# The staff form's range limit (the command allows ten years).
MAX_REBUILD_DAYS = 366 * 3


def _require_network_wide(actor: Actor) -> None:
    """The definitions and the rebuild apply to the whole network: only someone holding
    ``stats.inputs`` on every root may change them."""
    if actor.is_system:
        return
    roots = OrgUnit.objects.filter(parent__isnull=True)
    if not roots or not all(actor.can(Perm.STATS_INPUTS, root) for root in roots):
        raise Forbidden(_("Only a statistician of the whole network may do this."))


def stats_settings_update(
    *,
    actor: Actor,
    items_lent_includes_renewals: bool,
    valid_cards: str,
    visits_drop_alert_percent: int,
) -> StatsSettings:
    """Change the definitions the reports use (audited with the old values)."""
    _require_network_wide(actor)
    if valid_cards not in StatsSettings.ValidCards.values:
        raise DomainError("BAD_DEFINITION", _("Unknown definition of valid cards."))
    if not 1 <= visits_drop_alert_percent <= 100:
        raise DomainError("BAD_PERCENT", _("The percentage must be between 1 and 100."))
    with transaction.atomic():
        settings = StatsSettings.load()
        settings = StatsSettings.objects.select_for_update().get(pk=settings.pk)
        fields = {
            "items_lent_includes_renewals": bool(items_lent_includes_renewals),
            "valid_cards": valid_cards,
            "visits_drop_alert_percent": visits_drop_alert_percent,
        }
        changes = {
            name: [getattr(settings, name), value]
            for name, value in fields.items()
            if getattr(settings, name) != value
        }
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.save()
        if changes:
            audit_record(actor, "stats.settings", target=settings, changes=changes)
    return settings


def rollup_rebuild_request(*, actor: Actor, first: date, last: date) -> None:
    """Queue a rebuild of the rollups for [first, last] (audited)."""
    from wenjin.stats.tasks import rebuild_rollups

    _require_network_wide(actor)
    if last < first:
        raise DomainError("BAD_RANGE", _("The last day is before the first."))
    if (last - first).days > MAX_REBUILD_DAYS:
        raise DomainError(
            "RANGE_TOO_LONG",
            _("Rebuild at most three years at a time here; use `wenjin stats rebuild` for more."),
        )
    audit_record(
        actor, "stats.rebuild", changes={"from": first.isoformat(), "to": last.isoformat()}
    )
    transaction.on_commit(
        lambda: rebuild_rollups.enqueue(first.isoformat(), last.isoformat(), actor.label)
    )
