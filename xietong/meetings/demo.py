"""The first joint meeting of the seed (2022-07-27, Taiyuan): agenda, the two documents it adopted, decisions.

People appear as roles, never by the names the newspaper gives. The wording of the
clauses is illustrative, written from the newspaper's account of the six domains and the
"+1" mechanism; each document's description says so. Idempotent: nothing is added when
the meeting exists already.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import F

from xietong.core.models import Notification, Unit

from . import actions
from .models import DocumentKind, Meeting

MEETING_NUMBER = 1
MEETING_TITLE = "山西中部城市群第一次市际联席会议"
MEETING_DAY = datetime.date(2022, 7, 27)
CITY_SLUGS = ["taiyuan", "xinzhou", "lvliang", "jinzhong", "yangquan"]

AGENDA = [
    "传达学习省委关于推动山西中部城市群高质量发展的部署要求",
    "审议《山西中部城市群高质量发展市际联席会议制度》",
    "太原、忻州、吕梁、晋中、阳泉五市共同签署山西中部城市群“6+1”合作协议",
    "五市围绕六大重点领域协同联动发展作交流发言",
    "研究共建领导机制、对接机制、落实机制，部署下一步重点工作",
]

MINUTES = "\n\n".join(
    [
        (
            "2022年7月27日，山西中部城市群第一次市际联席会议在太原召开。山西中部城市群"
            "建设领导小组负责同志出席并讲话，领导小组办公室负责同志讲话，忻州、吕梁、晋中、阳"
            "泉四市主要负责同志分别作交流发言，太原市主要负责同志致辞。"
        ),
        (
            "会议强调，五市要围绕六大重点领域协同联动发展：推动五市规划全面衔接，推动产业布局"
            "协同耦合，推动基础设施互联互通，推动生态治理同保联治，推动公共服务共建共享，推动"
            "要素配置自由流动。"
        ),
        (
            "会议要求共建领导机制、对接机制、落实机制：五市分别成立领导机构，建立工作专班；坚"
            "持问题导向、目标导向、结果导向，清单式管理、项目化推进，对市际联席会议明确的事项"
            "全过程管理、全方位督导，确保取得实质性进展。"
        ),
        (
            "会议审议通过《山西中部城市群高质量发展市际联席会议制度》；太原、忻州、吕梁、晋中"
            "、阳泉五市共同签署山西中部城市群“6+1”合作协议。"
        ),
        "山西中部城市群建设领导小组成员单位负责同志，五市有关负责同志出席会议。",
    ]
)

ILLUSTRATIVE = "条款措辞为示意，依据会议报道拟写，并非正式文本。"

RULES_TITLE = "山西中部城市群高质量发展市际联席会议制度"
RULES_CLAUSES = [
    "为推动太原、忻州、吕梁、晋中、阳泉五市协同联动发展，共商协同之策、共谋联动之举、共尽发展之力，建立山西中部城市群市际联席会议制度。",
    "联席会议由五市党委、政府主要负责同志组成，山西中部城市群建设领导小组办公室及省直有关厅局负责同志应邀出席。",
    "联席会议实行轮值制度，由五市按太原、忻州、吕梁、晋中、阳泉的顺序轮流承办，轮值市负责会议筹备和会务组织。",
    "联席会议原则上每年召开一次，由轮值市召集；遇重大事项，经五市协商一致可临时召开。",
    "会议议题由五市和领导小组办公室提出，经联络员会议协商后由轮值市确定，重点研究重大规划、重大政策、重大项目和重点工作。",
    "五市各明确一名联络员，建立工作专班，负责日常沟通对接和会议议定事项的推进落实。",
    "对联席会议明确的事项实行清单式管理、项目化推进，由领导小组办公室全过程管理、全方位督导，定期印发督办通报。",
    "本制度自联席会议审议通过之日起施行。",
]

AGREEMENT_TITLE = "山西中部城市群“6+1”合作协议"
AGREEMENT_CLAUSES = [
    "规划衔接：五市紧密对接国家战略和“一群两区三圈”城乡区域发展新布局，在“三线划定”、城市功能结构和用地布局等方面加强对接协调，共同制定基础设施、产业融合、生态环境、公共服务等领域一体化发展专项规划。",
    "产业协同：发挥五市产业比较优势，以高端装备制造、新材料、能源等产业为主攻方向建链补链延链强链；联合打造精品旅游线路；协同发展有机旱作杂粮产业，共建特色优质农产品供应基地；携手“走出去”，承接产业梯度转移。",
    "基础设施：构建以太原都市区为中心的高铁1小时市际交通圈，全力推进太忻大道和太榆连接线建设，加快推进古交—娄烦—方山高速公路建设，积极推进太原铁路枢纽客运西环线一期、太绥高铁和武宿机场三期改扩建等重点工程，统筹水电气热、水利防洪等公共设施。",
    "生态治理：深化大气污染联防联控，加强监测数据共享，实施环境监管执法联动，同步预警应对重污染天气，加快一体化“禁煤区”建设；围绕黄河、汾河、漳沱河及相关支流开展水污染跨域联防联治。",
    "公共服务：加强区域疫情监测预警信息通报；探索集团化办学和师资交流；扩大五市异地就医定点医疗机构范围；谋划新建公共就业服务信息平台；建立五市统一的公共租赁住房保障政策；推动企业开办跨市通办，建立重点工程项目审批联席会议机制。",
    "要素配置：创新产业用地管理供应方式，深化户籍制度改革，增强金融服务供给，加强公共数据整合共享，共建重大科技创新平台和科技成果中试基地，健全人才一体化引育机制，加快建设市场主体倍增共享平台。",
    "合作机制（“+1”）：五市共建领导机制、对接机制、落实机制，建立工作专班，对联席会议明确的事项清单式管理、项目化推进，全过程管理、全方位督导。",
]

# (agenda item number or None, (document key, clause number) or None, decision text)
DECISIONS = [
    (
        2,
        None,
        "审议通过《山西中部城市群高质量发展市际联席会议制度》，自即日起施行；五市于8月底前明确联络员、组建工作专班。",
    ),
    (
        None,
        ("rules", 7),
        "建立山西中部城市群督办清单，领导小组办公室按月印发督办通报。",
    ),
    (
        None,
        ("agreement", 1),
        "按协议第一条，五市开展“三线划定”对接，联合编制基础设施和生态环境一体化专项规划。",
    ),
    (
        None,
        ("agreement", 2),
        "按协议第二条，五市联合打造精品旅游线路，共建有机旱作杂粮供应基地，开展高端装备和新材料产业链协同招商。",
    ),
    (
        None,
        ("agreement", 3),
        "按协议第三条，全力推进太忻大道、太榆连接线、古交—娄烦—方山高速公路、太原铁路枢纽客运西环线一期、太绥高铁和武宿机场三期改扩建等重点工程。",
    ),
    (
        None,
        ("agreement", 4),
        "按协议第四条，实现五市大气监测数据共享，同步预警应对重污染天气，建设一体化“禁煤区”，开展汾河流域跨界断面联防联治。",
    ),
    (
        None,
        ("agreement", 5),
        "按协议第五条，扩大异地就医定点医疗机构范围，建设公共就业服务信息平台，统一公共租赁住房保障政策，推动企业开办跨市通办，建立重点工程项目审批联席会议机制。",
    ),
    (
        None,
        ("agreement", 6),
        "按协议第六条，建设市场主体倍增共享平台，推进公共数据整合共享，共建重大科技创新平台。",
    ),
]


def _at(day, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load(stdout=None):
    first = _load_first(stdout)
    _load_current(stdout)
    return first


def _load_first(stdout):
    from xietong.supervision.demo import backdated

    if Meeting.objects.filter(number=MEETING_NUMBER).exists():
        if stdout:
            stdout.write("meetings: the first joint meeting exists already\n")
        return Meeting.objects.get(number=MEETING_NUMBER)
    office_user = get_user_model().objects.get(username="office")
    units = {unit.slug: unit for unit in Unit.objects.filter(slug__in=["office", *CITY_SLUGS])}
    cities = [units[slug] for slug in CITY_SLUGS]

    with backdated(_at(datetime.date(2022, 7, 18))):
        meeting = actions.do_create_meeting(
            actor=office_user,
            number=MEETING_NUMBER,
            title=MEETING_TITLE,
            date=MEETING_DAY,
            place="太原市",
            host_unit=units["taiyuan"],
            participants=[*cities, units["office"]],
            agenda=AGENDA,
        )
    with backdated(_at(MEETING_DAY, 9)):
        actions.do_hold_meeting(actor=office_user, meeting=meeting)
    with backdated(_at(MEETING_DAY, 11)):
        documents = {
            "rules": actions.do_adopt_document(
                actor=office_user,
                meeting=meeting,
                kind=DocumentKind.RULE,
                title=RULES_TITLE,
                description="会议审议通过。" + ILLUSTRATIVE,
                full_text=_full_text(RULES_TITLE, RULES_CLAUSES),
                clauses=RULES_CLAUSES,
                signatories=cities,
            ),
            "agreement": actions.do_adopt_document(
                actor=office_user,
                meeting=meeting,
                kind=DocumentKind.AGREEMENT,
                title=AGREEMENT_TITLE,
                description="五市共同签署：六大重点领域（“6”）加合作机制（“+1”）。" + ILLUSTRATIVE,
                full_text=_full_text(AGREEMENT_TITLE, AGREEMENT_CLAUSES),
                clauses=AGREEMENT_CLAUSES,
                signatories=cities,
            ),
        }
    agenda = list(meeting.agenda_items.all())
    with backdated(_at(MEETING_DAY, 12)):
        for agenda_number, clause_ref, text in DECISIONS:
            clause = None
            if clause_ref:
                key, number = clause_ref
                clause = documents[key].clauses.get(number=number)
            actions.do_record_decision(
                actor=office_user,
                meeting=meeting,
                text=text,
                agenda_item=agenda[agenda_number - 1] if agenda_number else None,
                clause=clause,
            )
    with backdated(_at(datetime.date(2022, 7, 29), 16)):
        actions.do_update_meeting(actor=office_user, meeting=meeting, minutes=MINUTES)
        actions.do_close_meeting(actor=office_user, meeting=meeting)
    # The invitations and the final minutes of 2022 were read long ago.
    Notification.objects.filter(kind__startswith="meeting.", url=meeting.get_absolute_url()).update(
        read_at=F("created_at")
    )
    if stdout:
        stdout.write(f"meetings: {meeting.title}, 2 documents, {len(DECISIONS)} decisions\n")
    return meeting


CHINESE_NUMBERS = "一二三四五六七八九十"


def _full_text(title, clauses):
    lines = [f"《{title}》", ""]
    lines += [f"第{CHINESE_NUMBERS[i]}条　{text}" for i, text in enumerate(clauses)]
    return "\n".join(lines)


# The current cycle: this year's joint meeting, held some weeks before the day the demo is loaded, so that
# its decisions are matters under way now (see supervision.demo_cycle). The meeting rotates among the five
# cities in the order of the rules (clause 3); the fifth is hosted by 阳泉.
CURRENT_NUMBER = 5
CURRENT_TITLE = "山西中部城市群第五次市际联席会议"
CURRENT_WEEKS_AGO = 5
CURRENT_AGENDA = [
    "通报上一年度市际联席会议议定事项督办情况",
    "审议山西中部城市群本年度协同发展重点工作清单",
    "研究生态治理同保联治和重污染天气联合应对",
    "研究公共服务共建共享和科技创新平台共建",
]
CURRENT_MINUTES = "\n\n".join(
    [
        "山西中部城市群第五次市际联席会议在阳泉召开。领导小组办公室通报了上一年度议定事项督办情况，五市主要负责同志作交流发言。",
        "会议审议通过本年度协同发展重点工作清单，明确各项工作的牵头单位、配合单位和完成时限，由领导小组办公室列入督办清单，按月调度、按月通报。",
        "会议要求，对已逾期事项由领导小组办公室发出催办单，牵头单位限期回复；确需延期的，由牵头单位说明理由、提出申请，经领导小组办公室同意后调整期限。",
    ]
)
# (agenda item number, decision text)
CURRENT_DECISIONS = [
    (2, "审议通过本年度协同发展重点工作清单：太忻大道忻州段交工验收、五市异地就医直接结算扩面，列入督办清单。"),
    (3, "汾河流域跨界断面水质实行月度会商；秋冬季重污染天气联合应对演练于本季度完成。"),
    (
        4,
        "企业开办“跨市通办”延伸至五市全部县（市、区）；五市公共就业服务平台岗位信息互通；签署科技成果中试基地共建协议。",
    ),
]


def current_meeting_day():
    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(weeks=CURRENT_WEEKS_AGO)


def _load_current(stdout):
    from xietong.supervision.demo import backdated

    if Meeting.objects.filter(number=CURRENT_NUMBER).exists():
        if stdout:
            stdout.write("meetings: this year's joint meeting exists already")
        return Meeting.objects.get(number=CURRENT_NUMBER)
    office_user = get_user_model().objects.get(username="office")
    units = {unit.slug: unit for unit in Unit.objects.filter(slug__in=["office", *CITY_SLUGS])}
    day = current_meeting_day()
    with backdated(_at(day - datetime.timedelta(days=14))):
        meeting = actions.do_create_meeting(
            actor=office_user,
            number=CURRENT_NUMBER,
            title=CURRENT_TITLE,
            date=day,
            place="阳泉市",
            host_unit=units["yangquan"],
            participants=[*(units[slug] for slug in CITY_SLUGS), units["office"]],
            agenda=CURRENT_AGENDA,
        )
    with backdated(_at(day, 9)):
        actions.do_hold_meeting(actor=office_user, meeting=meeting)
    agenda = list(meeting.agenda_items.all())
    with backdated(_at(day, 12)):
        for agenda_number, text in CURRENT_DECISIONS:
            actions.do_record_decision(
                actor=office_user, meeting=meeting, text=text, agenda_item=agenda[agenda_number - 1]
            )
    with backdated(_at(day + datetime.timedelta(days=2), 16)):
        actions.do_update_meeting(actor=office_user, meeting=meeting, minutes=CURRENT_MINUTES)
        actions.do_close_meeting(actor=office_user, meeting=meeting)
    Notification.objects.filter(kind__startswith="meeting.", url=meeting.get_absolute_url()).update(
        read_at=F("created_at")
    )
    if stdout:
        stdout.write(f"meetings: {meeting.title} ({day}), {len(CURRENT_DECISIONS)} decisions")
    return meeting
