"""Pure rules of the statistics: the national forms' rows, the annual inputs, shares that
sum to exactly 100.00, and the consistency checks. No ORM here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.translation import gettext_lazy as _

from wenjin.lib.errors import DomainError

# The form changed in 2020 (e-books by source dropped; audio/video hours, TB of digital
# text and online-service visits added).
SCHEMA_CHANGE_YEAR = 2020
YEAR_MIN, YEAR_MAX = 1950, 2100

Source = Literal["computed", "entered"]


@dataclass(frozen=True)
class Row:
    """One row of 综合统计: its JSON key, the form's wording and unit, where the value
    comes from and, for computed rows, the definition the report's notes print."""

    key: str
    label: str
    unit: str
    source: Source
    definition: str = ""
    decimals: int = 0
    indent: int = 0  # 1 for "其中：" rows (a subset of the row above)


@dataclass(frozen=True)
class InputKey:
    """An annual input a statistician enters: its key, label, unit, decimals allowed."""

    key: str
    label: str
    unit: str
    decimals: int = 0
    since: int = YEAR_MIN  # first year of the form that asks for it
    until: int = YEAR_MAX  # last year of the form that asks for it


INPUTS: tuple[InputKey, ...] = (
    InputKey("shelf_length_m", "书架单层总长度", "米", decimals=1),
    InputKey("computers", "计算机台数", "台"),
    InputKey("reader_terminals", "其中：供读者使用的终端数", "台"),
    InputKey("ebooks_self_built", "电子图书：自建", "册", until=SCHEMA_CHANGE_YEAR - 1),
    InputKey("ebooks_purchased", "电子图书：外购", "册", until=SCHEMA_CHANGE_YEAR - 1),
    InputKey("ebooks_shared", "电子图书：免费共享", "册", until=SCHEMA_CHANGE_YEAR - 1),
    InputKey("ebooks_added", "本年新增电子图书", "册", until=SCHEMA_CHANGE_YEAR - 1),
    InputKey("periodical_titles_purchased", "当年购买的报刊种类", "种"),
    InputKey("website_visits", "图书馆网站访问量", "页次"),
    InputKey(
        "av_resources_khours", "音视频资源总量", "千小时", decimals=2, since=SCHEMA_CHANGE_YEAR
    ),
    InputKey(
        "digital_text_tb",
        "电子文本、图片文献资源年总量",
        "TB",
        decimals=3,
        since=SCHEMA_CHANGE_YEAR,
    ),
    InputKey("online_service_visits", "线上服务人次", "人次", since=SCHEMA_CHANGE_YEAR),
)
INPUT_KEYS: dict[str, InputKey] = {spec.key: spec for spec in INPUTS}
INPUT_MAX = Decimal("1e12")


class InputError(DomainError):
    """An annual input that cannot be stored: ``code`` names the problem, ``key`` the
    input (also in ``details["key"]``)."""

    def __init__(self, code: str, message: str, key: str = "") -> None:
        super().__init__(code, message, details={"key": key} if key else None)
        self.key = key


def clean_input(key: str, value: object) -> Decimal:
    """The stored value of one annual input, or ``InputError``: a known key, a number
    (not a boolean), not negative, whole where the unit is counted, not absurdly large."""
    spec = INPUT_KEYS.get(key)
    if spec is None:
        raise InputError("UNKNOWN_KEY", str(_("Unknown statistics item: %s") % key), key)
    if isinstance(value, bool) or value is None:
        raise InputError("NOT_A_NUMBER", str(_("%s must be a number.") % spec.label), key)
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise InputError("NOT_A_NUMBER", str(_("%s must be a number.") % spec.label), key) from None
    if not number.is_finite():
        raise InputError("NOT_A_NUMBER", str(_("%s must be a number.") % spec.label), key)
    if number < 0:
        raise InputError("NEGATIVE", str(_("%s cannot be negative.") % spec.label), key)
    if number >= INPUT_MAX:
        raise InputError("TOO_LARGE", str(_("%s is too large.") % spec.label), key)
    if number != number.quantize(Decimal(1).scaleb(-spec.decimals), rounding=ROUND_HALF_UP):
        if spec.decimals == 0:
            message = _("%s must be a whole number.") % spec.label
        else:
            message = _("%(label)s allows at most %(n)d decimal places.") % {
                "label": spec.label,
                "n": spec.decimals,
            }
        raise InputError("TOO_PRECISE", str(message), key)
    return number


