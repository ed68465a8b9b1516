"""Demo readers: every category across the branches, with checksum-correct resident IDs,
a few families, temporary cards and some expired ones. PINs are derived from the seed
and the card number, so the manifest can list them later."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from typing import Any

from wenjin.accounts.actor import Actor
from wenjin.circulation.models import ACTIVE_HOLD_STATUSES, Hold, Loan
from wenjin.lib.errors import ValidationFailed
from wenjin.network.models import OrgUnit
from wenjin.patrons import services
from wenjin.patrons.models import LIVE_CARD_STATUSES, Card, CardStatus, Patron
from wenjin.patrons.policies import check_pin, resident_id_check_character

SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢冯邓曾彭萧蔡潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰子轩浩然欣怡梓涵宇航思彤"
REGIONS = ("440103", "440104", "440105", "440106", "440111", "440112")
# (category, how many, age range) — readers in good standing, per category
GOOD_STANDING = 5
AGES = {  # adults first: children's guardians come from them
    "adult": (18, 75),
    "child": (6, 11),
    "teen": (12, 17),
    "temporary": (20, 50),
    "concession": (60, 85),
    "visually_impaired": (30, 80),
}


def demo_pin(seed: int, index: int) -> str:
    """The demo PIN of the ``index``-th demo reader (in registration order)."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{seed}:{index}:{counter}".encode()).hexdigest()
        pin = f"{int(digest[:12], 16) % 1_000_000:06d}"
        try:
            return check_pin(pin)
        except ValidationFailed:
            counter += 1


class _People:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.serial = 0

    def name(self, surname: str | None = None) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        return (surname or self.rng.choice(SURNAMES)) + given

    def identity(self, age: int) -> str:
        self.serial += 1
        born = self.today - timedelta(days=age * 365 + self.rng.randrange(30, 330))
        first17 = f"{self.rng.choice(REGIONS)}{born:%Y%m%d}{self.serial % 1000:03d}"
        return first17 + resident_id_check_character(first17)

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"


def build_patrons(actor: Actor, rng: random.Random, seed: int, today: date) -> None:
    """Register the demo readers through the reader services."""
    people = _People(rng, today)
    homes = list(
        OrgUnit.objects.filter(
            path__startswith=OrgUnit.objects.get(code="YX").path,
            kind__in=("district_main", "branch", "special_branch"),
        )
        .order_by("code")
        .values_list("code", flat=True)
    )

    registered = 0

    def register(age: int, index: int, **values: Any) -> services.Registration:
        nonlocal registered
        registration = services.register(
            actor=actor,
            name=values.pop("name", None) or people.name(),
            identity_type="resident_id",
            identity_number=people.identity(age),
            phone=people.phone(),
            home_org_code=homes[index % len(homes)],
            address=f"广州市越秀区{rng.choice('东西南北')}华路{rng.randrange(1, 300)}号",
            pin=demo_pin(seed, registered),
            **values,
        )
        registered += 1
        return registration

    adults = []
    for category, (low, high) in AGES.items():
        for index in range(GOOD_STANDING):
            age = rng.randint(low, high)
            values: dict[str, Any] = {}
            if category == "child":
                values["guardian_barcode"] = adults[index].card.barcode
            elif category == "temporary":
                values["local_residence"] = False
            elif category in ("concession", "visually_impaired"):
                values["category"] = category
            registration = register(age, index, **values)
            if category == "adult":
                adults.append(registration)
    # families: two parents and a child, all on the family card
    for index in range(3):
        surname = rng.choice(SURNAMES)
        parent = register(rng.randint(30, 45), index, name=people.name(surname))
        other = register(rng.randint(30, 45), index, name=people.name())
        child = register(
            rng.randint(3, 11),
            index,
            name=people.name(surname),
            guardian_barcode=parent.card.barcode,
        )
        services.family_create(
            actor=actor,
            name=f"{surname}家",
            barcodes=[parent.card.barcode, other.card.barcode, child.card.barcode],
        )
    # cards past their expiry and a temporary card already extended
    for index in range(3):
        register(rng.randint(25, 70), index, issued_on=today - timedelta(days=1900 + index * 30))
    services.expire_cards(today)
    extended = register(rng.randint(20, 40), 0, local_residence=False)
    services.card_extend(actor=actor, barcode=extended.card.barcode)


# Readers who borrow in the demo's year of circulation (the readers above stay untouched).
BORROWERS = {"adult": 24, "teen": 6, "child": 6}


def register_borrowers(actor: Actor, rng: random.Random, seed: int, today: date) -> list[Card]:
    """Register the readers the demo circulation lends to, with cards issued over a year
    ago (so they could borrow all year). Two in three keep their reading history, so the
    reader portal's history and reading report have a year to show."""
    people = _People(rng, today)
    homes = list(
        OrgUnit.objects.filter(kind__in=("district_main", "branch", "special_branch"))
        .order_by("code")
        .values_list("code", flat=True)
    )
    issued = today - timedelta(days=400)
    cards: list[Card] = []
    adults: list[Card] = []
    for category, count in BORROWERS.items():
        low, high = AGES[category]
        for index in range(count):
            values: dict[str, Any] = {}
            if category == "child":
                values["guardian_barcode"] = adults[index].barcode
            registration = services.register(
                actor=actor,
                name=people.name(),
                identity_type="resident_id",
                identity_number=people.identity(rng.randint(low + 1, high)),
                phone=people.phone(),
                home_org_code=homes[index % len(homes)],
                pin=demo_pin(seed, Patron.objects.count()),
                issued_on=issued,
                **values,
            )
            if index % 3 != 2:
                services.patron_update(
                    actor=actor,
                    barcode=registration.card.barcode,
                    changes={"keeps_history": True},
                )
            cards.append(registration.card)
            if category == "adult":
                adults.append(registration.card)
    return cards


def manifest_patrons(seed: int) -> list[dict[str, Any]]:
    """Demo readers for the manifest: per category, readers in good standing (an active
    card, no blocks) first, then the others."""
    index = {
        pk: i for i, pk in enumerate(Patron.objects.order_by("pk").values_list("pk", flat=True))
    }
    borrowing = set(
        Loan.objects.filter(returned_at__isnull=True).values_list("patron_id", flat=True)
    ) | set(
        Hold.objects.filter(status__in=ACTIVE_HOLD_STATUSES).values_list("patron_id", flat=True)
    )
    cards = (
        Card.objects.filter(status__in=LIVE_CARD_STATUSES, patron__deleted_at=None)
        .select_related("patron", "patron__category", "patron__home_org")
        .order_by("patron__category__sort_order", "pk")
    )
    entries = [
        {
            "barcode": card.barcode,
            "pin": demo_pin(seed, index[card.patron_id]),
            "category": card.patron.category.code,
            "name": card.patron.name,
            "home_org": card.patron.home_org.code,
            "status": card.status,
            "expires_on": card.expires_on.isoformat(),
            "good_standing": card.status == CardStatus.ACTIVE and card.patron_id not in borrowing,
            "keeps_history": card.patron.keeps_history,
        }
        for card in cards
    ]
    order = {code: i for i, code in enumerate(dict.fromkeys(e["category"] for e in entries))}
    return sorted(entries, key=lambda e: (order[e["category"]], not e["good_standing"]))
