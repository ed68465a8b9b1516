"""Demo data: the promised network, determinism, and the manifest."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from wenjin.accounts.models import ApiToken, RoleGrant, StaffUser
from wenjin.catalog.models import Item, Location, Record, RecordIsbn
from wenjin.circulation.models import Loan
from wenjin.demo import builder
from wenjin.events.models import Event, Registration
from wenjin.network import selectors
from wenjin.network.models import OrgUnit, Partnership, ScheduleException, WeeklyHours
from wenjin.patrons.models import (
    Card,
    CardEvent,
    CardNumberCounter,
    CategoryChange,
    Family,
    Patron,
)
from wenjin.patrons.services import pin_matches

pytestmark = pytest.mark.django_db

STREET_BRANCHES = [
    "BJ",
    "RM",
    "DS",
    "NL",
    "MHC",
    "HHG",
    "HL",
    "JS",
    "DT",
    "ZG",
    "DD",
    "BY",
    "DF",
    "KQ",
    "HQ",
    "LR",
    "LH",
    "GT",
]


def snapshot() -> dict:
    """Everything the demo builds, without database keys or timestamps."""
    return {
        "units": list(
            OrgUnit.objects.order_by("code").values_list(
                "code",
                "kind",
                "name_zh",
                "name_en",
                "parent__code",
                "depth",
                "address",
                "latitude",
                "longitude",
                "floor_area_m2",
                "phone",
                "status",
                "status_from",
                "status_until",
                "themed_collection",
                "director__username",
            )
        ),
        "hours": sorted(
            WeeklyHours.objects.values_list(
                "org_unit__code", "weekday", "opens_minute", "closes_minute"
            )
        ),
        "exceptions": sorted(
            ScheduleException.objects.values_list(
                "org_unit__code", "kind", "start_date", "end_date", "reason", "applies_to_subtree"
            )
        ),
        "partners": sorted(
            Partnership.objects.values_list("org_unit__code", "partner__name_zh", "role")
        ),
        "staff": sorted(
            StaffUser.objects.values_list("username", "display_name", "home_org__code")
        ),
        "roles": sorted(RoleGrant.objects.values_list("user__username", "role", "org_unit__code")),
        "records": sorted(
            Record.objects.values_list("control_number", "title", "clc", "marc_digest")
        ),
        "items": sorted(
            Item.objects.values_list(
                "barcode",
                "record__control_number",
                "owning_org__code",
                "location__code",
                "call_number",
                "material_type",
                "in_network_scheme",
                "price",
            )
        ),
        "locations": sorted(
            Location.objects.values_list("org_unit__code", "code", "name", "call_number_from", "x")
        ),
        "patrons": sorted(
            Card.objects.values_list(
                "barcode",
                "status",
                "expires_on",
                "patron__name",
                "patron__category__code",
                "patron__home_org__code",
                "patron__identity_masked",
            )
        ),
        "loans": sorted(
            Loan.objects.values_list(
                "item__barcode", "checkout_org__code", "due_date", "returned_at", "renewals"
            )
        ),
        "events": list(
            Event.objects.order_by("starts_at", "org_unit__code", "title").values_list(
                "kind",
                "title",
                "org_unit__code",
                "venue__name",
                "series__name",
                "starts_at",
                "ends_at",
                "status",
                "capacity",
                "seats_taken",
                "waitlisted",
                "attendance",
            )
        ),
        "registrations": list(
            Registration.objects.order_by("registered_at", "ticket").values_list(
                "event__title",
                "event__starts_at",
                "patron__cards__barcode",
                "status",
                "registered_at",
                "checked_in_at",
                "walk_in",
                "no_show",
                "ticket",
            )
        ),
    }


def wipe() -> None:
    from wenjin.accounts.models import AuditEntry
    from wenjin.circulation.models import (
        DailyRun,
        Fee,
        FeeFreePeriod,
        Hold,
        LendingVisit,
        LoanFact,
        Payment,
        Transit,
    )
    from wenjin.demo.models import DemoDataset
    from wenjin.events.models import AttendanceCount, EventSeries, Venue
    from wenjin.network.models import Device
    from wenjin.notices.models import Notice, ReaderContact
    from wenjin.patrons.models import CreditEvent
    from wenjin.sip2.models import Sip2Transaction

    for model in (
        AttendanceCount,
        Registration,
        Event,
        EventSeries,
        Venue,
        Sip2Transaction,
        Device,
        Notice,
        ReaderContact,
        CreditEvent,
        Payment,
        Fee,
        FeeFreePeriod,
        DailyRun,
        Hold,
        LendingVisit,
        LoanFact,
        Transit,
        Loan,
        AuditEntry,
        CardEvent,
        CategoryChange,
        Card,
        CardNumberCounter,
    ):
        model.objects.all().delete()
    Patron.objects.update(guardian=None)
    Patron.objects.all().delete()
    Family.objects.all().delete()
    for model in (
        ApiToken,
        RoleGrant,
        DemoDataset,
        Partnership,
        ScheduleException,
        WeeklyHours,
        Item,
        RecordIsbn,
        Record,
    ):
        model.objects.all().delete()
    while Location.objects.exists():  # leaves first: parents are protected
        Location.objects.filter(children__isnull=True).delete()
    OrgUnit.objects.update(director=None)
    StaffUser.objects.all().delete()
    for unit in OrgUnit.objects.order_by("-depth"):
        unit.delete()


def test_small_network_has_every_promised_unit():
    builder.build(seed=1, catalog="none")
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    assert units["GZ"].kind == "city_center" and units["GZ"].parent is None
    assert units["YX"].kind == "district_main" and units["YX"].parent.code == "GZ"
    for suffix in STREET_BRANCHES:
        assert units[f"YX-{suffix}"].parent.code == "YX"
    assert units["YX-GT"].kind == "special_branch" and "英语" in units["YX-GT"].themed_collection
    assert units["YX-KQ"].partnerships.get().partner.kind == "school"
    assert units["YX-GT"].partnerships.get().partner.kind == "company"
    assert units["YX-SY"].partnerships.get().partner.kind == "bookshop"
    assert units["YX-SE"].kind == "children_library"
    service_points = {u.code for u in units.values() if u.kind == "service_point"}
    assert service_points == {"YX-BJ-DA", "YX-DD-DHXC", "YX-BY-YSSS"}
    assert {u.parent.code for u in units.values() if u.kind == "self_service_library"} == {
        "YX-DT",
        "YX-GT",
    }
    atms = [u for u in units.values() if u.kind == "lending_atm"]
    assert len(atms) == 4 and {u.parent.code for u in atms} == {"YX-NL"}
    assert units["HZ"].parent.code == "GZ"
    assert sorted(u.code for u in units.values() if u.parent and u.parent.code == "HZ") == [
        "HZ-JNZ",
        "HZ-NHX",
    ]
    assert units["YX-GT"].director.username == "gt_director"


def test_yuexiu_renovation_last_year_and_open_today():
    today = timezone.localdate()
    builder.build(seed=1, catalog="none")
    yx = OrgUnit.objects.get(code="YX")
    closure = ScheduleException.objects.get(org_unit=yx, kind="closed")
    assert (closure.start_date, closure.end_date) == (
        date(today.year - 1, 7, 10),
        date(today.year - 1, 9, 17),
    )
    assert selectors.next_open_day(yx, today) == today
    assert selectors.next_open_day(yx, date(today.year - 1, 8, 1)) == date(today.year - 1, 9, 18)
    hongqiao = OrgUnit.objects.get(code="YX-HQ")
    assert hongqiao.status == "temporarily_closed"
    # open again on the first day after the works on which it has opening hours (the day
    # after may be its weekly closed day)
    reopens = selectors.next_open_day(hongqiao, today)
    assert hongqiao.status_until < reopens <= hongqiao.status_until + timedelta(days=7)
    assert reopens.weekday() in {hours.weekday for hours in hongqiao.weekly_hours.all()}
    for day in range(1, (reopens - hongqiao.status_until).days):
        closed = hongqiao.status_until + timedelta(days=day)
        assert closed.weekday() not in {hours.weekday for hours in hongqiao.weekly_hours.all()}


def test_staff_cover_every_role_with_an_admin():
    builder.build(seed=1, catalog="none")
    roles = set(RoleGrant.objects.values_list("role", flat=True))
    assert roles == {
        "network_admin",
        "branch_director",
        "desk_staff",
        "cataloguer",
        "events_organiser",
        "statistician",
    }
    assert RoleGrant.objects.filter(
        user__username="admin", role="network_admin", org_unit__code="GZ"
    ).exists()
    admin = StaffUser.objects.get(username="admin")
    assert admin.check_password(builder.staff_password(1, "admin"))


def test_same_seed_same_data_other_seed_other_data():
    builder.build(seed=7, catalog="tiny")
    first = snapshot()
    wipe()
    builder.build(seed=7, catalog="tiny")
    assert snapshot() == first
    wipe()
    builder.build(seed=8, catalog="tiny")
    assert snapshot()["units"] != first["units"]
    assert builder.staff_password(7, "admin") != builder.staff_password(8, "admin")


def test_building_twice_is_refused_and_bad_scale_too():
    builder.build(seed=1, catalog="none")
    with pytest.raises(builder.DemoDataError):
        builder.build(seed=1, catalog="none")
    with pytest.raises(CommandError):
        call_command("demo_data")
    call_command("demo_data", "--if-empty")  # keeps the data
    assert OrgUnit.objects.filter(code="YX").count() == 1


def test_city_scale_reaches_about_700_lending_points():
    builder.build(seed=1, scale="city", catalog="none")
    lending = OrgUnit.objects.exclude(kind__in=["city_center", "lending_atm"]).count()
    assert 600 <= lending <= 800
    assert OrgUnit.objects.filter(kind="district_main").count() == 11


def test_manifest_shape_and_fresh_working_token(tmp_path):
    path = tmp_path / "demo-manifest.json"
    call_command("demo_data", "--seed", "3", "--catalog", "tiny", "--manifest", str(path))
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert set(manifest) == {
        "base_url",
        "sip2",
        "api_token",
        "staff",
        "org_units",
        "kiosks",
        "patrons",
        "items",
    }
    assert manifest["base_url"].startswith("http://127.0.0.1:")
    assert set(manifest["sip2"]) == {"host", "port"} and isinstance(manifest["sip2"]["port"], int)
    kiosks = {kiosk["login"]: kiosk for kiosk in manifest["kiosks"]}
    assert kiosks["YX-SORTER"]["kind"] == "sorter"
    assert kiosks["YX-SORTER"]["operations"] == ["checkin", "item"]
    kinds = {kiosk["kind"] for kiosk in kiosks.values()}
    assert {"self_check", "self_service_library", "lending_atm", "sorter"} <= kinds
    from wenjin.network.devices import device_login

    some = next(k for k in kiosks.values() if k["kind"] == "self_check")
    assert device_login(some["login"], some["password"]).org_unit.code == some["org_code"]
    patrons = manifest["patrons"]
    categories = [
        "child",
        "teen",
        "adult",
        "family",
        "temporary",
        "concession",
        "visually_impaired",
    ]
    for category in categories:
        entries = [p for p in patrons if p["category"] == category]
        # at least four readers in good standing, listed before any others
        assert [p["good_standing"] for p in entries[:4]] == [True] * 4, category
        flags = [p["good_standing"] for p in entries]
        assert flags == sorted(flags, reverse=True), category
    assert {p["status"] for p in patrons} >= {"active", "expired"}
    for entry in patrons[:10] + patrons[-3:]:
        card = Card.objects.select_related("patron").get(barcode=entry["barcode"])
        assert pin_matches(card.patron, entry["pin"])
    assert Family.objects.count() == 3
    assert all(f.members.count() == 3 for f in Family.objects.all())
    assert len(manifest["items"]) == Item.objects.count() > 100
    for item in manifest["items"][:50]:
        assert set(item) == {
            "barcode",
            "record_id",
            "title",
            "owning_org",
            "category",
            "in_network_scheme",
        }
        assert Item.objects.get(barcode=item["barcode"]).record_id == item["record_id"]
    for staff in manifest["staff"]:
        assert set(staff) == {"username", "password", "role", "org_code"}
        assert StaffUser.objects.get(username=staff["username"]).check_password(staff["password"])
    units = {unit["code"]: unit for unit in manifest["org_units"]}
    assert units["GZ"] == {
        "code": "GZ",
        "name": "广州图书馆",
        "kind": "city_center",
        "parent": None,
    }
    assert units["YX-GT"]["parent"] == "YX" and units["YX-GT"]["name"] == "越秀区图书馆光塔街分馆"
    client = Client(HTTP_AUTHORIZATION=f"Bearer {manifest['api_token']}")
    me = client.get("/api/v1/me").json()
    assert me["roles"] == [{"role": "network_admin", "org_code": "GZ"}]
    # Every start issues a new token and retires the old one.
    call_command("demo_data", "--if-empty", "--manifest", str(path))
    newer = json.loads(path.read_text(encoding="utf-8"))
    assert newer["api_token"] != manifest["api_token"]
    assert client.get("/api/v1/me").status_code == 401
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {newer['api_token']}").get("/api/v1/me").status_code
        == 200
    )
    assert newer["staff"] == manifest["staff"]


def test_demo_catalogue_spreads_copies_like_a_district_library():
    builder.build(seed=2, catalog="tiny")
    assert Record.objects.filter(marc_format="marc21").count() == 63  # every 40th of 2,500
    assert Record.objects.filter(marc_format="cnmarc").count() == 120
    assert Record.objects.exclude(title_romanized="").exists()  # LC records with 880 Chinese
    english = Item.objects.exclude(language__in=["chi", ""])
    assert english.filter(owning_org__code="YX-GT").count() > english.count() / 2
    assert not english.filter(in_network_scheme=True).exists()  # foreign-language stays home
    children = Item.objects.filter(is_children=True)
    assert children.filter(owning_org__code__in=["YX-SE", "YX-KQ"]).count() > children.count() / 2
    placed = Item.objects.filter(location__isnull=False).select_related("location")
    assert placed.count() > Item.objects.count() * 0.8
    assert all(item.location.org_unit_id == item.owning_org_id for item in placed)
    floor_plan = Location.objects.filter(org_unit__code="YX", kind="shelf").exclude(x=None)
    assert (
        floor_plan.exists() and Location.objects.filter(org_unit__code="YX", kind="layer").exists()
    )


def test_a_year_of_circulation_with_overdue_loans_and_transits(tmp_path):
    from wenjin.circulation.models import Hold, LoanFact, Transit

    path = tmp_path / "demo-manifest.json"
    call_command("demo_data", "--seed", "5", "--catalog", "tiny", "--manifest", str(path))
    today = timezone.localdate()
    first = Loan.objects.order_by("checked_out_at").first()
    assert (today - timezone.localdate(first.checked_out_at)).days > 300
    assert Loan.objects.filter(returned_at__isnull=True, due_date__lt=today).exists()
    assert LoanFact.objects.count() == Loan.objects.filter(returned_at__isnull=False).count() > 20
    assert Transit.objects.exists()
    statuses = set(Hold.objects.values_list("status", flat=True))
    assert {"waiting", "ready", "in_transit"} <= statuses, statuses
    manifest = json.loads(path.read_text(encoding="utf-8"))
    borrowing = set(
        Loan.objects.filter(returned_at__isnull=True).values_list("card__barcode", flat=True)
    )
    by_category: dict[str, list[dict]] = {}
    for entry in manifest["patrons"]:
        by_category.setdefault(entry["category"], []).append(entry)
    # Readers who keep their history have a year of returned loans for the reader portal.
    assert any(entry["keeps_history"] for entry in manifest["patrons"])
    kept = Loan.objects.filter(patron__keeps_history=True, returned_at__isnull=False)
    assert kept.count() > 20
    assert not Loan.objects.filter(patron__keeps_history=False, returned_at__isnull=False).exists()
    for category, entries in by_category.items():
        leading = entries[:4]
        assert all(e["good_standing"] for e in leading), category
        assert not {e["barcode"] for e in leading} & borrowing, category
