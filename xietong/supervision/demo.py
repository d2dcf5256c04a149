"""Demo supervision data: the matters decided at the first joint meeting, worked on from August 2022.

Every write goes through the real actions as the demo accounts (the office creates, reviews
and verifies; each city's liaison reports its part; the city managers submit for
verification). The story runs from August to December 2022 and each step is recorded on its
day (`backdated`), so timelines, reports and completion dates read as that autumn. Health is
derived from today's date, so the matters still open from 2022 show as overdue, the long
projects (due 2027–2030) as on track. Two bulletins are issued (August and September 2022)
and weekly progress snapshots give the trend. Idempotent: skipped when the matters exist.
"""

import calendar
import contextlib
import datetime
import heapq
import itertools

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from xietong.core import workdays
from xietong.core.models import Notification, TimelineEvent, Unit

from . import actions
from .models import (
    Bulletin,
    Domain,
    ExtensionRequest,
    Matter,
    ProgressReport,
    Reminder,
    Source,
    SubArea,
    Urging,
)
from .reminders import ladder_on

D = datetime.date


@contextlib.contextmanager
def backdated(moment):
    """Record what the block writes as if it happened at `moment` (an aware datetime).

    Actions stamp their rows with the current time; demo history must read as 2022, so the rows
    the block touched (found by their timestamps falling after the block began) are moved to
    `moment` afterwards.
    """
    from xietong.meetings.models import Decision, Document, Meeting

    began = timezone.now()
    real_today = timezone.localdate()
    yield
    day = timezone.localtime(moment).date()
    Matter.objects.filter(updated_at__gte=began, completed_on=real_today).update(completed_on=day)
    for model, fields in [
        (TimelineEvent, ["at"]),
        (Notification, ["created_at"]),
        (Matter, ["created_at", "updated_at"]),
        (ProgressReport, ["submitted_at", "reviewed_at"]),
        (Reminder, ["sent_at"]),
        (Bulletin, ["created_at"]),
        (Meeting, ["created_at", "updated_at"]),
        (Document, ["created_at"]),
        (Decision, ["created_at"]),
        (Urging, ["issued_at", "signed_at", "replied_at"]),
        (ExtensionRequest, ["requested_at", "decided_at"]),
    ]:
        for field in fields:
            model.objects.filter(**{f"{field}__gte": began}).update(**{field: moment})
    # A 催办单 issued on `day` is answered within the ladder's working days from that day, not from today.
    for urging in Urging.objects.filter(issued_at=moment, automatic=False):
        urging.reply_due = workdays.add_working_days(day, ladder_on(day).reply_working_days)
        urging.save(update_fields=["reply_due"])


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# Where each matter comes from: a decision of the first joint meeting, by agenda item or by clause.
AGENDA = ("agenda", 2)
RULES_7 = ("rule", 7)


def agreement(number):
    return ("agreement", number)


ALL = ["xinzhou", "lvliang", "jinzhong", "yangquan"]

