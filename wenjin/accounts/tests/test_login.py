"""Staff login: argon2, no account enumeration, throttling and lockout."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wenjin.accounts.models import AuditEntry, LoginThrottle, StaffUser
from wenjin.accounts.services import staff_login
from wenjin.conftest import PASSWORD
from wenjin.lib.errors import DomainError


@pytest.fixture
def alice(make_staff):
    return make_staff("alice", "desk_staff", "YX-GT")


def test_passwords_are_hashed_with_argon2(alice):
    stored = StaffUser.objects.get(username="alice").password
    assert stored.startswith("argon2$") and PASSWORD not in stored


def test_login_succeeds_and_is_audited(alice):
    user = staff_login(username="alice", password=PASSWORD, ip="10.0.0.1", via="web")
    assert user == alice
    entry = AuditEntry.objects.get(action="accounts.login")
    assert entry.actor == alice and entry.ip_address == "10.0.0.1"


def test_wrong_password_and_unknown_user_get_the_same_answer(alice):
    answers = []
    for username in ("alice", "nobody-here"):
        with pytest.raises(DomainError) as caught:
            staff_login(username=username, password="wrong", ip="10.0.0.1", via="web")
        answers.append((caught.value.code, caught.value.status, caught.value.message))
    assert answers[0] == answers[1] == ("INVALID_CREDENTIALS", 401, answers[0][2])
    assert AuditEntry.objects.filter(action="accounts.login_failed").count() == 2


def test_lockout_after_repeated_failures_even_with_the_right_password(alice, settings):
    settings.WENJIN_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        with pytest.raises(DomainError):
            staff_login(username="alice", password="wrong", ip="10.0.0.1", via="web")
    with pytest.raises(DomainError) as caught:
        staff_login(username="ALICE", password=PASSWORD, ip="10.0.0.2", via="web")
    assert caught.value.code == "LOGIN_LOCKED" and caught.value.status == 429
    assert caught.value.details["retry_after_seconds"] > 0
    # When the lockout ends the right password works again and clears the count.
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert staff_login(username="alice", password=PASSWORD, ip="10.0.0.2", via="web") == alice
    assert not LoginThrottle.objects.filter(key="user:alice").exists()


def test_failures_outside_the_window_start_a_new_count(alice, settings):
    settings.WENJIN_LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        with pytest.raises(DomainError):
            staff_login(username="alice", password="wrong", ip=None, via="web")
    LoginThrottle.objects.update(window_started_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        staff_login(username="alice", password="wrong", ip=None, via="web")
    assert caught.value.code == "INVALID_CREDENTIALS"
    assert LoginThrottle.objects.get(key="user:alice").failures == 1


def test_one_address_trying_many_accounts_is_locked(alice, settings):
    settings.WENJIN_LOGIN_IP_MAX_FAILURES = 4
    for number in range(4):
        with pytest.raises(DomainError):
            staff_login(username=f"guess{number}", password="x", ip="10.9.9.9", via="web")
    with pytest.raises(DomainError) as caught:
        staff_login(username="alice", password=PASSWORD, ip="10.9.9.9", via="web")
    assert caught.value.code == "LOGIN_LOCKED"
    assert staff_login(username="alice", password=PASSWORD, ip="10.0.0.1", via="web") == alice


def test_disabled_account_cannot_log_in(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(DomainError) as caught:
        staff_login(username="alice", password=PASSWORD, ip=None, via="web")
    assert caught.value.code == "INVALID_CREDENTIALS"


def test_login_page_logs_in_and_out(alice):
    client = Client()
    response = client.post("/staff/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    client.post("/staff/logout/")
    assert client.get("/staff/").status_code == 302


def test_login_page_shows_the_error_and_never_redirects_off_site(alice):
    client = Client()
    response = client.post("/staff/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    response = client.post(
        "/staff/login/",
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/staff/"


def test_login_form_needs_csrf(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403


def test_forwarded_for_takes_the_address_our_proxy_saw(settings, rf):
    from wenjin.accounts.selectors import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    settings.WENJIN_TRUST_X_FORWARDED_FOR = False
    assert client_ip(request) == "127.0.0.1"
    settings.WENJIN_TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == "10.1.2.3"  # the client wrote 6.6.6.6 itself


def test_failed_logins_are_visible_to_admins(alice, make_staff):
    from wenjin.accounts.actor import Actor
    from wenjin.accounts.selectors import audit_entries_visible_to

    with pytest.raises(DomainError):
        staff_login(username="alice", password="wrong", ip=None, via="web")
    with pytest.raises(DomainError):
        staff_login(username="ghost", password="wrong", ip=None, via="web")
    director = Actor(user=make_staff("gt_dir", "branch_director", "YX-GT"), via="test")
    root_admin = Actor(user=make_staff("root", "network_admin", "GZ"), via="test")
    failed = lambda actor: sorted(  # noqa: E731
        audit_entries_visible_to(actor)
        .filter(action="accounts.login_failed")
        .values_list("actor_label", flat=True)
    )
    assert failed(director) == ["alice"]  # tied to alice's home unit, in the director's branch
    assert failed(root_admin) == ["alice", "ghost"]


def test_the_daily_job_forgets_failure_counts_that_have_run_out(db):
    from datetime import timedelta

    from django.utils import timezone

    from wenjin.accounts.models import LoginThrottle
    from wenjin.accounts.services import throttle_prune

    now = timezone.now()
    LoginThrottle.objects.create(key="old", failures=3, window_started_at=now - timedelta(days=2))
    LoginThrottle.objects.create(
        key="old-but-locked",
        failures=5,
        window_started_at=now - timedelta(days=2),
        locked_until=now + timedelta(days=1),
    )
    LoginThrottle.objects.create(key="current", failures=1, window_started_at=now)
    assert throttle_prune(timezone.localdate()) == 1
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {
        "old-but-locked",
        "current",
    }
