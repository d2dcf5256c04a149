"""The files of a supervision bulletin: the 公文 (.docx after GB/T 9704-2012, and the same as PDF) and the
workbook (.xlsx). The figures and their labels come from `bulletins.present`; this module only lays them out,
in Chinese, the language the offices exchange documents in."""

import datetime
import io

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from xietong.core import officialdoc
from xietong.core.models import Unit, UnitKind

from .bulletins import figure_headers, overdue_headers, present, summary_sentence

# The office's 机关代字 in the 发文字号 of its bulletins (GB/T 9704-2012 7.2.3), e.g. 晋中城群办〔2026〕3号.
BULLETIN_AGENCY = "晋中城群办"
OFFICE_NAME = "山西中部城市群建设领导小组办公室"

# Clause numbers of the body in 7.3.3's first level; a bulletin has five parts.
LEVEL_1 = "一二三四五六七八九十"


def _office_name():
    office = Unit.objects.filter(kind=UnitKind.OFFICE).order_by("pk").first()
    return office.name if office else OFFICE_NAME


def _figure_table(document, view, first, rows):
    """A figures table closed by the cluster's total, as the page shows it, with the 催办单 of each row where
    the bulletin counted them (those issued before 催办单 were counted have none)."""
    urged = view["urgings"] is not None
    headers = figure_headers(first) + ([_("催办单")] if urged else [])
    out = []
    for r in [*rows, {**view["totals"], "label": _("Cluster total")}]:
        cells = [r["label"], r["in_scope"], r["done"], r["completion"], r["due"], r["done_on_time"], r["on_time"]]
        out.append(cells + [r["overdue"]] + ([r.get("urgings", 0)] if urged else []))
    document.table(headers, out, emphasised={len(rows)})


def _overdue_rows(items):
    return [
        [i["code"], i["title"], i["lead_unit"], i["city_name"], i["domain_label"], i["due_date"], i["days_overdue"]]
        for i in items
    ]


def _listed(item):
    return "".join(filter(None, [item["code"], "　", item["title"], "（" + item["lead_unit"] + "）"]))


def _ladder_parts(document, view, heading):
    """What the ladder and the office's judgement added to the period, as the page's lower sections say it:
    the matters named, those verified with a stated reason, and the 催办单 by urged unit and by matter."""
    heading(pgettext("bulletin section", "Named by the escalation ladder"))
    days = view["name_after_working_days"]
    document.paragraph(
        ngettext(
            "Matters still overdue %(days)s working day after an unanswered 催办单 went to the unit's leaders.",
            "Matters still overdue %(days)s working days after an unanswered 催办单 went to the unit's leaders.",
            days,
        )
        % {"days": days}
    )
    if view["named"]:
        document.table(
            [_("Code"), _("Matter"), _("Lead unit"), _("Due date"), _("Named on")],
            [[i["code"], i["title"], i["lead_unit"], i["due_date"], i["named_on"]] for i in view["named"]],
        )
    else:
        document.paragraph(_("None."))
    heading(pgettext("bulletin section", "Verified as done with a stated reason"))
    for item in view["overrides"]:
        document.paragraph(_("%(matter)s. Reason: %(reason)s") % {"matter": _listed(item), "reason": item["override"]})
    if not view["overrides"]:
        document.paragraph(_("None."))
    if view["urgings"] is None:
        return
    heading(pgettext("bulletin section", "催办单 in the period"))
    document.paragraph(
        ngettext(
            "%(count)d 催办单 was issued in the period; the tables above give them by city and by domain.",
            "%(count)d 催办单 were issued in the period; the tables above give them by city and by domain.",
            view["urgings"],
        )
        % {"count": view["urgings"]}
    )
    if view["urgings_by_unit"]:
        document.heading(f"（{LEVEL_1[0]}）{_('催办单 by unit')}", level=2)
        document.table(
            [_("Unit urged"), _("催办单"), _("Not answered")],
            [[r["label"], r["urgings"], r["unanswered"]] for r in view["urgings_by_unit"]],
        )
        document.heading(f"（{LEVEL_1[1]}）{_('催办单 by matter')}", level=2)
        document.table(
            [_("Code"), _("Matter"), _("Lead unit"), _("催办单"), _("Not answered")],
            [[r["code"], r["title"], r["lead_unit"], r["urgings"], r["unanswered"]] for r in view["urgings_by_matter"]],
        )