# key: source, title, domain, sub-area, lead, co-units, due, monthly lead percentages from August,
# and the story: done (date), submitted (date), suspended ((date, reason)), milestones, a returned report.
MATTERS = [
    dict(
        source=AGENDA,
        title="五市明确联络员、组建工作专班",
        domain=Domain.PLANNING,
        sub=SubArea.SPECIAL_PLANS,
        lead="taiyuan",
        co=ALL,
        due=D(2022, 8, 31),
        pct=[100],
        done=D(2022, 8, 26),
        text="五市联络员名单已报领导小组办公室，工作专班已组建并召开首次会议。",
    ),
    dict(
        source=RULES_7,
        title="建立督办清单，按月印发督办通报",
        domain=Domain.PLANNING,
        sub=SubArea.SPECIAL_PLANS,
        lead="office",
        co=[],
        due=D(2022, 9, 10),
        pct=[60, 100],
        done=D(2022, 9, 8),
        text="督办清单已录入平台，首期督办通报已印发。",
    ),
    dict(
        source=agreement(1),
        title="五市国土空间规划“三线划定”对接",
        domain=Domain.PLANNING,
        sub=SubArea.SPATIAL,
        lead="taiyuan",
        co=ALL,
        due=D(2022, 9, 30),
        pct=[50, 100],
        done=D(2022, 9, 26),
        text="五市“三线划定”成果已完成比对，交界地区冲突图斑已协商处理。",
    ),
    dict(
        source=agreement(1),
        title="编制中部城市群基础设施一体化发展专项规划",
        domain=Domain.PLANNING,
        sub=SubArea.SPECIAL_PLANS,
        lead="taiyuan",
        co=["jinzhong"],
        due=D(2022, 12, 31),
        pct=[10, 25, 40, 50, 60],
        milestones=[("完成规划编制单位招标", D(2022, 9, 15), D(2022, 9, 14)), ("形成规划初稿", D(2022, 11, 30), None)],
        returned=(2, "jinzhong", "请补充晋中段交通枢纽布局的具体内容。"),
        text="规划编制工作推进中，已完成现状调研和专题研究。",
    ),
    dict(
        source=agreement(2),
        title="联合打造中部城市群精品旅游线路",
        domain=Domain.INDUSTRY,
        sub=SubArea.TOURISM,
        lead="lvliang",
        co=["taiyuan", "jinzhong"],
        due=D(2022, 10, 31),
        pct=[20, 45, 80, 100],
        done=D(2022, 11, 15),
        text="三市文旅部门联合策划的精品旅游线路已完成踩线和推介。",
    ),
    dict(
        source=agreement(2),
        title="共建有机旱作杂粮特色农产品供应基地",
        domain=Domain.INDUSTRY,
        sub=SubArea.AGRICULTURE,
        lead="xinzhou",
        co=["lvliang"],
        due=D(2023, 6, 30),
        pct=[5, 15, 25, 30, 40],
        text="基地选址已完成，杂粮品种和种植标准正在统一。",
    ),
    dict(
        source=agreement(2),
        title="高端装备制造、新材料产业链协同招商",
        domain=Domain.INDUSTRY,
        sub=SubArea.MANUFACTURING,
        lead="taiyuan",
        co=["yangquan", "jinzhong"],
        due=D(2027, 12, 31),
        pct=[5, 8, 12, 15, 20],
        text="产业链图谱已联合绘制，首批协同招商项目清单已形成。",
    ),
    dict(
        source=agreement(3),
        title="太忻大道建设",
        public=True,
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="taiyuan",
        co=["xinzhou"],
        due=D(2027, 10, 31),
        pct=[25, 30, 35, 40, 45],
        milestones=[
            ("太原段路基工程完成60%", D(2022, 10, 31), D(2022, 10, 28)),
            ("全线主线贯通", D(2026, 12, 31), None),
        ],
        text="太原段路基、桥涵工程持续推进，忻州段主体工程全面开工。",
    ),
    dict(
        source=agreement(3),
        title="太榆连接线建设",
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="jinzhong",
        co=["taiyuan"],
        due=D(2027, 6, 30),
        pct=[15, 20, 25, 30, 35],
        text="晋中段征地拆迁基本完成，太原段与晋中段接线方案已确定。",
    ),
    dict(
        source=agreement(3),
        title="古交—娄烦—方山高速公路前期工作",
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="lvliang",
        co=["taiyuan"],
        due=D(2022, 8, 20),
        pct=[50, 60, 65, 70, 70],
        returned=(0, "taiyuan", "请补充古交段工程可行性研究报告的批复文件。"),
        text="工可报告已报审，用地预审和环评手续正在办理。",
    ),
    dict(
        source=agreement(3),
        title="太原铁路枢纽客运西环线一期",
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="taiyuan",
        co=["jinzhong"],
        due=D(2028, 12, 31),
        pct=[5, 8, 10, 12, 15],
        text="初步设计已完成审查，先行工程开工准备中。",
    ),
    dict(
        source=agreement(3),
        title="太绥高铁前期工作",
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="lvliang",
        co=["taiyuan"],
        due=D(2030, 12, 31),
        pct=[5, 10],
        suspended=(D(2022, 10, 15), "等待国家层面线路方案批复，暂缓推进。"),
        text="线路走向研究完成，沿线站点设置方案已征求两市意见。",
    ),
    dict(
        source=agreement(3),
        title="武宿机场三期改扩建",
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="taiyuan",
        co=["jinzhong"],
        due=D(2027, 12, 31),
        pct=[10, 12, 15, 20, 25],
        text="航站区工程施工图设计推进中，综合交通中心方案已优化。",
    ),
    dict(
        source=agreement(4),
        title="五市大气监测数据共享",
        domain=Domain.ECOLOGY,
        sub=SubArea.AIR,
        lead="taiyuan",
        co=ALL,
        due=D(2022, 8, 31),
        pct=[100],
        done=D(2022, 8, 25),
        text="五市国控、省控站点小时数据已接入共享平台，实时互通。",
    ),
    dict(
        source=agreement(4),
        title="重污染天气同步预警应对机制",
        domain=Domain.ECOLOGY,
        sub=SubArea.AIR,
        lead="yangquan",
        co=["taiyuan", "jinzhong"],
        due=D(2022, 9, 30),
        pct=[60, 100],
        done=D(2022, 9, 28),
        text="联合预警会商和同步启动应急响应的工作规程已印发。",
    ),
    dict(
        source=agreement(4),
        title="一体化“禁煤区”建设",
        public=True,
        domain=Domain.ECOLOGY,
        sub=SubArea.AIR,
        lead="jinzhong",
        co=["taiyuan"],
        due=D(2022, 10, 31),
        pct=[40, 70, 100],
        done=D(2022, 10, 20),
        text="太原、晋中交界区域散煤清零，禁煤区范围和管控措施统一。",
    ),
    dict(
        source=agreement(4),
        title="汾河流域跨界断面水质联防联治",
        domain=Domain.ECOLOGY,
        sub=SubArea.WATER,
        lead="xinzhou",
        co=["taiyuan", "jinzhong", "lvliang"],
        due=D(2022, 12, 31),
        pct=[10, 20, 35, 45, 50],
        text="跨界断面水质联合监测已开展，联防联治协议文本正在会签。",
    ),
    dict(
        source=agreement(5),
        title="扩大五市异地就医定点医疗机构范围",
        public=True,
        domain=Domain.PUBLIC_SERVICES,
        sub=SubArea.HEALTH,
        lead="taiyuan",
        co=ALL,
        due=D(2022, 9, 25),
        pct=[40, 80, 100],
        done=D(2022, 10, 12),
        text="五市新增异地就医直接结算定点医疗机构名单已公布。",
    ),
    dict(
        source=agreement(5),
        title="建设公共就业服务信息平台",
        domain=Domain.PUBLIC_SERVICES,
        sub=SubArea.EMPLOYMENT,
        lead="jinzhong",
        co=["taiyuan", "xinzhou"],
        due=D(2022, 12, 31),
        pct=[15, 35, 60, 85, 100],
        submitted=D(2022, 12, 28),
        text="平台岗位信息和求职登记已实现三市互通，正在试运行。",
    ),
    dict(
        source=agreement(5),
        title="企业开办跨市通办",
        domain=Domain.PUBLIC_SERVICES,
        sub=SubArea.APPROVAL,
        lead="yangquan",
        co=["taiyuan", "xinzhou", "lvliang", "jinzhong"],
        due=D(2022, 8, 31),
        pct=[100],
        done=D(2022, 8, 30),
        text="五市企业开办“跨市通办”窗口全部开通，首批业务已办结。",
    ),
    dict(
        source=agreement(5),
        title="建立重点工程项目审批联席会议机制",
        domain=Domain.PUBLIC_SERVICES,
        sub=SubArea.APPROVAL,
        lead="taiyuan",
        co=["jinzhong"],
        due=D(2022, 8, 25),
        pct=[70, 100],
        done=D(2022, 9, 15),
        text="审批联席会议工作规则已印发，首次联席会议已召开。",
    ),
    dict(
        source=agreement(5),
        title="五市统一公共租赁住房保障政策",
        domain=Domain.PUBLIC_SERVICES,
        sub=SubArea.HOUSING,
        lead="xinzhou",
        co=["taiyuan", "lvliang", "jinzhong", "yangquan"],
        due=D(2022, 12, 31),
        pct=[10, 25, 40, 50, 55],
        text="五市公租房准入条件比对完成，统一政策文本征求意见中。",
    ),
    dict(
        source=agreement(6),
        title="建设市场主体倍增共享平台",
        domain=Domain.FACTORS,
        sub=SubArea.MARKET,
        lead="taiyuan",
        co=ALL,
        due=D(2022, 11, 30),
        pct=[20, 45, 70, 100],
        done=D(2022, 11, 25),
        text="共享平台上线运行，五市惠企政策和市场主体数据已汇聚。",
    ),
    dict(
        source=agreement(6),
        title="公共数据整合共享",
        domain=Domain.FACTORS,
        sub=SubArea.DATA,
        lead="jinzhong",
        co=["taiyuan"],
        due=D(2027, 12, 31),
        pct=[5, 10, 18, 24, 30],
        text="公共数据共享目录已编制，首批数据接口已对接。",
    ),
    dict(
        source=agreement(6),
        title="共建重大科技创新平台和科技成果中试基地",
        domain=Domain.FACTORS,
        sub=SubArea.SCIENCE,
        lead="taiyuan",
        co=["jinzhong", "yangquan"],
        due=D(2028, 6, 30),
        pct=[2, 4, 6, 8, 10],
        text="中试基地选址论证完成，共建协议草案已形成。",
    ),
    dict(
        source=None,
        code="SD-2022-001",
        title="开通太原—晋中市际公交线路",
        domain=Domain.INFRASTRUCTURE,
        sub=SubArea.TRANSPORT,
        lead="jinzhong",
        co=["taiyuan"],
        due=D(2022, 10, 31),
        pct=[30, 70, 100],
        done=D(2022, 10, 25),
        text="市际公交线路站点设置和票价方案已确定，10月下旬开通运营。",
    ),
    dict(
        source=None,
        code="SD-2022-002",
        title="人才服务互认，打造“人才生态圈”",
        domain=Domain.FACTORS,
        sub=SubArea.TALENT,
        lead="yangquan",
        co=["taiyuan"],
        due=D(2023, 3, 31),
        pct=[10, 20, 25, 35, 40],
        text="两市高层次人才认定标准比对完成，互认清单起草中。",
    ),
]