def check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InputError(
            "BAD_YEAR",
            str(_("The year must be between %(a)d and %(b)d.") % {"a": YEAR_MIN, "b": YEAR_MAX}),
        )


def schema_for(year: int) -> str:
    """Which national form a year is reported on: ``"2020"`` from 2020, else ``"2011"``."""
    return "2020" if year >= SCHEMA_CHANGE_YEAR else "2011"


# ---- 综合统计: the rows in the form's order and wording -------------------------------

_HOLDINGS = "Items not withdrawn at the end of the year (acquired on or before it)"
_COMMON_HEAD: tuple[Row, ...] = (
    Row("holdings_total", "总藏量", "册(件)", "computed", _HOLDINGS),
    Row("books", "图书", "册", "computed", "Holdings of material type book", indent=1),
    Row(
        "braille_books",
        "其中：盲文图书",
        "册",
        "computed",
        "Holdings of material type book marked braille",
        indent=2,
    ),
    Row("ancient_books", "古籍", "册", "computed", "Holdings of material type ancient", indent=1),
    Row(
        "rare_books",
        "其中：善本",
        "册",
        "computed",
        "Holdings of material type ancient marked rare (善本)",
        indent=2,
    ),
    Row("periodicals", "报刊", "册", "computed", "Holdings of material type periodical", indent=1),
    Row(
        "audiovisual",
        "视听文献",
        "件",
        "computed",
        "Holdings of material type audiovisual",
        indent=1,
    ),
    Row(
        "microforms", "缩微制品", "件", "computed", "Holdings of material type microform", indent=1
    ),
    Row(
        "other_holdings",
        "其他",
        "册(件)",
        "computed",
        "Holdings of material types electronic and other",
        indent=1,
    ),
    Row("open_shelf", "开架书刊", "册", "computed", "Holdings on open shelves"),
    Row("childrens_holdings", "少儿文献", "册(件)", "computed", "Holdings marked children's"),
)
_EBOOKS: tuple[Row, ...] = (
    Row("ebooks_total", "电子图书", "册", "entered", "Sum of the three sources below"),
    Row("ebooks_self_built", "其中：自建", "册", "entered", indent=1),
    Row("ebooks_purchased", "外购", "册", "entered", indent=1),
    Row("ebooks_shared", "免费共享", "册", "entered", indent=1),
)
_DIGITAL_2020: tuple[Row, ...] = (
    Row("av_resources_khours", "音视频资源总量", "千小时", "entered", decimals=2),
    Row("digital_text_tb", "电子文本、图片文献资源年总量", "TB", "entered", decimals=3),
)
_SHELF = (Row("shelf_length_m", "书架单层总长度", "米", "entered", decimals=1),)
_ADDED = (
    Row(
        "holdings_added",
        "本年新增藏量",
        "册(件)",
        "computed",
        "Items acquired during the year (acquisition date, else the date catalogued)",
    ),
)
_EBOOKS_ADDED = (Row("ebooks_added", "本年新增电子图书", "册", "entered"),)
_SERVICE: tuple[Row, ...] = (
    Row("periodical_titles_purchased", "当年购买的报刊种类", "种", "entered"),
    Row("valid_cards", "有效借书证数", "个", "computed", "set by the valid-cards definition"),
    Row("visits", "总流通人次", "人次", "computed", "Sum of the entrance gate counts"),
    Row(
        "lending_visits",
        "其中：书刊文献外借人次",
        "人次",
        "computed",
        "Distinct (reader, day, org unit) with at least one checkout",
        indent=1,
    ),
    Row("items_lent", "书刊文献外借册次", "册次", "computed", "set by the items-lent definition"),
    Row("lectures", "举办各种讲座次数", "次", "computed", "Lecture sessions held in the year"),
    Row("lecture_attendance", "参加讲座人次", "人次", "computed", "Attendance of those lectures"),
    Row("exhibitions", "举办展览个数", "个", "computed", "Exhibitions opened in the year"),
    Row(
        "exhibition_attendance",
        "参观展览人次",
        "人次",
        "computed",
        "Attendance of those exhibitions",
    ),
    Row("trainings", "举办培训班个数", "个", "computed", "Training sessions held in the year"),
    Row("training_attendance", "参加培训人次", "人次", "computed", "Attendance of those trainings"),
    Row("computers", "计算机台数", "台", "entered"),
    Row("reader_terminals", "其中：供读者使用的终端数", "台", "entered", indent=1),
    Row("website_visits", "图书馆网站访问量", "页次", "entered"),
)
_ONLINE_2020 = (Row("online_service_visits", "线上服务人次", "人次", "entered"),)


