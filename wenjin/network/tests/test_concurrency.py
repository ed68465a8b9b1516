"""Concurrent edits of the network: hours saved at once never overlap; an edit racing a
move of an ancestor never leaves a stale path. Real threads, on SQLite and PostgreSQL."""

import threading

import pytest
from django.db import connection

from wenjin.network import services
from wenjin.network.models import OrgUnit, WeeklyHours
from wenjin.network.policies import parse_periods, path_ids

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs):
    errors = []
    barrier = threading.Barrier(len(jobs))

    def wrap(job):
        try:
            barrier.wait()
            job()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_hours_edits_never_overlap(tree, system):
    def setter(text):
        return lambda: [
            services.weekly_hours_set(actor=system, code="YX-DS", hours={0: parse_periods(text)})
            for _ in range(5)
        ]

    errors = run_together(setter("09:00-12:00"), setter("10:00-20:00"), setter("08:00-09:30"))
    assert errors == []
    monday = list(WeeklyHours.objects.filter(org_unit__code="YX-DS", weekday=0))
    assert len(monday) == 1  # one whole save won; no mix of two


def test_edit_racing_a_move_keeps_paths_consistent(tree, system):
    def edits():
        for number in range(10):
            services.org_unit_update(actor=system, code="YX-GT-SP", changes={"phone": str(number)})

    def moves():
        for target in ("HZ", "YX", "HZ", "YX", "HZ"):
            services.org_unit_update(actor=system, code="YX-GT", changes={"parent_code": target})

    assert run_together(edits, moves) == []
    for unit in OrgUnit.objects.select_related("parent"):
        expected = [*path_ids(unit.parent.path), unit.pk] if unit.parent else [unit.pk]
        assert path_ids(unit.path) == expected, unit.code
        assert unit.depth == len(expected) - 1
