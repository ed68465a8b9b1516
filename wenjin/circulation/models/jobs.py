"""The record of each day's run of the daily job."""

from __future__ import annotations

from django.db import models


class DailyRun(models.Model):
    """One run of ``wenjin run-daily`` for one day. The unique day is what lets only one
    copy of the job work on a day: a second copy started at the same time, or later the
    same day, finds the row and stops (``--force`` runs the steps again; each is
    idempotent on its own)."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"daily run {self.day}"
