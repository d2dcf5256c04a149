"""Demo supervision data of the current cycle: this year's joint meeting and its matters, dated from today.

The 2022 story (demo.py) is history; a person trying the platform also needs work that is due now. The
fifth joint meeting was held five weeks before the day the demo is loaded, and its decisions became
seven matters the cities work on: one due within days, two overdue with 催办单 (one answered, one past its
reply deadline, one just issued), reports waiting for review, a report the office returned, a matter
waiting for verification, an extension granted and one waiting for the office, and last month's bulletin.
Every write goes through the real actions as the demo accounts, each recorded on its day (`backdated`).
Idempotent: skipped when the meeting's matters exist.
"""

import calendar
import datetime

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from xietong.core.models import Notification, Unit

from . import actions
from .demo import backdated
from .models import Domain, ExtensionRequest, Matter, ProgressReport, SubArea, Urging

FIRST_CODE = "HY5-1-1"
CITIES = ["taiyuan", "xinzhou", "lvliang", "jinzhong", "yangquan"]
URGING_TEXT = "该事项已超过办结期限，请于回复期限内书面报送未完成原因、整改措施和完成时限。"

# Per decision of the meeting (in order), its matters: key, title, domain, sub-area, lead, co-units,
# due (days from today), milestones ((title, days from today)), description.
DECISION_MATTERS = [
    [
        dict(
            key="avenue",
            title="太忻大道忻州段交工验收",
            domain=Domain.INFRASTRUCTURE,
            sub=SubArea.TRANSPORT,
            lead="xinzhou",
            co=["taiyuan"],
            due=-9,
            text="忻州段主线和附属工程完工，组织交工验收，与太原段同步通车。",
        ),
        dict(
            key="medical",
            title="五市异地就医直接结算定点医疗机构扩面",
            domain=Domain.PUBLIC_SERVICES,
            sub=SubArea.HEALTH,
            lead="taiyuan",
            co=["jinzhong", "yangquan"],
            due=5,
            milestones=[("公示新增定点医疗机构名单", 3)],
            text="五市二级以上定点医疗机构全部开通异地就医直接结算。",
        ),
    ],
    [
        dict(
            key="fenhe",
            title="汾河流域跨界断面水质月度会商",
            domain=Domain.ECOLOGY,
            sub=SubArea.WATER,
            lead="lvliang",
            co=["taiyuan"],
            due=-15,
            text="建立跨界断面水质月度会商制度，首次会商形成问题清单。",
        ),
        dict(
            key="drill",
            title="秋冬季重污染天气联合应对演练",
            domain=Domain.ECOLOGY,
            sub=SubArea.AIR,
            lead="yangquan",
            co=["jinzhong"],
            due=10,
            milestones=[("印发联合演练方案", -10)],
            text="阳泉、晋中联合开展重污染天气预警会商和同步响应演练。",
        ),
    ],
    [
        dict(
            key="business",
            title="企业开办“跨市通办”延伸至五市全部县（市、区）",
            domain=Domain.PUBLIC_SERVICES,
            sub=SubArea.APPROVAL,
            lead="jinzhong",
            co=["taiyuan"],
            due=25,
            text="五市所有县级政务服务中心开设“跨市通办”窗口。",
        ),
        dict(
            key="jobs",
            title="五市公共就业服务平台岗位信息互通",
            domain=Domain.PUBLIC_SERVICES,
            sub=SubArea.EMPLOYMENT,
            lead="lvliang",
            co=["xinzhou"],
            due=7,
            text="五市公共就业服务平台岗位信息实时互通，求职登记一地办理、五市共享。",
        ),
        dict(
            key="pilot",
            title="签署科技成果中试基地共建协议",
            domain=Domain.FACTORS,
            sub=SubArea.SCIENCE,
            lead="taiyuan",
            co=["yangquan"],
            due=3,
            text="太原、阳泉共建科技成果中试基地，明确出资、运营和成果转化分成。",
        ),
    ],
]

