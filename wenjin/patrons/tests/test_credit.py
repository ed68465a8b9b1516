"""Credit borrowing with a database: the ledger and the score on the reader, idempotent
facts, lost and found, concurrent returns, the providers, staff adjustments, the API and
the reader page."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from wenjin.accounts.models import AuditEntry
from wenjin.lib.errors import DomainError, Forbidden, ValidationFailed
from wenjin.patrons import selectors, services
from wenjin.patrons.credit_providers import ExternalFileProvider
from wenjin.patrons.models import CreditEvent, CreditSettings, Patron
from wenjin.patrons.tests.ids import resident_id
from wenjin.tests.concurrency import run_together

DAY = date(2026, 3, 1)
_serials = itertools.count(1)


@pytest.fixture
def reader(tree, system):
    """``reader()`` → a new adult reader (Patron) homed at YX-GT."""

    def make() -> Patron:
        serial = next(_serials)
        return services.register(
            actor=system,
            name=f"读者{serial}",
            identity_type="resident_id",
            identity_number=resident_id(date(1980, 1, 1), serial),
            phone="13812345678",
            home_org_code="YX-GT",
        ).patron

    return make


def score_of(patron: Patron) -> int:
    return Patron.objects.get(pk=patron.pk).credit_score


def ledger_agrees(patron: Patron, start: int = 100) -> bool:
    """Each row starts from the score the row before left (nobody read a stale total), and
    the reader's running total is where the last row ended."""
    score = start
    for event in CreditEvent.objects.filter(patron=patron).order_by("pk"):
        if event.score_after != score + event.change:
            return False
        score = event.score_after
    return score_of(patron) == score


# --- The ledger ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_reader_starts_at_the_configured_score(reader):
    assert score_of(reader()) == 100
    CreditSettings.objects.create(pk=1, starting_score=80)
    assert score_of(reader()) == 80


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overdue_days", "change", "reason"),
    [
        (0, 1, "on_time_return"),
        (5, -2, "overdue_return"),
        (10, -5, "overdue_return"),
        (45, -10, "overdue_return"),
    ],
)
def test_returns_move_the_score(reader, overdue_days, change, reason):
    patron = reader()
    event = services.credit_note_return(
        patron_id=patron.pk, loan_id=7, overdue_days=overdue_days, on=DAY
    )
    assert event is not None
    assert (event.change, event.score_after, event.reason, event.on) == (
        change,
        100 + change,
        reason,
        DAY,
    )
    assert score_of(patron) == 100 + change
    assert bool(event.note) == bool(overdue_days)  # a late return says how late


@pytest.mark.django_db
def test_on_time_returns_stop_at_the_maximum(reader):
    patron = reader()
    CreditSettings.objects.create(pk=1, max_score=101)
    first = services.credit_note_return(patron_id=patron.pk, loan_id=1, overdue_days=0, on=DAY)
    second = services.credit_note_return(patron_id=patron.pk, loan_id=2, overdue_days=0, on=DAY)
    assert (first.change, second.change) == (1, 0)  # recorded, but worth nothing more
    assert score_of(patron) == 101


@pytest.mark.django_db
def test_the_same_return_counts_once(reader):
    patron = reader()
    assert services.credit_note_return(patron_id=patron.pk, loan_id=9, overdue_days=0, on=DAY)
    assert (
        services.credit_note_return(patron_id=patron.pk, loan_id=9, overdue_days=3, on=DAY) is None
    )
    assert CreditEvent.objects.filter(patron=patron).count() == 1
    assert score_of(patron) == 101


@pytest.mark.django_db
def test_a_duplicate_does_not_spoil_the_callers_transaction(reader):
    patron = reader()
    with transaction.atomic():  # like checkin: the caller's own transaction
        services.credit_note_return(patron_id=patron.pk, loan_id=3, overdue_days=0, on=DAY)
        again = services.credit_note_return(patron_id=patron.pk, loan_id=3, overdue_days=0, on=DAY)
        # the caller goes on writing after the duplicate (PostgreSQL would refuse this
        # if the failed insert had aborted the transaction)
        services.credit_note_return(patron_id=patron.pk, loan_id=4, overdue_days=2, on=DAY)
    assert again is None
    assert CreditEvent.objects.filter(patron=patron).count() == 2
    assert score_of(patron) == 99 and ledger_agrees(patron)


@pytest.mark.django_db
def test_a_failing_caller_rolls_the_credit_back_too(reader):
    patron = reader()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.credit_note_return(patron_id=patron.pk, loan_id=5, overdue_days=0, on=DAY)
        raise RuntimeError("checkin failed later")
    assert not CreditEvent.objects.exists() and score_of(patron) == 100


