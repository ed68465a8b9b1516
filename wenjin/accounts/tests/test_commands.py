"""Bootstrapping a fresh installation from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from wenjin.accounts.models import AuditEntry, RoleGrant
from wenjin.accounts.services import token_authenticate

pytestmark = pytest.mark.django_db


def test_bootstrap_root_unit_admin_and_token(monkeypatch):
    call_command("add_org_unit", "GZ", "city_center", "广州图书馆")
    call_command("add_org_unit", "YX", "district_main", "越秀区图书馆", "--parent", "GZ")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 42\n"))
    call_command(
        "create_staff", "admin", "--org", "GZ", "--role", "network_admin", "--password-stdin"
    )
    assert RoleGrant.objects.filter(user__username="admin", org_unit__code="GZ").exists()
    out = io.StringIO()
    call_command("create_token", "admin", stdout=out)
    assert token_authenticate(out.getvalue().strip()).user.username == "admin"
    assert AuditEntry.objects.filter(via="cli", action="network.unit_create").count() == 2


def test_bad_input_is_reported(monkeypatch):
    with pytest.raises(CommandError, match="ORG_UNIT_NOT_FOUND"):
        call_command("add_org_unit", "YX", "district_main", "越秀", "--parent", "NOPE")
    call_command("add_org_unit", "GZ", "city_center", "广州图书馆")
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="VALIDATION_ERROR"):
        call_command("create_staff", "weak", "--org", "GZ", "--password-stdin")
    with pytest.raises(CommandError, match="No active staff user"):
        call_command("create_token", "ghost")
