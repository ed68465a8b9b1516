"""The library network: org units in a tree, their opening hours, closures and partners."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ORG_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{0,31}$"


class OrgUnitKind(models.TextChoices):
    CITY_CENTER = "city_center", _("City central library")
    DISTRICT_MAIN = "district_main", _("District main library")
    BRANCH = "branch", _("Branch")
    SPECIAL_BRANCH = "special_branch", _("Special branch")
    CHILDREN_LIBRARY = "children_library", _("Children's library")
    SERVICE_POINT = "service_point", _("Service point")
    SELF_SERVICE_LIBRARY = "self_service_library", _("24-hour self-service library")
    LENDING_ATM = "lending_atm", _("Lending ATM")


class OrgUnitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
    CLOSED = "closed", _("Closed")


class OrgUnit(models.Model):
    """A place in the network: the city library, a district library, a branch, a service
    point, a self-service library or a lending ATM.

    Units form a tree of any depth. ``path`` is the materialised chain of primary keys
    from the root (``/1/5/23/``), so ancestors, descendants and tree distance each take
    at most one query. Only the network services write ``path`` and ``depth``.
    """

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(ORG_CODE_PATTERN)],
        help_text=_("Stable code such as GZ, YX or YX-GT: capital letters, digits and hyphens."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrgUnitKind.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=OrgUnitStatus.choices, default=OrgUnitStatus.OPEN
    )
    status_from = models.DateField(_("status from"), null=True, blank=True)
    status_until = models.DateField(_("status until"), null=True, blank=True)
    themed_collection = models.TextField(
        _("themed collection"),
        blank=True,
        help_text=_("The branch's own theme (一街一品牌), e.g. English literature."),
    )
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("branch director"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directed_units",
    )
    observes_public_holidays = models.BooleanField(
        _("closed on public holidays"),
        default=False,
        help_text=_(
            "Closed on the national public holidays of the calendar, and open on its make-up "
            "working days (调休)."
        ),
    )
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        constraints = [
            models.CheckConstraint(
                condition=Q(status_until__isnull=True)
                | Q(status_from__isnull=True)
                | Q(status_until__gte=models.F("status_from")),
                name="orgunit_status_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        """The name in the active language (Chinese unless English is chosen and known)."""
        language = get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read from ``path``."""
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class WeeklyHours(models.Model):
    """One opening period of a unit on one day of the week (a unit may have several a day).

    Times are minutes after midnight; ``closes_minute`` may be 1440 (midnight at the end of
    the day), so a 24-hour unit has one period 0–1440 every day.
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    opens_minute = models.PositiveSmallIntegerField()
    closes_minute = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["org_unit", "weekday", "opens_minute"]
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weeklyhours_weekday"),
            models.CheckConstraint(
                condition=Q(opens_minute__lt=models.F("closes_minute"), closes_minute__lte=1440),
                name="weeklyhours_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.code} {self.weekday} {self.opens_minute}-{self.closes_minute}"


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", _("Closed")
    SPECIAL_HOURS = "special_hours", _("Special hours")


class ScheduleException(models.Model):
    """A date range in which a unit keeps other hours than usual: a closure (renovation,
    a public holiday, a typhoon) or special hours (shorter hours on New Year's Eve).

    With ``applies_to_subtree`` the exception also holds for every unit below this one,
    e.g. a network-wide holiday closure recorded once at the top.
    """

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="schedule_exceptions"
    )
    kind = models.CharField(max_length=16, choices=ExceptionKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200)
    opens_minute = models.PositiveSmallIntegerField(null=True, blank=True)
    closes_minute = models.PositiveSmallIntegerField(null=True, blank=True)
    applies_to_subtree = models.BooleanField(_("applies to all units below"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("closure or special hours")
        verbose_name_plural = _("closures and special hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="scheduleexception_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind="closed", opens_minute__isnull=True, closes_minute__isnull=True)
                | Q(
                    kind="special_hours",
                    opens_minute__lt=models.F("closes_minute"),
                    closes_minute__lte=1440,
                ),
                name="scheduleexception_hours_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.code} {self.kind} {self.start_date}–{self.end_date}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class PublicCalendarDay(models.Model):
    """A day of the national calendar that is not what its weekday says: a public holiday
    (放假) or a make-up working day (调休上班, usually a weekend day).

    Units with ``observes_public_holidays`` close on holidays and, on a make-up working
    day, keep the hours of ``hours_of_weekday``. The State Council publishes the calendar
    each December; a network admin enters it (the demo loads the current year).
    """

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=50)
    hours_of_weekday = models.PositiveSmallIntegerField(
        _("keeps the hours of weekday"), default=0, help_text="0 = Monday … 6 = Sunday"
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("public calendar day")
        verbose_name_plural = _("public calendar")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_of_weekday__lte=6), name="publiccalendarday_weekday"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.name}"


class PartnerKind(models.TextChoices):
    SCHOOL = "school", _("School")
    COMPANY = "company", _("Company")
    BOOKSHOP = "bookshop", _("Bookshop")
    MUSEUM = "museum", _("Museum")
    COMMUNITY = "community", _("Community organisation")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """An outside organisation that co-runs units with the library (多元共建): a school,
    a company, a bookshop, a museum."""

    name_zh = models.CharField(_("Chinese name"), max_length=150, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        ordering = ["name_zh"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name_zh


class Partnership(models.Model):
    """That a partner co-runs a unit, and how (provides the space, runs the programme…)."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="partnerships")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="partnerships")
    role = models.CharField(_("role"), max_length=200, blank=True)
    started_on = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["org_unit", "partner"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "partner"], name="partnership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit.code} × {self.partner.name_zh}"


class DeviceKind(models.TextChoices):
    SELF_CHECK = "self_check", _("Self-check kiosk")
    SELF_SERVICE_LIBRARY = "self_service_library", _("24-hour self-service library")
    LENDING_ATM = "lending_atm", _("Lending ATM")
    SORTER = "sorter", _("Return sorter")


class DeviceEncoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    GB18030 = "gb18030", "GB18030"
    CP850 = "cp850", "cp850"


# What a device may do over SIP2; a sorter, say, only checks items in and reads them.
DEVICE_OPERATIONS = (
    "patron",  # patron information and status, end session
    "checkout",
    "checkin",
    "renew",
    "item",  # item information and status update
    "hold",
    "fee",
    "block",  # block a patron (a kiosk that retains a card)
)


class Device(models.Model):
    """A self-service machine that speaks SIP2 (a kiosk, a 24-hour library, a lending ATM
    or a sorter): its login, where it stands (its checkouts and returns happen at that
    unit), its character set and what it may do."""

    code = models.SlugField(
        _("login id"), max_length=40, unique=True, help_text=_("The SIP2 login user id (CN).")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=DeviceKind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="devices", verbose_name=_("location")
    )
    password_hash = models.CharField(max_length=200)
    encoding = models.CharField(
        _("character set"), max_length=8, choices=DeviceEncoding.choices, default="utf-8"
    )
    operations = models.JSONField(_("allowed operations"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Empty: the library's own zone. A machine set to another zone (one bought for a
    # library elsewhere, or kept in UTC) reads and writes SIP2 dates in that zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("IANA name such as Asia/Shanghai; empty for the library's time zone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["org_unit__path", "code"]
        verbose_name = _("self-service device")
        verbose_name_plural = _("self-service devices")

    def __str__(self) -> str:
        return self.code

    def may(self, operation: str) -> bool:
        return operation in self.operations