# (days from today, hour, unit slug, matter key, percent, text): reports the units send.
REPORTS = [
    (-20, 10, "xinzhou", "avenue", 60, "忻州段主线路面完成，附属工程扫尾中。"),
    (-20, 10, "taiyuan", "avenue", 80, "太原段接线工程完成，配合开展联调。"),
    (-20, 11, "taiyuan", "medical", 50, "太原市新增定点医疗机构名单已报医保部门审核。"),
    (-20, 11, "jinzhong", "medical", 60, "晋中市12家二级医院已完成系统改造。"),
    (-20, 11, "yangquan", "medical", 40, "阳泉市定点医疗机构系统改造启动。"),
    (-20, 14, "lvliang", "fenhe", 40, "会商制度草案已征求太原意见。"),
    (-20, 14, "yangquan", "drill", 60, "演练方案已起草，预警会商流程已对接。"),
    (-20, 14, "jinzhong", "drill", 70, "晋中市应急响应清单已更新。"),
    (-20, 15, "jinzhong", "business", 30, "晋中市11个县（区、市）已有4个开设窗口。"),
    (-20, 15, "lvliang", "jobs", 50, "吕梁市平台接口开发完成。"),
    (-20, 15, "xinzhou", "jobs", 60, "忻州市岗位数据已按统一标准整理。"),
    (-20, 16, "taiyuan", "pilot", 40, "共建协议文本已起草，出资比例正在协商。"),
    (-5, 10, "taiyuan", "business", 60, "太原市各县（市、区）政务服务中心已开设窗口。"),
    (-4, 10, "yangquan", "drill", 100, "联合演练已完成，演练总结已报领导小组办公室。"),
    (-4, 10, "jinzhong", "drill", 100, "晋中市按演练方案同步启动响应，已完成。"),
    (-2, 10, "taiyuan", "medical", 80, "太原市新增定点医疗机构名单已公示征求意见，系统联调完成。"),
    (-1, 10, "jinzhong", "business", 45, "晋中市又有3个县开设窗口，其余4个县本月底前开设。"),
]
# (days from today, hour, matter key, unit slug or None for every report of that day): the office's reviews;
# a returned report carries the comment the unit has to answer.
REVIEWS = [
    (-18, 16, None, None, ""),
    (-4, 16, "drill", None, ""),
    (-3, 16, "business", "taiyuan", "请补充太原市各县（市、区）窗口开设清单和首月办件量统计。"),
]


def _at(day, hour):
    # A step of "today" is never recorded later than the moment the demo is loaded.
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now() - datetime.timedelta(minutes=1))