@pytest.mark.django_db
def test_unknown_reader_and_bad_days(reader):
    with pytest.raises(DomainError) as error:
        services.credit_note_return(patron_id=999999, loan_id=1, overdue_days=0, on=DAY)
    assert error.value.code == "PATRON_NOT_FOUND"
    with pytest.raises(ValueError):
        services.credit_note_return(patron_id=reader().pk, loan_id=1, overdue_days=-1, on=DAY)
    assert not CreditEvent.objects.exists()


@pytest.mark.django_db
def test_lost_then_found_reverses_once(reader):
    patron = reader()
    lost = services.credit_note_lost(patron_id=patron.pk, item_id=5, on=DAY)
    assert (lost.change, lost.reason, lost.source_key) == (-20, "lost", "item:5:lost:2026-03-01")
    assert services.credit_note_lost(patron_id=patron.pk, item_id=5, on=DAY) is None
    assert score_of(patron) == 80
    found = services.credit_note_found(patron_id=patron.pk, item_id=5, on=date(2026, 3, 9))
    assert (found.change, found.reason, found.reverses_id) == (20, "found_after_lost", lost.pk)
    assert score_of(patron) == 100
    assert services.credit_note_found(patron_id=patron.pk, item_id=5, on=DAY) is None
    assert services.credit_note_found(patron_id=patron.pk, item_id=6, on=DAY) is None
    assert score_of(patron) == 100
    # lost again another day, found again: that loss is reversed in turn
    services.credit_note_lost(patron_id=patron.pk, item_id=5, on=date(2026, 4, 1))
    services.credit_note_found(patron_id=patron.pk, item_id=5, on=date(2026, 4, 2))
    assert score_of(patron) == 100 and ledger_agrees(patron)
    assert CreditEvent.objects.filter(reason="found_after_lost").count() == 2


@pytest.mark.django_db
def test_found_gives_back_what_the_loss_actually_took(reader):
    patron = reader()
    CreditSettings.objects.create(pk=1, lost_penalty=150)  # the minimum (0) cuts it to −100
    lost = services.credit_note_lost(patron_id=patron.pk, item_id=1, on=DAY)
    assert (lost.change, score_of(patron)) == (-100, 0)
    services.credit_note_found(patron_id=patron.pk, item_id=1, on=DAY)
    assert score_of(patron) == 100


@pytest.mark.django_db
def test_the_readers_own_copy_has_the_ledger_and_deletion_drops_the_notes(reader, system):
    patron = reader()
    services.credit_adjust(actor=system, patron=patron, change=3, note="帮忙整理书架")
    data = services.export_data(Patron.objects.get(pk=patron.pk))
    assert data["credit"]["score"] == 103 and data["credit"]["deposit_held"] == "0.00"
    assert data["credit"]["events"][0]["note"] == "帮忙整理书架"
    services.patron_delete(actor=system, barcode=barcode_of(patron), org_code="YX-GT")
    assert CreditEvent.objects.get().note == ""


# --- Providers ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_local_standing_and_history(reader):
    patron = reader()
    services.credit_note_return(patron_id=patron.pk, loan_id=1, overdue_days=40, on=DAY)
    services.credit_note_return(patron_id=patron.pk, loan_id=2, overdue_days=0, on=DAY)
    standing = selectors.credit_standing(Patron.objects.get(pk=patron.pk))
    assert (standing.score, standing.deposit_free, standing.provider) == (91, True, "local")
    history = selectors.credit_history(patron)
    assert [e.change for e in history] == [1, -10]  # newest first
    assert len(selectors.credit_history(patron, limit=1)) == 1


@pytest.mark.django_db
def test_external_provider_and_fallback(reader, tmp_path):
    rated, unrated = reader(), reader()
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps({"scores": {rated.identity_hash: 115}}), encoding="utf-8")
    CreditSettings.objects.create(pk=1, provider="external")
    with override_settings(WENJIN_CREDIT_EXTERNAL_FILE=str(scores)):
        external = selectors.credit_standing(rated)
        assert (external.score, external.provider, external.extra_quota) == (115, "external", 5)
        fallback = selectors.credit_standing(unrated)
        assert (fallback.score, fallback.provider) == (100, "local")
        # the file never holds an identity number, only the keyed hash
        assert resident_id(date(1980, 1, 1), 1) not in scores.read_text()
        assert ExternalFileProvider.key_for(rated) == rated.identity_hash
        scores.write_text("{not json", encoding="utf-8")
        assert selectors.credit_standing(rated).provider == "local"
    with override_settings(WENJIN_CREDIT_EXTERNAL_FILE=str(tmp_path / "missing.json")):
        assert selectors.credit_standing(rated).provider == "local"
    row = CreditSettings.load()
    row.provider = "local"
    row.save()  # saving clears the cached settings at once
    assert selectors.credit_standing(rated).provider == "local"


