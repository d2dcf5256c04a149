"""The minutes as a 会议纪要 after GB/T 9704-2012, read back from the downloaded file."""

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from xietong.conftest import client_for
from xietong.meetings import actions


def test_a_participant_downloads_the_minutes_as_an_official_document(decision, member, office_user):
    meeting = actions.do_update_meeting(
        actor=office_user, meeting=decision.meeting, minutes="会议听取了各市工作汇报。\n会议审议通过了联席会议制度。"
    )
    response = client_for(member).get(f"/meetings/{meeting.pk}/minutes/docx/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert ".docx" in response["Content-Disposition"]

    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    section = document.sections[0]
    assert (round(section.page_width / 36000), round(section.page_height / 36000)) == (210, 297)
    assert (round(section.top_margin / 36000), round(section.left_margin / 36000)) == (37, 28)
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"

    # 10.3: the 纪要 mark in red, the meeting's title, its agenda and decisions numbered as 7.3.3 has it.
    assert paragraphs[0] == "山西中部城市群市际联席会议纪要"
    assert str(document.paragraphs[0].runs[0].font.color.rgb) == "FF0000"
    assert "山西中部城市群第一次市际联席会议" in paragraphs
    assert "（一）审议《山西中部城市群高质量发展市际联席会议制度》" in paragraphs
    assert f"（{'一'}）{decision.text}" in paragraphs
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "一、议程" and headings[-1].startswith("三、")
    minutes = paragraphs.index(headings[1])
    assert paragraphs[minutes + 1 : minutes + 3] == ["会议听取了各市工作汇报。", "会议审议通过了联席会议制度。"]
    # The attendance: "出席" in 黑体 and the participating units after the colon.
    attendance = next(p for p in document.paragraphs if p.text.startswith("出席："))
    assert "晋中市人民政府" in attendance.text and "忻州" not in attendance.text
    assert attendance.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    assert paragraphs[-3:-1] == ["太原市人民政府", "2022年7月27日"]
