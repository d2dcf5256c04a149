"""What the bulletin counts beside the rates: 催办单, verifications with a reason, matters the ladder named;
and on-time rates against the original due date unless the extension came in time."""

import datetime
import io

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext, pgettext
from docx import Document

from xietong.conftest import client_for
from xietong.supervision import actions
from xietong.supervision.actions import do_issue_bulletin
from xietong.supervision.bulletins import compute
from xietong.supervision.models import EscalationLadder
from xietong.supervision.tests.factories import deliver, make_matter, manager_of

D = datetime.date
OCT_1, OCT_31 = D(2022, 10, 1), D(2022, 10, 31)


def zh(text):
    with translation.override("zh-hans"):
        return gettext(text)


def section(text):
    with translation.override("zh-hans"):
        return pgettext("bulletin section", text)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(2), tzinfo=datetime.UTC), tick=False)


def extend(office_user, matter, day, to):
    with at(day):
        request = actions.do_request_extension(
            actor=manager_of(matter.lead_unit), matter=matter, requested_due=to, reason="设备到货延迟。"
        )
        actions.do_decide_extension(actor=office_user, extension=request, grant=True)
    matter.refresh_from_db()
    return matter


@pytest.fixture
def matters(cluster, office_user):
    taiyuan = cluster["taiyuan"]
    return {
        # Extended on 10-05, before its original date 10-10: the granted 10-20 counts; done 10-18, on time.
        "in_time": make_matter(office_user, taiyuan, title="按期申请延期", start=D(2022, 9, 1), due=D(2022, 10, 10)),
        # Extended on 10-12, after its original date 10-10 had passed: done 10-18 is late against 10-10.
        "late_ask": make_matter(office_user, taiyuan, title="逾期后申请延期", start=D(2022, 9, 1), due=D(2022, 10, 10)),
        # Never extended, due 10-14, done 10-13: on time.
        "plain": make_matter(office_user, taiyuan, title="按期办结", start=D(2022, 9, 1), due=D(2022, 10, 14)),
    }


def test_on_time_counts_against_the_original_date_unless_extended_in_time(matters, office_user):
    extend(office_user, matters["in_time"], D(2022, 10, 5), D(2022, 10, 20))
    extend(office_user, matters["late_ask"], D(2022, 10, 12), D(2022, 10, 20))
    for key, day in (("in_time", D(2022, 10, 18)), ("late_ask", D(2022, 10, 18)), ("plain", D(2022, 10, 13))):
        with at(day):
            deliver(matters[key], office_user)
    data = compute(OCT_1, OCT_31, today=D(2022, 11, 1))
    assert (data["totals"]["due"], data["totals"]["done_on_time"]) == (3, 2)
    assert data["totals"]["on_time_rate"] == pytest.approx(0.6667)
    on_time = {item["title"]: item["on_time"] for item in data["done"]}
    assert on_time == {"按期申请延期": True, "逾期后申请延期": False, "按期办结": True}


def test_overrides_and_urgings_are_counted(matters, office_user, cluster):
    matter = matters["plain"]
    with at(D(2022, 10, 10)):
        actions.do_urge(actor=office_user, matter=matter, message="请加快进度。")
        actions.do_urge(actor=office_user, matter=matter, message="请本周内报送进展。")
        actions.do_urge(actor=office_user, matter=matters["late_ask"], message="请说明进展。")
    with at(D(2022, 10, 13)):
        matter = deliver(matter, office_user, verify=False)
        # A milestone added after submission is not done: verifying now needs a stated reason.
        actions.do_add_milestone(actor=office_user, matter=matter, title="档案归档", due_date=D(2022, 10, 13))
        actions.do_transition(actor=office_user, matter=matter, name="verify", reason="现场核查已完成，档案后补。")
    data = compute(OCT_1, OCT_31, today=D(2022, 11, 1))
    assert [(o["title"], o["override"]) for o in data["overrides"]] == [("按期办结", "现场核查已完成，档案后补。")]
    assert data["totals"]["urgings"] == 3
    taiyuan = next(row for row in data["by_city"] if row["unit_id"] == cluster["taiyuan"].pk)
    assert taiyuan["urgings"] == 3
    assert [(row["title"], row["urgings"], row["unanswered"]) for row in data["urgings_by_matter"]] == [
        ("按期办结", 2, 2),
        ("逾期后申请延期", 1, 1),
    ]
    assert [(row["name"], row["urgings"]) for row in data["urgings_by_unit"]] == [("太原市人民政府", 3)]
    # Not in the period: nothing counted.
    assert compute(D(2022, 9, 1), D(2022, 9, 30), today=D(2022, 11, 1))["totals"]["urgings"] == 0


