"""The public event pages: the list and its filters, an event's page, registering and
cancelling as a logged-in reader (seat, waiting list, moving up), the reader's events and
ticket, posters, and the home page's upcoming events. Texts are checked in English (the
Chinese catalogue comes later)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wenjin.events.models import Registration, RegistrationStatus
from wenjin.events.services.events import event_cancel, image_store
from wenjin.events.tests.conftest import soon

PIN = "802413"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def logged_in(card, client: Client | None = None) -> Client:
    client = english(client or Client())
    response = client.post("/login/", {"identifier": card.barcode, "pin": PIN})
    assert response.status_code == 302, response.content
    return client


def listed_titles(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="event-title"[^>]*><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def anonymous() -> Client:
    return english(Client())


# --- The list ---------------------------------------------------------------------------


def test_the_list_filters_by_library_subtree_kind_audience_and_dates(make_event, anonymous):
    make_event(org="YX-GT", title="Branch lecture", audiences=["adults"])
    make_event(
        org="YX-GT-SP",
        title="Kids story hour",
        kind="reading_promotion",
        audiences=["children", "families"],
        starts_at=soon(days=20),
    )
    make_event(org="HZ", title="Other district course", kind="training")
    make_event(
        org="YX",
        title="District exhibition",
        kind="exhibition",
        starts_at=soon(days=-10),
        ends_at=soon(days=10),
    )

    everything = anonymous.get("/events/")
    assert everything.status_code == 200
    # From today on by default, the running exhibition included, soonest first.
    assert listed_titles(everything) == [
        "District exhibition",
        "Branch lecture",
        "Other district course",
        "Kids story hour",
    ]
    assert "4 events" in everything.content.decode()

    subtree = anonymous.get("/events/", {"org": "YX-GT"})
    assert listed_titles(subtree) == ["Branch lecture", "Kids story hour"]
    district = anonymous.get("/events/", {"org": "YX"})
    assert "Other district course" not in listed_titles(district)
    assert len(listed_titles(district)) == 3

    assert listed_titles(anonymous.get("/events/", {"kind": "training"})) == [
        "Other district course"
    ]
    assert listed_titles(anonymous.get("/events/", {"audience": "children"})) == ["Kids story hour"]
    later = (timezone.localdate() + timedelta(days=15)).isoformat()
    assert listed_titles(anonymous.get("/events/", {"since": later})) == ["Kids story hour"]
    first_days = (timezone.localdate() + timedelta(days=5)).isoformat()
    assert "Kids story hour" not in listed_titles(anonymous.get("/events/", {"until": first_days}))


def test_the_list_refuses_bad_filters(make_event, anonymous):
    make_event()
    today = timezone.localdate()
    backwards = anonymous.get(
        "/events/", {"since": today.isoformat(), "until": (today - timedelta(days=1)).isoformat()}
    )
    assert backwards.status_code == 400
    assert "The last day is before the first." in backwards.content.decode()
    assert anonymous.get("/events/", {"org": "NOWHERE"}).status_code == 400
    assert anonymous.get("/events/", {"kind": "party"}).status_code == 400
    assert anonymous.get("/events/", {"since": "not a date"}).status_code == 400


def test_cards_say_places_left_waiting_list_no_registration_and_cancelled(
    make_event, make_reader, system, anonymous
):
    make_event(title="Open talk")
    make_event(title="Small class", capacity=5, kind="training")
    full = make_event(title="Full class", capacity=1)
    called_off = make_event(title="Rained off", capacity=10)
    logged_in(make_reader()).post(f"/events/{full.pk}/register/")
    event_cancel(actor=system, event_id=called_off.pk, reason="台风")

    html = anonymous.get("/events/").content.decode()
    assert "No registration needed" in html
    assert "5 places left" in html
    assert "Full: waiting list" in html
    assert "state-cancelled" in html and "Cancelled" in html


def test_drafts_are_hidden_from_the_list_and_their_page_is_404(make_event, anonymous):
    draft = make_event(title="Secret plan", status="draft")
    assert "Secret plan" not in anonymous.get("/events/").content.decode()
    assert anonymous.get(f"/events/{draft.pk}/").status_code == 404
    assert anonymous.get(f"/events/{draft.pk}.ics").status_code == 404
    assert anonymous.get("/events/999999/").status_code == 404


def test_the_list_is_paged_with_the_filters_kept(make_event, anonymous):
    for day in range(23):
        make_event(org="YX-DS", title=f"Session {day:02d}", starts_at=soon(days=1 + day))
    first = anonymous.get("/events/", {"org": "YX-DS"})
    assert len(listed_titles(first)) == 20
    assert 'href="/events.ics?org=YX-DS"' in first.content.decode()
    assert "org=YX-DS&amp;page=2" in first.content.decode()
    second = anonymous.get("/events/", {"org": "YX-DS", "page": 2})
    assert listed_titles(second) == ["Session 20", "Session 21", "Session 22"]


# --- One event --------------------------------------------------------------------------


def test_the_event_page_shows_details_places_and_a_login_link(make_event, anonymous):
    event = make_event(
        title="岭南建筑漫谈",
        description="从骑楼到镬耳屋。",
        capacity=30,
        series="岭南讲坛",
        venue="报告厅",
        audiences=["adults", "elderly"],
    )
    make_event(title="岭南建筑漫谈（下）", series="岭南讲坛", starts_at=soon(days=10))
    response = anonymous.get(f"/events/{event.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "岭南建筑漫谈" in html
    assert "从骑楼到镬耳屋。" in html
    assert "30 places left" in html
    assert "报告厅" in html and "岭南讲坛" in html
    assert "岭南建筑漫谈（下）" in html  # the series' other session
    assert "Older readers" in html
    assert f"/login/?next=/events/{event.pk}/" in html
    assert "Log in to register" in html


def test_a_cancelled_event_says_so_with_the_reason(make_event, system, anonymous):
    event = make_event(capacity=10)
    event_cancel(actor=system, event_id=event.pk, reason="场馆维修")
    html = anonymous.get(f"/events/{event.pk}/").content.decode()
    assert "This event is cancelled." in html
    assert "场馆维修" in html
    assert "Register for this event" not in html


# --- Registering and cancelling ---------------------------------------------------------


def test_a_reader_registers_and_gets_a_confirmed_place(make_event, reader):
    event = make_event(capacity=2)
    client = logged_in(reader)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "Register for this event" in page

    response = client.post(f"/events/{event.pk}/register/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/events/{event.pk}/"
    assert "You are registered for" in html
    registration = Registration.objects.get(event=event, patron=reader.patron)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.via == "opac"
    assert "1 place left" in html
    assert "Cancel my registration" in html

    again = client.post(f"/events/{event.pk}/register/", follow=True).content.decode()
    assert "already registered" in again


def test_the_next_reader_on_a_full_event_joins_the_waiting_list_and_moves_up(
    make_event, make_reader
):
    event = make_event(capacity=1)
    first, second, third = make_reader(), make_reader(), make_reader()
    first_client = logged_in(first)
    first_client.post(f"/events/{event.pk}/register/")
    second_client = logged_in(second)
    waiting = second_client.post(f"/events/{event.pk}/register/", follow=True).content.decode()
    assert "you are number 1 on the waiting list" in waiting
    third_waiting = logged_in(third).post(f"/events/{event.pk}/register/", follow=True)
    assert "you are number 2 on the waiting list" in third_waiting.content.decode()
    assert (
        "You are on the waiting list: number 1."
        in second_client.get(f"/events/{event.pk}/").content.decode()
    )

    cancelled = first_client.post(f"/events/{event.pk}/cancel/", follow=True).content.decode()
    assert "is cancelled" in cancelled
    moved_up = Registration.objects.get(event=event, patron=second.patron)
    assert moved_up.status == RegistrationStatus.CONFIRMED
    assert moved_up.promoted_at is not None
    assert Registration.objects.get(event=event, patron=third.patron).status == "waitlisted"
    assert "You are registered." in second_client.get(f"/events/{event.pk}/").content.decode()


def test_registering_refusals_are_shown(make_event, reader):
    no_registration = make_event(title="Drop-in")
    client = logged_in(reader)
    html = client.post(f"/events/{no_registration.pk}/register/", follow=True).content.decode()
    assert "needs no registration" in html
    assert not Registration.objects.filter(event=no_registration).exists()
    cancel = client.post(f"/events/{no_registration.pk}/cancel/", follow=True).content.decode()
    assert "not registered for this event" in cancel


def test_registering_without_login_goes_to_the_login_page_and_back(make_event, anonymous):
    event = make_event(capacity=5)
    response = anonymous.post(f"/events/{event.pk}/register/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/events/{event.pk}/"
    assert anonymous.post(f"/events/{event.pk}/cancel/")["Location"].startswith("/login/")
    assert not Registration.objects.exists()


def test_registering_needs_post_and_a_csrf_token(make_event, reader):
    event = make_event(capacity=5)
    client = Client(enforce_csrf_checks=True)
    client.cookies = logged_in(reader).cookies  # the reader's session, CSRF now checked
    assert client.post(f"/events/{event.pk}/register/").status_code == 403
    assert client.post(f"/events/{event.pk}/cancel/").status_code == 403
    assert client.get(f"/events/{event.pk}/register/").status_code == 405
    assert not Registration.objects.exists()
    # The page's own form carries the token, and with it the POST goes through.
    page = client.get(f"/events/{event.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(f"/events/{event.pk}/register/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Registration.objects.filter(event=event, status="confirmed").count() == 1


def test_a_draft_cannot_be_registered_for(make_event, reader):
    draft = make_event(capacity=5, status="draft")
    assert logged_in(reader).post(f"/events/{draft.pk}/register/").status_code == 404
    assert not Registration.objects.exists()


# --- My events and tickets --------------------------------------------------------------


def test_my_events_lists_registrations_with_tabs_and_no_cache(make_event, make_reader):
    reader = make_reader()
    coming = make_event(title="Coming talk", capacity=1)
    full = make_event(title="Full talk", capacity=1, starts_at=soon(days=5))
    logged_in(make_reader()).post(f"/events/{full.pk}/register/")
    client = logged_in(reader)
    client.post(f"/events/{coming.pk}/register/")
    client.post(f"/events/{full.pk}/register/")

    response = client.get("/account/events/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert "Coming talk" in html and "Full talk" in html
    assert "Registered: your place is confirmed" in html
    assert "On the waiting list: number 1" in html
    assert 'aria-current="page"' in html and "My events" in html
    mine = Registration.objects.get(event=coming, patron=reader.patron)
    assert f"/account/events/{mine.pk}/ticket/" in html


def test_my_events_needs_a_login(anonymous):
    response = anonymous.get("/account/events/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/events/"


def test_the_ticket_shows_a_qr_code_only_to_its_owner(make_event, make_reader, anonymous):
    owner, other = make_reader(), make_reader()
    event = make_event(title="Ticketed talk", capacity=3, venue="报告厅")
    client = logged_in(owner)
    client.post(f"/events/{event.pk}/register/")
    registration = Registration.objects.get(event=event, patron=owner.patron)
    url = reverse("events_public:ticket", args=[registration.pk])

    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html
    assert owner.barcode[-4:] in html
    assert owner.barcode not in html  # only the last four digits
    assert registration.ticket in html
    assert "报告厅" in html

    assert logged_in(other).get(url).status_code == 404
    assert anonymous.get(url).status_code == 302
    client.post(f"/events/{event.pk}/cancel/")
    assert client.get(url).status_code == 404  # a cancelled registration has no ticket


def test_the_account_tabs_link_my_events(reader):
    html = logged_in(reader).get("/account/").content.decode()
    assert 'href="/account/events/"' in html


# --- Posters and the home page ----------------------------------------------------------


def test_a_poster_is_served_with_its_type_and_long_caching(anonymous, make_event):
    image = image_store(PNG)
    draft = make_event(status="draft", title="未发布的活动")
    draft.image = image
    draft.save(update_fields=["image"])
    assert anonymous.get(f"/events/image/{image.pk}/").status_code == 404  # a draft's poster
    assert anonymous.get(f"/events/image/{image_store(PNG).pk}/").status_code == 404  # unused
    make_event(title="已发布的活动").__class__.objects.filter(title="已发布的活动").update(
        image=image
    )
    response = anonymous.get(f"/events/image/{image.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == PNG
    assert "max-age=31536000" in response["Cache-Control"]
    assert anonymous.get("/events/image/999999/").status_code == 404


def test_the_event_page_shows_the_poster_with_its_description(make_event, anonymous):
    event = make_event(image_alt="海报：一位老人在读书")
    event.image = image_store(PNG)
    event.save(update_fields=["image"])
    html = anonymous.get(f"/events/{event.pk}/").content.decode()
    assert f'src="/events/image/{event.image_id}/" alt="海报：一位老人在读书"' in html


def test_the_home_page_shows_upcoming_events(make_event, anonymous):
    make_event(title="明日讲座", starts_at=soon(days=1))
    make_event(title="草稿活动", status="draft")
    make_event(title="昨日讲座", starts_at=soon(days=-2))
    html = anonymous.get("/").content.decode()
    assert "Upcoming events" in html
    assert "明日讲座" in html
    assert "草稿活动" not in html and "昨日讲座" not in html
    assert 'href="/events/"' in html


def test_the_list_costs_the_same_queries_for_few_or_many_events(
    make_event, anonymous, django_assert_max_num_queries
):
    for day in range(3):
        make_event(org="YX-GT", title=f"Few {day}", venue="报告厅", audiences=["adults"])
    with django_assert_max_num_queries(8) as few:
        anonymous.get("/events/")
    for day in range(17):
        make_event(org="HZ-A", title=f"Many {day}", venue="活动室", capacity=10)
    with django_assert_max_num_queries(8) as many:
        assert len(listed_titles(anonymous.get("/events/"))) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_filters_are_folded_until_used(anonymous, tree):
    """A phone shows events first; the filters open when some are in force."""
    folded = anonymous.get("/events/").content.decode()
    assert '<details class="event-filters-box card">' in folded
    used = anonymous.get("/events/?kind=lecture").content.decode()
    assert '<details class="event-filters-box card" open>' in used
