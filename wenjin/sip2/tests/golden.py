"""Golden frames for every message, written by hand from the SIP2 2.00 layouts.

Each entry pairs a message as Python values with the exact text on the wire
(code, fixed fields at their lengths, variable fields in the specification's order,
each ended by "|"). The dates are spelt out once here because every layout uses the
same 18-character form.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-01-28 14:30:05 local time: YYYYMMDD + 4 spaces (local zone) + HHMMSS
D = "20260128    143005"
WHEN = datetime(2026, 1, 28, 14, 30, 5, tzinfo=SHANGHAI)
DUE = "20260228    235959"
DUE_AT = datetime(2026, 2, 28, 23, 59, 59, tzinfo=SHANGHAI)
BLANK = " " * 18
PATRON = "4401000001"
ITEM = "31010000123"

# (code, fixed, fields, wire text without trailer and CR)
REQUESTS = [
    (
        "93",
        {"uid_algorithm": "0", "pwd_algorithm": "0"},
        {"CN": "kiosk-yx01", "CO": "s3cret", "CP": "YX"},
        "9300CNkiosk-yx01|COs3cret|CPYX|",
    ),
    (
        "99",
        {"status_code": "0", "max_print_width": 80, "protocol_version": "2.00"},
        {},
        "9900802.00",
    ),
    (
        "63",
        {"language": "019", "transaction_date": D, "summary": "  Y       "},
        {"AO": "YX", "AA": PATRON, "AC": "termpw", "AD": "1234", "BP": "1", "BQ": "5"},
        f"63019{D}  Y       AOYX|AA{PATRON}|ACtermpw|AD1234|BP1|BQ5|",
    ),
    (
        "23",
        {"language": "019", "transaction_date": D},
        {"AO": "YX", "AA": PATRON, "AC": "", "AD": "1234"},
        f"23019{D}AOYX|AA{PATRON}|AC|AD1234|",
    ),
    (
        "11",
        {"sc_renewal_policy": "Y", "no_block": "N", "transaction_date": D, "nb_due_date": BLANK},
        {"AO": "YX", "AA": PATRON, "AB": ITEM, "AC": "", "AD": "1234", "BO": "N"},
        f"11YN{D}{BLANK}AOYX|AA{PATRON}|AB{ITEM}|AC|AD1234|BON|",
    ),
    (
        "09",
        {"no_block": "N", "transaction_date": D, "return_date": D},
        {"AP": "YX-GT", "AO": "YX", "AB": ITEM, "AC": "", "BI": "N"},
        f"09N{D}{D}APYX-GT|AOYX|AB{ITEM}|AC|BIN|",
    ),
    (
        "29",
        {"third_party_allowed": "N", "no_block": "N", "transaction_date": D, "nb_due_date": BLANK},
        {"AO": "YX", "AA": PATRON, "AD": "1234", "AB": ITEM, "AC": "", "BO": "N"},
        f"29NN{D}{BLANK}AOYX|AA{PATRON}|AD1234|AB{ITEM}|AC|BON|",
    ),
    (
        "65",
        {"transaction_date": D},
        {"AO": "YX", "AA": PATRON, "AD": "1234", "AC": ""},
        f"65{D}AOYX|AA{PATRON}|AD1234|AC|",
    ),
    ("17", {"transaction_date": D}, {"AO": "YX", "AB": ITEM, "AC": ""}, f"17{D}AOYX|AB{ITEM}|AC|"),
    (
        "15",
        {"hold_mode": "+", "transaction_date": D},
        {"BW": DUE, "BS": "YX-DS", "BY": "2", "AO": "YX", "AA": PATRON, "AD": "1234", "AB": ITEM},
        f"15+{D}BW{DUE}|BSYX-DS|BY2|AOYX|AA{PATRON}|AD1234|AB{ITEM}|",
    ),
    (
        "19",
        {"transaction_date": D},
        {"AO": "YX", "AB": ITEM, "AC": "", "CH": "binding=paperback"},
        f"19{D}AOYX|AB{ITEM}|AC|CHbinding=paperback|",
    ),
    (
        "25",
        {"transaction_date": D},
        {"AO": "YX", "AA": PATRON, "AC": "", "AD": "1234"},
        f"25{D}AOYX|AA{PATRON}|AC|AD1234|",
    ),
    (
        "37",
        {"transaction_date": D, "fee_type": "04", "payment_type": "00", "currency_type": "CNY"},
        {
            "BV": "1.50",
            "AO": "YX",
            "AA": PATRON,
            "AC": "",
            "AD": "1234",
            "CG": "F-778",
            "BK": "TX-0001",
        },
        f"37{D}0400CNYBV1.50|AOYX|AA{PATRON}|AC|AD1234|CGF-778|BKTX-0001|",
    ),
    (
        "35",
        {"transaction_date": D},
        {"AO": "YX", "AA": PATRON, "AC": "", "AD": "1234"},
        f"35{D}AOYX|AA{PATRON}|AC|AD1234|",
    ),
    (
        "01",
        {"card_retained": "N", "transaction_date": D},
        {"AO": "YX", "AL": "card blocked at kiosk", "AA": PATRON, "AC": ""},
        f"01N{D}AOYX|ALcard blocked at kiosk|AA{PATRON}|AC|",
    ),
    ("97", {}, {}, "97"),
]

RESPONSES = [
    ("94", {"ok": True}, {}, "941"),
    (
        "98",
        {
            "online_status": True,
            "checkin_ok": True,
            "checkout_ok": True,
            "acs_renewal_policy": True,
            "status_update_ok": False,
            "offline_ok": True,
            "timeout_period": 10,
            "retries_allowed": 3,
            "date_time_sync": WHEN,
            "protocol_version": "2.00",
        },
        {"AO": "YX", "AM": "Yuexiu District Library", "BX": "YYYYYYYYYYYNYYYY", "AN": "YX-GT"},
        f"98YYYYNY010003{D}2.00AOYX|AMYuexiu District Library|BXYYYYYYYYYYYNYYYY|ANYX-GT|",
    ),
    (
        "64",
        {
            "patron_status": "      Y       ",
            "language": "019",
            "transaction_date": WHEN,
            "hold_items_count": 0,
            "overdue_items_count": 1,
            "charged_items_count": 2,
            "fine_items_count": 0,
            "recall_items_count": 0,
            "unavailable_holds_count": 0,
        },
        {
            "AO": "YX",
            "AA": PATRON,
            "AE": "张三",
            "BZ": 5,
            "CB": 30,
            "BL": True,
            "CQ": True,
            "BH": "CNY",
            "BV": Decimal("0.5"),
            "AU": [ITEM, "31010000456"],
            "AF": ["您有1册图书已逾期"],
        },
        f"64      Y       019{D}000000010002000000000000AOYX|AA{PATRON}|AE张三|BZ0005|CB0030|"
        f"BLY|CQY|BHCNY|BV0.50|AU{ITEM}|AU31010000456|AF您有1册图书已逾期|",
    ),
    (
        "24",
        {"patron_status": "Y  Y          ", "language": "019", "transaction_date": WHEN},
        {"AO": "YX", "AA": PATRON, "AE": "张三", "BL": True, "CQ": False, "AF": ["密码错误"]},
        f"24Y  Y          019{D}AOYX|AA{PATRON}|AE张三|BLY|CQN|AF密码错误|",
    ),
    (
        "12",
        {
            "ok": True,
            "renewal_ok": False,
            "magnetic_media": False,
            "desensitize": True,
            "transaction_date": WHEN,
        },
        {
            "AO": "YX",
            "AA": PATRON,
            "AB": ITEM,
            "AJ": "三体",
            "AH": DUE_AT,
            "CK": "001",
            "AF": ["借书成功"],
            "AG": ["应还日期 2026-02-28"],
        },
        f"121NNY{D}AOYX|AA{PATRON}|AB{ITEM}|AJ三体|AH{DUE}|CK001|AF借书成功|AG应还日期 2026-02-28|",
    ),
    (
        "10",
        {
            "ok": True,
            "resensitize": True,
            "magnetic_media": False,
            "alert": True,
            "transaction_date": WHEN,
        },
        {
            "AO": "YX",
            "AB": ITEM,
            "AQ": "YX-DS",
            "AJ": "三体",
            "CL": "B3",
            "AA": PATRON,
            "CK": "001",
            "CT": "YX-DS",
            "CV": "04",
            "AF": ["请放入在途箱"],
        },
        f"101YNY{D}AOYX|AB{ITEM}|AQYX-DS|AJ三体|CLB3|AA{PATRON}|CK001|CTYX-DS|CV04|AF请放入在途箱|",
    ),
    (
        "30",
        {
            "ok": True,
            "renewal_ok": True,
            "magnetic_media": False,
            "desensitize": True,
            "transaction_date": WHEN,
        },
        {
            "AO": "YX",
            "AA": PATRON,
            "AB": ITEM,
            "AJ": "三体",
            "AH": "20260314    235959",
            "AF": ["续借成功"],
        },
        f"301YNY{D}AOYX|AA{PATRON}|AB{ITEM}|AJ三体|AH20260314    235959|AF续借成功|",
    ),
    (
        "66",
        {"ok": True, "renewed_count": 2, "unrenewed_count": 1, "transaction_date": WHEN},
        {"AO": "YX", "BM": [ITEM, "31010000456"], "BN": ["31010000789"], "AF": ["1册未能续借"]},
        f"66100020001{D}AOYX|BM{ITEM}|BM31010000456|BN31010000789|AF1册未能续借|",
    ),
    (
        "18",
        {
            "circulation_status": "04",
            "security_marker": "01",
            "fee_type": "01",
            "transaction_date": WHEN,
        },
        {
            "CF": 0,
            "AH": DUE_AT,
            "AB": ITEM,
            "AJ": "三体",
            "BG": "YX",
            "CK": "001",
            "AQ": "YX-DS",
            "AP": "YX-GT",
        },
        f"18040101{D}CF0|AH{DUE}|AB{ITEM}|AJ三体|BGYX|CK001|AQYX-DS|APYX-GT|",
    ),
    (
        "16",
        {"ok": True, "available": False, "transaction_date": WHEN},
        {
            "BW": "20260328    235959",
            "BR": 2,
            "BS": "YX-DS",
            "AO": "YX",
            "AA": PATRON,
            "AB": ITEM,
            "AJ": "三体",
            "AF": ["预约成功"],
        },
        f"161N{D}BW20260328    235959|BR2|BSYX-DS|AOYX|AA{PATRON}|AB{ITEM}|AJ三体|AF预约成功|",
    ),
    (
        "20",
        {"item_properties_ok": True, "transaction_date": WHEN},
        {"AB": ITEM, "AJ": "三体", "CH": "binding=paperback"},
        f"201{D}AB{ITEM}|AJ三体|CHbinding=paperback|",
    ),
    (
        "26",
        {"patron_status": " " * 14, "language": "019", "transaction_date": WHEN},
        {"AO": "YX", "AA": PATRON, "AE": "张三", "BL": True, "CQ": True},
        f"26              019{D}AOYX|AA{PATRON}|AE张三|BLY|CQY|",
    ),
    (
        "38",
        {"payment_accepted": True, "transaction_date": WHEN},
        {"AO": "YX", "AA": PATRON, "BK": "TX-0001", "AF": ["已缴费 ¥1.50"]},
        f"38Y{D}AOYX|AA{PATRON}|BKTX-0001|AF已缴费 ¥1.50|",
    ),
    (
        "36",
        {"end_session": True, "transaction_date": WHEN},
        {"AO": "YX", "AA": PATRON, "AF": ["再见"]},
        f"36Y{D}AOYX|AA{PATRON}|AF再见|",
    ),
    ("96", {}, {}, "96"),
]
