"""Documents the offices exchange, laid out after GB/T 9704-2012 (党政机关公文格式).

Every workflow that hands a Word file to another office (督办通报, 会议纪要, the daily monitoring bulletin)
builds it here, so the page, the fonts and the 版头/版记 are the same in all of them:

- 5.2.1 A4 paper; 5.2.2 天头 37 mm and 订口 28 mm around a 156 mm × 225 mm type area (so 35 mm below and
  26 mm on the right);
- 5.2.3 3号 (16 pt) 仿宋 for every element unless said otherwise; 5.2.4 22 lines of 28 characters a page;
- 7.2 the 版头: 发文机关标志 in red 小标宋, 发文字号 (〔2026〕, no 第, no leading zero) and the red rule;
- 7.3.1 the title in 2号 (22 pt) 小标宋; 7.3.2 主送 flush left ending in a full-width colon; 7.3.3 headings
  "一、" in 黑体, "（一）" in 楷体, "1." and "（1）" in 仿宋; 7.3.5 署名 and 成文日期;
- 7.4 the 版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期 in 4号, between rules;
- 7.5 page numbers "— 1 —" in 4号 半角 宋体 7 mm under the type area, odd pages on the right and even pages
  on the left, one character in from the edge.

Font names are those Word on a Chinese desktop resolves (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312); the
east-Asian name goes in w:eastAsia, which is what Word and LibreOffice use for Chinese characters, and Arabic
numerals and Latin text are set in Times New Roman. Where those fonts are missing, LibreOffice substitutes a
CJK font of the same family (serif for 仿宋/宋体, sans for 黑体), which is what the PDF shows.
"""

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# Chinese type sizes in points: 二号, 三号, 四号, 小四.
SIZE_2 = 22
SIZE_3 = 16
SIZE_4 = 14
SIZE_SMALL_4 = 12

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, LEFT_MM = 37, 28
TYPE_WIDTH_MM, TYPE_HEIGHT_MM = 156, 225
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TYPE_HEIGHT_MM  # 35
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TYPE_WIDTH_MM  # 26
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

# Where a server renders the PDF, these names resolve to the CJK fonts it has (see the file).
FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"

RED = "FF0000"
# 7.4.1: the first and last rules of the 版记 are 0.35 mm, the ones between 0.25 mm (w:sz is in eighths of a point).
THICK_RULE, THIN_RULE = 8, 6

# The order of paragraph and run properties in the WordprocessingML schema (ECMA-376 17.3.1.26, 17.3.2.28).
PPR_ORDER = [
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]
RPR_ORDER = [
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
]

# The order of table properties (ECMA-376 17.4.60).
TBLPR_ORDER = [
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
]

HEADING_FONTS = {1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}


def _mm_to_pt(mm):
    return mm * 72 / 25.4


def line_pitch_pt():
    """5.2.4: 22 lines fill the 225 mm type area, about 28.9 pt a line."""
    return _mm_to_pt(TYPE_HEIGHT_MM) / LINES_PER_PAGE


def document_number(agency, year, sequence):
    """7.2.3: 发文字号 such as 晋中城办〔2026〕3号 — the whole year in 〔〕, no 第 and no leading zeros."""
    return f"{agency}〔{int(year)}〕{int(sequence)}号"


def chinese_date(day):
    """7.3.5 and 7.4.3: the full year, month and day in Arabic numerals without leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text):
    """Width in full-width characters: Chinese and full-width signs count one, ASCII digits and letters half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def set_fonts(target, east_asian, latin=LATIN_FONT):
    """Name the fonts of a style or a run for Latin and for Chinese text (w:eastAsia), dropping theme fonts."""
    from docx.oxml.ns import qn

    target.font.name = latin
    rpr = target.element.get_or_add_rPr()
    fonts = _child(rpr, "w:rFonts")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    _child(rpr, "w:lang").set(qn("w:eastAsia"), "zh-CN")