# --- Staff adjustments ----------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_adjustment_needs_the_permission_and_is_audited(reader, make_staff, actor_for):
    patron = reader()
    desk = actor_for(make_staff("desk", "desk_staff", "YX"))
    with pytest.raises(Forbidden):
        services.credit_adjust(actor=desk, patron=patron, change=5, note="goodwill")
    other = actor_for(make_staff("hzboss", "branch_director", "HZ"))
    with pytest.raises(Forbidden):  # outside their part of the network
        services.credit_adjust(actor=other, patron=patron, change=5, note="goodwill")
    assert not CreditEvent.objects.exists()
    director = actor_for(make_staff("boss", "branch_director", "YX"))
    event = services.credit_adjust(
        actor=director, patron=patron, change=-7, note="  damaged two books  "
    )
    assert (event.change, event.score_after, event.note) == (-7, 93, "damaged two books")
    assert event.actor.username == "boss" and event.reason == "staff_adjustment"
    entry = AuditEntry.objects.get(action="patron.credit_adjust")
    assert entry.changes["change"] == -7 and entry.changes["note"] == "damaged two books"
    assert score_of(patron) == 93 == patron.credit_score


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "note", "code"),
    [
        (0, "why", "CREDIT_CHANGE_ZERO"),
        (1001, "why", "CREDIT_CHANGE_TOO_LARGE"),
        (-1001, "why", "CREDIT_CHANGE_TOO_LARGE"),
        (5, "   ", "CREDIT_NOTE_REQUIRED"),
        (5, "x" * 201, "CREDIT_NOTE_TOO_LONG"),
        (True, "why", "INVALID_CREDIT_CHANGE"),
        (2.5, "why", "INVALID_CREDIT_CHANGE"),
    ],
)
def test_bad_adjustments_write_nothing(reader, system, change, note, code):
    patron = reader()
    with pytest.raises(ValidationFailed) as error:
        services.credit_adjust(actor=system, patron=patron, change=change, note=note)
    assert error.value.code == code
    assert not CreditEvent.objects.exists() and score_of(patron) == 100
    assert not AuditEntry.objects.filter(action="patron.credit_adjust").exists()


@pytest.mark.django_db
def test_credit_settings_are_changed_by_network_admins_only(reader, make_staff, actor_for):
    patron = reader()
    director = actor_for(make_staff("boss", "branch_director", "YX"))
    with pytest.raises(Forbidden):
        services.credit_settings_update(actor=director, changes={"floor": 70})
    admin = actor_for(make_staff("admin", "network_admin", "GZ"))
    bad = [
        ({"flour": 70}, "VALIDATION_ERROR"),
        ({"provider": "sesame"}, "UNKNOWN_CREDIT_PROVIDER"),
        ({"floor": "70"}, "VALIDATION_ERROR"),
        ({"lost_penalty": 10**6}, "VALIDATION_ERROR"),
        ({"min_score": 50, "starting_score": 40}, "CREDIT_SETTINGS_INVALID"),
    ]
    for changes, code in bad:
        with pytest.raises(ValidationFailed) as error:
            services.credit_settings_update(actor=admin, changes=changes)
        assert error.value.code == code, changes
    assert CreditSettings.load().floor == 60 and CreditSettings.load().min_score == 0
    services.credit_settings_update(actor=admin, changes={"floor": 101, "lost_penalty": 30})
    assert selectors.credit_standing(patron).band == "poor"  # 100 is now below the floor
    services.credit_note_lost(patron_id=patron.pk, item_id=1, on=DAY)
    assert score_of(patron) == 70
    entry = AuditEntry.objects.get(action="patrons.credit_settings")
    assert entry.changes["floor"] == [60, 101]


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_returns_of_one_reader_all_count(reader):
    patron = reader()
    outcomes = run_together(
        [
            lambda loan=loan, days=days: services.credit_note_return(
                patron_id=patron.pk, loan_id=loan, overdue_days=days, on=DAY
            )
            for loan, days in ((101, 0), (102, 10), (103, 0), (104, 3))
        ]
    )
    assert all(isinstance(o, CreditEvent) for o in outcomes), outcomes
    assert score_of(patron) == 100 + 1 - 5 + 1 - 2
    assert ledger_agrees(patron)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_count_once(reader):
    patron = reader()
    outcomes = run_together(
        [
            lambda: services.credit_note_return(
                patron_id=patron.pk, loan_id=55, overdue_days=0, on=DAY
            )
            for _ in range(3)
        ]
    )
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    assert sum(isinstance(o, CreditEvent) for o in outcomes) == 1, outcomes
    assert CreditEvent.objects.count() == 1 and score_of(patron) == 101