def test_matters_named_by_the_ladder_appear_in_the_bulletin(cluster, office_user):
    """Due Friday 09-30; 催办单 10-08 (调休 Saturday), escalated 10-12, named 10-19 (see test_ladder)."""
    matter = make_matter(office_user, cluster["jinzhong"], title="太榆连接线", start=D(2022, 8, 1), due=D(2022, 9, 30))
    for day in (D(2022, 10, 8), D(2022, 10, 12), D(2022, 10, 19)):
        with at(day):
            actions.do_send_reminders(today=day)
    with at(D(2022, 11, 1)):
        bulletin = do_issue_bulletin(actor=office_user, period_start=OCT_1, period_end=OCT_31)
    assert [(n["code"], n["due_date"], n["named_on"]) for n in bulletin.data["named"]] == [
        (matter.code, "2022-09-30", "2022-10-19")
    ]
    assert bulletin.data["totals"]["urgings"] == 1
    page = client_for(office_user).get(bulletin.get_absolute_url()).content.decode()
    assert "太榆连接线" in page.split('id="named"')[1].split("</section>")[0]
    # The next month's bulletin names only what was named in its own period.
    assert compute(D(2022, 11, 1), D(2022, 11, 30), today=D(2022, 12, 1))["named"] == []


def test_the_bulletin_states_the_naming_rule_of_the_ladder_in_force(office_user):
    """The ladder is dated data: the page gives the working days of the ladder in force, not a fixed number."""
    with at(D(2022, 11, 1)):
        bulletin = do_issue_bulletin(actor=office_user, period_start=OCT_1, period_end=OCT_31)
    client = client_for(office_user)

    def naming_rule():
        page = client.get(bulletin.get_absolute_url()).content.decode()
        return page.split('id="named"')[1].split("</p>")[0]

    assert "满5个工作日" in naming_rule()  # the default ladder
    EscalationLadder.objects.create(effective_from=D(2022, 10, 1), name_after_working_days=3)
    assert "满3个工作日" in naming_rule()
    # A ladder that comes into force after the period did not name anything in it.
    EscalationLadder.objects.create(effective_from=D(2022, 11, 1), name_after_working_days=10)
    assert "满3个工作日" in naming_rule()


