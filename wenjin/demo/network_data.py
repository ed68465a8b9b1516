"""The demo network: Guangzhou's city library, the Yuexiu district library with its street
branches, special branches, service points, 24-hour libraries and ATMs, and a second
district (Haizhu) for cross-district lending. Plain data; ``builder`` turns it into units.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitSpec:
    """One unit of the demo network."""

    code: str
    kind: str
    name_zh: str
    name_en: str
    parent: str | None
    address: str = ""
    hours: str = "branch"  # a key of HOURS_PATTERNS
    themed_collection: str = ""
    partner: tuple[str, str, str] | None = None  # (name, kind, role)
    extra: dict = field(default_factory=dict)


# Weekly hours patterns: weekday (0 = Monday) → "HH:MM-HH:MM, …".
HOURS_PATTERNS: dict[str, dict[int, str]] = {
    "city": {d: "09:00-21:00" for d in range(1, 7)} | {0: "12:00-21:00"},
    "district": {d: "09:00-21:00" for d in range(7)},
    "branch": {d: "09:00-12:00, 14:00-20:30" for d in range(1, 7)},
    "branch_mon": {d: "09:30-12:00, 14:00-18:00" for d in range(7)},
    "children": {d: "14:30-20:00" for d in range(1, 5)} | {5: "09:00-20:00", 6: "09:00-20:00"},
    "service_point": {d: "14:00-18:00" for d in range(1, 5)} | {5: "09:00-17:00", 6: "09:00-17:00"},
    "always": {d: "00:00-24:00" for d in range(7)},
    "bookshop": {d: "10:00-22:00" for d in range(7)},
}

YUEXIU_STREETS = [
    ("BJ", "北京", "Beijing"),
    ("RM", "人民", "Renmin"),
    ("DS", "东山", "Dongshan"),
    ("NL", "农林", "Nonglin"),
    ("MHC", "梅花村", "Meihuacun"),
    ("HHG", "黄花岗", "Huanghuagang"),
    ("HL", "华乐", "Huale"),
    ("JS", "建设", "Jianshe"),
    ("DT", "大塘", "Datang"),
    ("ZG", "珠光", "Zhuguang"),
    ("DD", "大东", "Dadong"),
    ("BY", "白云", "Baiyun"),
    ("DF", "登峰", "Dengfeng"),
    ("KQ", "矿泉", "Kuangquan"),
    ("HQ", "洪桥", "Hongqiao"),
    ("LR", "六榕", "Liurong"),
    ("LH", "流花", "Liuhua"),
    ("GT", "光塔", "Guangta"),
]

THEMES = {
    "BJ": "岭南文化与北京路千年古道",
    "DS": "东山洋楼与近代史",
    "NL": "科普与创客",
    "HHG": "辛亥革命史",
    "DT": "粤剧粤曲",
    "LR": "佛教文化与古籍",
    "LH": "体育与健康",
}


def yuexiu_network() -> list[UnitSpec]:
    """The small-scale demo network, in creation order (parents first)."""
    units = [
        UnitSpec(
            "GZ",
            "city_center",
            "广州图书馆",
            "Guangzhou Library",
            None,
            "广州市天河区珠江东路4号",
            "city",
        ),
        UnitSpec(
            "YX",
            "district_main",
            "越秀区图书馆",
            "Yuexiu District Library",
            "GZ",
            "广州市越秀区大南路",
            "district",
        ),
    ]
    for suffix, name, pinyin in YUEXIU_STREETS:
        code = f"YX-{suffix}"
        kind, hours, theme, partner = "branch", "branch", THEMES.get(suffix, ""), None
        if suffix == "KQ":
            kind, hours = "special_branch", "children"
            theme = "少儿阅读与绘本"
            partner = ("矿泉街中心小学", "school", "提供场地，共同开展少儿阅读活动")
        elif suffix == "GT":
            kind, hours = "special_branch", "branch_mon"
            theme = "英语文学（英文原版图书）"
            partner = ("广州启文教育科技有限公司", "company", "共建英语文学分馆，运营英语阅读活动")
        elif suffix in ("DS", "NL", "LR"):
            hours = "branch_mon"
        units.append(
            UnitSpec(
                code,
                kind,
                f"越秀区图书馆{name}街分馆",
                f"{pinyin} Street Branch",
                "YX",
                f"广州市越秀区{name}街",
                hours,
                theme,
                partner,
            )
        )
    units += [
        UnitSpec(
            "YX-SY",
            "special_branch",
            "越秀区图书馆四阅书店分馆",
            "Siyue Bookshop Branch",
            "YX",
            "广州市越秀区北京路",
            "bookshop",
            "新书与“你选书 我买单”",
            ("四阅书店", "bookshop", "书店内设分馆，读者选书、图书馆买单"),
        ),
        UnitSpec(
            "YX-SE",
            "children_library",
            "越秀区少年儿童图书馆",
            "Yuexiu District Children's Library",
            "YX",
            "广州市越秀区文德路",
            "children",
            "少儿读物、亲子阅读",
        ),
        UnitSpec(
            "YX-BJ-DA",
            "service_point",
            "德安服务点",
            "De'an Service Point",
            "YX-BJ",
            "广州市越秀区北京街德安社区",
            "service_point",
        ),
        UnitSpec(
            "YX-DD-DHXC",
            "service_point",
            "东湖新村服务点",
            "Donghu Xincun Service Point",
            "YX-DD",
            "广州市越秀区大东街东湖新村",
            "service_point",
        ),
        UnitSpec(
            "YX-BY-YSSS",
            "service_point",
            "永胜上沙红船书吧",
            "Yongsheng Shangsha Red Boat Reading Bar",
            "YX-BY",
            "广州市越秀区白云街永胜上沙",
            "service_point",
        ),
        UnitSpec(
            "YX-DT-24H",
            "self_service_library",
            "大塘街24小时自助图书馆",
            "Datang Street 24-hour Library",
            "YX-DT",
            "广州市越秀区大塘街",
            "always",
        ),
        UnitSpec(
            "YX-GT-24H",
            "self_service_library",
            "光塔街24小时自助图书馆",
            "Guangta Street 24-hour Library",
            "YX-GT",
            "广州市越秀区光塔街",
            "always",
        ),
    ]
    for number in range(1, 5):
        units.append(
            UnitSpec(
                f"YX-NL-ATM{number}",
                "lending_atm",
                f"农林街图书借阅机{number}号",
                f"Nonglin Lending ATM {number}",
                "YX-NL",
                "广州市越秀区农林街",
                "always",
            )
        )
    units += [
        UnitSpec(
            "HZ",
            "district_main",
            "海珠区图书馆",
            "Haizhu District Library",
            "GZ",
            "广州市海珠区",
            "district",
        ),
        UnitSpec(
            "HZ-NHX",
            "branch",
            "海珠区图书馆南华西街分馆",
            "Nanhuaxi Street Branch",
            "HZ",
            "广州市海珠区南华西街",
            "branch",
        ),
        UnitSpec(
            "HZ-JNZ",
            "branch",
            "海珠区图书馆江南中街分馆",
            "Jiangnanzhong Street Branch",
            "HZ",
            "广州市海珠区江南中街",
            "branch",
        ),
    ]
    return units


# The rest of the city, for the "city" scale: (code, name, branches, service points).
OTHER_DISTRICTS = [
    ("LW", "荔湾", "Liwan", 22, 30),
    ("TH", "天河", "Tianhe", 21, 45),
    ("BY", "白云", "Baiyun", 24, 60),
    ("HP", "黄埔", "Huangpu", 17, 40),
    ("PY", "番禺", "Panyu", 16, 60),
    ("HD", "花都", "Huadu", 10, 45),
    ("NS", "南沙", "Nansha", 9, 30),
    ("CH", "从化", "Conghua", 8, 25),
    ("ZC", "增城", "Zengcheng", 13, 45),
]

# Map centre of each district (latitude, longitude), to scatter demo coordinates around.
DISTRICT_CENTRES = {
    "GZ": (23.1155, 113.3246),
    "YX": (23.1290, 113.2668),
    "HZ": (23.0969, 113.3172),
    "LW": (23.1259, 113.2440),
    "TH": (23.1247, 113.3612),
    "BY": (23.1573, 113.2730),
    "HP": (23.1067, 113.4591),
    "PY": (22.9376, 113.3843),
    "HD": (23.4039, 113.2204),
    "NS": (22.8016, 113.5253),
    "CH": (23.5486, 113.5867),
    "ZC": (23.2606, 113.8108),
}