def comprehensive_rows(year: int) -> tuple[Row, ...]:
    """The rows of 综合统计 for ``year``, in the form's order."""
    if schema_for(year) == "2020":
        return _COMMON_HEAD + _DIGITAL_2020 + _SHELF + _ADDED + _SERVICE + _ONLINE_2020
    return _COMMON_HEAD + _EBOOKS + _SHELF + _ADDED + _EBOOKS_ADDED + _SERVICE


# ---- 活动统计 ----------------------------------------------------------------------------

ACTIVITY_ORDER = ("exhibition", "lecture", "training", "reading_promotion")
ACTIVITY_LABELS = {
    "exhibition": "展览",
    "lecture": "讲座",
    "training": "培训",
    "reading_promotion": "阅读推广",
    "other": "其他",
}


def activity_kinds(present: Sequence[str]) -> list[str]:
    """The four kinds of the form in its order, then any other kinds present (sorted)."""
    return list(ACTIVITY_ORDER) + sorted(k for k in set(present) if k not in ACTIVITY_ORDER)


def shares(values: Sequence[int]) -> list[Decimal]:
    """Percentages with 2 decimals that sum to exactly 100.00 (largest remainder: each
    share is cut down to the hundredth, then the hundredths left over go to the largest
    remainders, ties to the earlier row). All zero when the total is zero."""
    total = sum(values)
    if total <= 0:
        return [Decimal("0.00")] * len(values)
    units = [value * 10000 for value in values]  # in hundredths of a per cent, times total
    floors = [unit // total for unit in units]
    left = 10000 - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(units[i] % total), i))
    for index in order[:left]:
        floors[index] += 1
    return [Decimal(hundredths).scaleb(-2) for hundredths in floors]


def percent_text(share: Decimal) -> str:
    return f"{share:.2f}%"


# ---- consistency checks ------------------------------------------------------------------

# (subset, total): a subset larger than its total is flagged.
SUBSETS: tuple[tuple[str, str], ...] = (
    ("braille_books", "books"),
    ("rare_books", "ancient_books"),
    ("open_shelf", "holdings_total"),
    ("childrens_holdings", "holdings_total"),
    ("reader_terminals", "computers"),
    ("lending_visits", "visits"),
)


@dataclass(frozen=True)
class Flag:
    """One consistency problem the report points out (it never changes a figure)."""

    code: str
    message: str
    org_code: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "org_code": self.org_code}


def subset_flags(
    values: Mapping[str, int | Decimal | None], labels: Mapping[str, str], org_code: str = ""
) -> list[Flag]:
    """A flag for each subset larger than its total (both known). Lending visits above
    visits is only flagged where gate counts were sent at all (``visits`` > 0): a unit
    without a counter has no visits to compare with."""
    flags = []
    for part, whole in SUBSETS:
        part_value, whole_value = values.get(part), values.get(whole)
        if part_value is None or whole_value is None:
            continue
        if part == "lending_visits" and not whole_value:
            continue
        if part_value > whole_value:
            flags.append(
                Flag(
                    "SUBSET_EXCEEDS_TOTAL",
                    f"{labels.get(part, part)}（{part_value}）大于{labels.get(whole, whole)}（{whole_value}）",
                    org_code,
                )
            )
    return flags


def visits_dropped(this_year: int, last_year: int, percent: int) -> bool:
    """Whether visits fell by at least ``percent`` % from a year that had any."""
    return last_year > 0 and this_year * 100 <= last_year * (100 - percent)
