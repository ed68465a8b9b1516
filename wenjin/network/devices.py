"""Self-service devices (SIP2 clients): registering them, their passwords, and checking a
login. Writes need the network-editing right on the device's unit."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenjin.accounts.actor import Actor
from wenjin.accounts.policies import Perm
from wenjin.accounts.services import audit_record
from wenjin.lib.errors import Conflict, ValidationFailed
from wenjin.network.models import DEVICE_OPERATIONS, Device, DeviceEncoding, DeviceKind
from wenjin.network.selectors import get_unit

MIN_PASSWORD = 8


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message}, code="INVALID_DEVICE")


def _operations(operations: Iterable[str] | None) -> list[str]:
    chosen = list(DEVICE_OPERATIONS) if operations is None else sorted(set(operations))
    unknown = set(chosen) - set(DEVICE_OPERATIONS)
    if unknown:
        raise _invalid("operations", _("Unknown operation: %(op)s.") % {"op": sorted(unknown)[0]})
    return chosen


def _time_zone(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _invalid(
            "time_zone",
            _("Unknown time zone %(name)s (use a name such as Asia/Shanghai).")
            % {"name": name[:64]},
        ) from None
    return name


def device_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    org_code: str,
    password: str,
    encoding: str = "utf-8",
    operations: Iterable[str] | None = None,
    time_zone: str = "",
) -> Device:
    """Register a device at a unit with its SIP2 login and password (stored hashed)."""
    unit = get_unit(org_code)
    actor.require(Perm.NETWORK_EDIT, unit)
    code = (code or "").strip()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_" for c in code):
        raise _invalid("code", _("A login id is 1 to 40 letters, digits, '-' or '_'."))
    if kind not in DeviceKind.values:
        raise _invalid("kind", _("Unknown kind of device."))
    if encoding not in DeviceEncoding.values:
        raise _invalid("encoding", _("The character set is UTF-8, GB18030 or cp850."))
    if len(password or "") < MIN_PASSWORD:
        raise _invalid("password", _("A device password has at least 8 characters."))
    chosen = _operations(operations)
    time_zone = _time_zone(time_zone)
    with transaction.atomic():
        if Device.objects.filter(code=code).exists():
            raise Conflict("DEVICE_EXISTS", _("A device with this login id exists."))
        device = Device.objects.create(
            code=code,
            name=(name or code).strip()[:100],
            kind=kind,
            org_unit=unit,
            password_hash=hash_device_password(password),
            encoding=encoding,
            operations=chosen,
            time_zone=time_zone,
        )
        audit_record(
            actor,
            "device.create",
            org_unit=unit,
            target=device,
            changes={"code": code, "kind": kind, "encoding": encoding, "operations": chosen},
        )
    return device


def device_set_enabled(*, actor: Actor, code: str, enabled: bool) -> Device:
    device = Device.objects.select_related("org_unit").get(code=code)
    actor.require(Perm.NETWORK_EDIT, device.org_unit)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(enabled=enabled)
        audit_record(
            actor,
            "device.enable",
            org_unit=device.org_unit,
            target=device,
            changes={"enabled": enabled},
        )
    device.enabled = enabled
    return device


class DeviceHasher(Argon2PasswordHasher):
    """argon2id at OWASP's baseline (2 passes over 19 MiB, one lane) for device passwords.

    Staff passwords use Django's heavier settings (100 MiB on 8 lanes); a kiosk logs in
    once per connection, but after a server restart a whole district's machines log in
    at once, and 16 SIP2 threads each hashing 100 MiB would stall the server for a
    minute and briefly take over a gigabyte.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


_HASHER = DeviceHasher()


def hash_device_password(password: str) -> str:
    return make_password(password, hasher=_HASHER)


@functools.cache
def _unknown_device_hash() -> str:
    # Made once: hashing afresh for every unknown login would hand a stranger a cheap
    # way to burn the server's CPU.
    return hash_device_password("unknown-device")


def device_login(login: str, password: str) -> Device | None:
    """The enabled device with this login and password, or None (the same answer for an
    unknown login, a wrong password and a disabled device)."""
    device = Device.objects.select_related("org_unit").filter(code=(login or "").strip()).first()
    # Hash anyway for an unknown login, so the answer takes as long either way.
    hashed = device.password_hash if device else _unknown_device_hash()

    def rehash(raw: str) -> None:  # an older hash with other costs: store this one
        if device is not None:
            Device.objects.filter(pk=device.pk, password_hash=hashed).update(
                password_hash=hash_device_password(raw)
            )

    matched = check_password(password or "", hashed, setter=rehash, preferred=_HASHER)
    if not matched or device is None or not device.enabled:
        return None
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return device
