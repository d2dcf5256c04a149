"""Statistics for the prevention offices: arrivals per day by origin and by receiving community, people at
risk, measures done and missed. Each series is one GROUP BY; no personal data."""

import datetime
import io

from django.conf import settings
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from xietong.regions.resolver import get_index

from .models import Declaration, Measure, MeasureState


def compute(cities, start, end):
    city_ids = [c.pk for c in cities]
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    declarations = Declaration.objects.filter(city_id__in=city_ids, arrival_date__range=(start, end))

    def per_day(queryset, field):
        counts = {row[field]: row["n"] for row in queryset.values(field).annotate(n=Count("pk"))}
        return [counts.get(day, 0) for day in days]

    index = get_index()
    origins = [
        {
            "name": index.nodes[row["origin_province"]].name
            if row["origin_province"] in index.nodes
            else _("Not given"),
            "n": row["n"],
        }
        for row in declarations.values("origin_province").annotate(n=Count("pk")).order_by("-n", "origin_province")
    ]
    communities = [
        {"name": row["community__name"], "n": row["n"], "at_risk": row["at_risk"]}
        for row in declarations.values("community__name")
        .annotate(n=Count("pk"), at_risk=Count("pk", filter=~Q(tier="")))
        .order_by("-n", "community__name")
    ]
    measures = Measure.objects.filter(declaration__city_id__in=city_ids, due__range=(start, end))
    return {
        "cities": cities,
        "days": days,
        "arrivals": per_day(declarations, "arrival_date"),
        "at_risk": per_day(declarations.exclude(tier=""), "arrival_date"),
        "done": per_day(measures.filter(state=MeasureState.DONE), "due"),
        "missed": per_day(measures.filter(state=MeasureState.MISSED), "due"),
        "origins": origins,
        "communities": communities,
        "total": declarations.count(),
    }


def render_xlsx(data):
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font

    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Per day"))[:31]
        sheet.append(
            [str(_("Day")), str(_("Arrivals")), str(_("At risk")), str(_("Measures done")), str(_("Measures missed"))]
        )
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in zip(data["days"], data["arrivals"], data["at_risk"], data["done"], data["missed"], strict=True):
            sheet.append(list(row))
        chart = LineChart()
        chart.title = str(_("Arrivals per day"))
        chart.add_data(
            Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(data["days"]) + 1), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(data["days"]) + 1))
        sheet.add_chart(chart, "G2")
        origins = workbook.create_sheet(str(_("By origin"))[:31])
        origins.append([str(_("Province of origin")), str(_("Arrivals"))])
        for row in data["origins"]:
            origins.append([row["name"], row["n"]])
        communities = workbook.create_sheet(str(_("By community"))[:31])
        communities.append([str(_("Community or village")), str(_("Arrivals")), str(_("At risk"))])
        for row in data["communities"]:
            communities.append([row["name"], row["n"], row["at_risk"]])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