FIRST_CODE = "HY1-1-1"
MANAGERS = {slug: f"{slug}-manager" for slug in ("taiyuan", "xinzhou", "lvliang", "jinzhong", "yangquan")}


def _month_end(month):
    return D(2022, month, calendar.monthrange(2022, month)[1])


def _decision(source):
    from xietong.meetings.models import Decision

    kind, number = source
    decisions = Decision.objects.filter(meeting__number=1)
    if kind == "agenda":
        return decisions.get(agenda_item__order=number)
    return decisions.get(clause__document__kind=kind, clause__number=number)


def load(stdout=None):
    from . import demo_cycle

    _load_history(stdout)
    demo_cycle.load(stdout)


def _load_history(stdout):
    from xietong.meetings.models import Meeting

    if Matter.objects.filter(code=FIRST_CODE).exists():
        if stdout:
            stdout.write("supervision: the demo matters exist already\n")
        return
    if not Meeting.objects.filter(number=1).exists():
        if stdout:
            stdout.write("supervision: no demo meeting to take decisions from; skipped\n")
        return
    first_new_notification = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    users = {u.username: u for u in get_user_model().objects.all()}
    office = users["office"]
    units = {u.slug: u for u in Unit.objects.filter(slug__in=["office", "taiyuan", *ALL])}
    # (moment, sequence, step), run in time order, each recorded on its day; a step may queue later ones.
    events = []
    sequence = itertools.count()
    matters = {}

    def later(moment, step):
        heapq.heappush(events, (moment, next(sequence), step))

    for index, spec in enumerate(MATTERS):
        later(_at(D(2022, 8, 1), 9), lambda i=index, s=spec: matters.__setitem__(i, _create(office, units, s)))
        _plan(index, spec, matters, units, users, office, later)

    # A day's steps share one backdated block (and its first step's time): far fewer UPDATEs.
    while events:
        moment, _sequence, step = heapq.heappop(events)
        steps = [step]
        while events and events[0][0].date() == moment.date():
            steps.append(heapq.heappop(events)[2])
        with backdated(moment):
            for step in steps:
                step()

    from .actions import do_issue_bulletin

    for start, end, issued in [
        (D(2022, 8, 1), D(2022, 8, 31), D(2022, 9, 5)),
        (D(2022, 9, 1), D(2022, 9, 30), D(2022, 10, 8)),
    ]:
        with backdated(_at(issued, 15)):
            do_issue_bulletin(actor=office, period_start=start, period_end=end, today=issued)
    snapshots = _write_snapshots()
    # People read their 2022 notifications long ago; the inbox's unread messages are the current cycle's.
    Notification.objects.filter(pk__gte=first_new_notification).update(read_at=F("created_at"))
    if stdout:
        stdout.write(
            f"supervision: {len(MATTERS)} matters from the first joint meeting, "
            f"{ProgressReport.objects.count()} progress reports, 2 bulletins, {snapshots} progress snapshots\n"
        )


