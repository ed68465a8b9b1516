"""Staff network pages: tree, unit page, edit forms, scoping in the browser."""

from django.test import Client

from wenjin.network.models import OrgUnit, ScheduleException, WeeklyHours


def test_pages_need_login(tree):
    response = Client().get("/staff/network/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_tree_and_unit_pages(tree, staff_client):
    client = staff_client("desk", "desk_staff", "YX-GT")
    tree_html = client.get("/staff/network/").content.decode()
    for code in ("GZ", "YX", "YX-GT", "YX-GT-SP", "HZ-A"):
        assert f"/staff/network/{code}/" in tree_html
    unit_html = client.get("/staff/network/YX-GT/").content.decode()
    assert "YX-GT馆" in unit_html and "09:00-21:00" in unit_html
    assert "/staff/network/YX-GT/edit/" not in unit_html  # desk staff cannot edit
    assert client.get("/staff/network/NOPE/").status_code == 404


def test_director_edits_hours_of_own_branch(tree, staff_client):
    client = staff_client("director", "branch_director", "YX-GT")
    page = client.get("/staff/network/YX-GT/").content.decode()
    assert "/staff/network/YX-GT/hours/" in page and "/staff/network/YX-GT/new/" not in page
    days = {f"weekday_{d}": "" for d in range(7)}
    bad = client.post(
        "/staff/network/YX-GT/hours/", {**days, "weekday_0": "09:00-12:00, 11:00-13:00"}
    )
    assert bad.status_code == 400
    assert "重叠" in bad.content.decode()  # "overlap", in the default language
    assert WeeklyHours.objects.filter(org_unit__code="YX-GT").count() == 7  # unchanged
    good = client.post("/staff/network/YX-GT/hours/", {**days, "weekday_5": "09:00-17:00"})
    assert good.status_code == 302
    assert list(
        WeeklyHours.objects.filter(org_unit__code="YX-GT").values_list("weekday", flat=True)
    ) == [5]


def test_director_cannot_edit_a_sibling_branch(tree, staff_client):
    client = staff_client("director", "branch_director", "YX-GT")
    response = client.post("/staff/network/YX-DS/edit/", {"name_zh": "改名", "status": "open"})
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="YX-DS").name_zh == "YX-DS馆"
    closure = client.post(
        "/staff/network/YX-DS/closures/",
        {"kind": "closed", "start_date": "2026-12-01", "end_date": "2026-12-02", "reason": "x"},
    )
    assert closure.status_code == 302 and not ScheduleException.objects.exists()


def test_admin_adds_edits_and_deletes_a_unit(tree, staff_client):
    client = staff_client("admin", "network_admin", "YX")
    form = {
        "code": "YX-NEW",
        "kind": "service_point",
        "parent_code": "YX-GT",
        "name_zh": "新服务点",
        "status": "open",
    }
    created = client.post("/staff/network/YX-GT/new/", form)
    assert created.status_code == 302 and OrgUnit.objects.get(code="YX-NEW").parent.code == "YX-GT"
    edited = client.post(
        "/staff/network/YX-NEW/edit/",
        {
            "kind": "service_point",
            "parent_code": "YX-GT",
            "name_zh": "新服务点",
            "status": "open",
            "latitude": "123",
        },
    )
    assert edited.status_code == 400  # latitude out of range, shown on the form
    deleted = client.post("/staff/network/YX-NEW/delete/")
    assert deleted.status_code == 302 and not OrgUnit.objects.filter(code="YX-NEW").exists()
    refused = client.post("/staff/network/YX/delete/", follow=True)
    assert OrgUnit.objects.filter(code="YX").exists()
    assert "YX" in refused.content.decode()


def test_the_root_unit_can_be_edited(tree, staff_client):
    client = staff_client("admin", "network_admin", "GZ")
    response = client.post(
        "/staff/network/GZ/edit/",
        {"kind": "city_center", "parent_code": "", "name_zh": "广州图书馆", "status": "open"},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="GZ").name_zh == "广州图书馆"
