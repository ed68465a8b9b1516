"""A reader's contact and preferences: the service (validation, encryption, audit) and
the staff page (scope, masking, the form)."""

from __future__ import annotations

import pytest

from wenjin.accounts.models import AuditEntry
from wenjin.lib import crypto
from wenjin.lib.errors import Forbidden, ValidationFailed
from wenjin.notices.models import Notice, ReaderContact
from wenjin.notices.services import notice_send, reader_contact_save

pytestmark = pytest.mark.django_db


def save(actor, card, **values):
    args = {"email": None, "language": "zh-hans", "channels": ["email", "sms"], "opt_outs": []}
    return reader_contact_save(actor=actor, patron=card.patron, **(args | values))


def test_the_email_is_stored_encrypted_hashed_and_masked_and_audited(system, reader):
    contact = save(
        system, reader, email=" Zhang.Wei@Example.com", language="en", opt_outs=["due_soon"]
    )
    contact.refresh_from_db()
    assert "zhang" not in contact.email_encrypted.lower()
    assert crypto.decrypt(contact.email_encrypted) == "Zhang.Wei@example.com"
    assert contact.email_hash == crypto.lookup_hash("email", "zhang.wei@example.com")
    assert contact.email_masked == "Zh*******@example.com"
    assert (contact.language, contact.opt_outs) == ("en", ["due_soon"])
    entry = AuditEntry.objects.get(action="notices.contact_save")
    assert entry.changes["email"] == "Zh*******@example.com"
    assert "Zhang.Wei" not in str(entry.changes)
    # None keeps the address, "" removes it.
    assert save(system, reader, email=None, language="en").email_masked == "Zh*******@example.com"
    removed = save(system, reader, email="", channels=["sms"])
    assert (removed.email_encrypted, removed.email_masked, removed.email_on) == ("", "", False)


def test_a_bad_email_is_refused_and_nothing_is_written(system, reader):
    with pytest.raises(ValidationFailed) as caught:
        save(system, reader, email="zhang.wei@", language="en")
    assert "email" in caught.value.details["fields"]
    assert not ReaderContact.objects.exists()
    assert not AuditEntry.objects.filter(action="notices.contact_save").exists()
    with pytest.raises(ValidationFailed) as caught:
        save(system, reader, opt_outs=["junk"])
    assert "opt_outs" in caught.value.details["fields"]
    assert not ReaderContact.objects.exists()


def test_staff_outside_the_readers_home_library_may_not_change_it(make_staff, actor_for, reader):
    outsider = actor_for(make_staff("hz_desk", "desk_staff", "HZ-A"))
    with pytest.raises(Forbidden):
        save(outsider, reader, email="reader@example.com")
    assert not ReaderContact.objects.exists()
    insider = actor_for(make_staff("gt_desk", "desk_staff", "YX-GT"))
    assert save(insider, reader, email="reader@example.com").email_masked == "re****@example.com"


def test_the_page_is_refused_outside_scope(staff_client, reader):
    url = f"/staff/readers/{reader.patron_id}/notices/"
    client = staff_client("hz_desk", "desk_staff", "HZ-A")
    assert client.get(url).status_code == 403
    response = client.post(url, {"email": "x@example.com", "language": "en"})
    assert response.status_code == 403
    assert not ReaderContact.objects.exists()


def test_the_page_shows_history_and_saves_settings(staff_client, reader):
    notice_send(
        patron=reader.patron,
        kind="card_expiring",
        dedupe_key="card_expiring:test",
        context={"card_tail": "0001", "expires_on": reader.expires_on},
    )
    url = f"/staff/readers/{reader.patron_id}/notices/"
    client = staff_client("gt_desk", "desk_staff", "YX-GT")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<legend>" in html and Notice.objects.get().get_kind_display() in html
    assert "13812345678" not in html and "138****5678" in html

    response = client.post(
        url,
        {
            "email": "zhang.wei@example.com",
            "language": "en",
            "channels": ["email"],
            "opt_outs": ["due_soon", "overdue_1"],
        },
    )
    assert response.status_code == 302
    contact = ReaderContact.objects.get()
    assert (contact.language, contact.email_on, contact.sms_on) == ("en", True, False)
    assert contact.opt_outs == ["due_soon", "overdue_1"]
    html = client.get(url).content.decode()
    assert "zh*******@example.com" in html and "zhang.wei@example.com" not in html


def test_the_page_rejects_a_bad_email_and_writes_nothing(staff_client, reader):
    url = f"/staff/readers/{reader.patron_id}/notices/"
    client = staff_client("gt_desk", "desk_staff", "YX-GT")
    response = client.post(url, {"email": "not-an-address", "language": "zh-hans"})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()  # shown on the form
    assert not ReaderContact.objects.exists()


def test_the_reader_page_links_here_for_staff_who_may_edit(staff_client, reader):
    client = staff_client("gt_desk", "desk_staff", "YX-GT")
    html = client.get(f"/staff/readers/{reader.patron_id}/").content.decode()
    assert f"/staff/readers/{reader.patron_id}/notices/" in html


def test_forgetting_a_reader_removes_the_email_and_the_texts(system, reader):
    from wenjin.notices.services import reader_notices_forget

    save(system, reader, email="reader@example.com")
    notice_send(
        patron=reader.patron,
        kind="card_expiring",
        dedupe_key="card_expiring:forget",
        context={"card_tail": "0001", "expires_on": reader.expires_on},
    )
    assert reader_notices_forget(reader.patron) == 1
    assert not ReaderContact.objects.exists()
    notice = Notice.objects.get()
    assert (notice.patron_id, notice.subject, notice.body) == (None, "", "")
    assert notice.dedupe_key == "card_expiring:forget"  # still never sent twice