def _create(office, units, spec):
    arguments = dict(
        actor=office,
        title=spec["title"],
        lead_unit=units[spec["lead"]],
        co_units=[units[slug] for slug in spec["co"]],
        start_date=D(2022, 8, 1),
        due_date=spec["due"],
        domain=spec["domain"],
        sub_area=spec["sub"],
        description=spec["text"],
        milestones=[(title, due) for title, due, _done in spec.get("milestones", [])],
        reporting_frequency="monthly",
        priority=2 if spec["domain"] == Domain.INFRASTRUCTURE else 1,
        public=spec.get("public", False),
    )
    if spec["source"] is None:
        return actions.do_create_matter(code=spec["code"], source=Source.MANUAL, assign=True, **arguments)
    from xietong.meetings.actions import do_create_matters_from_decision

    arguments.pop("actor")
    (matter,) = do_create_matters_from_decision(actor=office, decision=_decision(spec["source"]), matters=[arguments])
    return matter


def _plan(index, spec, matters, units, users, office, later):
    """Queue the matter's reports, reviews, milestones and ending as dated steps."""
    done, submitted, suspended = spec.get("done"), spec.get("submitted"), spec.get("suspended")
    reporters = [spec["lead"], *spec["co"]]
    returned = spec.get("returned")
    for month_index, percent in enumerate(spec["pct"]):
        month = 8 + month_index
        start, end = D(2022, month, 1), _month_end(month)
        final = done and done.month == month
        report_day = done - datetime.timedelta(days=3) if final else D(2022, month, 26)
        review_day = done - datetime.timedelta(days=2) if final else D(2022, month, 27)
        last = month_index == len(spec["pct"]) - 1
        for order, slug in enumerate(reporters):
            if slug != spec["lead"] and not last and month_index != 1:
                continue  # co-units report their part in September and in the last month
            reporter = users["office-clerk" if slug == "office" else slug]
            share = (
                percent if slug == spec["lead"] or percent == 100 else max(0, min(99, percent + 5 * (order % 3 - 1)))
            )
            text = spec["text"] if slug == spec["lead"] else f"{units[slug].name}配合推进，完成本市承担部分的{share}%。"
            bounce = returned and returned[0] == month_index and returned[1] == slug

            def submit(i=index, u=units[slug], r=reporter, s=start, e=end, t=text, p=share):
                return actions.do_submit_report(
                    actor=r, matter=_fresh(matters[i]), unit=u, period_start=s, period_end=e, text=t, percent=p
                )

            def submit_and_review(bounce=bounce, submit=submit, review_day=review_day, r=reporter, i=index):
                report = submit()
                if bounce:
                    later_review = _at(review_day, 16)
                    later(later_review, lambda rep=report: _return(office, rep, returned[2]))
                    redo = _at(review_day + datetime.timedelta(days=4), 10)
                    later(redo, lambda rep=report, r=r, i=i: _resubmit(r, matters[i], rep, office))
                else:
                    later(_at(review_day, 16), lambda rep=report: _accept(office, rep))

            later(_at(report_day, 10 + order % 6), submit_and_review)
    for title, _due, done_on in spec.get("milestones", []):
        if done_on:
            later(_at(done_on, 17), lambda i=index, t=title, d=done_on: _complete_milestone(office, matters[i], t, d))
    submitter = users[MANAGERS.get(spec["lead"], "office")]
    if done:
        later(_at(done - datetime.timedelta(days=1), 11), lambda i=index: _move(submitter, matters[i], "submit"))
        later(_at(done, 15), lambda i=index: _move(office, matters[i], "verify"))
    if submitted:
        later(_at(submitted, 11), lambda i=index: _move(submitter, matters[i], "submit"))
    if suspended:
        day, reason = suspended
        later(_at(day, 11), lambda i=index: _move(office, matters[i], "suspend", reason))