# --- API ------------------------------------------------------------------------------------


def barcode_of(patron: Patron) -> str:
    return services.live_card(patron).barcode


@pytest.mark.django_db
def test_api_credit(reader, make_staff, api_client):
    patron = reader()
    services.credit_note_return(patron_id=patron.pk, loan_id=1, overdue_days=12, on=DAY)
    desk = api_client(make_staff("desk", "desk_staff", "HZ"))  # lookup is network-wide
    response = desk.get(f"/api/v1/patrons/{barcode_of(patron)}/credit")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("score", "band", "deposit_free", "extra_quota", "provider")} == {
        "score": 95,
        "band": "good",
        "deposit_free": True,
        "extra_quota": 0,
        "provider": "local",
    }
    [row] = body["history"]
    assert set(row) == {"at", "change", "score_after", "reason", "note"}
    assert (row["change"], row["score_after"], row["reason"]) == (-5, 95, "overdue_return")
    assert "+08:00" in row["at"]
    assert desk.get("/api/v1/patrons/299999999999/credit").status_code == 404
    assert api_client(None).get(f"/api/v1/patrons/{barcode_of(patron)}/credit").status_code == 401
    cataloguer = api_client(make_staff("cat", "cataloguer", "YX"))
    assert cataloguer.get(f"/api/v1/patrons/{barcode_of(patron)}/credit").status_code == 403


@pytest.mark.django_db
def test_api_adjust(reader, make_staff, api_client):
    patron = reader()
    url = f"/api/v1/patrons/{barcode_of(patron)}/credit/adjust"
    director = api_client(make_staff("boss", "branch_director", "YX"))
    done = director.post(url, {"change": 12, "note": "志愿服务"}, content_type="application/json")
    assert done.status_code == 201, done.content
    assert done.json()["score"] == 112 and done.json()["extra_quota"] == 5
    assert done.json()["history"][0]["note"] == "志愿服务"
    cases = [
        ({"change": 0, "note": "x"}, 400, "CREDIT_CHANGE_ZERO"),
        ({"change": 5000, "note": "x"}, 400, "CREDIT_CHANGE_TOO_LARGE"),
        ({"change": 5, "note": ""}, 400, "CREDIT_NOTE_REQUIRED"),
        ({"change": "5", "note": "x"}, 400, "VALIDATION_ERROR"),
        ({"change": 1.5, "note": "x"}, 400, "VALIDATION_ERROR"),
        ({"note": "x"}, 400, "VALIDATION_ERROR"),
    ]
    for body, status, code in cases:
        response = director.post(url, body, content_type="application/json")
        assert response.status_code == status, (body, response.content)
        assert response.json()["error"]["code"] == code, body
    desk = api_client(make_staff("desk", "desk_staff", "YX"))
    refused = desk.post(url, {"change": 5, "note": "x"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert CreditEvent.objects.count() == 1 and score_of(patron) == 112


# --- Reader page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_reader_page_shows_credit_and_adjusts(reader, staff_client):
    patron = reader()
    Patron.objects.filter(pk=patron.pk).update(deposit_held=Decimal("20.00"))
    patron.category.deposit_amount = Decimal("100.00")
    patron.category.save()
    services.credit_note_lost(patron_id=patron.pk, item_id=3, on=DAY)
    url = f"/staff/readers/{patron.pk}/"
    desk = staff_client("desk", "desk_staff", "YX")
    page = desk.get(url).content.decode()
    assert 'id="credit"' in page and ">80 · " in page and "2026-03-01" in page
    assert "¥80.00" in page  # 100 asked, 20 held, not deposit-free at 80
    assert "credit-change" not in page  # desk staff cannot adjust
    desk.post(f"{url}credit/", {"credit-change": "5", "credit-note": "x"})
    assert score_of(patron) == 80
    director = staff_client("boss", "branch_director", "YX")
    assert "credit-change" in director.get(url).content.decode()
    director.post(f"{url}credit/", {"credit-change": "15", "credit-note": "找到了证据"})
    assert score_of(patron) == 95
    shown = director.get(url).content.decode()
    assert "找到了证据" in shown and "+15" in shown and "¥80.00" not in shown
    bad = director.post(f"{url}credit/", {"credit-change": "0", "credit-note": "x"}, follow=True)
    assert bad.status_code == 200 and score_of(patron) == 95
    empty = director.post(f"{url}credit/", {"credit-change": "3", "credit-note": ""})
    assert empty.status_code == 302 and score_of(patron) == 95
