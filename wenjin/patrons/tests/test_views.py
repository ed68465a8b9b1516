"""Staff reader pages: find (by POST, so numbers stay out of URLs), register, the reader
page and its card actions, and who may use them."""

from datetime import date

from wenjin.accounts.models import AuditEntry
from wenjin.patrons.models import Card, Patron
from wenjin.patrons.tests.ids import resident_id

NUMBER = resident_id(date(1988, 8, 8), 11)
FORM = {
    "name": "周杰",
    "identity_type": "resident_id",
    "identity_number": NUMBER,
    "phone": "13512345678",
    "home_org_code": "YX-GT",
    "local_residence": "on",
    "category": "",
    "guardian_barcode": "",
    "address": "",
    "birth_date": "",
}


def test_register_find_and_act(tree, staff_client):
    client = staff_client("desk", "desk_staff", "YX")
    page = client.get("/staff/readers/register/")
    assert page.status_code == 200 and "YX-GT" in page.content.decode()
    response = client.post("/staff/readers/register/", FORM)
    assert response.status_code == 200
    html = response.content.decode()
    card = Card.objects.get()
    assert card.barcode in html and "不会再次显示" in html  # the PIN is shown once
    patron = Patron.objects.get()
    # finding by identity number is a POST, and lands on the reader page
    found = client.post("/staff/readers/", {"q": NUMBER})
    assert found.status_code == 302 and found.url == f"/staff/readers/{patron.pk}/"
    assert NUMBER not in found.url
    page = client.get(found.url).content.decode()
    assert "周杰" in page and "135****5678" in page and NUMBER not in page
    assert "显示证件号码" not in page  # desk staff may not reveal
    client.post(f"/staff/readers/{patron.pk}/act/", {"action": "lost"})
    assert Card.objects.filter(patron=patron, status="active").exclude(pk=card.pk).exists()
    # registering the same person again leads to their page
    again = client.post("/staff/readers/register/", {**FORM, "name": "周杰二"})
    assert again.status_code == 302 and again.url == f"/staff/readers/{patron.pk}/"
    assert Patron.objects.count() == 1


def test_bad_registration_shows_the_error(tree, staff_client):
    client = staff_client("desk", "desk_staff", "YX")
    response = client.post(
        "/staff/readers/register/", {**FORM, "identity_number": NUMBER[:-1] + "Y"}
    )
    assert response.status_code == 400
    assert "居民身份证" in response.content.decode()
    assert Patron.objects.count() == 0


def test_reveal_is_for_directors_and_audited(tree, staff_client, system):
    from wenjin.patrons import services

    registration = services.register(
        actor=system,
        name="周杰",
        identity_type="resident_id",
        identity_number=NUMBER,
        phone="13512345678",
        home_org_code="YX-GT",
    )
    director = staff_client("boss", "branch_director", "YX")
    page = director.get(f"/staff/readers/{registration.patron.pk}/").content.decode()
    assert "显示证件号码" in page
    shown = director.post(
        f"/staff/readers/{registration.patron.pk}/act/", {"action": "reveal_identity"}, follow=True
    )
    assert NUMBER in shown.content.decode()
    assert AuditEntry.objects.filter(action="patron.reveal", actor__username="boss").count() == 1
    desk = staff_client("desk", "desk_staff", "YX")
    desk.post(f"/staff/readers/{registration.patron.pk}/act/", {"action": "reveal_identity"})
    assert AuditEntry.objects.filter(action="patron.reveal").count() == 1  # refused, not shown
    cataloguer = staff_client("cat", "cataloguer", "YX")
    assert cataloguer.get("/staff/readers/").status_code == 404
    assert cataloguer.get(f"/staff/readers/{registration.patron.pk}/").status_code == 404


def test_edit_on_the_reader_page(tree, staff_client, system):
    from wenjin.patrons import services

    registration = services.register(
        actor=system,
        name="周杰",
        identity_type="resident_id",
        identity_number=NUMBER,
        phone="13512345678",
        home_org_code="YX-GT",
    )
    url = f"/staff/readers/{registration.patron.pk}/"
    desk = staff_client("desk", "desk_staff", "YX")
    form = {
        "name": "周杰伦",
        "phone": "",
        "address": "广州市",
        "category": "adult",
        "local_residence": "on",
    }
    assert desk.post(url, form).status_code == 302
    patron = Patron.objects.get()
    assert (patron.name, patron.address, patron.phone_masked) == ("周杰伦", "广州市", "135****5678")
    bad = desk.post(url, {**form, "phone": "12"})
    assert bad.status_code == 400 and "电话号码不正确" in bad.content.decode()
    other = staff_client("hz", "desk_staff", "HZ")
    assert other.post(url, {**form, "name": "X"}).status_code == 400  # refused: outside scope
    assert Patron.objects.get().name == "周杰伦"
