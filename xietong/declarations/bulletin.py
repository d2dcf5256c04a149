"""The cluster's daily monitoring and early-warning bulletin (区域监测预警信息通报).

For one day and each city of the cluster: arrivals declared for that day, how many were screened at
risk, people at risk still under measures, measures recorded as done that day, measures missed and
not yet made up, hand-overs received from other cities; and the notices in force that day with their
areas. Counted in the database with one GROUP BY per figure; no personal data.
"""

import io

from django.conf import settings
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from xietong.core.models import Unit, UnitKind

from .models import Declaration, Handover, Measure, MeasureState, Notice, NoticeState, State

FIGURES = ["arrivals", "at_risk", "under_measures", "done", "missed", "handovers"]


def figure_labels():
    return {
        "arrivals": _("Arrivals declared"),
        "at_risk": _("Screened at risk"),
        "under_measures": _("At risk, measures under way"),
        "done": _("Measures done"),
        "missed": _("Measures missed"),
        "handovers": _("Hand-overs received"),
    }


def compute(day):
    cities = list(Unit.objects.filter(kind=UnitKind.CITY).order_by("sort_order", "pk"))
    rows = {city.pk: dict.fromkeys(FIGURES, 0) for city in cities}

    def add(figure, queryset, field="city"):
        for row in queryset.values(field).annotate(n=Count("pk")):
            if row[field] in rows:
                rows[row[field]][figure] = row["n"]

    arrivals = Declaration.objects.filter(arrival_date=day)
    add("arrivals", arrivals)
    add("at_risk", arrivals.exclude(tier=""))
    add(
        "under_measures",
        Declaration.objects.filter(state__in=[State.AT_RISK, State.MEASURES], arrival_date__lte=day),
    )
    add("done", Measure.objects.filter(state=MeasureState.DONE, recorded_at__date=day), "declaration__city")
    add("missed", Measure.objects.filter(state=MeasureState.MISSED, due__lte=day), "declaration__city")
    add("handovers", Handover.objects.filter(created_at__date=day), "to_city")
    notices = list(
        Notice.objects.filter(published_on__lte=day)
        .filter(Q(state=NoticeState.PUBLISHED) | Q(state=NoticeState.LIFTED, lifted_on__gt=day))
        .select_related("office__unit", "office__city")
        .prefetch_related("areas")
        .order_by("office__city__sort_order", "-published_on")
    )
    city_rows = [{"city": city, **rows[city.pk]} for city in cities]
    totals = {figure: sum(r[figure] for r in city_rows) for figure in FIGURES}
    return {"day": day, "rows": city_rows, "totals": totals, "notices": notices, "labels": figure_labels()}


def title(day):
    return _("Cluster monitoring and early-warning bulletin, %(day)s") % {"day": day.strftime("%Y-%m-%d")}


def _area_line(area):
    return f"{area.display_name}（{area.get_tier_display()}）"


# --- .docx after GB/T 9704-2012: A4, margins 37/35/28/26 mm, 仿宋_GB2312 三号 body, 小标宋 二号 title --------


def render_docx(data):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from xietong.core.officialdoc import BODY_FONT, TITLE_FONT, set_fonts, set_up_page

    with translation.override(settings.LANGUAGE_CODE):
        document = Document()
        set_up_page(document.sections[0])
        normal = document.styles["Normal"]
        set_fonts(normal, BODY_FONT)
        normal.font.size = Pt(16)
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = heading.add_run(title(data["day"]))
        run.font.size = Pt(22)
        set_fonts(run, TITLE_FONT)
        number = document.add_paragraph(
            _("Shanxi Central City Cluster, daily bulletin of %(day)s") % {"day": data["day"].isoformat()}
        )
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.add_paragraph(_("1. Arrivals, screening and measures by city"))
        labels = data["labels"]
        table = document.add_table(rows=1, cols=1 + len(FIGURES))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, [_("City"), *[labels[f] for f in FIGURES]], strict=True):
            cell.text = str(text)
        for row in [*data["rows"], {"city": None, **data["totals"]}]:
            cells = table.add_row().cells
            cells[0].text = row["city"].name if row["city"] else _("Cluster")
            for cell, figure in zip(cells[1:], FIGURES, strict=True):
                cell.text = str(row[figure])
        document.add_paragraph(_("2. Notices in force"))
        if not data["notices"]:
            document.add_paragraph(_("No notice is in force."))
        for notice in data["notices"]:
            document.add_paragraph(
                f"{notice.office.unit.name}《{notice.title}》{notice.number}"
                + _("(published %(day)s)") % {"day": notice.published_on.isoformat()}
            )
            for area in notice.areas.all():
                if area.region_id or area.place:
                    document.add_paragraph("　　" + _area_line(area))
        # 版记: who it goes to and who issued it, at the end as the standard places it.
        document.add_paragraph("")
        document.add_paragraph(_("Sent to: the prevention offices of the five cities"))
        document.add_paragraph(_("Issued by the Office of the Shanxi Central City Cluster Leading Group"))
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def render_xlsx(data):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("By city"))[:31]
        labels = data["labels"]
        sheet.append([str(title(data["day"]))])
        sheet.append([str(_("City")), *[str(labels[f]) for f in FIGURES]])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in data["rows"]:
            sheet.append([row["city"].name, *[row[f] for f in FIGURES]])
        sheet.append([str(_("Cluster")), *[data["totals"][f] for f in FIGURES]])
        areas = workbook.create_sheet(str(_("Notices in force"))[:31])
        areas.append([str(_("Office")), str(_("Notice")), str(_("Published")), str(_("Area")), str(_("Tier"))])
        for notice in data["notices"]:
            for area in notice.areas.all():
                areas.append(
                    [
                        notice.office.unit.name,
                        notice.title,
                        notice.published_on,
                        area.display_name,
                        str(area.get_tier_display()),
                    ]
                )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
