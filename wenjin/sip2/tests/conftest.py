"""Fixtures for the SIP2 conversations: the circulation fixtures (a network, a record with
copies B1–B6, readers registered with PIN 802413), reused as they are."""

from wenjin.circulation.tests.conftest import (  # noqa: F401
    add_items,
    categories,
    fresh_circulation_caches,
    items,
    make_reader,
    reader,
    record,
)