def render_docx(bulletin):
    """The bulletin as a 公文 of the office to the five cities (see xietong.core.officialdoc for the layout)."""
    with translation.override(settings.LANGUAGE_CODE):
        view = present(bulletin)
        issued = timezone.localtime(bulletin.created_at).date()
        office = _office_name()
        cities = list(
            Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk").values_list("name", flat=True)
        )
        document = officialdoc.OfficialDocument(
            title=bulletin.title,
            issuer=office,
            issued_on=issued,
            number=officialdoc.document_number(BULLETIN_AGENCY, issued.year, bulletin.number),
            addressees=[*cities, _("the task forces of the leading group")],
            copy_to=[_("the members of the leading group")],
        )
        document.paragraph(
            _("Period: %(start)s to %(end)s; figures as of %(as_of)s. Issued on %(issued)s.")
            % {
                "start": bulletin.period_start.isoformat(),
                "end": bulletin.period_end.isoformat(),
                "as_of": view["as_of"],
                "issued": issued.isoformat(),
            }
        )
        sections = iter(LEVEL_1)

        def heading(text):
            # 7.3.3: the first level numbered 一、二、… in the order the parts appear.
            document.heading(f"{next(sections)}、{text}")

        heading(pgettext("bulletin section", "Overview"))
        document.paragraph(summary_sentence(view))
        heading(pgettext("bulletin section", "By city"))
        _figure_table(document, view, _("City"), view["by_city"])
        heading(pgettext("bulletin section", "By domain"))
        _figure_table(document, view, _("Domain"), view["by_domain"])
        heading(pgettext("bulletin section", "Overdue matters"))
        if view["overdue"]:
            document.table(overdue_headers(), _overdue_rows(view["overdue"]))
        else:
            document.paragraph(_("No matter is overdue."))
        _ladder_parts(document, view, heading)
        heading(pgettext("bulletin section", "Changes since the previous bulletin"))
        changes = view["changes"]
        if not changes:
            document.paragraph(_("This is the first bulletin."))
        else:
            document.paragraph(
                _("Compared with bulletin no. %(number)d: completion rate %(completion)s, on-time rate %(on_time)s.")
                % {
                    "number": view["previous"]["number"],
                    "completion": changes["totals"]["completion_rate"],
                    "on_time": changes["totals"]["on_time_rate"],
                }
            )
            document.table(
                [_("City"), _("Completion rate"), _("On-time rate"), _("Newly done"), _("Change in overdue")],
                [
                    [r["label"], r["completion_delta"], r["on_time_delta"], r["newly_done"], f"{r['overdue']:+d}"]
                    for r in changes["by_city"]
                ],
            )
            for number, (heading, items) in enumerate(
                [(_("Newly done"), changes["newly_done"]), (_("Newly overdue"), changes["newly_overdue"])]
            ):
                document.heading(f"（{LEVEL_1[number]}）{heading}", level=2)
                for item in items or []:
                    document.paragraph(_listed(item))
                if not items:
                    document.paragraph(_("None."))
        return document.to_bytes()


def pdf_cache_key(bulletin):
    return f"supervision:bulletin-pdf:{bulletin.pk}:{bulletin.number}:{bulletin.created_at.timestamp()}"


def render_pdf(bulletin):
    """The same document as PDF, rendered by LibreOffice. A bulletin is frozen once issued, so its PDF is kept
    in the cache for a day rather than rendered again for every reader."""
    key = pdf_cache_key(bulletin)
    content = cache.get(key)
    if content is None:
        content = officialdoc.docx_to_pdf(render_docx(bulletin))
        cache.set(key, content, 24 * 3600)
    return content


