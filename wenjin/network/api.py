"""REST endpoints for the network: the org-unit tree, a unit with its hours, and edits."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from wenjin.api.core import ERROR_RESPONSES, Page, paginate
from wenjin.lib.errors import ValidationFailed
from wenjin.network import policies, selectors, services
from wenjin.network.models import OrgUnit, OrgUnitKind, OrgUnitStatus, ScheduleException

router = Router(tags=["network"])

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class OrgUnitOut(Schema):
    code: str = Field(examples=["YX-GT"])
    kind: OrgUnitKind
    name: str = Field(description="Chinese name")
    name_en: str
    parent: str | None = Field(description="parent's code; null at the root")
    depth: int
    status: OrgUnitStatus
    address: str
    latitude: float | None
    longitude: float | None


class OrgUnitNode(OrgUnitOut):
    children: list[OrgUnitNode]


class WeekdayHours(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    periods: list[str] = Field(examples=[["09:00-12:00", "14:00-21:00"]])


class ScheduleExceptionOut(Schema):
    id: int
    org_code: str
    kind: str
    start_date: date
    end_date: date
    reason: str
    hours: str | None
    applies_to_subtree: bool


class PartnerOut(Schema):
    name: str
    name_en: str
    kind: str
    role: str
    since: date | None


class DirectorOut(Schema):
    display_name: str


class TodayOut(Schema):
    date: date
    periods: list[str]
    closure_reason: str


class OrgUnitDetail(OrgUnitOut):
    floor_area_m2: Decimal | None
    phone: str
    status_from: date | None
    status_until: date | None
    themed_collection: str
    observes_public_holidays: bool
    director: DirectorOut | None
    ancestors: list[str] = Field(description="codes from the root down to the parent")
    children: list[str]
    opening_hours: list[WeekdayHours]
    is_open_now: bool
    today: TodayOut
    next_opening: datetime | None = Field(description="when it next opens, if closed now")
    closures: list[ScheduleExceptionOut] = Field(
        description="closures and special hours not yet over, own and inherited"
    )
    partners: list[PartnerOut]


class OrgUnitCreateIn(Schema):
    code: str = Field(max_length=32, examples=["YX-NEW"])
    kind: OrgUnitKind
    name_zh: str = Field(max_length=100)
    parent_code: str
    name_en: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    floor_area_m2: Decimal | None = None
    phone: str = ""
    status: OrgUnitStatus = OrgUnitStatus.OPEN
    status_from: date | None = None
    status_until: date | None = None
    themed_collection: str = ""
    observes_public_holidays: bool = False
    director_username: str | None = None


class OrgUnitPatchIn(Schema):
    name_zh: str | None = Field(None, max_length=100)
    name_en: str | None = None
    kind: OrgUnitKind | None = None
    parent_code: str | None = None
    address: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    floor_area_m2: Decimal | None = None
    phone: str | None = None
    status: OrgUnitStatus | None = None
    status_from: date | None = None
    status_until: date | None = None
    themed_collection: str | None = None
    observes_public_holidays: bool | None = None
    director_username: str | None = None
    sort_order: int | None = None


class OpeningHoursIn(Schema):
    weekly: list[WeekdayHours] = Field(description="weekdays left out are closed days")


class ScheduleExceptionIn(Schema):
    kind: str = Field(pattern="^(closed|special_hours)$")
    start_date: date
    end_date: date
    reason: str = Field(max_length=200)
    hours: str | None = Field(None, description="for special hours, e.g. 10:00-16:00")
    applies_to_subtree: bool = False


class TreeQuery(Schema):
    flat: bool = Field(False, description="a flat, paged list instead of the tree")
    kind: OrgUnitKind | None = None
    under: str | None = Field(None, description="only this unit's subtree (flat lists)")
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=500)


def _tree_node(node: selectors.TreeNode, parent_codes: dict[int, str]) -> dict:
    return {
        **selectors.unit_out(node.unit, parent_codes),
        "children": [_tree_node(child, parent_codes) for child in node.children],
    }


@router.get(
    "",
    auth=None,
    response={200: Page[OrgUnitNode] | Page[OrgUnitOut], **ERROR_RESPONSES},
    summary="The network of org units, as a tree (default) or a flat paged list",
)
def list_org_units(request: HttpRequest, query: Query[TreeQuery]) -> dict:
    units = OrgUnit.objects.order_by("path")
    if query.under:
        units = selectors.descendants(selectors.get_unit(query.under), include_self=True)
    if query.kind:
        units = units.filter(kind=query.kind)
    if query.flat:
        codes = dict(OrgUnit.objects.values_list("pk", "code"))
        return paginate(units, query.page, query.page_size, lambda u: selectors.unit_out(u, codes))
    unit_list = list(units)
    codes = dict(OrgUnit.objects.values_list("pk", "code"))
    roots = selectors.unit_tree(unit_list)
    return {
        "count": len(unit_list),
        "page": 1,
        "page_size": max(len(unit_list), 1),
        "results": [_tree_node(root, codes) for root in roots],
    }


@router.get(
    "/{code}",
    auth=None,
    response={200: OrgUnitDetail, **ERROR_RESPONSES},
    summary="One unit with its opening hours, whether it is open now, closures and partners",
)
def get_org_unit(request: HttpRequest, code: str) -> dict:
    return selectors.unit_detail(selectors.get_unit(code))


@router.post("", response={201: OrgUnitDetail, **ERROR_RESPONSES}, summary="Add a unit")
def create_org_unit(request: HttpRequest, payload: OrgUnitCreateIn) -> Status:
    data = payload.model_dump()
    unit = services.org_unit_create(
        actor=request.auth,
        code=data.pop("code"),
        kind=data.pop("kind"),
        name_zh=data.pop("name_zh"),
        parent_code=data.pop("parent_code"),
        director_username=data.pop("director_username"),
        **data,
    )
    return Status(201, selectors.unit_detail(selectors.get_unit(unit.code)))


@router.patch(
    "/{code}",
    response={200: OrgUnitDetail, **ERROR_RESPONSES},
    summary="Change a unit's details; parent_code moves it with its subtree",
)
def update_org_unit(request: HttpRequest, code: str, payload: OrgUnitPatchIn) -> dict:
    changes = payload.model_dump(exclude_unset=True)
    unit = services.org_unit_update(actor=request.auth, code=code, changes=changes)
    return selectors.unit_detail(selectors.get_unit(unit.code))


@router.delete("/{code}", response={204: None, **ERROR_RESPONSES}, summary="Delete an unused unit")
def delete_org_unit(request: HttpRequest, code: str) -> HttpResponse:
    services.org_unit_delete(actor=request.auth, code=code)
    return HttpResponse(status=204)


@router.put(
    "/{code}/opening-hours",
    response={200: OrgUnitDetail, **ERROR_RESPONSES},
    summary="Replace the weekly opening hours",
)
def set_opening_hours(request: HttpRequest, code: str, payload: OpeningHoursIn) -> dict:
    hours: dict[int, list[policies.Period]] = {}
    for entry in payload.weekly:
        field = f"weekly.{entry.weekday}"
        periods = [
            p for text in entry.periods for p in policies.parse_periods(text, field_name=field)
        ]
        hours.setdefault(entry.weekday, []).extend(periods)
    unit = services.weekly_hours_set(actor=request.auth, code=code, hours=hours)
    return selectors.unit_detail(unit)


@router.post(
    "/{code}/closures",
    response={201: ScheduleExceptionOut, **ERROR_RESPONSES},
    summary="Add a closure or special hours for a date range",
)
def add_closure(request: HttpRequest, code: str, payload: ScheduleExceptionIn) -> Status:
    period = None
    if payload.hours:
        parsed = policies.parse_periods(payload.hours)
        if len(parsed) != 1:
            raise ValidationFailed(
                _("Special hours take exactly one period, like 10:00-16:00."),
                fields={"hours": payload.hours},
                code="INVALID_HOURS",
            )
        period = parsed[0]
    exception = services.schedule_exception_add(
        actor=request.auth,
        code=code,
        kind=payload.kind,
        start_date=payload.start_date,
        end_date=payload.end_date,
        reason=payload.reason,
        period=period,
        applies_to_subtree=payload.applies_to_subtree,
    )
    return Status(201, selectors.exception_out(exception))


@router.delete(
    "/{code}/closures/{exception_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Remove a closure or special hours",
)
def delete_closure(request: HttpRequest, code: str, exception_id: int) -> HttpResponse:
    exception = ScheduleException.objects.filter(pk=exception_id, org_unit__code=code).first()
    services.schedule_exception_delete(
        actor=request.auth, exception_id=exception.pk if exception else 0
    )
    return HttpResponse(status=204)
