"""Checksum-correct resident ID numbers for tests (region 440104: 越秀区, 广州)."""

from datetime import date

from wenjin.patrons.policies import resident_id_check_character


def resident_id(born: date, serial: int = 1, region: str = "440104") -> str:
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_character(first17)
