"""Tables of the search app that Django manages. The full-text index itself (an FTS5 table
on SQLite, a tsvector table on PostgreSQL) is created by the migrations, per database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionKind(models.TextChoices):
    TITLE = "title", _("Title")
    AUTHOR = "author", _("Author")


class Suggestion(models.Model):
    """One key under which a title or an author name is offered as a reader types: the
    folded text without spaces, its pinyin or its initials (红楼梦 is filed under 红楼梦,
    hongloumeng and hlm). Suggestions are prefix lookups on ``key`` in code-point order;
    the index for that is created by the migration (``COLLATE "C"`` on PostgreSQL)."""

    record = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SuggestionKind.choices)
    key = models.CharField(max_length=100)
    text = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.key} → {self.text}"
