"""Build the deterministic demo network and staff (``wenjin demo-data``) and write the
demo manifest. Same seed and same day → same data; dates are relative to the build day."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import ApiToken, StaffUser
from wenjin.accounts.services import role_grant, staff_create, token_create, token_revoke
from wenjin.catalog.models import Item
from wenjin.demo.catalog_builder import build_catalog
from wenjin.demo.circulation_builder import build_circulation
from wenjin.demo.device_builder import build_devices, manifest_kiosks
from wenjin.demo.events_builder import build_events, leading_readers, manifest_registrations
from wenjin.demo.fees_builder import add_fee_free_month, build_fees
from wenjin.demo.models import DemoDataset
from wenjin.demo.network_data import (
    DISTRICT_CENTRES,
    HOURS_PATTERNS,
    OTHER_DISTRICTS,
    UnitSpec,
    yuexiu_network,
)
from wenjin.demo.patron_builder import build_patrons, manifest_patrons, register_borrowers
from wenjin.demo.stats_builder import build_stats
from wenjin.network import calendar
from wenjin.network import services as network
from wenjin.network.models import OrgUnit
from wenjin.network.policies import parse_periods

SCALES = ("small", "district", "city")
MANIFEST_TOKEN_NAME = "demo-manifest"
# Self-service libraries per district at city scale.
CITY_SELF_SERVICE_PER_DISTRICT = 12


@dataclass(frozen=True)
class StaffSpec:
    username: str
    display_name: str
    role: str
    org_code: str


STAFF = [
    StaffSpec("admin", "系统管理员", "network_admin", "GZ"),
    StaffSpec("yx_admin", "越秀区馆系统管理员", "network_admin", "YX"),
    StaffSpec("hz_admin", "海珠区馆系统管理员", "network_admin", "HZ"),
    StaffSpec("gt_director", "光塔分馆业务馆长", "branch_director", "YX-GT"),
    StaffSpec("ds_director", "东山分馆业务馆长", "branch_director", "YX-DS"),
    StaffSpec("gt_desk", "光塔分馆流通馆员", "desk_staff", "YX-GT"),
    StaffSpec("ds_desk", "东山分馆流通馆员", "desk_staff", "YX-DS"),
    StaffSpec("yx_desk", "总馆流通馆员", "desk_staff", "YX"),
    StaffSpec("yx_cataloguer", "编目馆员", "cataloguer", "YX"),
    StaffSpec("yx_events", "活动策划", "events_organiser", "YX"),
    StaffSpec("yx_stats", "统计员", "statistician", "YX"),
]
DIRECTED_UNITS = {"gt_director": "YX-GT", "ds_director": "YX-DS"}


class DemoDataError(Exception):
    """The database already holds data, or the arguments are wrong."""


def staff_password(seed: int, username: str) -> str:
    """A demo password derived from the seed, so the manifest can be rebuilt later."""
    rng = random.Random(f"{seed}:{username}")
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "wj-" + "".join(rng.choice(alphabet) for _ in range(12))


def _hours(pattern: str) -> dict:
    return {day: parse_periods(text) for day, text in HOURS_PATTERNS[pattern].items()}


def _coordinates(rng: random.Random, centre_code: str) -> tuple[Decimal, Decimal]:
    latitude, longitude = DISTRICT_CENTRES[centre_code]
    return (
        Decimal(str(round(latitude + rng.uniform(-0.02, 0.02), 6))),
        Decimal(str(round(longitude + rng.uniform(-0.02, 0.02), 6))),
    )


def _city_units(rng: random.Random) -> list[UnitSpec]:
    units = []
    for code, name, pinyin, branches, points in OTHER_DISTRICTS:
        units.append(
            UnitSpec(
                code,
                "district_main",
                f"{name}区图书馆",
                f"{pinyin} District Library",
                "GZ",
                f"广州市{name}区",
                "district",
            )
        )
        for number in range(1, branches + 1):
            units.append(
                UnitSpec(
                    f"{code}-B{number:02d}",
                    "branch",
                    f"{name}区图书馆第{number}分馆",
                    f"{pinyin} Branch {number}",
                    code,
                    f"广州市{name}区",
                    rng.choice(["branch", "branch_mon"]),
                )
            )
        for number in range(1, points + 1):
            parent = f"{code}-B{rng.randint(1, branches):02d}"
            units.append(
                UnitSpec(
                    f"{parent}-P{number:02d}",
                    "service_point",
                    f"{name}区第{number}服务点",
                    f"{pinyin} Service Point {number}",
                    parent,
                    f"广州市{name}区",
                    "service_point",
                )
            )
        for number in range(1, CITY_SELF_SERVICE_PER_DISTRICT + 1):
            parent = f"{code}-B{rng.randint(1, branches):02d}"
            units.append(
                UnitSpec(
                    f"{parent}-S{number:02d}",
                    "self_service_library",
                    f"{name}区24小时自助图书馆{number}号",
                    f"{pinyin} 24-hour Library {number}",
                    parent,
                    f"广州市{name}区",
                    "always",
                )
            )
    return units


def database_is_empty() -> bool:
    return not OrgUnit.objects.exists()


def build(
    *, seed: int = 1, scale: str = "small", today: date | None = None, catalog: str = "full"
) -> DemoDataset:
    """Build the demo data into an empty database, in one transaction. ``catalog`` sets
    the size of the demo catalogue: full, tiny (quick, for tests) or none."""
    if scale not in SCALES:
        raise DemoDataError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if not database_is_empty():
        raise DemoDataError("the database already holds a network; demo data needs an empty one")
    today = today or timezone.localdate()
    rng = random.Random(seed)
    actor = Actor.system("demo")
    specs = yuexiu_network()
    if scale == "city":
        specs += _city_units(rng)
    with transaction.atomic():
        for spec in specs:
            _create_unit(actor, spec, rng)
        _add_calendar(actor, today)
        _add_staff(actor, seed)
        build_devices(actor, seed)
        build_catalog(actor, rng, catalog)
        build_patrons(actor, random.Random(f"{seed}:patrons"), seed, today)
        borrowers = register_borrowers(actor, random.Random(f"{seed}:borrowers"), seed, today)
        add_fee_free_month()
        build_circulation(actor, random.Random(f"{seed}:loans"), today, borrowers, catalog)
        build_fees(actor, random.Random(f"{seed}:fees"), today, borrowers)
        leading = leading_readers(manifest_patrons(seed))
        build_events(actor, random.Random(f"{seed}:events"), today, leading)
        # Last: the rollups sum up the circulation and events built above.
        build_stats(random.Random(f"{seed}:stats"), today)
        dataset = DemoDataset.objects.create(seed=seed, scale=scale, built_on=today)
    return dataset


def _create_unit(actor: Actor, spec: UnitSpec, rng: random.Random) -> None:
    centre = spec.code.split("-")[0]
    latitude, longitude = _coordinates(rng, centre if centre in DISTRICT_CENTRES else "GZ")
    area = {
        "city_center": 98000,
        "district_main": 6500,
        "branch": rng.randint(300, 1200),
        "special_branch": rng.randint(200, 800),
        "children_library": 2200,
        "service_point": rng.randint(60, 200),
        "self_service_library": rng.randint(20, 60),
        "lending_atm": 2,
    }[spec.kind]
    network.org_unit_create(
        actor=actor,
        code=spec.code,
        kind=spec.kind,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        parent_code=spec.parent,
        address=spec.address,
        latitude=latitude,
        longitude=longitude,
        floor_area_m2=Decimal(area),
        phone=f"020-{rng.randint(8000_0000, 8999_9999)}" if spec.kind != "lending_atm" else "",
        themed_collection=spec.themed_collection,
        sort_order=0,
    )
    network.weekly_hours_set(actor=actor, code=spec.code, hours=_hours(spec.hours))
    if spec.partner:
        name, kind, role = spec.partner
        network.partnership_add(
            actor=actor, code=spec.code, partner_name_zh=name, partner_kind=kind, role=role
        )


def _add_calendar(actor: Actor, today: date) -> None:
    for year in (today.year - 1, today.year):
        shipped = calendar.BUILTIN_DIR / f"public_calendar_cn_{year}.csv"
        if shipped.is_file():
            lines = calendar.read_calendar_csv(shipped.read_text(encoding="utf-8"))
            calendar.calendar_load(actor=actor, lines=lines)
    last_year = today.year - 1
    network.schedule_exception_add(
        actor=actor,
        code="YX",
        kind="closed",
        start_date=date(last_year, 7, 10),
        end_date=date(last_year, 9, 17),
        reason="总馆闭馆改造",
    )
    # A branch under renovation right now, reopening in three weeks.
    network.org_unit_update(
        actor=actor,
        code="YX-HQ",
        changes={
            "status": "temporarily_closed",
            "status_from": today - timedelta(days=10),
            "status_until": today + timedelta(days=20),
        },
    )
    network.schedule_exception_add(
        actor=actor,
        code="YX",
        kind="special_hours",
        start_date=date(today.year, 12, 31),
        end_date=date(today.year, 12, 31),
        reason="跨年夜提前闭馆",
        period=parse_periods("09:00-17:00")[0],
        applies_to_subtree=True,
    )


def _add_staff(actor: Actor, seed: int) -> None:
    for spec in STAFF:
        user = staff_create(
            actor=actor,
            username=spec.username,
            password=staff_password(seed, spec.username),
            home_org_code=spec.org_code,
            display_name=spec.display_name,
            check_password=False,
        )
        role_grant(actor=actor, user=user, role=spec.role, org_code=spec.org_code)
    for username, code in DIRECTED_UNITS.items():
        network.org_unit_update(actor=actor, code=code, changes={"director_username": username})


def manifest(*, base_url: str, sip2_host: str, sip2_port: int) -> dict[str, Any]:
    """Issue a fresh network-admin API token and describe the demo for outside drivers.

    Tokens from earlier manifests are revoked, so only the newest manifest's token works.
    """
    dataset = DemoDataset.objects.order_by("-pk").first()
    if dataset is None:
        raise DemoDataError("no demo data in this database; run wenjin demo-data first")
    actor = Actor.system("demo")
    admin = StaffUser.objects.get(username="admin")
    with transaction.atomic():
        for old in ApiToken.objects.filter(
            user=admin, name=MANIFEST_TOKEN_NAME, revoked_at__isnull=True
        ):
            token_revoke(actor=actor, token_id=old.pk)
        _token, raw_token = token_create(actor=actor, user=admin, name=MANIFEST_TOKEN_NAME)
    units = OrgUnit.objects.select_related("parent").order_by("path")
    return {
        "base_url": base_url,
        "sip2": {"host": sip2_host, "port": sip2_port},
        "api_token": raw_token,
        "staff": [
            {
                "username": spec.username,
                "password": staff_password(dataset.seed, spec.username),
                "role": spec.role,
                "org_code": spec.org_code,
            }
            for spec in STAFF
        ],
        "org_units": [
            {
                "code": unit.code,
                "name": unit.name_zh,
                "kind": unit.kind,
                "parent": unit.parent.code if unit.parent else None,
            }
            for unit in units
        ],
        "kiosks": manifest_kiosks(dataset.seed),
        "patrons": manifest_registrations(manifest_patrons(dataset.seed)),
        "items": [
            {
                "barcode": barcode,
                "record_id": record_id,
                "title": title,
                "owning_org": owning_org,
                "category": category,
                "in_network_scheme": in_scheme,
            }
            for barcode, record_id, title, owning_org, category, in_scheme in Item.objects.order_by(
                "pk"
            ).values_list(
                "barcode",
                "record_id",
                "record__title",
                "owning_org__code",
                "material_type",
                "in_network_scheme",
            )
        ],
    }


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    """Write the manifest atomically (readers never see half a file), private to the owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(path)


def default_manifest_location() -> tuple[str, str, int]:
    port = settings.WENJIN_HTTP_PORT
    return f"http://127.0.0.1:{port}", "127.0.0.1", settings.WENJIN_SIP2_PORT
