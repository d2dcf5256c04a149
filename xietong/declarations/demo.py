"""Demo declarations: the 2022-07-27 notice of 太原市疫情防控办 and a few hundred synthetic arrivals.

The notice is the seed's: five areas since 2022-07-19 (天津市西青区大寺镇, 湖北省武汉市江夏区,
四川省内江市资中县, 广西壮族自治区南宁市江南区, 广西壮族自治区玉林市玉州区), listed without a tier.
The people are invented (names from common characters, ID numbers built to pass the check character
with made-up sequence numbers, phones in a made-up range); about one in six passed through a listed
area. Some declared before the notice and were flagged when it was published; communities, an
employer and a hotel have measures under way, some missed; one declaration taken by 太原's form is
handed over to 晋中.

Idempotent: nothing is added when the notice is already there.
"""

import datetime as dt
import random
import zoneinfo

from django.contrib.auth import get_user_model

from xietong.core.actions import do_create_unit, do_set_membership
from xietong.core.demo import DEMO_PASSWORD
from xietong.core.models import Role, Unit, UnitKind
from xietong.regions.models import Region
from xietong.regions.resolver import get_index

from . import access, actions
from .idcard import check_character
from .models import Declaration, MeasureKind, MeasureState, Notice, PreventionOffice, State

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
NOTICE_TITLE = "太原市疫情防控办关于来（返）并人员主动报备的健康提示"
NOTICE_TEXT = (
    "7月19日(含)以来有以下地区旅居史的来(返)并人员，要第一时间向所在社区(村)、单位、酒店报备，"
    "并配合落实相关疫情防控措施：\n"
    "天津市西青区大寺镇\n湖北省武汉市江夏区\n四川省内江市资中县\n广西壮族自治区南宁市江南区\n广西壮族自治区玉林市玉州区"
)
LISTED = [
    "天津市西青区大寺镇",
    "湖北省武汉市江夏区",
    "四川省内江市资中县",
    "广西壮族自治区南宁市江南区",
    "广西壮族自治区玉林市玉州区",
]
ELSEWHERE = [
    "北京市海淀区",
    "上海市浦东新区",
    "陕西省西安市雁塔区",
    "河北省石家庄市长安区",
    "河南省郑州市金水区",
    "内蒙古自治区呼和浩特市新城区",
    "山东省济南市历下区",
    "广东省深圳市南山区",
    "四川省成都市武侯区",
    "湖北省武汉市洪山区",
    "天津市南开区",
    "江苏省南京市鼓楼区",
    "浙江省杭州市西湖区",
    "山西省大同市平城区",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏建华红梅飞鑫波宇浩凯健俊帆帅旭宁龙林欣悦晨曦子涵雨桐"
)
RECEIVING = [
    # (unit slug, weight); the employer and the hotel are added to some declarations on top.
    ("wucheng-community", 5),
    ("hekou-community", 3),
    ("hekou-village", 2),
]
TRANSPORT = ["G", "D", "K", "MU", "CA", "HU", "自驾"]


def _unit(slug, parent, kind, name, name_en, code=""):
    existing = Unit.objects.filter(slug=slug).first()
    if existing:
        return existing
    return do_create_unit(
        name=name,
        name_en=name_en,
        kind=kind,
        parent=parent,
        slug=slug,
        region=Region.objects.filter(code=code).first() if code else None,
    )


def _account(username, unit, full_name, title):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.email = f"{username}@demo.xietong.invalid"
        user.save(update_fields=["password", "email"])
    do_set_membership(user=user, unit=unit, role=Role.STAFF, title=title)
    return user


def _id_number(rng, county):
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    first17 = f"{county}{birth:%Y%m%d}{rng.randrange(1, 999):03d}"
    return first17 + check_character(first17)


def _when(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CST)


