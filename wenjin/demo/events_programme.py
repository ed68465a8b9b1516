"""What runs when in the demo's year of events: the district library's lecture series,
courses for older readers, maker workshops, storytelling at weekends, World Book Day and
the South China Book Fair, the exhibitions in every branch. ``schedule`` fills a
``YearBuilder`` (see ``events_builder``) with the sessions of the year."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from wenjin.demo import events_content as content
from wenjin.events.models import EventKind

if TYPE_CHECKING:
    from wenjin.demo.events_builder import YearBuilder

LECTURE = EventKind.LECTURE
TRAINING = EventKind.TRAINING
READING = EventKind.READING_PROMOTION
OTHER = EventKind.OTHER


def schedule(year: YearBuilder) -> None:
    """Every programme of the year."""
    lectures(year)
    courses(year)
    workshops(year)
    reading(year)
    festivals(year)
    exhibitions(year)
    others(year)


def lectures(year: YearBuilder) -> None:
    branches = [code for code in year.branches if code not in ("YX-KQ", "YX-GT")]
    for n, day in enumerate(year.weekly(5)):
        topic = content.YUEXIU_FORUM_TOPICS[n % len(content.YUEXIU_FORUM_TOPICS)]
        year.add(
            "YX",
            LECTURE,
            f"越秀讲坛第{412 + n}讲：{topic}",
            day,
            "14:30",
            120,
            room="报告厅",
            series="越秀讲坛",
            audiences=("adults", "elderly", "students"),
            capacity=200,
            crowd=(90, 200),
            partners=("南越王博物院",) if n % 6 == 0 else (),
            online=True,
            description=f"越秀讲坛每周六下午邀请文史专家讲述广州的历史与文化，线上同步直播。本期主题：{topic}。",
        )
    for n, day in enumerate(sorted([*year.weekly(2), *year.weekly(4)])):
        topic = content.CULTURE_TOPICS[n % len(content.CULTURE_TOPICS)]
        year.add(
            branches[n % len(branches)],
            LECTURE,
            f"羊城文化讲堂：{topic}",
            day,
            "19:00",
            90,
            room="多功能厅",
            series="羊城文化讲堂",
            capacity=60,
            crowd=(25, 60),
            description=f"羊城文化讲堂走进街道分馆，讲广府文化、岭南风物。本期主题：{topic}。",
        )
    for n, day in enumerate(year.weekly(1)):
        topic = content.HEALTH_TOPICS[n % len(content.HEALTH_TOPICS)]
        code = "YX" if n % 3 == 0 else branches[(n * 5) % len(branches)]
        year.add(
            code,
            LECTURE,
            f"健康大讲堂：{topic}",
            day,
            "10:00",
            90,
            room="多功能厅",
            series="健康大讲堂",
            audiences=("elderly", "adults"),
            capacity=50,
            crowd=(20, 50),
            pool="elderly",
            partners=("越秀区社区卫生服务中心",),
            description=f"社区医生讲健康常识，现场答疑并免费测量血压。本期主题：{topic}。",
        )
    for code, (series, topics) in content.BRANCH_LECTURES.items():
        for n, day in enumerate(year.monthly(6, 2)):
            year.add(
                code,
                LECTURE,
                f"{series}：{topics[n % len(topics)]}",
                day,
                "10:00",
                90,
                room="多功能厅",
                series=series,
                capacity=50,
                crowd=(15, 50),
            )
    for code in ("HZ-NHX", "HZ-JNZ"):
        for n, day in enumerate(year.monthly(4, 2)):
            topic = content.HEALTH_TOPICS[(n + 3) % len(content.HEALTH_TOPICS)]
            year.add(
                code,
                LECTURE,
                f"健康大讲堂：{topic}",
                day,
                "10:00",
                90,
                room="多功能厅",
                series="健康大讲堂",
                audiences=("elderly", "adults"),
                capacity=50,
                crowd=(20, 50),
                pool="elderly",
            )
    for n, day in enumerate(year.monthly(5, 3)):
        year.add(
            "HZ",
            LECTURE,
            f"海珠讲坛：{content.CULTURE_TOPICS[(n + 5) % len(content.CULTURE_TOPICS)]}",
            day,
            "14:30",
            120,
            room="报告厅",
            series="海珠讲坛",
            capacity=150,
            crowd=(60, 150),
        )


def _course(
    year: YearBuilder,
    code: str,
    name: str,
    lessons: list[str],
    first: date,
    weekday: int,
    clock: str,
    *,
    sessions: int,
    gap_weeks: int,
    audiences: tuple[str, ...],
    pool: str,
    capacity: int,
) -> None:
    """Courses of weekly sessions, one after another: each course is a series."""
    start = first + timedelta(days=(weekday - first.weekday()) % 7)
    cohort: dict[int, int] = {}
    while start <= year.last:
        cohort[start.year] = cohort.get(start.year, 0) + 1
        series = f"{name}（{start.year}年第{cohort[start.year]}期）"
        for session in range(sessions):
            day = start + timedelta(weeks=session)
            if day > year.last:
                break
            lesson = lessons[session % len(lessons)]
            year.add(
                code,
                TRAINING,
                f"{name} 第{session + 1}课：{lesson}",
                day,
                clock,
                90,
                room="电子阅览室" if pool == "elderly" else "多功能厅",
                series=series,
                audiences=audiences,
                capacity=capacity,
                crowd=(capacity // 2, capacity),
                pool=pool,
                course=f"{code}:{series}",
                description=f"{series}，共{sessions}课，请报名后按时参加每一课。本课：{lesson}。",
            )
        start += timedelta(weeks=sessions + gap_weeks)


def courses(year: YearBuilder) -> None:
    elderly = ("elderly",)
    phone_units = ["YX", *year.branches[:10], "HZ"]
    for n, code in enumerate(phone_units):
        _course(
            year,
            code,
            "长者智能手机课堂",
            content.SMARTPHONE_LESSONS,
            year.first + timedelta(weeks=n % 6),
            1 + n % 5,
            "09:30" if n % 2 else "14:30",
            sessions=10,
            gap_weeks=3,
            audiences=elderly,
            pool="elderly",
            capacity=20,
        )
    computer = [
        ("YX", 1),
        ("YX", 3),
        *((code, 2 + n % 4) for n, code in enumerate(year.branches[10:16])),
    ]
    for n, (code, weekday) in enumerate(computer):
        _course(
            year,
            code,
            "长者电脑培训班",
            content.COMPUTER_LESSONS,
            year.first + timedelta(weeks=n % 4),
            weekday,
            "14:30" if weekday == 3 else "09:30",
            sessions=10,
            gap_weeks=3 if code == "YX" else 7,
            audiences=elderly,
            pool="elderly",
            capacity=20,
        )
    for n, (code, (name, audiences, lessons)) in enumerate(content.CRAFT_COURSES.items()):
        _course(
            year,
            code,
            name,
            lessons,
            year.first + timedelta(weeks=n),
            5 if code == "YX-SE" else 3,
            "15:00",
            sessions=8,
            gap_weeks=5,
            audiences=audiences,
            pool="children" if "children" in audiences else "general",
            capacity=20,
        )


def workshops(year: YearBuilder) -> None:
    slots = [
        ("YX-NL", 5, "10:00"),
        ("YX-NL", 6, "10:00"),
        ("YX", 5, "15:00"),
        ("YX-SE", 6, "15:00"),
    ]
    for code, weekday, clock in slots:
        for n, day in enumerate(year.weekly(weekday)):
            topic = content.MAKER_TOPICS[(n + weekday) % len(content.MAKER_TOPICS)]
            year.add(
                code,
                TRAINING,
                f"创客工作坊：{topic}",
                day,
                clock,
                120,
                room="电子阅览室" if code != "YX-SE" else "多功能厅",
                series="创客工作坊",
                audiences=("teens", "children"),
                capacity=16,
                crowd=(8, 16),
                pool="teens",
                description=f"动手做、一起学：{topic}。材料由图书馆提供，适合8至16岁的读者。",
            )
    for day in year.monthly(3, 1):
        year.add(
            "YX",
            TRAINING,
            "数字资源使用培训：电子书与数据库检索",
            day,
            "19:00",
            90,
            room="电子阅览室",
            capacity=24,
            crowd=(8, 24),
        )


def reading(year: YearBuilder) -> None:
    storytelling = [("YX-SE", 5), ("YX-SE", 6), ("YX-KQ", 5)]
    for code, weekday in storytelling:
        for n, day in enumerate(year.weekly(weekday)):
            book = content.PICTURE_BOOKS[(n + weekday) % len(content.PICTURE_BOOKS)]
            year.add(
                code,
                READING,
                f"绘本故事会：{book}",
                day,
                "10:00",
                60,
                room="少儿阅览区",
                series="绘本故事会",
                audiences=("children", "families"),
                capacity=30,
                crowd=(15, 30),
                pool="children",
                partners=("矿泉街中心小学",) if code == "YX-KQ" else (),
                description=f"故事姐姐带小朋友共读{book}，适合3至8岁的孩子与家长一同参加。",
            )
    for code in [*year.branches[:10], "HZ"]:
        for n, day in enumerate(year.monthly(6, 1)):
            book = content.PICTURE_BOOKS[n % len(content.PICTURE_BOOKS)]
            year.add(
                code,
                READING,
                f"绘本故事会：{book}",
                day,
                "10:00",
                60,
                room="少儿阅览区",
                series="绘本故事会",
                audiences=("children", "families"),
                capacity=25,
                crowd=(10, 25),
                pool="children",
            )
    family = [("YX-SE", year.weekly(5))] + [(c, year.monthly(6, 3)) for c in year.branches[6:14]]
    for code, days in family:
        for n, day in enumerate(days):
            theme = content.FAMILY_THEMES[n % len(content.FAMILY_THEMES)]
            year.add(
                code,
                READING,
                f"亲子阅读时光：{theme}",
                day,
                "15:00",
                90,
                room="少儿阅览区",
                series="亲子阅读",
                audiences=("families", "children"),
                capacity=30,
                crowd=(12, 30),
                pool="children",
            )
    for n, day in enumerate(year.weekly(6)):
        book = content.ENGLISH_BOOKS[n % len(content.ENGLISH_BOOKS)]
        year.add(
            "YX-GT",
            READING,
            f"英文原版读书会：{book}",
            day,
            "15:00",
            90,
            room="多功能厅",
            series="英文原版读书会",
            audiences=("teens", "adults"),
            capacity=20,
            crowd=(8, 20),
            partners=("广州启文教育科技有限公司",),
        )
    for n, day in enumerate(year.weekly(6, every=2)):
        title = "“你选书 我买单”新书推荐会" if n % 3 == 0 else "四阅书店新书分享会"
        year.add(
            "YX-SY",
            READING,
            title,
            day,
            "19:30",
            90,
            room="多功能厅",
            crowd=(15, 45),
            partners=("四阅书店",),
            description="在书店里选新书，由图书馆买单，读后归还分馆供大家借阅。",
        )
    for day in year.monthly(5, 2):
        year.add(
            "YX-BY-YSSS",
            READING,
            "红船书吧读书会",
            day,
            "15:00",
            90,
            room="书吧阅读区",
            audiences=("adults", "elderly"),
            crowd=(10, 20),
        )
    for n, day in enumerate(year.monthly(6, 4)):
        museum = ("museum_gz", "广州博物馆") if n % 2 == 0 else ("museum_ny", "南越王博物院")
        year.add(
            "YX",
            READING,
            f"博物馆里读历史：走进{museum[1]}",
            day,
            "09:30",
            150,
            room=museum[0],
            series="博物馆里读历史",
            audiences=("families", "children", "students"),
            capacity=30,
            crowd=(20, 30),
            pool="children",
            partners=(museum[1],),
        )
    for n, day in enumerate(year.weekly(3, every=2)):
        school = ("school_kq", "矿泉街中心小学") if n % 2 else ("school_ds", "越秀区东山实验小学")
        year.add(
            "YX-KQ" if n % 2 else "YX-DS",
            READING,
            "“阅读进校园”：好书推荐与阅读分享",
            day,
            "14:30",
            90,
            room=school[0],
            series="阅读进校园",
            audiences=("students", "children"),
            crowd=(100, 300),
            partners=(school[1],),
        )


def festivals(year: YearBuilder) -> None:
    """World Book Day (23 April) and the South China Book Fair (mid-August)."""
    for when in [date(y, 4, 23) for y in range(year.first.year, year.last.year + 1)]:
        if not year.first <= when <= year.last:
            continue
        year.add(
            "YX",
            READING,
            f"世界读书日·{content.READING_DAY[0]}",
            when,
            "10:00",
            120,
            room="beijing_road",
            series="世界读书日",
            audiences=("adults", "children", "families"),
            crowd=(800, 1500),
            partners=("广州博物馆", "四阅书店"),
        )
        for n, code in enumerate(["YX-SE", *year.branches]):
            day = when + timedelta(days=n % 9 - 4)
            name = content.READING_DAY[1 + n % (len(content.READING_DAY) - 1)]
            year.add(
                code,
                READING,
                f"世界读书日·{name}",
                day,
                "15:00",
                120,
                room="多功能厅",
                series="世界读书日",
                audiences=("adults", "children", "families"),
                crowd=(40, 150),
            )
    for fair_year in range(year.first.year, year.last.year + 1):
        first = date(fair_year, 8, 14)
        for n in range(20):
            day = first + timedelta(days=n % 7)
            if not year.first <= day <= year.last:
                continue
            code = ["YX", "YX-SE", "YX-SY", "YX-BJ"][n % 4]
            room = "beijing_road" if code == "YX-BJ" else ("报告厅" if code == "YX" else "多功能厅")
            year.add(
                code,
                READING,
                content.BOOK_FAIR[n % len(content.BOOK_FAIR)],
                day,
                "10:00",
                180,
                room=room,
                series="南国书香节",
                audiences=("adults", "children", "families"),
                crowd=(80, 400),
            )


def exhibitions(year: YearBuilder) -> None:
    """Exhibitions one after another in every exhibition room, two to six weeks each."""
    halls = [
        ("YX", (200, 500), (2, 6), True),
        ("YX-SE", (100, 300), (3, 10), False),
        ("HZ", (100, 300), (3, 10), False),
        *((code, (10, 60), (4, 14), False) for code in year.branches),
    ]
    shows = [
        (kind, partner, title) for kind, partner, titles in content.EXHIBITIONS for title in titles
    ]
    for n, (code, daily, gap, gate) in enumerate(halls):
        day = year.first - timedelta(days=year.rng.randint(0, 20))
        index = n * 3
        while day <= year.last:
            kind, partner, title = shows[index % len(shows)]
            index += 1
            days = year.rng.randint(14, 42)
            year.exhibit(
                code,
                title,
                day,
                days,
                daily=daily,
                gate=gate,
                partners=(partner,) if partner else (),
                description=f"{kind}：{title}，免费参观，无需预约。",
            )
            day += timedelta(days=days + year.rng.randint(*gap))
    for fair_year in range(year.first.year, year.last.year + 1):
        for month, day_of_month, title in (
            (2, 1, "迎春花市·广府年俗图片展"),
            (9, 28, "国庆·红色越秀户外展"),
        ):
            first = date(fair_year, month, day_of_month)
            if year.first <= first <= year.last:
                year.exhibit(
                    "YX",
                    title,
                    first,
                    14,
                    room="beijing_road",
                    daily=(600, 1500),
                    partners=("越秀区摄影家协会",),
                    description="户外展览，免费参观。",
                )


def others(year: YearBuilder) -> None:
    for n, day in enumerate(year.weekly(6)):
        film = content.FILMS[n % len(content.FILMS)]
        year.add(
            "YX",
            OTHER,
            f"周末观影会：{film}",
            day,
            "14:30",
            120,
            room="报告厅",
            series="周末观影会",
            audiences=("adults", "elderly"),
            crowd=(60, 150),
        )
    for day in year.weekly(3, every=2):
        year.add(
            "YX-DT",
            OTHER,
            "粤曲私伙局",
            day,
            "15:00",
            120,
            room="多功能厅",
            audiences=("elderly",),
            crowd=(15, 40),
        )
    for day in year.monthly(4, 2):
        year.add(
            "YX-SY",
            OTHER,
            "书友沙龙",
            day,
            "19:30",
            90,
            room="多功能厅",
            crowd=(10, 30),
        )
