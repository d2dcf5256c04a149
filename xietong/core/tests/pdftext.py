"""Lines of a rendered PDF page with their height on the page, read with pypdf's text positions, and where
the 版记 of a document after GB/T 9704-2012 lands."""

import io

from xietong.core import officialdoc


def page_lines(page):
    """(baseline in points from the page's foot, text) of each line, top first; pieces on one baseline joined."""
    pieces = {}

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            y = round(tm[5] * cm[3] + cm[5], 1)
            x = tm[4] * cm[0] + cm[4]
            pieces.setdefault(y, []).append((x, text.strip()))

    page.extract_text(visitor_text=visit)
    return [(y, "".join(t for _x, t in sorted(parts))) for y, parts in sorted(pieces.items(), reverse=True)]


def last_page_lines(pdf):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), page_lines(reader.pages[-1])


def type_area_foot_pt():
    return officialdoc.BOTTOM_MM * 72 / 25.4


def assert_imprint_closes_the_page(pdf):
    """7.4: the 版记's last element (印发机关 and 印发日期) on the last line of the last page's type area, the 抄送
    on the line above it, and nothing of the text running into them."""
    pages, lines = last_page_lines(pdf)
    foot, pitch = type_area_foot_pt(), officialdoc.line_pitch_pt()
    printed = next(y for y, text in lines if text.endswith("印发"))
    copied = next(y for y, text in lines if text.startswith("抄送："))
    assert foot < printed < foot + pitch, (printed, lines)
    assert printed + pitch * 0.8 < copied < printed + pitch * 1.2, (copied, lines)
    text_above = [y for y, text in lines if y > foot and y not in (printed, copied)]
    assert all(y > copied + pitch * 0.8 for y in text_above), lines
    return pages, min(text_above, default=None), copied