def _fresh(matter):
    return Matter.objects.get(pk=matter.pk)


def _accept(office, report):
    actions.do_review_report(actor=office, report=report, accept=True)


def _return(office, report, comment):
    actions.do_review_report(actor=office, report=report, accept=False, comment=comment)


def _resubmit(reporter, matter, returned_report, office):
    report = actions.do_submit_report(
        actor=reporter,
        matter=_fresh(matter),
        unit=returned_report.unit,
        period_start=returned_report.period_start,
        period_end=returned_report.period_end,
        text=returned_report.text + "（已补充相关材料）",
        percent=returned_report.percent,
        resubmission_of=ProgressReport.objects.get(pk=returned_report.pk),
    )
    actions.do_review_report(actor=office, report=report, accept=True)


def _move(actor, matter, name, reason=""):
    actions.do_transition(actor=actor, matter=_fresh(matter), name=name, reason=reason)


def _complete_milestone(office, matter, title, day):
    milestone = _fresh(matter).milestones.get(title=title)
    actions.do_complete_milestone(actor=office, milestone=milestone, done_on=day)


def _write_snapshots():
    """Weekly figures per city from August to December 2022, and today's."""
    from .actions import do_write_snapshots

    day, count = D(2022, 8, 7), 0
    while day <= D(2022, 12, 31):
        count += len(do_write_snapshots(day=day))
        day += datetime.timedelta(days=7)
    count += len(do_write_snapshots(day=timezone.localdate()))
    return count
