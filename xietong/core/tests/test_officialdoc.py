"""Documents after GB/T 9704-2012 rendered by LibreOffice: where the 版记 lands on the page."""

import datetime

from xietong.core import officialdoc
from xietong.core.tests.pdftext import assert_imprint_closes_the_page


def document(paragraphs):
    doc = officialdoc.OfficialDocument(
        title="关于城市群督办工作的通报",
        issuer="山西中部城市群建设领导小组办公室",
        issued_on=datetime.date(2026, 3, 9),
        number="晋中城群办〔2026〕3号",
        addressees=["太原市人民政府", "晋中市人民政府"],
        copy_to=["领导小组各成员单位", "省发展改革委"],
    )
    for index in range(paragraphs):
        doc.paragraph(f"第{index + 1}项：按月报送进展情况。")
    return doc.to_bytes()


def test_the_imprint_sits_at_the_foot_of_the_last_page():
    """A short text, a text that ends just above where the 版记 goes (one line of the body more and it would not
    fit), and that one line more: the 版记 then takes a page of its own, at its foot, rather than overlap."""
    pitch = officialdoc.line_pitch_pt()
    gaps = {}
    for paragraphs in (0, 23, 24):
        pages, lowest, copied = assert_imprint_closes_the_page(officialdoc.docx_to_pdf(document(paragraphs)))
        gaps[paragraphs] = (pages, None if lowest is None else round((lowest - copied) / pitch, 1))
    # The first page holds the 版头 and four lines of the text, each further page 22 lines (5.2.4).
    assert gaps[0][0] == 1 and gaps[0][1] > 3
    assert gaps[23][0] == 2 and gaps[23][1] < 2.2, gaps
    assert gaps[24] == (3, None), gaps
