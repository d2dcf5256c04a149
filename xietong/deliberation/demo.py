"""The seed's case: 河口镇党群议事厅 and the shabby shop signs (门头) on the town's main street, July 2022,
with the 7月27日 session of more than ten shop owners' representatives, and a current case still open.

Residents, representatives and their words are illustrative; the course of the case follows the newspaper.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from xietong.core.models import Unit
from xietong.regions.models import Region
from xietong.supervision import actions as supervision_actions
from xietong.supervision.demo import backdated

from . import actions
from .models import Category, DeadlineRule, Hall, Rating

CATEGORIES = [
    ("townscape", "市容环境", "Townscape", "门头招牌、占道经营、小广告", "门头 招牌 市容", "城镇管理"),
    ("roads", "道路交通", "Roads and traffic", "道路破损、停车、公交", "道路 停车 公交", "城镇管理"),
    ("sanitation", "环境卫生", "Sanitation", "垃圾清运、公厕、河道", "垃圾 公厕 河道", "城镇管理"),
    ("facilities", "公共设施", "Public facilities", "路灯、健身器材、桥梁", "路灯 设施", "公共服务"),
    ("utilities", "供水供暖", "Water, heating and gas", "停水、暖气、燃气", "供水 供暖 燃气", "公共服务"),
    ("noise", "噪音扰民", "Noise", "广场舞、施工、餐饮", "噪音 扰民", "城镇管理"),
    ("elderly", "为老服务", "Services for the elderly", "助餐、日间照料", "养老 助餐", "公共服务"),
    ("other", "其他", "Other", "其他问题", "", ""),
]

SIGN_CONCERNS = [
    (11, "主街两边的门头招牌又旧又破，颜色五花八门，很难看", "13803510011"),
    (12, "河口镇大街上商铺的门头牌匾破损褪色，影响镇容镇貌", ""),
    (13, "理发店和饭店的牌匾风吹日晒已经破烂，刮风时怕掉下来砸人", "13934560012"),
    (14, "商店门头杂乱无章，大小不一，希望镇里统一规划店招", ""),
    (15, "沿街店铺牌匾老化，有的铁架子都锈了，存在安全隐患", "15835100013"),
    (18, "建议对主街商户的店招店牌进行统一更换，美化街景", ""),
    (19, "药店门口的招牌字掉了一半，晚上灯箱也不亮", "13700010014"),
    (20, "门脸招牌太乱了，各家各样，看着像个烂摊子", ""),
]

REPRESENTATIVES = [
    ("理发店", ["王师傅", "李老板", "赵女士"]),
    ("商店", ["刘老板", "陈老板", "杨女士", "张老板"]),
    ("饭店", ["黄老板", "周老板", "吴老板"]),
    ("药店", ["郑店长", "孙店长"]),
    ("居民代表", ["马大爷", "胡阿姨"]),
]

OPINIONS = [
    ("王师傅", "理发店的门头要能看出是理发店，希望保留转灯和行业标识，不要全镇一个样。"),
    ("刘老板", "统一风格可以，但大小要按门面宽度来定，小门面挂大牌子不协调。"),
    ("黄老板", "饭店晚上营业，希望门头带灯箱，颜色暖一点。"),
    ("郑店长", "药店有行业规范，绿色十字标识必须保留。"),
    ("陈老板", "费用是大家关心的，商户全出有困难，希望镇里补贴一部分。"),
    ("马大爷", "旧牌子的铁架子锈了，先把有安全隐患的拆掉，居民最关心安全。"),
]


def _at(day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load(stdout=None):
    if Hall.objects.filter(slug="hekou").exists():
        if stdout:
            stdout.write("deliberation: the demo hall exists already")
        return
    units = {u.slug: u for u in Unit.objects.filter(slug__in=["hekou", "hekou-service-center", "hekou-sanitation"])}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["office", "hekou", "hekou-manager"])}
    hall = Hall.objects.create(
        unit=units["hekou"],
        name="河口镇党群议事厅",
        slug="hekou",
        region=Region.objects.filter(code="140181100").first(),
        address="古交市河口镇河口村",
    )
    categories = {}
    for order, (code, name, name_en, description, keywords, group) in enumerate(CATEGORIES):
        categories[code] = Category.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name, name_en=name_en, description=description, keywords=keywords, group=group, order=order
            ),
        )[0]
    DeadlineRule.objects.get_or_create(
        category=None,
        valid_from=datetime.date(2022, 1, 1),
        defaults={"accept_days": 1, "answer_days": 3, "basis": "接诉即办：1个工作日内受理，3个工作日内首次答复"},
    )
    _signs_case(hall, categories, units, users)
    _current_case(hall, categories, users)
    if stdout:
        stdout.write(f"deliberation: {hall.name}, {hall.concerns.count()} concerns, {hall.sessions.count()} sessions")


def _signs_case(hall, categories, units, users):
    staff, manager, office = users["hekou"], users["hekou-manager"], users["office"]
    july = lambda d: datetime.date(2022, 7, d)  # noqa: E731
    concerns = []
    for day, text, contact in SIGN_CONCERNS:
        now = _at(july(day), 10)
        concern = actions.do_submit_concern(
            hall=hall, text=text, category=categories["townscape"], address="河口镇主街", contact=contact, now=now
        )
        concern = actions.do_accept(actor=staff, concern=concern, now=_at(july(day) + datetime.timedelta(days=1), 9))
        concerns.append(concern)
    topic = actions.do_create_topic(
        actor=staff,
        hall=hall,
        title="河口镇主街门头招牌改造",
        summary="群众反映主街沿线商铺门头破旧杂乱、存在安全隐患，议事厅归集为一个议题。",
        concerns=concerns,
        now=_at(july(21), 15),
    )
    session = actions.do_schedule_session(
        actor=manager,
        topic=topic,
        title="主街门头改造议事会",
        starts_at=_at(july(27), 9, 30),
        place="河口镇党群议事厅",
        invitees=REPRESENTATIVES,
        now=_at(july(22), 10),
    )
    attendees = {a.name: a for a in session.attendees.select_related("group")}
    for minute, attendee in enumerate(attendees.values()):
        actions.do_sign_in(actor=staff, attendee=attendee, now=_at(july(27), 9, 10 + minute))
    for minute, (name, text) in enumerate(OPINIONS):
        actions.do_add_opinion(
            actor=staff, session=session, speaker=attendees[name], text=text, now=_at(july(27), 9, 40 + 3 * minute)
        )
    style = actions.do_add_proposal(
        actor=manager,
        session=session,
        title="统一风格、一店一色",
        details="统一底板材质与字体，按门面宽度定尺寸（高1.2米），保留理发、药店行业标识，饭店可加灯箱。",
        funding=[("商户自筹", 40), ("镇财政补贴", 60)],
    )
    uniform = actions.do_add_proposal(
        actor=manager,
        session=session,
        title="全街同一样式",
        details="全街统一颜色、字体和尺寸，不保留行业标识。",
        funding=[("商户自筹", 30), ("镇财政补贴", 70)],
    )
    against_uniform = {"王师傅", "李老板", "赵女士", "郑店长", "孙店长", "黄老板"}
    for name, attendee in attendees.items():
        choice = "against" if name == "胡阿姨" else "for"
        actions.do_cast_vote(actor=staff, proposal=style, attendee=attendee, choice=choice, now=_at(july(27), 11))
        choice = "against" if name in against_uniform else ("abstain" if name == "马大爷" else "for")
        actions.do_cast_vote(actor=staff, proposal=uniform, attendee=attendee, choice=choice, now=_at(july(27), 11))
    resolved_at = _at(july(27), 11, 30)
    with backdated(resolved_at):
        resolution = actions.do_resolve(
            actor=manager,
            session=session,
            proposal=style,
            text="采纳“统一风格、一店一色”方案：主街沿线门头统一改造，商户自筹40%、镇财政补贴60%，"
            "先拆除存在安全隐患的旧招牌，8月中旬完成。党群服务中心牵头，环卫所配合清运。",
            target_date=datetime.date(2022, 8, 15),
            lead_unit=units["hekou-service-center"],
            co_units=[units["hekou-sanitation"]],
            now=resolved_at,
        )
    matter = resolution.matter
    progress = [
        (datetime.date(2022, 8, 3), 30, "已拆除存在安全隐患的旧招牌17块，环卫所完成清运。"),
        (datetime.date(2022, 8, 10), 70, "新门头完成制作32块，安装24块。"),
        (datetime.date(2022, 8, 15), 100, "主街46户商铺门头全部安装完成，经商户代表验看。"),
    ]
    for day, percent, text in progress:
        with backdated(_at(day, 16)):
            report = supervision_actions.do_submit_report(
                actor=manager,
                matter=matter,
                unit=units["hekou-service-center"],
                period_start=datetime.date(2022, 7, 28),
                period_end=day,
                text=text,
                percent=percent,
            )
            supervision_actions.do_review_report(actor=office, report=report, accept=True)
            if percent == 100:  # the co-unit reports its part too: verification asks for every unit's report
                sanitation = supervision_actions.do_submit_report(
                    actor=manager,
                    matter=matter,
                    unit=units["hekou-sanitation"],
                    period_start=datetime.date(2022, 7, 28),
                    period_end=day,
                    text="环卫所完成旧招牌清运和主街保洁。",
                    percent=100,
                )
                supervision_actions.do_review_report(actor=office, report=sanitation, accept=True)
            matter.refresh_from_db()
            if matter.state == "assigned":
                matter = supervision_actions.do_transition(actor=manager, matter=matter, name="start")
    with backdated(_at(datetime.date(2022, 8, 16), 10)):
        matter = supervision_actions.do_transition(actor=manager, matter=matter, name="submit")
    with backdated(_at(datetime.date(2022, 8, 18), 15)):
        supervision_actions.do_transition(actor=office, matter=matter, name="verify")
    ratings = ["satisfied", "satisfied", "basic", "satisfied", "unsatisfied", "satisfied", "satisfied", "basic"]
    for index, (concern, value) in enumerate(zip(concerns, ratings, strict=True)):
        concern.refresh_from_db()
        day = datetime.date(2022, 8, 19 + index % 4)
        actions.do_rate(
            concern=concern, value=value, comment="" if value != "unsatisfied" else "颜色偏暗", now=_at(day, 20)
        )
        if value == Rating.Value.UNSATISFIED:
            concern = actions.do_answer(
                actor=staff,
                concern=concern,
                answer="已与该商户商定调亮底板颜色，8月26日更换完毕。",
                now=_at(datetime.date(2022, 8, 26), 11),
            )
            actions.do_rate(concern=concern, value="satisfied", now=_at(datetime.date(2022, 8, 27), 19))


def _current_case(hall, categories, users):
    """Streetlights out in 河口村, reported over the last days: grouped, a session next week, one still waiting."""
    staff, manager = users["hekou"], users["hekou-manager"]
    today = timezone.localdate()
    ago = lambda days, hour=10: _at(today - datetime.timedelta(days=days), hour)  # noqa: E731
    lamps = []
    for days, text in [
        (9, "河口村村口的路灯坏了半个多月了，晚上黑漆漆的"),
        (8, "村里的太阳能路灯电池坏了，晚上根本不亮"),
        (6, "桥头那盏路灯整夜不亮，过桥的人差点摔倒"),
        (5, "学校旁边那段路没有路灯，孩子晚自习回家不安全"),
    ]:
        concern = actions.do_submit_concern(
            hall=hall, text=text, category=categories["facilities"], address="河口村", now=ago(days)
        )
        lamps.append(actions.do_accept(actor=staff, concern=concern, now=ago(days - 1, 9)))
    topic = actions.do_create_topic(
        actor=staff, hall=hall, title="河口村路灯维修和补装", concerns=lamps, now=ago(4, 15)
    )
    actions.do_schedule_session(
        actor=manager,
        topic=topic,
        title="河口村路灯议事会",
        starts_at=_at(today + datetime.timedelta(days=5), 15),
        place="河口村村委会",
        invitees=[
            ("村民代表", ["李大爷", "王大姐", "赵师傅"]),
            ("沿街商户", ["钱老板", "孙老板"]),
            ("学校", ["周老师"]),
        ],
        kind="hearing",
        now=ago(3, 11),
    )
    waiting = actions.do_submit_concern(
        hall=hall,
        text="晚上河口村东头也是一片漆黑，路灯能不能一起修好",
        category=categories["facilities"],
        contact="13812340099",
        now=ago(0, 8),
    )
    late = actions.do_submit_concern(
        hall=hall, text="菜市场旁边的垃圾站每天都堆满了，清运不及时", category=categories["sanitation"], now=ago(12)
    )
    actions.do_accept(actor=staff, concern=late, now=ago(11, 9))
    refused = actions.do_submit_concern(
        hall=hall, text="太原到古交的城际公交票价太贵", category=categories["roads"], now=ago(7)
    )
    actions.do_refuse(
        actor=staff,
        concern=refused,
        reason="城际公交票价由太原市交通运输局核定，已转12345热线，请留意其答复。",
        now=ago(6, 16),
    )
    return waiting