def load(stdout=None):
    if Notice.objects.filter(title=NOTICE_TITLE).exists():
        if stdout:
            stdout.write("declarations: already loaded")
        return
    units = {
        u.slug: u
        for u in Unit.objects.filter(slug__in=["taiyuan", "jinzhong", "taiyuan-prevention", "yuci", "wucheng", "hekou"])
    }
    units["jinzhong-prevention"] = _unit(
        "jinzhong-prevention",
        units["jinzhong"],
        UnitKind.DEPARTMENT,
        "晋中市疫情防控办",
        "Jinzhong Epidemic Prevention Office",
    )
    units["jinlun"] = _unit("jinlun", units["yuci"], UnitKind.TOWN, "锦纶街道", "Jinlun Subdistrict", "140702002")
    units["jinlun-community"] = _unit(
        "jinlun-community", units["jinlun"], UnitKind.COMMUNITY, "锦纶社区", "Jinlun Community"
    )
    for slug in ("wucheng-community", "hekou-community", "hekou-village", "jinyang-tech", "fenhe-hotel"):
        units[slug] = Unit.objects.get(slug=slug)
    # The demo communities' towns name their divisions, so the form finds the community from the place.
    ty_office, _ = PreventionOffice.objects.get_or_create(
        city=units["taiyuan"], defaults={"unit": units["taiyuan-prevention"]}
    )
    PreventionOffice.objects.get_or_create(city=units["jinzhong"], defaults={"unit": units["jinzhong-prevention"]})
    office_user = get_user_model().objects.get(username="prevention")
    _account("jz-prevention", units["jinzhong-prevention"], "晋中防控办值班员", "值班员")
    _account("wucheng", units["wucheng-community"], "坞城社区网格员", "社区工作者")
    _account("jinlun", units["jinlun-community"], "锦纶社区网格员", "社区工作者")
    _account("jinyang", units["jinyang-tech"], "晋阳智造人事专员", "人事专员")
    _account("fenhe", units["fenhe-hotel"], "汾河湾酒店前台", "前台主管")

    rng = random.Random(20220727)
    index = get_index()
    counties = [
        c
        for c in index.codes
        if len(c) == 6 and not index.nodes[c].placeholder and c[:2] in ("14", "11", "12", "42", "51", "45", "61", "13")
    ]
    weights = [w for _slug, w in RECEIVING]
    people = []

    def declare(arrival, submitted_on, community, stops, intake="taiyuan", extra=None):
        person = {
            "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            "id_number": _id_number(rng, rng.choice(counties)),
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        }
        data = {
            **person,
            "arrival_date": arrival,
            "destination": Region.objects.get(code=community.parent.region_id or units["wucheng"].region_id),
            "address": f"{rng.randrange(1, 200)}号院{rng.randrange(1, 12)}单元",
            "community": community,
            "employer": None,
            "hotel": None,
            "symptoms": [],
            "stops": stops,
            **(extra or {}),
        }
        declaration, _created = actions.do_submit_declaration(
            data=data, intake_city=units[intake], now=_when(submitted_on, rng.randrange(7, 22))
        )
        people.append(declaration)
        return declaration

    def trip(arrival, listed):
        place = rng.choice(LISTED if listed else ELSEWHERE)
        left = arrival - dt.timedelta(days=rng.randrange(0, 4))
        start = left - dt.timedelta(days=rng.randrange(1, 6))
        stop = {"region": index.region(_code(place)), "start": start, "end": left, "transport": _transport(rng)}
        return [stop]

    # Before the notice (07-20 … 07-26): some came from what it would list; the notice flags them.
    for n in range(90):
        arrival = dt.date(2022, 7, 20) + dt.timedelta(days=n % 7)
        community = units[rng.choices([s for s, _w in RECEIVING], weights)[0]]
        declare(arrival, arrival, community, trip(arrival, listed=n % 9 == 0))
    notice = actions.do_create_notice(
        actor=office_user,
        office=ty_office,
        title=NOTICE_TITLE,
        number="并疫防办〔2022〕第27号",
        window_start=dt.date(2022, 7, 19),
        areas_text="\n".join(LISTED),
        body=NOTICE_TEXT,
    )
    Notice.objects.filter(pk=notice.pk).update(created_at=_when(dt.date(2022, 7, 27), 9))
    actions.do_publish_notice(actor=office_user, notice=notice, on=dt.date(2022, 7, 27))
    notice.refresh_from_db()
    actions.run_rescreen(notice.pk, notice.version, now=_when(dt.date(2022, 7, 27), 11))

    # After it (07-27 … 07-28), with the employer and the hotel for some.
    for n in range(210):
        arrival = dt.date(2022, 7, 27) + dt.timedelta(days=n % 2)
        community = units[rng.choices([s for s, _w in RECEIVING], weights)[0]]
        extra = {}
        if n % 7 == 0:
            extra["employer"] = units["jinyang-tech"]
        if n % 11 == 0:
            extra["hotel"] = units["fenhe-hotel"]
        declare(
            arrival, arrival - dt.timedelta(days=n % 3 == 0), community, trip(arrival, listed=n % 6 == 0), extra=extra
        )
    # Taken by 太原's form, for a community in 晋中: handed over to 晋中's prevention office.
    arrival = dt.date(2022, 7, 28)
    declare(arrival, arrival, units["jinlun-community"], trip(arrival, listed=True))

    # The receiving units are at work: at-risk arrivals of the 20th … 27th taken on, tests recorded.
    workers = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["wucheng", "community", "hekou", "jinyang", "fenhe"])
    }
    today = dt.date(2022, 7, 28)
    at_risk = Declaration.objects.filter(state=State.AT_RISK, arrival_date__lt=today).select_related(
        "community", "employer", "hotel"
    )

    def worker_for(declaration):
        if declaration.hotel_id:
            return workers["fenhe"]
        if declaration.employer_id:
            return workers["jinyang"]
        return {"wucheng-community": workers["wucheng"], "hekou-community": workers["community"]}.get(
            declaration.community.slug, workers["hekou"]
        )

    for number, declaration in enumerate(at_risk.order_by("pk")):
        worker = worker_for(declaration)
        actions.do_acknowledge(actor=worker, declaration=declaration, now=_when(declaration.arrival_date, 16))
        for measure in declaration.measures.filter(kind=MeasureKind.TEST, due__lt=today).order_by("due"):
            if number % 4 == 3:
                break  # left undone: missed below
            actions.do_record_measure(actor=worker, measure=measure, result="negative", now=_when(measure.due, 15))
    missed = actions.mark_missed(today, now=_when(today, 1))
    _end_of_the_episode(worker_for)
    if stdout:
        stdout.write(
            f"declarations: 1 notice, {len(people)} declarations "
            f"({Declaration.objects.exclude(tier='').count()} at risk, "
            f"{Declaration.objects.filter(measures__state=MeasureState.DONE).distinct().count()} with tests recorded, "
            f"{missed} measures missed), 1 handed over to 晋中"
        )