def test_the_docx_and_pdf_carry_the_urgings_the_named_matters_and_the_overrides(office_user, cluster):
    """What the page's lower sections show is in the 公文 too, read back from the .docx and from the PDF's text."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from xietong.supervision.documents import render_docx, render_pdf, render_xlsx

    named = make_matter(office_user, cluster["jinzhong"], title="太榆连接线", start=D(2022, 8, 1), due=D(2022, 9, 30))
    # Due after the period, so the ladder leaves it alone: its 催办单 are the office's own.
    plain = make_matter(office_user, cluster["taiyuan"], title="按期办结", start=D(2022, 9, 1), due=D(2022, 11, 30))
    for day in (D(2022, 10, 8), D(2022, 10, 12), D(2022, 10, 19)):
        with at(day):
            actions.do_send_reminders(today=day)
    with at(D(2022, 10, 10)):
        actions.do_urge(actor=office_user, matter=plain, message="请加快进度。")
        actions.do_urge(actor=office_user, matter=plain, message="请本周内报送进展。")
    with at(D(2022, 10, 13)):
        matter = deliver(plain, office_user, verify=False)
        actions.do_add_milestone(actor=office_user, matter=matter, title="档案归档", due_date=D(2022, 10, 13))
        actions.do_transition(actor=office_user, matter=matter, name="verify", reason="现场核查已完成，档案后补。")
    with at(D(2022, 11, 1)):
        bulletin = do_issue_bulletin(actor=office_user, period_start=OCT_1, period_end=OCT_31)

    document = Document(io.BytesIO(render_docx(bulletin)))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    by_city, by_domain = tables[0], tables[1]
    # The 催办单 column of the figures: two by hand to 太原, the ladder's one to 晋中.
    assert by_city[0][-1] == zh("催办单")
    urged = {row[0]: row[-1] for row in by_city[1:]}
    assert (urged.pop("太原市人民政府"), urged.pop("晋中市人民政府"), urged.pop(zh("Cluster total"))) == ("2", "1", "3")
    assert set(urged.values()) == {"0"}
    assert by_domain[-1][0] == zh("Cluster total") and by_domain[-1][-1] == "3"
    assert sum(int(row[-1]) for row in by_domain[1:-1]) == 3

    headings = [p for p in paragraphs if p[1:2] == "、"]
    assert headings[4:8] == [
        "五、" + section("Named by the escalation ladder"),
        "六、" + section("Verified as done with a stated reason"),
        "七、" + section("催办单 in the period"),
        "八、" + section("Changes since the previous bulletin"),
    ]
    named_table = next(t for t in tables if t[0][-1] == zh("Named on"))
    assert named_table[1:] == [[named.code, "太榆连接线", "晋中市人民政府", "2022-09-30", "2022-10-19"]]
    assert "满5个工作日" in paragraphs[paragraphs.index(headings[4]) + 1]
    override = paragraphs[paragraphs.index(headings[5]) + 1]
    assert "按期办结" in override and override.endswith("理由：现场核查已完成，档案后补。")
    assert "本期共发出催办单3份" in paragraphs[paragraphs.index(headings[6]) + 1]
    assert "（二）" + zh("催办单 by matter") in paragraphs
    by_unit = next(t for t in tables if t[0][0] == zh("Unit urged"))
    assert by_unit[1:] == [["太原市人民政府", "2", "2"], ["晋中市人民政府", "1", "1"]]
    by_matter = next(t for t in tables if t[0][1] == zh("Matter") and t[0][-1] == zh("Not answered"))
    assert [row[1:] for row in by_matter[1:]] == [
        ["按期办结", "太原市人民政府", "2", "2"],
        ["太榆连接线", "晋中市人民政府", "1", "1"],
    ]

    # The workbook carries the same counts: a column of the figures, the total and a sheet by unit and by matter.
    workbook = load_workbook(io.BytesIO(render_xlsx(bulletin)))
    summary = {row[0]: row[1] for row in workbook[zh("Summary")].iter_rows(min_row=2, values_only=True)}
    assert summary[zh("催办单")] == 3
    city_rows = list(workbook[zh("By city")].iter_rows(values_only=True))
    assert city_rows[0][-1] == zh("催办单")
    urged = {row[0]: row[-1] for row in city_rows[1:]}
    assert (urged.pop("太原市人民政府"), urged.pop("晋中市人民政府"), urged.pop(zh("Cluster total"))) == (2, 1, 3)
    assert set(urged.values()) == {0}
    domain_rows = list(workbook[zh("By domain")].iter_rows(values_only=True))
    assert domain_rows[-1][0] == zh("Cluster total") and domain_rows[-1][-1] == 3
    assert sum(row[-1] for row in domain_rows[1:-1]) == 3
    assert list(workbook[zh("催办单 by unit")].iter_rows(min_row=2, values_only=True)) == [
        ("太原市人民政府", 2, 2),
        ("晋中市人民政府", 1, 1),
    ]
    assert [row[1:] for row in workbook[zh("催办单 by matter")].iter_rows(min_row=2, values_only=True)] == [
        ("按期办结", "太原市人民政府", 2, 2),
        ("太榆连接线", "晋中市人民政府", 1, 1),
    ]

    # The page's figures carry the same column.
    page = client_for(office_user).get(bulletin.get_absolute_url()).content.decode()
    taiyuan_row = page.split('id="by-city"')[1].split("太原市人民政府")[1].split("</tr>")[0]
    assert taiyuan_row.rstrip().endswith(f'<td data-label="{zh("催办单")}">2</td>')

    pdf = render_pdf(bulletin)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for expected in (
        section("Named by the escalation ladder"),
        section("催办单 in the period"),
        "本期共发出催办单3份",
        "2022-10-19",
        "理由：现场核查已完成，档案后补。",
        zh("Unit urged"),
    ):
        assert expected in text
