"""The union catalogue: bibliographic records (MARC kept whole), items owned by units,
shelving locations, and the configurable tables the catalogue reads."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MarcFormat(models.TextChoices):
    MARC21 = "marc21", "MARC21"
    CNMARC = "cnmarc", "CNMARC (UNIMARC)"


class MaterialType(models.TextChoices):
    BOOK = "book", _("Book")
    PERIODICAL = "periodical", _("Periodical")
    AUDIOVISUAL = "audiovisual", _("Audiovisual")
    MICROFORM = "microform", _("Microform")
    ANCIENT = "ancient", _("Ancient book")
    ELECTRONIC = "electronic", _("Electronic")
    OTHER = "other", _("Other")


class ClcSource(models.TextChoices):
    RECORD = "record", _("In the record")
    LCC = "lcc", _("Mapped from LC class")
    NONE = "none", _("Unclassified")


class Record(models.Model):
    """One title in the union catalogue.

    ``marc`` holds the whole record as UTF-8 ISO 2709 — the source of truth, kept losslessly;
    the other columns are read out of it (by ``wenjin.lib.marc.mapping``) for display,
    search and statistics, and are rewritten whenever the MARC changes.
    """

    marc_format = models.CharField(max_length=8, choices=MarcFormat.choices)
    marc = models.BinaryField()
    marc_digest = models.CharField(max_length=40, db_index=True)
    control_number = models.CharField(max_length=64, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=1000)
    title_romanized = models.CharField(max_length=1000, blank=True)
    # Pinyin filing form of the title (wenjin.search.analysis.sort_key), for title order.
    title_sort = models.CharField(max_length=255, blank=True, db_index=True)
    responsibility = models.CharField(_("statement of responsibility"), max_length=1000, blank=True)
    authors = models.JSONField(default=list, blank=True)
    romanized = models.JSONField(default=list, blank=True)
    publisher = models.CharField(_("publisher"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    year = models.SmallIntegerField(_("year"), null=True, blank=True)
    isbns = models.JSONField(default=list, blank=True)
    language = models.CharField(_("language"), max_length=3, blank=True)
    clc = models.CharField(_("CLC class"), max_length=40, blank=True)
    clc_top = models.CharField(max_length=1, blank=True, db_index=True)
    clc_source = models.CharField(max_length=8, choices=ClcSource.choices, default=ClcSource.NONE)
    subjects = models.JSONField(default=list, blank=True)
    series = models.JSONField(default=list, blank=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    physical_description = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    material_type = models.CharField(
        max_length=16, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    is_children = models.BooleanField(default=False)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("bibliographic record")
        verbose_name_plural = _("bibliographic records")
        indexes = [
            # "Similar titles" on the public record page: the newest of the same class.
            models.Index(fields=["clc", "year"], name="record_clc_year"),
        ]

    def __str__(self) -> str:
        return self.title[:80]


class RecordIsbn(models.Model):
    """A valid ISBN-13 of a record, for matching and lookup (a record may have several)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="isbn_rows")
    isbn13 = models.CharField(max_length=13, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "isbn13"], name="recordisbn_unique")
        ]

    def __str__(self) -> str:
        return self.isbn13


class LocationKind(models.TextChoices):
    FLOOR = "floor", _("Floor")
    AREA = "area", _("Area")
    RANGE = "range", _("Shelf range")
    SHELF = "shelf", _("Shelf")
    LAYER = "layer", _("Layer")


class Location(models.Model):
    """A shelving location inside a unit: floor → area → shelf range → shelf → layer.

    Shelves carry the call-number range they hold; every location may carry its position
    and size on the unit's floor plan (in decimetres from the plan's top-left corner).
    """

    org_unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="locations"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(max_length=8, choices=LocationKind.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    call_number_from = models.CharField(max_length=64, blank=True)
    call_number_to = models.CharField(max_length=64, blank=True)
    x = models.PositiveIntegerField(null=True, blank=True)
    y = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["org_unit", "sort_order", "code"]
        verbose_name = _("shelving location")
        verbose_name_plural = _("shelving locations")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "code"], name="location_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.code}/{self.code} {self.name}"