def _end_of_the_episode(worker_for):
    """The 2022 episode is over: by mid-August every at-risk arrival was taken on and each open test and
    monitoring period recorded (a missed one late), so no 2022 measure reads as due in today's work queue."""
    open_states = [MeasureState.PENDING, MeasureState.MISSED]
    for declaration in (
        Declaration.objects.filter(state__in=[State.AT_RISK, State.MEASURES])
        .select_related("community", "employer", "hotel")
        .order_by("pk")
    ):
        worker = worker_for(declaration)
        if not access.can_handle(worker, declaration):
            continue  # handed over to another city's prevention office, which has no demo account
        if declaration.state == State.AT_RISK:
            actions.do_acknowledge(actor=worker, declaration=declaration, now=_when(declaration.arrival_date, 16))
        for measure in declaration.measures.filter(state__in=open_states).order_by("due"):
            day = measure.end or measure.due
            if measure.state == MeasureState.MISSED:
                day += dt.timedelta(days=1)
            result = "negative" if measure.kind == MeasureKind.TEST else ""
            actions.do_record_measure(actor=worker, measure=measure, result=result, now=_when(day, 15))


def _code(place):
    from xietong.regions import resolve

    return resolve(place).code


def _transport(rng):
    kind = rng.choice(TRANSPORT)
    return kind if kind == "自驾" else f"{kind}{rng.randrange(10, 9999)}"