def _period(day, start):
    return max(day.replace(day=1), start), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def load(stdout=None):
    from xietong.meetings.demo import CURRENT_NUMBER
    from xietong.meetings.models import Meeting

    if Matter.objects.filter(code=FIRST_CODE).exists():
        if stdout:
            stdout.write("supervision: this year's demo matters exist already")
        return
    meeting = Meeting.objects.filter(number=CURRENT_NUMBER).first()
    if meeting is None:
        if stdout:
            stdout.write("supervision: no current demo meeting to take decisions from; skipped")
        return
    today = timezone.localdate()
    first_new_notification = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    users = {u.username: u for u in get_user_model().objects.all()}
    office = users["office"]
    units = {u.slug: u for u in Unit.objects.filter(slug__in=CITIES)}
    start = meeting.date + datetime.timedelta(days=1)
    matters = {}

    def fresh(key):
        return Matter.objects.get(pk=matters[key].pk)

    def create():
        from xietong.meetings.actions import do_create_matters_from_decision

        for decision, specs in zip(meeting.decisions.order_by("number"), DECISION_MATTERS, strict=True):
            created = do_create_matters_from_decision(
                actor=office,
                decision=decision,
                matters=[
                    dict(
                        title=spec["title"],
                        lead_unit=units[spec["lead"]],
                        co_units=[units[slug] for slug in spec["co"]],
                        start_date=start,
                        due_date=today + datetime.timedelta(days=spec["due"]),
                        domain=spec["domain"],
                        sub_area=spec["sub"],
                        description=spec["text"],
                        milestones=[
                            (title, today + datetime.timedelta(days=days)) for title, days in spec.get("milestones", [])
                        ],
                        reporting_frequency="monthly",
                    )
                    for spec in specs
                ],
            )
            matters.update(zip((spec["key"] for spec in specs), created, strict=True))

    def submit(slug, key, percent, text, day):
        period_start, period_end = _period(day, start)
        return lambda: actions.do_submit_report(
            actor=users[slug],
            matter=fresh(key),
            unit=units[slug],
            period_start=period_start,
            period_end=period_end,
            text=text,
            percent=percent,
        )

    def review(day, key, slug, comment):
        def step():
            pending = ProgressReport.objects.filter(status="submitted", matter__in=[m.pk for m in matters.values()])
            pending = pending.filter(submitted_at__date=day) if key is None else pending.filter(matter=matters[key])
            if slug:
                pending = pending.filter(unit=units[slug])
            for report in pending.order_by("submitted_at", "id"):
                actions.do_review_report(actor=office, report=report, accept=not comment, comment=comment)

        return step

    def urge(key):
        return lambda: actions.do_urge(actor=office, matter=fresh(key), message=URGING_TEXT)

    def urging_of(key, index):
        return Urging.objects.filter(matter=matters[key]).order_by("number")[index]

    steps = [(_at(start, 9), create)]
    for days, hour, slug, key, percent, text in REPORTS:
        day = today + datetime.timedelta(days=days)
        steps.append((_at(day, hour), submit(slug, key, percent, text, day)))
    for days, hour, key, slug, comment in REVIEWS:
        day = today + datetime.timedelta(days=days)
        steps.append(
            (_at(day, hour), review(today + datetime.timedelta(days=-20 if key is None else days), key, slug, comment))
        )
    steps += [
        # 阳泉 finished the drill plan; the drill is done and both cities' reports accepted: submitted for verification.
        (
            _at(today - datetime.timedelta(days=12), 17),
            lambda: actions.do_complete_milestone(
                actor=users["yangquan"],
                milestone=fresh("drill").milestones.get(),
                done_on=today - datetime.timedelta(days=12),
            ),
        ),
        (
            _at(today - datetime.timedelta(days=1), 11),
            lambda: actions.do_transition(actor=users["yangquan-manager"], matter=fresh("drill"), name="submit"),
        ),
        # 太原 asked for more time before the agreement was due, and the office granted it.
        (
            _at(today - datetime.timedelta(days=12), 10),
            lambda: actions.do_request_extension(
                actor=users["taiyuan"],
                matter=fresh("pilot"),
                requested_due=today + datetime.timedelta(days=30),
                reason="阳泉市出资方案需提交市政府常务会议审议，会议安排在下月上旬。",
            ),
        ),
        (
            _at(today - datetime.timedelta(days=10), 15),
            lambda: actions.do_decide_extension(
                actor=office,
                extension=ExtensionRequest.objects.get(matter=matters["pilot"]),
                grant=True,
                comment="同意延期，请按新期限完成签署。",
            ),
        ),
        # 吕梁 asks for more time for the job platform; the office has not decided yet.
        (
            _at(today - datetime.timedelta(days=2), 15),
            lambda: actions.do_request_extension(
                actor=users["lvliang"],
                matter=fresh("jobs"),
                requested_due=today + datetime.timedelta(days=37),
                reason="省人社厅统一数据接口标准本月调整，吕梁、忻州平台需按新标准重新对接。",
            ),
        ),
        # The 汾河 consultation is overdue and 吕梁 has let its 催办单 pass the reply deadline.
        (_at(today - datetime.timedelta(days=12), 9), urge("fenhe")),
        # The avenue is overdue: 忻州 signed for and answered the first 催办单; a second one is open.
        (_at(today - datetime.timedelta(days=7), 9), urge("avenue")),
        (
            _at(today - datetime.timedelta(days=6), 9),
            lambda: actions.do_sign_urging(actor=users["xinzhou"], urging=urging_of("avenue", 0)),
        ),
        (
            _at(today - datetime.timedelta(days=5), 16),
            lambda: actions.do_reply_urging(
                actor=users["xinzhou"],
                urging=urging_of("avenue", 0),
                reply="附属工程受降温影响滞后，已增加两个施工班组，计划本月中旬组织交工验收。",
            ),
        ),
        (_at(today - datetime.timedelta(days=1), 9), urge("avenue")),
    ]
    # Last month's bulletin, issued early this month (today when the month has just begun).
    period_end = today.replace(day=1) - datetime.timedelta(days=1)
    issued = min(today, today.replace(day=1) + datetime.timedelta(days=3))
    steps.append(
        (
            _at(issued, 15),
            lambda: actions.do_issue_bulletin(
                actor=office, period_start=period_end.replace(day=1), period_end=period_end, today=issued
            ),
        )
    )
    for moment, step in sorted(steps, key=lambda pair: pair[0]):
        with backdated(moment):
            step()

    day, snapshots = start, 0
    while day < today:
        snapshots += len(actions.do_write_snapshots(day=day))
        day += datetime.timedelta(days=7)
    snapshots += len(actions.do_write_snapshots(day=today))
    # What reached people more than a week ago has been read; the last week's messages are new.
    Notification.objects.filter(
        pk__gte=first_new_notification, created_at__lt=timezone.now() - datetime.timedelta(days=7)
    ).update(read_at=F("created_at"))
    if stdout:
        stdout.write(
            f"supervision: {len(matters)} matters of {meeting.title} ({meeting.date}), "
            f"{Urging.objects.filter(matter__in=matters.values()).count()} 催办单, "
            f"{ExtensionRequest.objects.filter(matter__in=matters.values()).count()} extension requests, "
            f"last month's bulletin"
        )
