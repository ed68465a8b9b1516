"""Network queries at city scale (~700 units): tree lookups, open-now for every unit, and
the org-unit API. Usage: ./run bench network"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import metric, report, setup_django, time_per_call


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wenjin.demo import builder
    from wenjin.network import selectors
    from wenjin.network.models import OrgUnit

    if builder.database_is_empty():
        builder.build(seed=1, scale="city")
    units = list(OrgUnit.objects.all())
    deepest = max(units, key=lambda unit: unit.depth)
    other = min((u for u in units if u.kind == "service_point"), key=lambda u: u.code)
    yx = OrgUnit.objects.get(code="YX")
    client = Client()

    for path in ("/api/v1/org-units/YX-GT", "/api/v1/org-units"):
        status = client.get(path).status_code
        assert status == 200, f"{path} answered {status}"
    with CaptureQueriesContext(connection) as queries:
        selectors.open_states(units)
    open_state_queries = len(queries)

    metrics = [
        metric(
            "ancestors_ms",
            1000 * time_per_call(lambda: selectors.ancestors(deepest), 200),
            "ms",
            5,
            "lower",
        ),
        metric(
            "descendants_ms",
            1000 * time_per_call(lambda: list(selectors.descendants(yx)), 200),
            "ms",
            10,
            "lower",
        ),
        metric(
            "tree_distance_us",
            1e6 * time_per_call(lambda: selectors.tree_distance(deepest, other), 2000),
            "us",
            50,
            "lower",
        ),
        metric(
            "open_now_all_units_ms",
            1000 * time_per_call(lambda: selectors.open_states(units), 10),
            "ms",
            500,
            "lower",
        ),
        metric("open_now_all_units_queries", open_state_queries, "count", 2, "lower"),
        metric(
            "api_unit_detail_ms",
            1000 * time_per_call(lambda: client.get("/api/v1/org-units/YX-GT"), 50),
            "ms",
            50,
            "lower",
        ),
        metric(
            "api_tree_ms",
            1000 * time_per_call(lambda: client.get("/api/v1/org-units"), 10),
            "ms",
            500,
            "lower",
        ),
    ]
    report("network", {"org_units": len(units), "max_depth": deepest.depth}, metrics)


if __name__ == "__main__":
    main()
