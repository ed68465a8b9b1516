"""Role and scope rules, without a database."""

from wenjin.accounts.models import Role
from wenjin.accounts.policies import ROLE_PERMISSIONS, Perm, grants_allow, scope_paths


def test_every_role_has_a_permission_set():
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_grants_apply_to_the_subtree_only():
    grants = [("branch_director", "/1/2/5/")]
    assert grants_allow(grants, Perm.NETWORK_EDIT, "/1/2/5/")
    assert grants_allow(grants, Perm.NETWORK_EDIT, "/1/2/5/9/")
    assert not grants_allow(grants, Perm.NETWORK_EDIT, "/1/2/6/")
    assert not grants_allow(grants, Perm.NETWORK_EDIT, "/1/2/")
    assert not grants_allow(grants, Perm.NETWORK_EDIT, "/1/2/55/")  # not a prefix match on "5"
    assert not grants_allow(grants, Perm.NETWORK_MANAGE, "/1/2/5/")


def test_scope_paths_fold_nested_grants():
    grants = [
        ("network_admin", "/1/2/"),
        ("branch_director", "/1/2/5/"),
        ("branch_director", "/1/3/"),
    ]
    assert scope_paths(grants, Perm.NETWORK_EDIT) == ["/1/2/", "/1/3/"]
    assert scope_paths(grants, Perm.NETWORK_MANAGE) == ["/1/2/"]
    assert scope_paths([], Perm.AUDIT_VIEW) == []


def test_rate_limits_count_an_ipv6_client_by_its_64_and_ipv4_as_it_is():
    from wenjin.accounts.policies import throttle_address

    assert throttle_address("2001:db8:1:2:aaaa::1") == throttle_address("2001:db8:1:2:bbbb::9")
    assert throttle_address("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert throttle_address("2001:db8:1:3::1") != throttle_address("2001:db8:1:2::1")
    assert throttle_address("203.0.113.7") == "203.0.113.7"
    assert throttle_address("::ffff:203.0.113.7") == "203.0.113.7"
    assert throttle_address("not an address") == "not an address"
