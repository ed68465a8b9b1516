"""Registration, card life, PINs, reveals, the daily jobs, export and deletion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wenjin.accounts.models import AuditEntry
from wenjin.lib import crypto
from wenjin.lib.errors import Conflict, DomainError, Forbidden, ValidationFailed
from wenjin.patrons import selectors, services
from wenjin.patrons.models import Card, CardEvent, CategoryChange, Patron
from wenjin.patrons.tests.ids import resident_id

TODAY = timezone.localdate()


def years_ago(years, days=0):
    """The birth date of someone `years` old today (born `days` earlier still); 29 February
    falls back to the 28th in a year without one."""
    try:
        birthday = TODAY.replace(year=TODAY.year - years)
    except ValueError:
        birthday = TODAY.replace(year=TODAY.year - years, day=28)
    return birthday - timedelta(days=days)


@pytest.fixture
def register(tree, system):
    serial = iter(range(1, 1000))

    def make(born=None, actor=None, **values):
        fields = {
            "name": "陈小明",
            "identity_type": "resident_id",
            "identity_number": resident_id(born or years_ago(30), next(serial)),
            "phone": "13812345678",
            "home_org_code": "YX-GT",
        }
        fields.update(values)
        return services.register(actor=actor or system, **fields)

    return make


def test_registration_encrypts_masks_and_derives_the_category(register):
    registration = register(born=years_ago(30))
    patron, card = registration.patron, registration.card
    assert patron.category.code == "adult" and card.status == "active"
    assert card.barcode.startswith("2") and len(card.barcode) == 12
    assert card.expires_on == TODAY + timedelta(days=1826)
    assert patron.identity_masked.startswith("440104") and "*" in patron.identity_masked
    assert patron.phone_masked == "138****5678"
    raw = Patron.objects.filter(pk=patron.pk).values()[0]
    assert "13812345678" not in str(raw) and resident_id(years_ago(30), 1) not in str(raw)
    assert services.pin_matches(patron, registration.pin) and len(registration.pin) == 6
    assert CardEvent.objects.get(card=card).action == "issued"
    assert AuditEntry.objects.filter(action="patron.register").count() == 1


def test_categories_follow_age_and_residence(register):
    adult = register(born=years_ago(40)).card.barcode
    assert register(born=years_ago(15)).patron.category.code == "teen"
    child = register(born=years_ago(8), guardian_barcode=adult)
    assert child.patron.category.code == "child" and child.patron.guardian.name == "陈小明"
    temporary = register(born=years_ago(30), local_residence=False)
    assert temporary.patron.category.code == "temporary"
    assert temporary.card.expires_on == TODAY + timedelta(days=60)
    concession = register(born=years_ago(70), category="concession")
    assert concession.patron.category.code == "concession"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"born": years_ago(8)}, "GUARDIAN_REQUIRED"),
        ({"born": years_ago(8), "guardian_barcode": "NOPE"}, "GUARDIAN_NOT_FOUND"),
        ({"born": years_ago(8), "category": "adult"}, "CATEGORY_AGE_MISMATCH"),
        ({"phone": "12345"}, "INVALID_PHONE"),
        ({"identity_number": "440104199003070010"}, "INVALID_IDENTITY"),
        ({"category": "nope"}, "UNKNOWN_CATEGORY"),
        ({"pin": "111111"}, "WEAK_PIN"),
        ({"name": "  "}, "VALIDATION_ERROR"),
    ],
)
def test_bad_registrations_write_nothing(register, values, code):
    with pytest.raises(DomainError) as error:
        register(**values)
    assert error.value.code == code
    assert Patron.objects.count() == 0 and Card.objects.count() == 0


def test_a_guardian_must_be_an_adult(register):
    teen = register(born=years_ago(15)).card.barcode
    with pytest.raises(ValidationFailed) as error:
        register(born=years_ago(8), guardian_barcode=teen)
    assert error.value.code == "GUARDIAN_NOT_ADULT"


def test_one_person_one_card(register, system):
    number = resident_id(years_ago(30), 77)
    first = register(identity_number=number)
    with pytest.raises(Conflict) as error:
        register(identity_number=number.lower(), name="另一个人")
    assert error.value.code == "IDENTITY_HAS_CARD"
    assert error.value.details["barcode"] == first.card.barcode
    # the same number given as a social security card is the same person
    with pytest.raises(Conflict):
        register(identity_type="social_security", identity_number=number)
    # after a lost card the person still has one card, the new one
    new = services.card_report_lost(actor=system, barcode=first.card.barcode)
    with pytest.raises(Conflict) as error:
        register(identity_number=number)
    assert error.value.details["barcode"] == new.barcode


def test_desk_staff_register_only_in_their_subtree(register, make_staff, actor_for):
    desk = actor_for(make_staff("desk", "desk_staff", "YX-DS"))
    register(actor=desk, home_org_code="YX-DS")
    with pytest.raises(Forbidden):
        register(actor=desk, home_org_code="YX-GT")
    nobody = actor_for(make_staff("cat", "cataloguer", "YX"))
    with pytest.raises(Forbidden):
        register(actor=nobody, home_org_code="YX-GT")


def test_lost_card_blocks_the_old_barcode_and_keeps_history(register, system):
    registration = register()
    old = registration.card.barcode
    new = services.card_report_lost(actor=system, barcode=old, org_code="HZ-A")
    assert Card.objects.get(barcode=old).status == "lost"
    assert new.patron_id == registration.patron.pk and new.replaces.barcode == old
    assert new.expires_on == registration.card.expires_on and new.issued_at.code == "HZ-A"
    assert selectors.find(old) == [registration.patron]  # staff still find the person
    with pytest.raises(Conflict):
        services.card_report_lost(actor=system, barcode=old)
    actions = list(
        CardEvent.objects.filter(card__patron=registration.patron).values_list("action", flat=True)
    )
    assert actions == ["issued", "lost", "replaced"]


def test_renew_extend_block_cancel(register, system):
    adult = register().card
    Card.objects.filter(pk=adult.pk).update(expires_on=TODAY - timedelta(days=3))
    assert services.expire_cards() == 1
    renewed = services.card_renew(actor=system, barcode=adult.barcode)
    assert renewed.status == "active" and renewed.expires_on == TODAY + timedelta(days=1826)

    temporary = register(local_residence=False).card
    with pytest.raises(Conflict):
        services.card_renew(actor=system, barcode=temporary.barcode)
    extended = services.card_extend(actor=system, barcode=temporary.barcode)
    assert extended.expires_on == TODAY + timedelta(days=120) and extended.extensions == 1
    with pytest.raises(Conflict) as error:
        services.card_extend(actor=system, barcode=temporary.barcode)
    assert error.value.code == "EXTENSION_LIMIT"
    with pytest.raises(Conflict):
        services.card_extend(actor=system, barcode=adult.barcode)

    services.card_set_blocked(actor=system, barcode=adult.barcode, blocked=True, reason="证件核查")
    assert Card.objects.get(pk=adult.pk).status == "blocked"
    services.card_set_blocked(actor=system, barcode=adult.barcode, blocked=False, reason="核查完毕")
    with pytest.raises(Conflict) as error:
        services.card_cancel(actor=system, barcode=adult.barcode, org_code="HZ-A")
    assert error.value.code == "NOT_HOME_LIBRARY"
    services.card_cancel(actor=system, barcode=adult.barcode, org_code="YX-GT")
    assert Card.objects.get(pk=adult.pk).status == "cancelled"


def test_pins_are_hashed_and_reset(register, system):
    registration = register(pin="482915")
    assert registration.patron.pin_hash.startswith("argon2") and registration.pin == "482915"
    new = services.pin_set(actor=system, barcode=registration.card.barcode)
    patron = Patron.objects.get(pk=registration.patron.pk)
    assert services.pin_matches(patron, new) and not services.pin_matches(patron, "482915")


def test_reveal_needs_the_right_role_and_is_audited(register, make_staff, actor_for):
    registration = register(phone="13900001111")
    barcode = registration.card.barcode
    desk = actor_for(make_staff("desk", "desk_staff", "YX"))
    with pytest.raises(Forbidden):
        services.reveal(actor=desk, barcode=barcode, field="phone")
    director = actor_for(make_staff("boss", "branch_director", "YX"))
    assert services.reveal(actor=director, barcode=barcode, field="phone") == "13900001111"
    entry = AuditEntry.objects.get(action="patron.reveal")
    assert entry.actor.username == "boss" and entry.changes == {"field": "phone"}
    assert "13900001111" not in str(AuditEntry.objects.values_list("changes", flat=True))
    other = actor_for(make_staff("hz", "branch_director", "HZ"))
    with pytest.raises(Forbidden):
        services.reveal(actor=other, barcode=barcode, field="identity")


def test_lookup_by_card_identity_phone_and_name(register):
    number = resident_id(years_ago(30), 501)
    registration = register(identity_number=number, phone="13700002222", name="黄晓燕")
    patron = registration.patron
    assert selectors.find(registration.card.barcode) == [patron]
    assert selectors.find(number) == [patron]
    assert selectors.find(number.lower()) == [patron]
    assert selectors.find("137-0000-2222") == [patron]
    assert selectors.find("黄晓") == [patron]
    assert selectors.find("") == [] and selectors.find("99999") == []


def test_daily_job_moves_children_on_by_age(register):
    adult = register(born=years_ago(40)).card.barcode
    child = register(born=years_ago(12, days=-1), guardian_barcode=adult).patron  # 12 tomorrow
    assert child.category.code == "child"
    assert services.follow_age(TODAY) == 0
    assert services.follow_age(TODAY + timedelta(days=1)) == 1
    child.refresh_from_db()
    assert child.category.code == "teen"
    assert CategoryChange.objects.get(patron=child).reason == "age"
    assert services.follow_age(TODAY + timedelta(days=1)) == 0  # nothing more to do


def test_update_changes_phone_and_category(register, system):
    registration = register()
    barcode = registration.card.barcode
    patron = services.patron_update(
        actor=system, barcode=barcode, changes={"phone": "13655556666", "category": "concession"}
    )
    assert patron.phone_masked == "136****6666" and patron.category.code == "concession"
    assert selectors.find("13655556666") == [patron]
    with pytest.raises(ValidationFailed):
        services.patron_update(actor=system, barcode=barcode, changes={"identity_hash": "x"})
    with pytest.raises(ValidationFailed):
        services.patron_update(actor=system, barcode=barcode, changes={"phone": "1"})


def test_export_and_delete(register, system):
    number = resident_id(years_ago(30), 901)
    registration = register(identity_number=number, address="广州市越秀区中山四路")
    barcode = registration.card.barcode
    data = services.export_data(registration.patron)
    assert data["identity_number"] == number and data["phone"] == "13812345678"
    assert data["cards"][0]["barcode"] == barcode and data["cards"][0]["events"]
    with pytest.raises(Conflict):
        services.patron_delete(actor=system, barcode=barcode, org_code="HZ-A")
    services.patron_delete(actor=system, barcode=barcode, org_code="YX-GT")
    gone = Patron.objects.get(pk=registration.patron.pk)
    assert gone.deleted_at and gone.name == "" and gone.identity_hash is None
    assert gone.identity_encrypted == gone.phone_encrypted == gone.address == ""
    assert gone.category.code == "adult" and gone.home_org.code == "YX-GT"  # kept for statistics
    assert Card.objects.get(barcode=barcode).status == "cancelled"
    assert selectors.find(number) == []
    register(identity_number=number)  # the person may register again


def test_pseudonymous_keys_do_not_reveal_the_reader(register):
    first, second = register().patron, register().patron
    key = crypto.pseudonym(f"patron:{first.pk}")
    assert key == crypto.pseudonym(f"patron:{first.pk}") and len(key) == 32
    assert key != crypto.pseudonym(f"patron:{second.pk}")


def test_families_need_three_members_and_a_minor(register, system):
    mother = register(born=years_ago(35)).card.barcode
    father = register(born=years_ago(36)).card.barcode
    grandma = register(born=years_ago(66)).card.barcode
    child = register(born=years_ago(7), guardian_barcode=mother).card.barcode
    with pytest.raises(ValidationFailed) as error:
        services.family_create(actor=system, name="陈家", barcodes=[mother, father])
    assert error.value.code == "FAMILY_TOO_SMALL"
    with pytest.raises(ValidationFailed) as error:
        services.family_create(actor=system, name="陈家", barcodes=[mother, father, grandma])
    assert error.value.code == "FAMILY_WITHOUT_MINOR"
    family = services.family_create(actor=system, name="陈家", barcodes=[mother, father, child])
    members = Patron.objects.filter(family=family)
    assert members.count() == 3 and {m.category.code for m in members} == {"family"}
    with pytest.raises(Conflict):
        services.family_create(actor=system, name="又一家", barcodes=[child, grandma, father])


def test_readers_brought_over_keep_their_issue_date(register):
    card = register(issued_on=TODAY - timedelta(days=2000)).card
    assert card.issued_on == TODAY - timedelta(days=2000)
    assert card.expires_on == TODAY - timedelta(days=2000 - 1826)
    assert services.expire_cards() == 1
    card.refresh_from_db()
    assert card.status == "expired"
    with pytest.raises(ValidationFailed):
        register(issued_on=TODAY + timedelta(days=1))


def test_daily_command(register):
    from io import StringIO

    from django.core.management import CommandError, call_command

    register(issued_on=TODAY - timedelta(days=1900))
    out = StringIO()
    call_command("run_daily", stdout=out)
    assert "cards_expired: 1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("run_daily", "--date", "yesterday")
