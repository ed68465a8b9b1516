"""The national public calendar: checked files, whole-year replacement, who may load it,
and how units that observe it open and close."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wenjin.lib.errors import Forbidden, ValidationFailed
from wenjin.network import policies
from wenjin.network.calendar import calendar_load, read_calendar_csv
from wenjin.network.models import PublicCalendarDay
from wenjin.network.policies import Period, UnitSchedule

HEADER = "date,kind,name,hours_of_weekday\n"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("2026-13-01,holiday,x,", "2026-10-01"),
        ("2026-10-01,vacation,x,", "holiday"),
        ("2026-10-10,workday,x,9", "0"),
    ],
)
def test_bad_lines_are_named(line, fragment):
    with pytest.raises(ValidationFailed) as error:
        read_calendar_csv(HEADER + "2026-10-02,holiday,国庆节,\n" + line + "\n")
    assert error.value.code == "INVALID_CALENDAR"
    assert "3" in error.value.message and fragment in error.value.message


def test_a_day_twice_is_refused():
    with pytest.raises(ValidationFailed):
        read_calendar_csv(HEADER + "2026-10-01,holiday,a,\n2026-10-01,holiday,b,\n")


@pytest.mark.django_db
def test_loading_replaces_the_years_in_the_file(tree, system):
    calendar_load(actor=system, lines=read_calendar_csv(HEADER + "2026-05-01,holiday,劳动节,\n"))
    calendar_load(actor=system, lines=read_calendar_csv(HEADER + "2026-10-01,holiday,国庆节,\n"))
    assert list(PublicCalendarDay.objects.values_list("day", flat=True)) == [date(2026, 10, 1)]


@pytest.mark.django_db
def test_only_network_managers_load_it(tree, make_staff, actor_for):
    director = actor_for(make_staff("dir", "branch_director", "YX"))
    with pytest.raises(Forbidden):
        calendar_load(actor=director, lines=read_calendar_csv(HEADER + "2026-10-01,holiday,x,\n"))


@pytest.mark.django_db
def test_the_shipped_calendar_loads(tree):
    call_command("load_calendar", "--builtin", "2026")
    assert PublicCalendarDay.objects.filter(kind="workday").count() == 6
    assert PublicCalendarDay.objects.get(day=date(2026, 10, 1)).name == "国庆节"
    with pytest.raises(CommandError):
        call_command("load_calendar", "--builtin", "1999")


def test_units_that_observe_holidays_close_and_open_on_make_up_days():
    weekdays = {day: (Period(540, 1020),) for day in range(5)}
    calendar = {date(2026, 10, 1): ("holiday", 0), date(2026, 10, 10): ("workday", 4)}
    observing = UnitSchedule("open", weekly=weekdays, observes_holidays=True, calendar=calendar)
    ignoring = UnitSchedule("open", weekly=weekdays, calendar=calendar)
    assert policies.periods_on(observing, date(2026, 10, 1)) == ()  # a Thursday
    assert policies.closure_on(observing, date(2026, 10, 1)) is not None
    assert policies.periods_on(ignoring, date(2026, 10, 1)) == (Period(540, 1020),)
    assert policies.periods_on(observing, date(2026, 10, 10)) == (Period(540, 1020),)  # Saturday
    assert policies.periods_on(ignoring, date(2026, 10, 10)) == ()
