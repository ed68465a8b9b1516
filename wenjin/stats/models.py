"""Statistics: daily rollups of what the network recorded, entrance gate counts and the
yearly figures no transaction records (annual inputs).

Reports and dashboards read ``Rollup`` rows, never the loan or item tables: a year of a
district is a few hundred thousand rollup rows against millions of raw rows, and a
figure once rolled up stays the same until the days are rebuilt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Period(models.TextChoices):
    """What a rollup row's ``day`` stands for."""

    DAY = "D", _("Day")
    MONTH = "M", _("Month")  # day = the month's first day
    YEAR = "Y", pgettext_lazy("statistics", "Year")  # day = 1 January
    SNAPSHOT = "S", _("Snapshot at the end of the day")


class Rollup(models.Model):
    """One figure: a measure (with an optional dimension such as a material type, a CLC
    class or an hour) for one org unit and one period.

    Flows (loans, visits) are recorded at the unit where they happened and summed over a
    subtree; distinct counts (active readers) cannot be summed, so they are stored for
    each unit as the figure of its whole subtree (see ``wenjin.stats.measures``).
    """

    org_unit = models.ForeignKey("network.OrgUnit", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=1, choices=Period.choices)
    day = models.DateField()
    measure = models.CharField(max_length=32)
    dim = models.CharField(max_length=32, blank=True, default="")
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "day", "measure", "dim", "org_unit"], name="rollup_one_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period}{self.day} {self.measure}:{self.dim} @{self.org_unit_id}={self.value}"


class RollupRun(models.Model):
    """One rebuild of the rollups for a date range: what ran, when, how long, by whom."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    first_day = models.DateField()
    last_day = models.DateField()
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    by = models.CharField(max_length=150, blank=True)
    # Empty for a full rebuild; else the builders it ran (only full ones count as coverage).
    families = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("rollup rebuild")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day} at {self.started_at}"


class GateCount(models.Model):
    """Visitors counted at a unit's entrance (总流通人次): a whole day (``hour`` empty) or
    one hour (0–23). A unit reports either daily or hourly counts, never both for a day;
    sending the same slot again replaces it."""

    org_unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.CASCADE, related_name="gate_counts"
    )
    day = models.DateField(_("date"))
    hour = models.PositiveSmallIntegerField(_("hour"), null=True, blank=True)
    count = models.PositiveIntegerField(_("visitors"))
    source = models.CharField(max_length=8, default="api")  # api, import, form
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("gate count")
        verbose_name_plural = _("gate counts")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "day"],
                condition=Q(hour__isnull=True),
                name="gate_count_one_per_day",
            ),
            models.UniqueConstraint(
                fields=["org_unit", "day", "hour"],
                condition=Q(hour__isnull=False),
                name="gate_count_one_per_hour",
            ),
            models.CheckConstraint(
                condition=Q(hour__isnull=True) | Q(hour__lte=23), name="gate_count_hour_0_23"
            ),
        ]
        indexes = [models.Index(fields=["day", "org_unit"], name="gate_count_by_day")]

    def __str__(self) -> str:
        slot = "" if self.hour is None else f" {self.hour:02d}h"
        return f"{self.org_unit_id} {self.day}{slot}: {self.count}"


class AnnualInput(models.Model):
    """One yearly figure no transaction records (shelf length, computers, e-books by
    source, website visits …), entered for one org unit by a statistician.

    One row per (unit, year, key): sending a key again replaces its value and keeps who
    entered it and when; the keys are listed in ``wenjin.stats.policies.INPUT_KEYS``.
    """

    org_unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.CASCADE, related_name="annual_inputs"
    )
    year = models.PositiveSmallIntegerField(pgettext_lazy("statistics", "year"))
    key = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=16, decimal_places=3)
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by_label = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("annual input")
        verbose_name_plural = _("annual inputs")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year", "key"], name="annual_input_one")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.org_unit_id} {self.key}={self.value}"


class StatsSettings(models.Model):
    """The network's choices where statistics practice differs (a single row)."""

    class ValidCards(models.TextChoices):
        AT_YEAR_END = "year_end", _("Cards neither expired nor cancelled at the year's end")
        USED = "used", _("Cards used (to borrow) during the year")

    items_lent_includes_renewals = models.BooleanField(
        _("count renewals as items lent"), default=False
    )
    valid_cards = models.CharField(
        _("valid cards are"), max_length=8, choices=ValidCards.choices, default="year_end"
    )
    visits_drop_alert_percent = models.PositiveSmallIntegerField(
        _("flag a unit whose visits fell by at least (%)"), default=90
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("statistics settings")

    def __str__(self) -> str:
        return "statistics settings"

    @classmethod
    def load(cls) -> StatsSettings:
        return cls.objects.get_or_create(pk=1)[0]
