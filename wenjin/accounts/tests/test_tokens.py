"""API tokens: stored hashed, revocable, expiring; bearer authentication on the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wenjin.accounts.actor import Actor
from wenjin.accounts.models import ApiToken, AuditEntry
from wenjin.accounts.services import token_authenticate, token_create, token_revoke
from wenjin.conftest import PASSWORD
from wenjin.lib.errors import DomainError


@pytest.fixture
def alice(make_staff):
    return make_staff("alice", "desk_staff", "YX-GT")


def test_token_is_stored_only_as_a_digest(alice, system):
    token, raw = token_create(actor=system, user=alice, name="script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("wj_") and len(raw) > 40
    assert raw not in (stored.digest, stored.prefix) and stored.prefix == raw[:10]
    assert token_authenticate(raw).user == alice
    assert AuditEntry.objects.filter(
        action="accounts.token_create", object_id=str(token.pk)
    ).exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda t: setattr(t, "revoked_at", timezone.now()), "token_revoked"),
        (
            lambda t: setattr(t, "expires_at", timezone.now() - timedelta(minutes=1)),
            "token_expired",
        ),
        (lambda t: setattr(t.user, "is_active", False), "account_disabled"),
    ],
)
def test_unusable_tokens_say_why(alice, system, change, reason):
    token, raw = token_create(actor=system, user=alice, name="script")
    change(token)
    token.save()
    token.user.save()
    with pytest.raises(DomainError) as caught:
        token_authenticate(raw)
    assert caught.value.code == "UNAUTHENTICATED" and caught.value.details["reason"] == reason


def test_only_the_owner_or_a_staff_manager_revokes(alice, make_staff, actor_for, system):
    bob = make_staff("bob", "desk_staff", "YX-GT")
    hz_admin = make_staff("hz_admin", "network_admin", "HZ")
    yx_admin = make_staff("yx_admin", "network_admin", "YX")
    token, _raw = token_create(actor=system, user=alice, name="script")
    for outsider in (bob, hz_admin):
        with pytest.raises(DomainError) as caught:
            token_revoke(actor=actor_for(outsider), token_id=token.pk)
        assert caught.value.code == "FORBIDDEN"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    token_revoke(actor=actor_for(yx_admin), token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    with pytest.raises(DomainError) as missing:
        token_revoke(actor=actor_for(alice), token_id=999999)
    assert missing.value.code == "TOKEN_NOT_FOUND"


def test_api_bearer_flow(alice, api_client):
    anonymous = api_client()
    response = anonymous.post(
        "/api/v1/auth/tokens",
        {"username": "alice", "password": PASSWORD, "name": "phone"},
        content_type="application/json",
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    client = api_client()
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json() == {
        "username": "alice",
        "display_name": "alice",
        "home_org": "YX-GT",
        "roles": [{"role": "desk_staff", "org_code": "YX-GT"}],
    }
    token_id = response.json()["id"]
    revoke = client.delete(f"/api/v1/auth/tokens/{token_id}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert revoke.status_code == 204
    after = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "UNAUTHENTICATED"
    assert after.json()["error"]["details"] == {"reason": "token_revoked"}


def test_api_token_login_is_rate_limited(alice, api_client, settings):
    settings.WENJIN_LOGIN_MAX_FAILURES = 2
    client = api_client()
    body = {"username": "alice", "password": "wrong"}
    codes = [
        client.post("/api/v1/auth/tokens", body, content_type="application/json").json()["error"][
            "code"
        ]
        for _ in range(3)
    ]
    assert codes == ["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "LOGIN_LOCKED"]
    locked = client.post(
        "/api/v1/auth/tokens",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert locked.status_code == 429


def test_missing_or_malformed_bearer_is_401(tree, api_client):
    client = api_client()
    for header in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer nonsense"},
        {"HTTP_AUTHORIZATION": "Basic abc"},
    ):
        response = client.get("/api/v1/me", **header)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"


def test_audit_log_api_is_scoped(tree, make_staff, api_client, actor_for):
    from wenjin.network import services

    gt_director = make_staff("gt_director", "branch_director", "YX-GT")
    ds_director = make_staff("ds_director", "branch_director", "YX-DS")
    services.org_unit_update(actor=actor_for(gt_director), code="YX-GT", changes={"phone": "1"})
    services.org_unit_update(actor=actor_for(ds_director), code="YX-DS", changes={"phone": "2"})
    listing = api_client(gt_director).get("/api/v1/audit?action=network.unit_update").json()
    assert listing["count"] == 1
    assert [entry["org_code"] for entry in listing["results"]] == ["YX-GT"]
    admin = make_staff("admin", "network_admin", "GZ")
    everything = (
        api_client(admin).get("/api/v1/audit?action=network.unit_update&org_code=YX").json()
    )
    assert {entry["org_code"] for entry in everything["results"]} == {"YX-GT", "YX-DS"}
    assert Actor(user=admin, via="test").can("network.manage", tree["HZ-A"])


def test_nobody_mints_tokens_for_someone_else(alice, make_staff, actor_for):
    admin = make_staff("gz_admin", "network_admin", "GZ")
    with pytest.raises(DomainError) as caught:
        token_create(actor=actor_for(admin), user=alice, name="x")
    assert caught.value.code == "FORBIDDEN"


def test_a_narrower_admin_cannot_revoke_a_wider_admins_token(tree, make_staff, actor_for, system):
    boss = make_staff("boss", None, "YX-GT")
    from wenjin.accounts.services import role_grant

    role_grant(actor=system, user=boss, role="network_admin", org_code="GZ")
    yx_admin = make_staff("yx_admin", "network_admin", "YX")
    token, _raw = token_create(actor=system, user=boss, name="boss")
    with pytest.raises(DomainError) as caught:
        token_revoke(actor=actor_for(yx_admin), token_id=token.pk)
    assert caught.value.code == "FORBIDDEN"


def test_expiry_times(alice, api_client):
    client = api_client()
    local = client.post(
        "/api/v1/auth/tokens",
        {
            "username": "alice",
            "password": PASSWORD,
            "name": "n",
            "expires_at": "2099-01-01T00:00:00",
        },
        content_type="application/json",
    )
    assert local.status_code == 201 and local.json()["expires_at"] == "2099-01-01T00:00:00+08:00"
    past = client.post(
        "/api/v1/auth/tokens",
        {
            "username": "alice",
            "password": PASSWORD,
            "name": "n",
            "expires_at": "2000-01-01T00:00:00+08:00",
        },
        content_type="application/json",
    )
    assert past.status_code == 400 and past.json()["error"]["code"] == "VALIDATION_ERROR"
