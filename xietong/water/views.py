import datetime as dt
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xietong.core.forms import submit

from . import access, actions, assess, export, ingest
from .grading import PARAMETERS, colour, quality_word
from .models import (
    PARAMETER_LABELS,
    BoundaryMiss,
    MonthlyResult,
    River,
    Sample,
    Section,
    SectionKind,
    Source,
)

# The items of the national monthly report (重点流域水质月报), in its order.
REPORT_PARAMETERS = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp")
# The monthly table as the national monthly report lays it out: water temperature first, the
# assessed items, and the flow that puts the month's concentrations in context.
MONTHLY_COLUMNS = ("wt", *REPORT_PARAMETERS, "flow")
COLUMN_UNITS = {"wt": "°C", "flow": "m³/s"}


def member_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        access.require_view(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _month_from(request, default=None):
    text = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        pass
    if default is not None:
        return default
    # The latest month that is over: the running month holds only what automatic stations sent so
    # far, and a report of a few sections would read as the whole month's.
    this_month = assess.month_start(timezone.localdate())
    graded = MonthlyResult.objects.exclude(grade="")
    latest = graded.filter(month__lt=this_month).aggregate(m=Max("month"))["m"]
    return latest or graded.aggregate(m=Max("month"))["m"] or this_month


def _results(month):
    return list(
        MonthlyResult.objects.filter(month=month, section__active=True).select_related(
            "section__river", "section__city", "section__upstream_city", "section__downstream_city"
        )
    )


def _labels(pairs):
    return [(PARAMETER_LABELS[p], m) for p, m in pairs]


def _map_points(results, sections):
    by_section = {r.section_id: r for r in results}
    points = []
    for section in sections:
        result = by_section.get(section.pk)
        grade = result.grade if result and result.grade else ""
        points.append(
            {
                "code": section.code,
                "name": section.display_name,
                "river": section.river.display_name,
                "value": [float(section.longitude), float(section.latitude)],
                "grade": grade or "—",
                "colour": colour(grade),
                "target": result.target if result else "",
                "boundary": section.is_boundary,
                "url": section.get_absolute_url(),
            }
        )
    return points


@member_required
def dashboard(request):
    month = _month_from(request)
    results = _results(month)
    sections = list(Section.objects.filter(active=True).select_related("river", "city"))
    rivers = []
    for river in River.objects.all():
        rows = [r for r in results if r.section.river_id == river.pk]
        if rows:
            rivers.append({"river": river, "summary": assess.summary(rows)})
    cities = []
    for city in access.cities():
        rows = [r for r in results if r.section.city_id == city.pk]
        if rows:
            cities.append({"city": city, "summary": assess.summary(rows)})
    misses = BoundaryMiss.objects.filter(month=month).select_related(
        "section", "upstream_city", "matter__lead_unit", "result"
    )
    return render(
        request,
        "water/dashboard.html",
        {
            "month": month,
            "previous": assess.month_start(month - dt.timedelta(days=1)),
            "next": assess.next_month(month),
            "overall": assess.summary(results),
            "rivers": rivers,
            "cities": cities,
            "misses": list(misses),
            "points": _map_points(results, sections),
            "labels": PARAMETER_LABELS,
        },
    )


@member_required
def monthly_table(request):
    month = _month_from(request)
    results = _results(month)
    last_year = {
        r.section_id: r.grade
        for r in MonthlyResult.objects.filter(month=month.replace(year=month.year - 1)).only("section_id", "grade")
    }
    rows = []
    for index, r in enumerate(sorted(results, key=lambda r: (r.section.river.sort_order, r.section.sort_order)), 1):
        rows.append(
            {
                "index": index,
                "result": r,
                "section": r.section,
                "last_year": last_year.get(r.section_id, ""),
                "means": [r.means.get(p) for p in MONTHLY_COLUMNS],
                "pollutants": _labels(r.pollutants),
                "quality": quality_word(r.grade),
            }
        )
    return render(
        request,
        "water/monthly.html",
        {
            "month": month,
            "rows": rows,
            "columns": [
                f"{PARAMETER_LABELS[p]} ({COLUMN_UNITS[p]})" if p in COLUMN_UNITS else PARAMETER_LABELS[p]
                for p in MONTHLY_COLUMNS
            ],
            "summary": assess.summary(results),
            "previous": assess.month_start(month - dt.timedelta(days=1)),
            "next": assess.next_month(month),
        },
    )


@member_required
def section_detail(request, code):
    section = access.get_section(request.user, code)
    months = list(section.months.order_by("month"))
    samples = list(section.samples.order_by("-taken_at")[:60])
    trend = {
        "labels": {"class": _("Class"), "target": _("Target class")},
        "months": [f"{m.month:%Y-%m}" for m in months],
        "grades": [["I", "II", "III", "IV", "V", "劣V"].index(m.grade) + 1 if m.grade else None for m in months],
        "targets": [["I", "II", "III", "IV", "V"].index(m.target) + 1 if m.target else None for m in months],
        "series": {str(PARAMETER_LABELS[p]): [m.means.get(p) for m in months] for p in ("codmn", "nh3n", "tp", "do")},
    }
    return render(
        request,
        "water/section.html",
        {
            "section": section,
            "targets": section.targets.order_by("-year"),
            "months": list(reversed(months))[:24],
            "samples": samples,
            "parameters": [(p, PARAMETER_LABELS[p]) for p in PARAMETERS],
            "trend": trend,
            "misses": section.misses.select_related("matter__lead_unit").order_by("-month"),
            "can_upload": access.can_upload_for(request.user, section),
        },
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of samples"),
        help_text=gettext_lazy(
            "Columns section, sampled_at (local time), then any of ph, do, codmn, cod, bod5, nh3n, tp, tn, cu, zn, f, "
            "se, as, hg, cd, cr6, pb, cn, phenol, oil, las, s2, fecal_coliform (mg/L; fecal coliform per litre)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; split it into several files.")
                % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload.read()


@member_required
def upload(request):
    if not access.can_upload_anything(request.user):
        raise PermissionDenied
    result = error = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = actions.do_ingest_samples(
                    actor=request.user,
                    rows=ingest.csv_rows(form.cleaned_data["file"]),
                    source=Source.CSV,
                    filename=request.FILES["file"].name,
                )
            except ingest.IngestError as failure:
                error = failure
            else:
                form = UploadForm()
    else:
        form = UploadForm()
    misses = []
    if result is not None:
        misses = list(
            BoundaryMiss.objects.filter(
                section_id__in={s for s, _m in result.months}, month__in={m for _s, m in result.months}
            ).select_related("section", "upstream_city", "matter__lead_unit", "result")
        )
    return render(
        request,
        "water/upload.html",
        {"form": form, "result": result, "error": error, "misses": misses, "labels": PARAMETER_LABELS},
        status=400 if error else 200,
    )


@member_required
def misses(request):
    rows = BoundaryMiss.objects.select_related(
        "section__river", "upstream_city", "downstream_city", "matter__lead_unit", "result"
    )
    return render(
        request,
        "water/misses.html",
        {"misses": rows[:200], "can_refer": access.can_refer(request.user)},
    )


@require_POST
@member_required
def refer_miss(request, pk):
    miss = get_object_or_404(BoundaryMiss, pk=pk)
    try:
        miss = actions.do_refer_miss(actor=request.user, miss=miss)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("water:misses")
    messages.success(request, _("The miss is now matter %(code)s of the upstream city.") % {"code": miss.matter.code})
    return redirect(miss.matter)


@member_required
def statements(request):
    rows = access.visible_statements(request.user).select_related(
        "agreement__section", "agreement__upstream_city", "agreement__downstream_city", "payer", "payee"
    )
    return render(request, "water/statements.html", {"statements": rows[:200]})


def _statement_samples(statement):
    return list(Sample.objects.filter(pk__in=statement.sample_ids).select_related("section").order_by("taken_at"))


@member_required
def statement_detail(request, pk):
    statement = access.get_statement(request.user, pk)
    return render(
        request,
        "water/statement.html",
        {
            "statement": statement,
            "samples": _statement_samples(statement),
            "parameters": [(p, PARAMETER_LABELS[p]) for p in REPORT_PARAMETERS],
            "sides": access.statement_sides(request.user, statement),
        },
    )


@require_POST
@member_required
def statement_confirm(request, pk):
    statement = access.get_statement(request.user, pk)
    try:
        actions.do_confirm_statement(actor=request.user, statement=statement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your city's confirmation is recorded."))
    return redirect(statement)


@member_required
def statement_xlsx(request, pk):
    statement = access.get_statement(request.user, pk)
    content = export.statement_workbook(statement, _statement_samples(statement))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"water-statement-{statement.agreement.code}-{statement.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class JointForm(forms.Form):
    section = forms.ModelChoiceField(label=gettext_lazy("Boundary section"), queryset=Section.objects.none())
    sampled_on = forms.DateField(label=gettext_lazy("Sampled on"), widget=forms.DateInput(attrs={"type": "date"}))
    side = forms.ChoiceField(
        label=gettext_lazy("Your results are those of"),
        choices=[("upstream", gettext_lazy("the upstream city")), ("downstream", gettext_lazy("the downstream city"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.filter(kind=SectionKind.BOUNDARY, active=True)
        for parameter in REPORT_PARAMETERS:
            self.fields[parameter] = forms.FloatField(label=PARAMETER_LABELS[parameter], required=False, min_value=0)


@member_required
def joint_list(request):
    form = JointForm(request.POST or None)
    if request.method == "POST":
        done, event = submit(
            form,
            lambda data: actions.do_record_joint_result(
                actor=request.user,
                section=data["section"],
                sampled_on=data["sampled_on"],
                side=data["side"],
                values={p: data.get(p) for p in REPORT_PARAMETERS},
            ),
        )
        if done:
            messages.success(request, _("Your city's results are recorded."))
            return redirect(event)
    events = access.visible_joint_samplings(request.user).select_related("section", "reviewed_by")[:100]
    return render(
        request, "water/joint_list.html", {"events": events, "form": form}, status=400 if form.errors else 200
    )


@member_required
def joint_detail(request, pk):
    event = access.get_joint_sampling(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            actions.do_review_joint_sampling(actor=request.user, event=event, note=request.POST.get("note", ""))
        except ValidationError as failure:
            error = " ".join(failure.messages)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect(event)
    rows = [
        (PARAMETER_LABELS[p], event.upstream_values.get(p), event.downstream_values.get(p), event.differences.get(p))
        for p in PARAMETERS
        if p in event.upstream_values or p in event.downstream_values
    ]
    return render(
        request,
        "water/joint.html",
        {"event": event, "rows": rows, "error": error, "can_review": access.can_refer(request.user)},
        status=400 if error else 200,
    )


def public(request):
    """Section classes of the latest month, for residents; open to everyone (listed in the public routes)."""
    month = _month_from(request)
    results = sorted(_results(month), key=lambda r: (r.section.river.sort_order, r.section.sort_order))
    return render(
        request,
        "water/public.html",
        {
            "month": month,
            "rows": [(r, quality_word(r.grade), colour(r.grade)) for r in results],
            "summary": assess.summary(results),
        },
    )