def _child(parent, tag):
    """The child `tag` of a w:pPr or w:rPr, created in the place the schema gives it (Word refuses files whose
    properties are out of order)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is None:
        sequence = PPR_ORDER if parent.tag == qn("w:pPr") else RPR_ORDER
        found = OxmlElement(tag)
        parent.insert_element_before(found, *sequence[sequence.index(tag) + 1 :])
    return found


def set_up_page(section):
    """5.2.1, 5.2.2 and 5.2.4: A4 portrait, the type area, and a grid of 22 lines × 28 characters."""
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.gutter = Mm(0)
    # 7.5: the page number's 一字线 sits 7 mm under the type area; a 4号 line is about 5 mm high.
    section.footer_distance = Mm(BOTTOM_MM - 7 - 5)
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # Word's line grid in twentieths of a point. The 28 characters come from the Normal style's character
    # spacing instead of a character grid, which LibreOffice would lay out differently from Word.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(line_pitch_pt() * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)


def char_spacing_twips():
    """5.2.4: 28 characters of 16 pt make 448 pt, the line is 442 pt: each character is condensed a little,
    in twentieths of a point (rounded down so the 28th character still fits)."""
    import math

    return math.floor((_mm_to_pt(TYPE_WIDTH_MM) / CHARS_PER_LINE - SIZE_3) * 20)


def _border(paragraph, side, *, size, color="000000", space=1):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = _child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_number_field(paragraph):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(tag, **attrs):
        run = paragraph.add_run()
        element = OxmlElement(tag)
        for name, value in attrs.items():
            element.set(qn(name), value)
        if tag == "w:instrText":
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            element.text = " PAGE "
        run._r.append(element)
        return run

    runs = [paragraph.add_run("— ")]
    runs.append(run_with("w:fldChar", **{"w:fldCharType": "begin"}))
    runs.append(run_with("w:instrText"))
    runs.append(run_with("w:fldChar", **{"w:fldCharType": "separate"}))
    runs.append(paragraph.add_run("1"))
    runs.append(run_with("w:fldChar", **{"w:fldCharType": "end"}))
    runs.append(paragraph.add_run(" —"))
    for run in runs:
        set_fonts(run, PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        run.font.size = _pt(SIZE_4)


def _pt(value):
    from docx.shared import Pt

    return Pt(value)


def _no_grid(paragraph):
    """Tables and the 版记 keep their own line height instead of the body's 22-line grid."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = _pt(0)
    _child(paragraph._p.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")


# Word's default cell margins (108 twips a side), and a little room for what LibreOffice sets wider than
# text_width() counts (a "%", a "—").
CELL_PADDING_MM = 2 * 1.905 + 0.8


def _longest_unbreakable(text):
    """Width of the longest run that cannot wrap: Latin words and numbers ("T-00124", "2022-08-05", "100.0%")
    stay whole, Chinese wraps after any character."""
    longest = run = 0
    for ch in text:
        if ch.isspace():
            run = 0
        elif ord(ch) >= 0x2E80:
            run = 0
            longest = max(longest, 1)
        else:
            run += 0.5
            longest = max(longest, run)
    return longest


def column_widths_mm(headers, rows, size):
    """Column widths over the type area, as a table's automatic layout would choose them: every column at
    least its longest unbreakable word and two characters of its header; then values on one line where the
    width allows (headers wrap first: they are short words); then headers on one line; what is left over is
    shared out. When even the values cannot all stay on one line, the widest columns wrap and the narrow ones
    keep their values whole."""
    columns = [[str(header)] + [str(row[i]) for row in rows] for i, header in enumerate(headers)]
    floor = [max(max(map(_longest_unbreakable, texts)), min(text_width(texts[0]), 2)) for texts in columns]
    want = [max(f, *(text_width(t) for t in texts[1:])) for f, texts in zip(floor, columns, strict=True)]
    natural = [max(w, text_width(texts[0])) for w, texts in zip(want, columns, strict=True)]
    char_mm = size * 25.4 / 72
    room = (TYPE_WIDTH_MM - CELL_PADDING_MM * len(headers)) / char_mm
    if sum(natural) <= room:
        chars = [n + (room - sum(natural)) * n / sum(natural) for n in natural]
    elif sum(want) <= room:
        spare = room - sum(want)
        chars = [w + spare * (n - w) / (sum(natural) - sum(want)) for w, n in zip(want, natural, strict=True)]
    elif sum(floor) <= room:
        # The widest columns are capped at one width c, the others keep what they want.
        low, high = 0.0, max(want)
        for _step in range(50):
            cap = (low + high) / 2
            if sum(min(w, max(f, cap)) for f, w in zip(floor, want, strict=True)) > room:
                high = cap
            else:
                low = cap
        chars = [min(w, max(f, low)) for f, w in zip(floor, want, strict=True)]
    else:
        chars = [room * f / sum(floor) for f in floor]
    return [c * char_mm + CELL_PADDING_MM for c in chars]


def _column_widths(table, widths_mm):
    """Fixed column widths, in the grid (read by LibreOffice) and in each cell (read by Word)."""
    from docx.shared import Mm

    table.autofit = False
    for column, mm in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(mm)
        for cell in column.cells:
            cell.width = Mm(mm)


class OfficialDocument:
    """One 公文 in the layout of GB/T 9704-2012: the 版头 and title on creation, body parts added in order,
    the 署名, 成文日期 and 版记 when it is saved. Texts arrive in the language the document is written in."""

    def __init__(
        self,
        *,
        title,
        issuer,
        issued_on,
        number="",
        issuer_mark=None,
        addressees=(),
        copy_to=(),
        printed_by=None,
        signature=None,
    ):
        from docx import Document

        self.title = title
        self.issuer = issuer
        self.issued_on = issued_on
        self.number = number
        self.copy_to = list(copy_to)
        self.printed_by = printed_by or issuer
        self.signature = issuer if signature is None else signature
        self.document = Document()
        self._styles()
        section = self.document.sections[0]
        set_up_page(section)
        self._page_numbers(section)
        core = self.document.core_properties
        core.title = title
        core.author = issuer
        core.language = "zh-CN"
        # The template's single empty paragraph would otherwise open the page with a blank line.
        body = self.document.element.body
        for paragraph in list(self.document.paragraphs):
            body.remove(paragraph._p)
        self._head(issuer_mark if issuer_mark is not None else issuer)
        self._title()
        if addressees:
            # 7.3.2: flush left under one blank line, the last name followed by a full-width colon.
            self.paragraph("、".join(addressees) + "：", indent=False)

    # --- styles and page ------------------------------------------------------------------------------------

    def _styles(self):
        from docx.enum.text import WD_LINE_SPACING
        from docx.oxml.ns import qn
        from docx.shared import RGBColor

        styles = self.document.styles
        normal = styles["Normal"]
        set_fonts(normal, BODY_FONT)
        normal.font.size = _pt(SIZE_3)
        _child(normal.element.get_or_add_rPr(), "w:spacing").set(qn("w:val"), str(char_spacing_twips()))
        fmt = normal.paragraph_format
        # An exact line of 1/22 of the type area holds 22 lines a page in Word and in LibreOffice alike.
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = _pt(round(line_pitch_pt(), 2))
        fmt.space_before = fmt.space_after = _pt(0)
        fmt.widow_control = False
        for level, font in HEADING_FONTS.items():
            style = styles[f"Heading {level}"]
            set_fonts(style, font)
            style.font.size = _pt(SIZE_3)
            style.font.bold = False
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            hfmt = style.paragraph_format
            hfmt.space_before = hfmt.space_after = _pt(0)
            hfmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            hfmt.line_spacing = _pt(round(line_pitch_pt(), 2))
            hfmt.first_line_indent = _pt(SIZE_3 * 2)
            hfmt.keep_with_next = True
        title = styles["Title"]
        set_fonts(title, TITLE_FONT)
        title.font.size = _pt(SIZE_2)
        title.font.bold = False
        title.font.color.rgb = RGBColor(0, 0, 0)
        tfmt = title.paragraph_format
        tfmt.space_before = tfmt.space_after = _pt(0)
        tfmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        tfmt.line_spacing = _pt(round(line_pitch_pt(), 2))
        # The template's Title has a coloured bottom border; a 公文 title has none.
        ppr = title.element.get_or_add_pPr()
        for border in ppr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"):
            ppr.remove(border)

    def _page_numbers(self, section):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.document.settings.odd_and_even_pages_header_footer = True
        # 7.5: odd pages on the right and even pages on the left, one character in from the type area's edge.
        odd = section.footer.paragraphs[0]
        odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        odd.paragraph_format.right_indent = _pt(SIZE_4)
        _no_grid(odd)
        _page_number_field(odd)
        even = section.even_page_footer.paragraphs[0]
        even.alignment = WD_ALIGN_PARAGRAPH.LEFT
        even.paragraph_format.left_indent = _pt(SIZE_4)
        _no_grid(even)
        _page_number_field(even)

    # --- 版头 and title --------------------------------------------------------------------------------------

    def _blank(self, count=1):
        for _i in range(count):
            self.document.add_paragraph()

    def _head(self, mark):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, RGBColor

        # 7.2.2: the issuer's mark in red 小标宋, centred, 35 mm below the top of the type area, as large as
        # fits one line of the type area.
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_grid(paragraph)
        paragraph.paragraph_format.space_before = Mm(35)
        size = min(36, int(_mm_to_pt(TYPE_WIDTH_MM) / max(text_width(mark), 1)))
        run = paragraph.add_run(mark)
        set_fonts(run, TITLE_FONT)
        run.font.size = _pt(size)
        run.font.color.rgb = RGBColor.from_string(RED)
        # 7.2.3 and 7.2.4: the number two lines below, centred, and the red rule 4 mm under it across the
        # type area.
        self._blank(2)
        number = self.document.add_paragraph(self.number)
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _border(number, "bottom", size=12, color=RED, space=11)

    def _title(self):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        # 7.3.1: two lines under the red rule; 7.3.2: the 主送 one line under the title.
        self._blank(2)
        title = self.document.add_paragraph(self.title, style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._blank(1)

    # --- body -----------------------------------------------------------------------------------------------

    def heading(self, text, level=1):
        """7.3.3: "一、" in 黑体, "（一）" in 楷体, "1." and "（1）" in 仿宋, two characters in like the text."""
        return self.document.add_paragraph(text, style=f"Heading {level}")

    def paragraph(self, text, *, indent=True):
        """7.3.3: each paragraph two characters in, following lines flush left."""
        paragraph = self.document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = _pt(SIZE_3 * 2 if indent else 0)
        return paragraph

    def table(self, headers, rows, *, emphasised=(), size=SIZE_SMALL_4):
        """A grid table in 仿宋 小四 with the header row in 黑体; rows whose index is in `emphasised` (a total)
        are set in 黑体 as well."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER

        def fill(cell, text, font, first):
            cell.text = ""
            paragraph = cell.paragraphs[0]
            _no_grid(paragraph)
            if not first:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(str(text))
            set_fonts(run, font)
            run.font.size = _pt(size)

        for index, (cell, text) in enumerate(zip(table.rows[0].cells, headers, strict=True)):
            fill(cell, text, HEI_FONT, index == 0)
        for number, values in enumerate(rows):
            font = HEI_FONT if number in emphasised else BODY_FONT
            for index, (cell, value) in enumerate(zip(table.add_row().cells, values, strict=True)):
                fill(cell, value, font, index == 0)
        _column_widths(table, column_widths_mm(headers, rows, size))
        return table

    # --- 署名, 成文日期 and 版记 -----------------------------------------------------------------------------

    def _signature(self):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        # 7.3.5.2: one blank line under the text, the issuer two characters from the right, the date on the next
        # line starting two characters right of the issuer's first character; a longer date keeps two characters
        # from the right and pushes the issuer in.
        date = chinese_date(self.issued_on)
        sig_width, date_width = text_width(self.signature), text_width(date)
        sig_right = 2
        date_right = sig_right + sig_width - 2 - date_width
        if date_right < 2:
            date_right = 2
            sig_right = 4 + date_width - sig_width
        self._blank(1)
        for text, right in ((self.signature, sig_right), (date, date_right)):
            paragraph = self.document.add_paragraph(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = _pt(SIZE_3 * right)
            paragraph.paragraph_format.keep_with_next = text == self.signature

    def _imprint(self):
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm

        # 7.4: the 版记 closes the last page, its last element on the last line of the type area. It is a table
        # floated to the foot of the type area (w:tblpPr), anchored to a paragraph after it; where the text
        # leaves no room above it, the anchor and the 版记 move to a page of their own. LibreOffice (which renders
        # the PDF) floats such a table only when its position is taken from the edge of the page or when it is
        # narrower than the type area, so it is placed from the page's left edge, and the cells have no margins
        # of their own (Word and LibreOffice disagree on whether a floating table's position counts them).
        rows = [["抄送：" + "，".join(self.copy_to) + "。"]] if self.copy_to else []
        rows.append([self.printed_by, chinese_date(self.issued_on) + "印发"])
        table = self.document.add_table(rows=len(rows), cols=2)
        tbl_pr = table._tbl.tblPr
        floating = OxmlElement("w:tblpPr")
        for name, value in (
            ("w:leftFromText", "0"),
            ("w:rightFromText", "0"),
            ("w:topFromText", "0"),
            ("w:bottomFromText", "0"),
            ("w:vertAnchor", "margin"),
            ("w:horzAnchor", "page"),
            ("w:tblpX", str(round(Mm(LEFT_MM).twips))),
            ("w:tblpYSpec", "bottom"),
        ):
            floating.set(qn(name), value)
        tbl_pr.insert_element_before(floating, *TBLPR_ORDER[TBLPR_ORDER.index("w:tblpPr") + 1 :])
        # 7.4.1: thick rules above and below the 版记, thin ones between its parts, no side rules.
        borders = OxmlElement("w:tblBorders")
        for side, size in (("top", THICK_RULE), ("bottom", THICK_RULE), ("insideH", THIN_RULE)):
            line = OxmlElement(f"w:{side}")
            line.set(qn("w:val"), "single")
            line.set(qn("w:sz"), str(size))
            line.set(qn("w:space"), "0")
            line.set(qn("w:color"), "000000")
            borders.append(line)
        tbl_pr.insert_element_before(borders, *TBLPR_ORDER[TBLPR_ORDER.index("w:tblBorders") + 1 :])
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), "0")
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        tbl_pr.insert_element_before(margins, *TBLPR_ORDER[TBLPR_ORDER.index("w:tblCellMar") + 1 :])
        # The printing office takes what the date leaves of the line.
        date_mm = TYPE_WIDTH_MM * 0.4
        _column_widths(table, [TYPE_WIDTH_MM - date_mm, date_mm])
        for row, texts in zip(table.rows, rows, strict=True):
            cells = row.cells
            if len(texts) == 1:
                cells = [cells[0].merge(cells[1])]
            for index, (cell, text) in enumerate(zip(cells, texts, strict=True)):
                paragraph = cell.paragraphs[0]
                _no_grid(paragraph)
                paragraph.paragraph_format.line_spacing = _pt(round(line_pitch_pt(), 2))
                fmt = paragraph.paragraph_format
                if len(texts) == 1:
                    # 7.4.2: 抄送 one character in on both sides, following lines aligned after the colon.
                    fmt.left_indent = _pt(SIZE_4 * 4)
                    fmt.first_line_indent = _pt(-SIZE_4 * 3)
                    fmt.right_indent = _pt(SIZE_4)
                elif index == 0:
                    # 7.4.3: the printing office one character from the left ...
                    fmt.left_indent = _pt(SIZE_4)
                else:
                    # ... and the date one character from the right.
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                    fmt.right_indent = _pt(SIZE_4)
                run = paragraph.add_run(text)
                set_fonts(run, BODY_FONT)
                run.font.size = _pt(SIZE_4)
        # The anchor (Word also wants a paragraph after the last table of a document): a line of one point, so
        # that it fits above the 版记 wherever the date does.
        anchor = self.document.add_paragraph()
        _no_grid(anchor)
        anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        anchor.paragraph_format.line_spacing = _pt(1)
        # An empty paragraph is as high as its mark's font.
        mark = _child(anchor._p.get_or_add_pPr(), "w:rPr")
        for tag in ("w:sz", "w:szCs"):
            _child(mark, tag).set(qn("w:val"), "2")

    def to_bytes(self):
        self._signature()
        self._imprint()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed on this server, or it could not convert the document."""


def docx_to_pdf(content, *, timeout=120):
    """The same document as PDF, rendered by LibreOffice headless (Debian's libreoffice-writer-nogui).

    Each conversion gets a profile directory of its own, so concurrent requests and workers do not wait on
    (or corrupt) a shared LibreOffice profile."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise PdfUnavailable("soffice is not installed")
    with tempfile.TemporaryDirectory(prefix="xietong-pdf-") as folder:
        folder = Path(folder)
        source = folder / "document.docx"
        source.write_bytes(content)
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                check=True,
                timeout=timeout,
                capture_output=True,
                env={**os.environ, "HOME": str(folder), "FONTCONFIG_FILE": str(FONTS_CONF)},
            )
        except (subprocess.SubprocessError, OSError) as error:
            raise PdfUnavailable(str(error)) from error
        target = folder / "document.pdf"
        if not target.exists():
            raise PdfUnavailable("LibreOffice wrote no PDF")
        return target.read_bytes()
