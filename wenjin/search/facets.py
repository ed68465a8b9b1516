"""Turning a search's facet counts into links that narrow the current search (the staff
catalogue and the public catalogue share them)."""

from __future__ import annotations

from django.http import QueryDict

# Facet name → the search form parameter that narrows by it.
FACET_PARAMETERS = {
    "org": "org",
    "clc": "clc",
    "language": "lang",
    "type": "type",
    "children": "children",
}
FACET_LINKS = 12


def with_params(params: QueryDict, **values: object) -> str:
    """The current search's parameters with some replaced, back to page 1 unless the page
    is what changes."""
    params = params.copy()
    for name, value in values.items():
        params[name] = str(value)
    if "page" not in values:
        params.pop("page", None)
    return params.urlencode()


def without_params(params: QueryDict, *names: str) -> str:
    """The current search with some parameters removed (undoing a facet), on page 1."""
    params = params.copy()
    for name in (*names, "page"):
        params.pop(name, None)
    return params.urlencode()


def _facet_value(name: str, value: object) -> object:
    if name == "children":
        return "1" if value else "0"
    return value


def facet_links(params: QueryDict, facets: dict) -> dict[str, list[dict]]:
    """Each facet value with ``query``: the search narrowed to it."""
    links: dict[str, list[dict]] = {}
    for name, values in facets.items():
        if name == "year":
            links[name] = [
                {
                    **value,
                    "query": with_params(
                        params, year_from=value["value"], year_to=value["value"] + 9
                    ),
                }
                for value in values[:FACET_LINKS]
            ]
        elif name == "available":
            links[name] = [{**v, "query": with_params(params, available="1")} for v in values]
        elif name in FACET_PARAMETERS:
            parameter = FACET_PARAMETERS[name]
            links[name] = [
                {
                    **value,
                    "query": with_params(params, **{parameter: _facet_value(name, value["value"])}),
                }
                for value in values[:FACET_LINKS]
            ]
    return links
