"""The minutes of a joint meeting as a 会议纪要 after GB/T 9704-2012 (clause 10.3, the 纪要 form).

10.3: the mark "…纪要" in red 小标宋 35 mm under the top of the type area; the attendance after the text, one
line down and two characters in, "出席" in 3号黑体 with a full-width colon and the names in 3号仿宋, following
lines aligned after the colon. Everything else as in any 公文 (see xietong.core.officialdoc).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from xietong.core import officialdoc

LEVEL_1 = "一二三四五六七八九十"


def _chinese_number(index):
    """1 → 一, 12 → 十二: the numbering of 7.3.3's first and second levels."""
    if index <= 10:
        return LEVEL_1[index - 1]
    tens, ones = divmod(index, 10)
    return ("" if tens == 1 else LEVEL_1[tens - 1]) + "十" + (LEVEL_1[ones - 1] if ones else "")


def _attendance(document, units):
    from docx.shared import Pt

    paragraph = document.document.add_paragraph()
    fmt = paragraph.paragraph_format
    # Two characters in; following lines aligned after "出席：" (three characters further).
    fmt.left_indent = Pt(officialdoc.SIZE_3 * 5)
    fmt.first_line_indent = Pt(-officialdoc.SIZE_3 * 3)
    label = paragraph.add_run("出席：")
    officialdoc.set_fonts(label, officialdoc.HEI_FONT)
    paragraph.add_run("、".join(units))
    return paragraph


def render_minutes_docx(meeting):
    with translation.override(settings.LANGUAGE_CODE):
        host = meeting.host_unit.name
        document = officialdoc.OfficialDocument(
            title=meeting.title,
            issuer=host,
            issuer_mark=_("Joint meeting minutes of the Shanxi Central City Cluster"),
            number=_("No. %(number)d") % {"number": meeting.number},
            issued_on=meeting.date,
        )
        document.paragraph(
            _("Date: %(date)s. Place: %(place)s. Host: %(host)s.")
            % {"date": officialdoc.chinese_date(meeting.date), "place": meeting.place, "host": host}
        )
        part = 0
        agenda = list(meeting.agenda_items.all())
        if agenda:
            part += 1
            document.heading(f"{_chinese_number(part)}、{_('Agenda')}")
            for number, item in enumerate(agenda, start=1):
                document.paragraph(f"（{_chinese_number(number)}）{item.title}")
        part += 1
        document.heading(f"{_chinese_number(part)}、{_('Proceedings')}")
        lines = [line.strip() for line in meeting.minutes.splitlines() if line.strip()]
        for line in lines or [_("No minutes recorded yet.")]:
            document.paragraph(line)
        decisions = list(meeting.decisions.order_by("number"))
        if decisions:
            part += 1
            document.heading(f"{_chinese_number(part)}、{_('Decisions')}")
            for decision in decisions:
                document.paragraph(f"（{_chinese_number(decision.number)}）{decision.text}")
        document.paragraph("")
        _attendance(document, [unit.name for unit in meeting.participants.order_by("sort_order", "pk")])
        return document.to_bytes()


def filename(meeting):
    return _("meeting-minutes-%(number)d") % {"number": meeting.number} + ".docx"
