"""The devices page: who may see and manage devices, registering one, switching it off."""

import pytest

from wenjin.network.devices import device_create, device_login
from wenjin.network.models import Device
from wenjin.sip2.models import Sip2Transaction

pytestmark = pytest.mark.django_db


def test_directors_manage_the_devices_of_their_branch(staff_client, system, tree):
    device_create(
        actor=system,
        code="HZ-A-K1",
        name="海珠机",
        kind="self_check",
        org_code="HZ-A",
        password="secret-123",
    )
    director = staff_client("gt", "branch_director", "YX-GT")
    page = director.get("/staff/devices/")
    assert page.status_code == 200 and "HZ-A-K1" not in page.content.decode()
    made = director.post(
        "/staff/devices/",
        {
            "action": "create",
            "code": "YX-GT-K9",
            "name": "光塔新机",
            "kind": "self_check",
            "org_code": "YX-GT",
            "password": "kiosk-pass-9",
            "encoding": "gb18030",
            "operations": ["checkout", "checkin"],
        },
        follow=True,
    )
    assert "YX-GT-K9" in made.content.decode()
    device = Device.objects.get(code="YX-GT-K9")
    assert (device.encoding, device.operations) == ("gb18030", ["checkin", "checkout"])
    assert device.password_hash != "kiosk-pass-9" and device_login("YX-GT-K9", "kiosk-pass-9")
    outside = director.post(
        "/staff/devices/",
        {
            "action": "create",
            "code": "HZ-X",
            "kind": "self_check",
            "org_code": "HZ-A",
            "password": "kiosk-pass-9",
        },
        follow=True,
    )
    assert "FORBIDDEN" in outside.content.decode() and not Device.objects.filter(code="HZ-X")
    short = director.post(
        "/staff/devices/",
        {
            "action": "create",
            "code": "YX-GT-K8",
            "kind": "self_check",
            "org_code": "YX-GT",
            "password": "short",
        },
        follow=True,
    )
    assert "INVALID_DEVICE" in short.content.decode()
    director.post("/staff/devices/", {"action": "enable", "code": "YX-GT-K9", "on": "0"})
    assert device_login("YX-GT-K9", "kiosk-pass-9") is None  # switched off
    assert (
        director.post(
            "/staff/devices/", {"action": "enable", "code": "HZ-A-K1", "on": "0"}
        ).status_code
        == 404
    )
    desk = staff_client("desk", "desk_staff", "YX-GT")
    assert desk.get("/staff/devices/").status_code == 404


def test_the_page_counts_todays_transactions_and_errors(staff_client, system, tree):
    from django.utils import timezone

    device = device_create(
        actor=system,
        code="YX-GT-K1",
        name="机",
        kind="self_check",
        org_code="YX-GT",
        password="secret-123",
    )
    for outcome in ("ok", "ok", "error", "refused"):
        Sip2Transaction.objects.create(
            at=timezone.now(),
            device=device,
            org_unit=device.org_unit,
            message="11",
            outcome=outcome,
        )
    page = staff_client("admin", "network_admin", "GZ").get("/staff/devices/").content.decode()
    assert "<strong>1</strong>" in page and ">4" in page


def test_unreadable_frames_count_as_errors_and_refusals_apart(staff_client, system, tree):
    from django.utils import timezone

    device = device_create(
        actor=system,
        code="YX-GT-K7",
        name="光塔借还机",
        kind="self_check",
        org_code="YX-GT",
        password="kiosk-pass-7",
    )
    for outcome in ("ok", "refused", "checksum", "malformed", "too_long", "error"):
        Sip2Transaction.objects.create(
            at=timezone.now(),
            device=device,
            org_unit=device.org_unit,
            peer="127.0.0.1:1",
            message="11",
            outcome=outcome,
            duration_ms=3,
        )
    page = staff_client("gt", "branch_director", "YX-GT").get("/staff/devices/").content.decode()
    row = page[page.index("YX-GT-K7") :].split("</tr>")[0]
    assert "<strong>4</strong>" in row  # handler error and unreadable frames, not refusals
    assert ">6 <" in row or ">6<" in row
