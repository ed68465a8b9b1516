"""Demo self-service devices: a self-check kiosk at every branch and special branch, one
at each 24-hour self-service library and lending ATM, and a return sorter at the district
library YX. Their SIP2 passwords come from the seed, so the manifest can list them."""

from __future__ import annotations

import random
from typing import Any

from wenjin.accounts.actor import Actor
from wenjin.network.devices import device_create
from wenjin.network.models import DEVICE_OPERATIONS, Device, OrgUnit

KIOSK_UNIT_KINDS = {
    "district_main": "self_check",
    "branch": "self_check",
    "special_branch": "self_check",
    "children_library": "self_check",
    "self_service_library": "self_service_library",
    "lending_atm": "lending_atm",
}
SORTER_AT = "YX"
SORTER_OPERATIONS = ("checkin", "item")


def device_password(seed: int, code: str) -> str:
    rng = random.Random(f"{seed}:device:{code}")
    return "sip-" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))


def build_devices(actor: Actor, seed: int) -> int:
    made = 0
    for unit in OrgUnit.objects.filter(kind__in=KIOSK_UNIT_KINDS).order_by("path"):
        code = f"{unit.code}-K1"
        device_create(
            actor=actor,
            code=code,
            name=f"{unit.name_zh}自助借还机",
            kind=KIOSK_UNIT_KINDS[unit.kind],
            org_code=unit.code,
            password=device_password(seed, code),
            operations=DEVICE_OPERATIONS,
        )
        made += 1
    if OrgUnit.objects.filter(code=SORTER_AT).exists():
        code = f"{SORTER_AT}-SORTER"
        device_create(
            actor=actor,
            code=code,
            name="区总馆自动分拣机",
            kind="sorter",
            org_code=SORTER_AT,
            password=device_password(seed, code),
            operations=SORTER_OPERATIONS,
        )
        made += 1
    return made


def manifest_kiosks(seed: int) -> list[dict[str, Any]]:
    return [
        {
            "login": device.code,
            "password": device_password(seed, device.code),
            "kind": device.kind,
            "org_code": device.org_unit.code,
            "encoding": device.encoding,
            "operations": device.operations,
        }
        for device in Device.objects.select_related("org_unit").order_by("org_unit__path", "code")
    ]
