"""Readers API: the contract of the readers issue, its errors and who may call it."""

from datetime import date

from wenjin.accounts.models import AuditEntry
from wenjin.patrons.tests.ids import resident_id

BODY = {
    "name": "李华",
    "identity_type": "resident_id",
    "identity_number": resident_id(date(1990, 5, 1), 3),
    "phone": "13812345678",
    "home_org_code": "YX-GT",
    "local_residence": True,
}


def desk_client(make_staff, api_client, org="YX"):
    return api_client(make_staff("desk", "desk_staff", org))


def test_register_read_and_conflict(tree, make_staff, api_client):
    client = desk_client(make_staff, api_client)
    response = client.post("/api/v1/patrons", BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"barcode", "category", "expires_on", "pin"}
    assert body["category"] == "adult" and len(body["pin"]) == 6
    barcode = body["barcode"]
    again = client.post("/api/v1/patrons", BODY, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "IDENTITY_HAS_CARD"
    assert again.json()["error"]["details"]["barcode"] == barcode
    summary = client.get(f"/api/v1/patrons/{barcode}").json()
    assert summary["name"] == "李华" and summary["status"] == "active"
    assert (
        summary["identity_masked"]
        == BODY["identity_number"][:6] + "********" + BODY["identity_number"][-4:]
    )
    assert summary["phone_masked"] == "138****5678"
    assert BODY["identity_number"] not in str(summary) and "13812345678" not in str(summary)
    # the PIN given at registration is not echoed back
    with_pin = client.post(
        "/api/v1/patrons",
        {**BODY, "identity_number": resident_id(date(1991, 5, 1), 4), "pin": "730251"},
        content_type="application/json",
    )
    assert with_pin.status_code == 201 and with_pin.json()["pin"] is None


def test_bad_input_gets_specific_errors(tree, make_staff, api_client):
    client = desk_client(make_staff, api_client)
    number = BODY["identity_number"]
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    cases = [
        ({"identity_number": wrong_check}, "INVALID_IDENTITY"),
        ({"phone": "555"}, "INVALID_PHONE"),
        ({"identity_type": "library_card"}, "VALIDATION_ERROR"),
        ({"home_org_code": "NOPE"}, "ORG_UNIT_NOT_FOUND"),
        ({"identity_number": resident_id(date(2020, 1, 1), 9)}, "GUARDIAN_REQUIRED"),
    ]
    for change, code in cases:
        response = client.post(
            "/api/v1/patrons", {**BODY, **change}, content_type="application/json"
        )
        assert response.status_code in (400, 404), (change, response.content)
        assert response.json()["error"]["code"] == code, change
    assert AuditEntry.objects.filter(action="patron.register").count() == 0


def test_lookup_by_identity_or_phone_in_the_body(tree, make_staff, api_client):
    client = desk_client(make_staff, api_client)
    barcode = client.post("/api/v1/patrons", BODY, content_type="application/json").json()[
        "barcode"
    ]
    by_id = client.post(
        "/api/v1/patrons/lookup",
        {"identity": BODY["identity_number"]},
        content_type="application/json",
    )
    assert [p["barcode"] for p in by_id.json()] == [barcode]
    by_phone = client.post(
        "/api/v1/patrons/lookup", {"phone": "138 1234 5678"}, content_type="application/json"
    )
    assert [p["barcode"] for p in by_phone.json()] == [barcode]
    nothing = client.post(
        "/api/v1/patrons/lookup", {"phone": "13900000000"}, content_type="application/json"
    )
    assert nothing.json() == []
    both = client.post("/api/v1/patrons/lookup", {}, content_type="application/json")
    assert both.status_code == 400


def test_patch_and_lost_card(tree, make_staff, api_client):
    client = desk_client(make_staff, api_client)
    barcode = client.post("/api/v1/patrons", BODY, content_type="application/json").json()[
        "barcode"
    ]
    patched = client.patch(
        f"/api/v1/patrons/{barcode}",
        {"phone": "13698765432", "keeps_history": True},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert (
        patched.json()["phone_masked"] == "136****5432" and patched.json()["keeps_history"] is True
    )
    bad = client.patch(
        f"/api/v1/patrons/{barcode}", {"phone": "1"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_PHONE"
    lost = client.post(f"/api/v1/patrons/{barcode}/lost-card", {}, content_type="application/json")
    assert lost.status_code == 201
    new = lost.json()["barcode"]
    assert new != barcode and lost.json()["old_barcode"] == barcode
    assert client.get(f"/api/v1/patrons/{new}").json()["status"] == "active"
    old = client.get(f"/api/v1/patrons/{barcode}").json()
    assert old["barcode"] == new  # the old number still finds the reader, who has the new card


def test_permissions(tree, make_staff, api_client):
    anonymous = api_client(None)
    assert (
        anonymous.post("/api/v1/patrons", BODY, content_type="application/json").status_code == 401
    )
    cataloguer = api_client(make_staff("cat", "cataloguer", "YX"))
    response = cataloguer.post("/api/v1/patrons", BODY, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "FORBIDDEN"
    hz_desk = api_client(make_staff("hzdesk", "desk_staff", "HZ"))
    assert hz_desk.post("/api/v1/patrons", BODY, content_type="application/json").status_code == 403
    yx_desk = desk_client(make_staff, api_client)
    barcode = yx_desk.post("/api/v1/patrons", BODY, content_type="application/json").json()[
        "barcode"
    ]
    # lookup is network-wide; edits stay within the home library's part of the network
    assert hz_desk.get(f"/api/v1/patrons/{barcode}").status_code == 200
    patch = hz_desk.patch(
        f"/api/v1/patrons/{barcode}", {"name": "X"}, content_type="application/json"
    )
    assert patch.status_code == 403
    assert cataloguer.get(f"/api/v1/patrons/{barcode}").status_code == 403
    assert yx_desk.get("/api/v1/patrons/299999999999").status_code == 404