class ItemStatus(models.TextChoices):
    IN_PROCESSING = "in_processing", _("In processing")
    AVAILABLE = "available", _("Available")
    CHECKED_OUT = "checked_out", _("Checked out")
    IN_TRANSIT = "in_transit", _("In transit")
    ON_HOLD_SHELF = "on_hold_shelf", _("On hold shelf")
    LOST = "lost", _("Lost")
    MISSING = "missing", _("Missing")
    DAMAGED = "damaged", _("Damaged")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AcquisitionSource(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    DONATION = "donation", _("Donation")
    READER_CHOICE = "reader_choice", _("Reader-chosen purchase")
    EXCHANGE = "exchange", _("Exchange")
    DEPOSIT = "deposit", _("Legal deposit")
    OTHER = "other", _("Other")


class Item(models.Model):
    """One physical copy: owned by a unit (产权馆), currently at a unit, on a shelf.

    ``in_network_scheme`` (通借通还) is derived from type, language and flags by the
    SchemeRule table whenever the item is saved through the services.
    """

    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    owning_org = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="owned_items"
    )
    current_org = models.ForeignKey(
        "network.OrgUnit", on_delete=models.PROTECT, related_name="present_items"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    call_number = models.CharField(_("call number"), max_length=64, blank=True)
    volume = models.CharField(_("volume"), max_length=40, blank=True)
    material_type = models.CharField(
        _("material type"), max_length=16, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    is_children = models.BooleanField(_("children's"), default=False)
    is_braille = models.BooleanField(_("braille"), default=False)
    is_rare = models.BooleanField(_("rare (善本)"), default=False)
    is_open_shelf = models.BooleanField(_("open shelf"), default=True)
    language = models.CharField(_("language"), max_length=3, blank=True)
    in_network_scheme = models.BooleanField(default=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    acquisition_source = models.CharField(
        _("acquisition source"),
        max_length=16,
        choices=AcquisitionSource.choices,
        default=AcquisitionSource.PURCHASE,
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("withdrawal reason"), max_length=200, blank=True)
    rfid = models.CharField(_("RFID tag"), max_length=64, null=True, blank=True)  # noqa: DJ001 (unique when set)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [
            models.Index(fields=["owning_org", "status"]),
            models.Index(fields=["record", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rfid"], condition=Q(rfid__isnull=False), name="item_rfid_unique"
            )
        ]

    def __str__(self) -> str:
        return self.barcode


class SchemeRule(models.Model):
    """One rule for whether items are in the network lending scheme (通借通还).

    Rules are tried by ascending ``priority``; the first whose conditions all hold decides.
    An empty condition matches anything.
    """

    class LanguageGroup(models.TextChoices):
        ANY = "", _("Any language")
        CHINESE = "chinese", _("Chinese")
        FOREIGN = "foreign", _("Foreign languages")

    priority = models.PositiveIntegerField(unique=True)
    material_type = models.CharField(max_length=16, choices=MaterialType.choices, blank=True)
    language_group = models.CharField(
        max_length=8, choices=LanguageGroup.choices, blank=True, default=""
    )
    is_rare = models.BooleanField(null=True, blank=True)
    is_children = models.BooleanField(null=True, blank=True)
    in_scheme = models.BooleanField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["priority"]
        verbose_name = _("network lending scheme rule")

    def __str__(self) -> str:
        return f"{self.priority}: {'in' if self.in_scheme else 'out'} {self.note}"


class LccClcMapping(models.Model):
    """Maps a Library of Congress class-letter prefix to a CLC class, for records that carry
    only an LC class (the longest matching prefix wins)."""

    lcc_prefix = models.CharField(max_length=3, unique=True)
    clc_class = models.CharField(max_length=20)

    class Meta:
        ordering = ["lcc_prefix"]

    def __str__(self) -> str:
        return f"{self.lcc_prefix} → {self.clc_class}"
