"""Events API (a contract): list, create and read events; register, cancel and check in
readers; record attendance."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["events"])