def render_xlsx(bulletin):
    """The bulletin as a workbook: a summary sheet and one sheet per table, rates as percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    with translation.override(settings.LANGUAGE_CODE):
        view = present(bulletin)
        workbook = Workbook()
        bold = Font(bold=True)

        def sheet(title, headers, rows, percent_columns=(), widths=None):
            ws = workbook.create_sheet(str(title)[:31])
            ws.append([str(h) for h in headers])
            for cell in ws[1]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            for row in rows:
                ws.append(row)
            for column in percent_columns:
                for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell.number_format = "0.0%"
            for index, width in enumerate(widths or [14] * len(headers), start=1):
                ws.column_dimensions[get_column_letter(index)].width = width
            ws.freeze_panes = "A2"
            return ws

        summary = workbook.active
        summary.title = str(_("Summary"))
        summary.append([bulletin.title])
        summary["A1"].font = Font(bold=True, size=14)
        t = view["totals"]
        for label, value in [
            (_("Period from"), bulletin.period_start.isoformat()),
            (_("Period to"), bulletin.period_end.isoformat()),
            (_("Figures as of"), view["as_of"]),
            (_("Matters in scope"), t["in_scope"]),
            (_("Done"), t["done"]),
            (_("Completion rate"), t["completion_rate"]),
            (_("Due"), t["due"]),
            (_("Done on time"), t["done_on_time"]),
            (_("On-time rate"), t["on_time_rate"]),
            (_("Overdue"), t["overdue"]),
        ]:
            summary.append([str(label), value])
        for row in summary.iter_rows(min_row=2):
            row[0].font = bold
            if row[0].value in (str(_("Completion rate")), str(_("On-time rate"))):
                row[1].number_format = "0.0%"
        summary.column_dimensions["A"].width = 18
        summary.column_dimensions["B"].width = 16

        # The 催办单 of each row where the bulletin counted them, as on the page and in the .docx.
        urged = view["urgings"] is not None
        if urged:
            summary.append([str(_("催办单")), view["urgings"]])
            summary.cell(row=summary.max_row, column=1).font = bold

        def figures(rows):
            return [
                [
                    r["label"],
                    r["in_scope"],
                    r["done"],
                    r["completion_rate"],
                    r["due"],
                    r["done_on_time"],
                    r["on_time_rate"],
                    r["overdue"],
                ]
                + ([r.get("urgings", 0)] if urged else [])
                for r in [*rows, {**view["totals"], "label": _("Cluster total")}]
            ]

        def figure_sheet(title, first, rows):
            headers = figure_headers(first) + ([_("催办单")] if urged else [])
            ws = sheet(title, headers, figures(rows), (4, 7), [26, 12, 10, 12, 10, 12, 12, 10, 10][: len(headers)])
            for cell in ws[ws.max_row]:
                cell.font = bold
            ws.cell(row=ws.max_row, column=1).value = str(_("Cluster total"))

        figure_sheet(_("By city"), _("City"), view["by_city"])
        figure_sheet(_("By domain"), _("Domain"), view["by_domain"])
        overdue = [
            [
                i["code"],
                i["title"],
                i["lead_unit"],
                i["city_name"],
                i["domain_label"],
                datetime.date.fromisoformat(i["due_date"]),
                i["days_overdue"],
            ]
            for i in view["overdue"]
        ]
        ws = sheet(_("Overdue matters"), overdue_headers(), overdue, (), [14, 40, 24, 18, 18, 12, 10])
        for (cell,) in ws.iter_rows(min_row=2, min_col=6, max_col=6):
            cell.number_format = "yyyy-mm-dd"
        if urged:
            sheet(
                _("催办单 by unit"),
                [_("Unit urged"), _("催办单"), _("Not answered")],
                [[r["label"], r["urgings"], r["unanswered"]] for r in view["urgings_by_unit"]],
                (),
                [26, 10, 12],
            )
            sheet(
                _("催办单 by matter"),
                [_("Code"), _("Matter"), _("Lead unit"), _("催办单"), _("Not answered")],
                [
                    [r["code"], r["title"], r["lead_unit"], r["urgings"], r["unanswered"]]
                    for r in view["urgings_by_matter"]
                ],
                (),
                [14, 40, 24, 10, 12],
            )
        changes = bulletin.data.get("changes")
        if changes:
            rows = [
                [
                    r["label"],
                    None if r["completion_rate"] is None else r["completion_rate"] / 100,
                    None if r["on_time_rate"] is None else r["on_time_rate"] / 100,
                    r["newly_done"],
                    r["overdue"],
                ]
                for r in view["changes"]["by_city"] + view["changes"]["by_domain"]
            ]
            ws = sheet(
                _("Changes"),
                [_("City or domain"), _("Completion rate"), _("On-time rate"), _("Newly done"), _("Change in overdue")],
                rows,
                (),
                [26, 14, 14, 12, 14],
            )
            for a, b in ws.iter_rows(min_row=2, min_col=2, max_col=3):
                a.number_format = b.number_format = "+0.0%;-0.0%;0.0%"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
