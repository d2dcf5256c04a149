"""Pages of the supervised action list: dashboard, list, matter, forms, and a public page per matter.

Every page fetches matters through `access` (an unseen matter is a 404), every write goes
through an action (a refused one is a 403), and input an action rejects comes back on the
form with the action's message and nothing stored.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.access import has_role, require_member
from xietong.core.forms import apply_errors, submit
from xietong.core.models import Role, Unit
from xietong.core.reauth import recent_login_required
from xietong.core.timeline import history

from . import actions, people_views
from .access import (
    can_answer_urging,
    can_change_terms,
    can_edit,
    can_request_extension,
    can_review,
    can_supervise,
    can_urge,
    get_evidence_for_user,
    get_extension_for_user,
    get_matter_for_user,
    get_milestone_for_user,
    get_report_for_user,
    get_urging_for_user,
    reporting_units,
    visible_matters,
)
from .dashboard import (
    city_units,
    counted_matters,
    due_soon_list,
    filtered_matters,
    overdue_list,
    scorecard,
    trend,
    trend_cities,
    urgings_by_unit,
)
from .forms import (
    ExtensionDecisionForm,
    ExtensionForm,
    FilterForm,
    MatterCreateForm,
    MatterEditForm,
    MilestoneForm,
    MilestoneFormSet,
    ReportForm,
    ReviewForm,
    TransitionForm,
    UrgeForm,
    UrgingReplyForm,
)
from .models import (
    OPEN_STATES,
    SUB_AREAS,
    CoUnit,
    Domain,
    ExtensionStatus,
    Frequency,
    Health,
    Matter,
    Priority,
    ReportStatus,
    State,
    SubArea,
    source_of,
)
from .reminders import period_bounds

PAGE_SIZE = 25

TRANSITION_LABELS = {
    "assign": gettext_lazy("Assign to the units"),
    "start": gettext_lazy("Start work"),
    "submit": gettext_lazy("Submit for verification"),
    "verify": gettext_lazy("Verify as done"),
    "return": gettext_lazy("Return to the units"),
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "cancel": gettext_lazy("Cancel the matter"),
    "reopen": gettext_lazy("Reopen"),
}
# What the page says once a step is taken, as an office would say it (已开始办理, 已确认办结).
TRANSITION_DONE = {
    "assign": gettext_lazy("Assigned to the units."),
    "start": gettext_lazy("Work has started."),
    "submit": gettext_lazy("Submitted for verification."),
    "verify": gettext_lazy("Verified as done."),
    "return": gettext_lazy("Returned to the units."),
    "suspend": gettext_lazy("Suspended."),
    "resume": gettext_lazy("Work has resumed."),
    "cancel": gettext_lazy("The matter has been cancelled."),
    "reopen": gettext_lazy("The matter has been reopened."),
}
# Steps that cannot be taken back by the one who takes them: the page asks before sending.
CONFIRM_TRANSITIONS = {"submit", "verify", "cancel"}

VERB_LABELS = {
    "created": gettext_lazy("Created"),
    "assign": gettext_lazy("Assigned to the units"),
    "start": gettext_lazy("Work started"),
    "submit": gettext_lazy("Submitted for verification"),
    "verify": gettext_lazy("Verified as done"),
    "return": gettext_lazy("Returned after verification"),
    "suspend": gettext_lazy("Suspended"),
    "resume": gettext_lazy("Resumed"),
    "cancel": gettext_lazy("Cancelled"),
    "edited": gettext_lazy("Edited"),
    "report_submitted": gettext_lazy("Progress reported"),
    "report_resubmitted": gettext_lazy("Progress report resubmitted"),
    "report_accepted": gettext_lazy("Progress report accepted"),
    "report_returned": gettext_lazy("Progress report returned"),
    "progress": gettext_lazy("Progress updated"),
    "milestone_added": gettext_lazy("Milestone added"),
    "milestone_done": gettext_lazy("Milestone completed"),
    "urged": gettext_lazy("Urged (催办)"),
    "reopen": gettext_lazy("Reopened"),
    "report_withdrawn": gettext_lazy("Progress report withdrawn"),
    "urging_signed": gettext_lazy("催办单 signed for"),
    "urging_replied": gettext_lazy("催办单 answered"),
    "urging_escalated": gettext_lazy("催办单 not answered in time: escalated to the unit's leaders"),
    "named": gettext_lazy("Named in the next bulletin"),
    "extension_requested": gettext_lazy("Extension requested"),
    "extension_granted": gettext_lazy("Extension granted"),
    "extension_refused": gettext_lazy("Extension refused"),
    "commented": gettext_lazy("Commented"),
    "instruction": gettext_lazy("Leader's instruction recorded"),
    # events that the water app writes on a matter it referred
    "missed_again": gettext_lazy("Target missed again"),
    "miss_cleared": gettext_lazy("Corrected data meet the target"),
}

# Of a public event, the public page shows the course of the matter, never who did it or what anyone wrote.
PUBLIC_CHANGE_KEYS = {"state", "percent", "progress", "unit", "milestone"}

CHOICE_FIELDS = {
    "state": State,
    "domain": Domain,
    "sub_area": SubArea,
    "priority": Priority,
    "reporting_frequency": Frequency,
}


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


# --- dashboard and list ---------------------------------------------------------------------------------


@login_required
def dashboard(request):
    require_member(request.user)
    today = timezone.localdate()
    form = FilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    cities = list(city_units())
    counted = counted_matters(request.user, filters, today)
    scope = [c for c in cities if filters.city is None or c.pk == filters.city.pk]
    card = scorecard(counted, scope, today)
    _link_cells(card, filters)
    chart = _trend_for_chart(trend(trend_cities(request.user, scope), today))
    english = (get_language() or "").startswith("en")
    context = {
        "form": form,
        "filters": filters,
        "card": card,
        "overdue": list(overdue_list(counted, today)),
        "due_soon": list(due_soon_list(counted, today)),
        "urged_units": [
            {**row, "name": (english and row["unit__name_en"]) or row["unit__name"]}
            for row in urgings_by_unit(counted, today)
        ],
        "overdue_query": _query(filters, health=Health.OVERDUE.value),
        "due_soon_query": _query(filters, health=Health.DUE_SOON.value),
        "trend": chart,
        "trend_rows": _trend_table(chart),
        "may_create": can_supervise(request.user),
    }
    template = "supervision/_dashboard_results.html" if _is_htmx(request) else "supervision/dashboard.html"
    return render(request, template, context)


def _query(filters, **overrides):
    """The list's query string for these filters, with some replaced (a scorecard cell, a health)."""
    values = {
        "q": filters.q,
        "city": filters.city.pk if filters.city else "",
        "domain": filters.domain,
        "state": filters.state,
        "health": filters.health,
        "lead_unit": filters.lead_unit.pk if filters.lead_unit else "",
        **overrides,
    }
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _link_cells(card, filters):
    """Give every scorecard cell its HTML, linking to the list of the matters it counts."""
    list_url = reverse("supervision:matters")
    for row in card["rows"]:
        city = row.unit.pk if row.unit else None
        for domain, cell in zip(card["domains"], row.cells, strict=True):
            cell.html = _cell_html(cell, list_url, _query(filters, city=city, domain=domain.value) if city else None)
        row.total.html = _cell_html(row.total, list_url, _query(filters, city=city) if city else None)
    for domain, cell in zip(card["domains"], card["columns"], strict=True):
        cell.html = _cell_html(cell, list_url, _query(filters, domain=domain.value))
    card["total"].html = _cell_html(card["total"], list_url, _query(filters))


def _cell_html(cell, list_url, query):
    # Built in Python: a template include per cell cost more than the scorecard's query.
    if not cell.total:
        return format_html('<span class="muted" title="{}">·</span>', _("none"))
    label = _("%(total)s matters, %(done)s done, %(overdue)s overdue, mean progress %(mean)s%%") % {
        "total": cell.total,
        "done": cell.done,
        "overdue": cell.overdue,
        "mean": cell.mean_progress,
    }
    overdue = ""
    if cell.overdue:
        overdue = format_html(' <span class="bad" title="{}">!{}</span>', _("Overdue"), cell.overdue)
    if cell.urgings:
        label += "; " + _("%(n)s 催办单") % {"n": cell.urgings}
        overdue += format_html(' <span class="warn" title="{}">催{}</span>', _("催办单"), cell.urgings)
    inner = format_html(
        '<span class="cell-total" aria-hidden="true">{}</span>'
        '<span class="cell-figs" aria-hidden="true"><span class="ok" title="{}">✓{}</span>{}</span>'
        '<span class="meter" aria-hidden="true"><span style="width: {}%"></span></span>'
        '<span class="cell-mean" aria-hidden="true">{}%</span>',
        cell.total,
        _("done"),
        cell.done,
        overdue,
        cell.mean_progress,
        cell.mean_progress,
    )
    if query is None:
        return format_html('<span class="cell" aria-label="{}">{}</span>', label, inner)
    return format_html('<a class="cell" href="{}?{}" aria-label="{}">{}</a>', list_url, query, label, inner)


def _trend_table(chart, last=14):
    """The chart's last points as rows, for people who cannot see the chart."""
    rows = []
    for i in range(max(0, len(chart["dates"]) - last), len(chart["dates"])):
        rows.append({"date": chart["dates"][i], "values": [s["data"][i] for s in chart["series"]]})
    return rows[::-1]


def _trend_for_chart(data):
    for series in data["series"]:
        if series["name"] is None:
            series["name"] = _("All cities")
    return data


@login_required
def matter_list(request):
    require_member(request.user)
    today = timezone.localdate()
    form = FilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    matters = filtered_matters(request.user, filters, today).select_related("lead_unit").order_by("due_date", "id")
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "filters": filters, "page": page, "may_create": can_supervise(request.user)}
    template = "supervision/_matter_list_results.html" if _is_htmx(request) else "supervision/matter_list.html"
    return render(request, template, context)


# --- one matter -----------------------------------------------------------------------------------------


def _matter_queryset():
    return Matter.objects.select_related("lead_unit", "parent").prefetch_related(
        Prefetch("co_units", CoUnit.objects.select_related("unit").order_by("id"))
    )


def _get_matter(request, pk):
    return get_matter_for_user(request.user, pk, _matter_queryset())


def _value_label(name, value):
    if value is None or value == "":
        return "—"
    if name in CHOICE_FIELDS:
        try:
            return CHOICE_FIELDS[name](value).label
        except ValueError:
            return str(value)
    if name == "public":
        return _("yes") if value else _("no")
    if name in ("percent", "progress"):
        return f"{value}%"
    if name == "milestone" and value == "done":
        return _("done")
    if name == "late":
        return _("yes") if value else _("no")
    return str(value)


def _field_label(name):
    labels = {
        "unit": _("Unit"),
        "percent": _("percent complete"),
        "milestone": _("Milestone"),
        "co_units": _("Co-units"),
        "unmet": _("Conditions not met"),
        "urging": _("催办单"),
        "reply_due": _("reply by"),
        "late": _("answered late"),
        "leader": _("leader"),
    }
    if name in labels:
        return labels[name]
    try:
        return str(Matter._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def timeline_rows(events, *, public=False):
    """Events as readable lines; on the public page without people, notes or report texts."""
    events = list(events)
    unit_ids = set()
    for event in events:
        for ids in event.changes.get("co_units", []):
            unit_ids.update(ids)
    unit_names = {u.pk: u.display_name for u in Unit.objects.filter(pk__in=unit_ids)} if unit_ids else {}
    rows = []
    for event in events:
        changes = []
        for name, pair in event.changes.items():
            if public and name not in PUBLIC_CHANGE_KEYS:
                continue
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if name == "co_units":
                old = "、".join(unit_names.get(i, str(i)) for i in old or []) or "—"
                new = "、".join(unit_names.get(i, str(i)) for i in new or []) or "—"
            else:
                old, new = _value_label(name, old), _value_label(name, new)
            changes.append({"label": _field_label(name), "old": old if pair and old != "—" else None, "new": new})
        actor = None
        if not public and event.actor is not None:
            actor = event.actor.get_full_name() or event.actor.get_username()
        rows.append(
            {
                "at": event.at,
                "verb": VERB_LABELS.get(event.verb, event.verb),
                "code": event.verb,
                "actor": actor,
                "note": "" if public else event.note,
                "changes": changes,
            }
        )
    return rows


def _weighting(matter, units):
    """How the matter's progress is computed from the units' accepted reports, in one sentence and a formula."""
    if matter.children.exists():
        return {"children": True}
    total = sum(row["share"] for row in units) or 1
    parts = []
    for row in units:
        latest = row["latest"]
        accepted = row.get("accepted")
        parts.append(
            {
                "unit": row["unit"].display_name,
                "share": row["share"],
                "percent": accepted.percent if accepted else 0,
                "contribution": round((accepted.percent if accepted else 0) * row["share"] / total, 1),
                "pending": latest is not None and latest.status != ReportStatus.ACCEPTED,
            }
        )
    return {"children": False, "total": total, "parts": parts}


def _latest_by_unit(reports):
    latest = {}
    for report in reports:  # newest first
        latest.setdefault(report.unit_id, report)
    return latest


def _returned_report(reports, units, wanted):
    """The returned report of one of these units that the person asked to correct (?resubmit=<id>)."""
    if not (wanted or "").isdigit():
        return None
    unit_ids = {u.pk for u in units}
    for report in reports:
        if (
            report.pk == int(wanted)
            and report.status in (ReportStatus.RETURNED, ReportStatus.WITHDRAWN)
            and report.unit_id in unit_ids
        ):
            return report
    return None


def _render_detail(request, matter, *, status=200, **forms):
    user = request.user
    today = timezone.localdate()
    co_units = list(matter.co_units.all())
    reports = list(matter.reports.select_related("unit", "submitted_by", "reviewed_by").prefetch_related("evidence"))
    latest = _latest_by_unit(reports)
    units = [{"unit": matter.lead_unit, "lead": True, "share": matter.lead_share, "part": ""}] + [
        {"unit": c.unit, "lead": False, "share": c.share, "part": c.part} for c in co_units
    ]
    accepted = _latest_by_unit(r for r in reports if r.status == ReportStatus.ACCEPTED)
    latest = _latest_by_unit(r for r in reports if r.status != ReportStatus.WITHDRAWN)
    for row in units:
        row["latest"] = latest.get(row["unit"].pk)
        row["accepted"] = accepted.get(row["unit"].pk)

    allowed = actions.allowed_transitions(user, matter)
    gaps = actions.verification_gaps(matter) if {"submit", "verify"} & set(allowed) else []
    transitions = [
        {
            "name": name,
            "label": TRANSITION_LABELS[name],
            # Verifying with conditions unmet asks for the reason it is verified anyway.
            "needs_reason": actions.TRANSITIONS[name][2] or (name == "verify" and bool(gaps)),
            "confirm": name in CONFIRM_TRANSITIONS,
            "blocked": name == "submit" and bool(gaps),
        }
        for name in allowed
    ]
    under_way = matter.state in OPEN_STATES
    my_units = reporting_units(user, matter) if under_way else []
    report_form = forms.get("report_form")
    resubmitting = None
    if report_form is None and my_units:
        resubmitting = _returned_report(reports, my_units, request.GET.get("resubmit"))
        if resubmitting is not None:
            initial = {
                "unit": resubmitting.unit_id,
                "period_start": resubmitting.period_start,
                "period_end": resubmitting.period_end,
                "percent": resubmitting.percent,
                "text": resubmitting.text,
                "resubmission_of": resubmitting.pk,
            }
        else:
            start, end, _key = period_bounds(matter.reporting_frequency, today)
            first = my_units[0]
            initial = {
                "unit": first.pk,
                "period_start": start,
                "period_end": end,
                "percent": latest[first.pk].percent if first.pk in latest else None,
            }
        report_form = ReportForm(matter=matter, units=my_units, initial=initial)
    corrected = {r.resubmission_of_id for r in reports if r.resubmission_of_id}
    my_unit_ids = {u.pk for u in my_units}
    for report in reports:
        report.may_resubmit = (
            report.status in (ReportStatus.RETURNED, ReportStatus.WITHDRAWN)
            and report.unit_id in my_unit_ids
            and report.pk not in corrected
        )
        report.may_withdraw = report.status == ReportStatus.SUBMITTED and report.unit_id in my_unit_ids
    if resubmitting is not None:
        report_form.fields["drop_evidence"].choices = [(e.pk, e.name) for e in resubmitting.evidence.all()]
    may_review = can_supervise(user)
    review_forms = forms.get("review_forms", {})
    for report in reports:
        if report.pk in review_forms:  # a review that was refused comes back with its message
            report.review_form = review_forms[report.pk]
        elif may_review and report.status == ReportStatus.SUBMITTED and can_review(user, report):
            report.review_form = ReviewForm(auto_id=f"id_review{report.pk}_%s")
    may_edit = can_change_terms(user, matter)
    urgings = list(matter.urgings.select_related("unit", "issued_by", "signed_by", "replied_by"))
    for urging in urgings:
        urging.may_answer = urging.is_open and can_answer_urging(user, urging)
        urging.late = urging.is_open and urging.reply_due < today
    extensions = list(matter.extensions.select_related("unit", "requested_by", "decided_by"))
    pending_extension = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    context = {
        "gaps": gaps,
        "weighting": _weighting(matter, units),
        "open_urgings": [u for u in urgings if u.is_open],
        "urgings": urgings,
        "urging_reply_form": forms.get("urging_reply_form"),
        "urging_reply_for": forms.get("urging_reply_for"),
        "extensions": extensions,
        "pending_extension": pending_extension,
        "may_request_extension": under_way and pending_extension is None and can_request_extension(user, matter),
        "extension_form": forms.get("extension_form") or ExtensionForm(auto_id="id_ext_%s"),
        "decision_form": forms.get("decision_form")
        or ExtensionDecisionForm(
            auto_id="id_decide_%s", initial={"granted_due": getattr(pending_extension, "requested_due", None)}
        ),
        "may_decide_extension": pending_extension is not None and can_supervise(user),
        "matter": matter,
        "health": matter.health(today),
        "units": units,
        "reports": reports,
        "milestones": list(matter.milestones.all()),
        "timeline": timeline_rows(history(matter)),
        "source": source_of(matter),
        "children": list(visible_matters(user, matter.children.select_related("lead_unit"))),
        "parent_visible": matter.parent_id is not None and visible_matters(user).filter(pk=matter.parent_id).exists(),
        "transitions": transitions,
        "transition_form": forms.get("transition_form"),
        "report_form": report_form,
        "resubmitting": resubmitting or (report_form is not None and report_form["resubmission_of"].value()),
        "may_review": may_review,
        "may_urge": under_way and can_urge(user, matter),
        "urge_form": forms.get("urge_form") or UrgeForm(),
        "may_edit": may_edit,
        "milestone_form": forms.get("milestone_form") or MilestoneForm(auto_id="id_milestone_%s"),
        "may_plan": can_edit(user, matter),
        "may_complete_milestones": can_edit(user, matter) or has_role(user, matter.lead_unit, Role.STAFF),
        "today": today,
        **people_views.detail_context(request, matter, forms),
    }
    return render(request, "supervision/matter_detail.html", context, status=status)


@login_required
def matter_detail(request, pk):
    return _render_detail(request, _get_matter(request, pk))


def _done(request, matter, message, anchor=""):
    messages.success(request, message)
    return redirect(matter.get_absolute_url() + anchor)


@login_required
@require_POST
@recent_login_required(applies=lambda request: request.POST.get("name") == "verify")
def matter_transition(request, pk):
    matter = _get_matter(request, pk)
    form = TransitionForm(request.POST)
    done, _result = submit(form, lambda data: actions.do_transition(actor=request.user, matter=matter, **data))
    if done:
        name = form.cleaned_data["name"]
        return _done(request, matter, TRANSITION_DONE[name])
    return _render_detail(request, matter, status=400, transition_form=form)


@login_required
@require_POST
def matter_report(request, pk):
    matter = _get_matter(request, pk)
    units = reporting_units(request.user, matter)
    if not units:
        raise PermissionDenied
    form = ReportForm(request.POST, request.FILES, matter=matter, units=units)
    done, _report = submit(form, lambda data: actions.do_submit_report(actor=request.user, matter=matter, **data))
    if done:
        return _done(request, matter, _("Your progress report was sent to the office for review."), "#reports")
    return _render_detail(request, matter, status=400, report_form=form)


@login_required
@require_POST
def report_review(request, pk):
    report = get_report_for_user(request.user, pk)
    matter = _get_matter(request, report.matter_id)
    if not can_supervise(request.user):
        raise PermissionDenied
    form = ReviewForm(request.POST, auto_id=f"id_review{report.pk}_%s")
    done, _result = submit(
        form,
        lambda data: actions.do_review_report(
            actor=request.user, report=report, accept=data["decision"] == "accept", comment=data["comment"]
        ),
    )
    if done:
        accepted = form.cleaned_data["decision"] == "accept"
        message = _("The report was accepted.") if accepted else _("The report was returned to the unit.")
        return _done(request, matter, message, "#reports")
    return _render_detail(request, matter, status=400, review_forms={report.pk: form})


@login_required
@require_POST
def matter_urge(request, pk):
    matter = _get_matter(request, pk)
    if not can_urge(request.user, matter):
        raise PermissionDenied
    form = UrgeForm(request.POST)
    done, urging = submit(form, lambda data: actions.do_urge(actor=request.user, matter=matter, **data))
    if done:
        return _done(
            request,
            matter,
            _("%(label)s was sent; reply by %(due)s.") % {"label": urging.label, "due": urging.reply_due},
            "#urgings",
        )
    return _render_detail(request, matter, status=400, urge_form=form)


@login_required
@require_POST
def milestone_add(request, pk):
    matter = _get_matter(request, pk)
    if not can_edit(request.user, matter):
        raise PermissionDenied
    form = MilestoneForm(request.POST, auto_id="id_milestone_%s")
    done, _milestone = submit(form, lambda data: actions.do_add_milestone(actor=request.user, matter=matter, **data))
    if done:
        return _done(request, matter, _("The milestone was added."), "#milestones")
    return _render_detail(request, matter, status=400, milestone_form=form)


@login_required
@require_POST
def milestone_complete(request, pk):
    milestone = get_milestone_for_user(request.user, pk)
    matter = _get_matter(request, milestone.matter_id)
    milestone.matter = matter
    try:
        actions.do_complete_milestone(actor=request.user, milestone=milestone)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
        return redirect(matter.get_absolute_url() + "#milestones")
    return _done(
        request, matter, _("Milestone “%(title)s” marked as done.") % {"title": milestone.title}, "#milestones"
    )


def _form_context(form, **extra):
    return {
        "form": form,
        "sub_areas": {d.value: [[s.value, str(s.label)] for s in subs] for d, subs in SUB_AREAS.items()},
        **extra,
    }


@login_required
def matter_edit(request, pk):
    matter = _get_matter(request, pk)
    if not can_change_terms(request.user, matter):
        raise PermissionDenied
    status = 200
    conflict = False
    if request.method == "POST":
        form = MatterEditForm(request.POST, matter=matter)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_update_matter(
                    actor=request.user,
                    matter=matter,
                    version=data["version"],
                    co_units=list(data["co_units"]),
                    **{name: value for name, value in data.items() if name in actions.EDITABLE_FIELDS},
                )
            except actions.ConflictError as error:
                form.add_error(None, error.messages[0])
                conflict = True
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return _done(request, matter, _("Your changes were saved."))
        status = 409 if conflict else 400
    else:
        form = MatterEditForm.for_matter(matter)
    context = _form_context(form, matter=matter, conflict=conflict)
    return render(request, "supervision/matter_form.html", context, status=status)


@login_required
def matter_create(request):
    if not can_supervise(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = MatterCreateForm(request.POST)
        milestones = MilestoneFormSet(request.POST, prefix="ms")
        if form.is_valid() and milestones.is_valid():
            data = form.cleaned_data
            early = [f for f in milestones.forms if f.cleaned_data and f.cleaned_data["due_date"] < data["start_date"]]
            for f in early:
                f.add_error("due_date", _("A milestone cannot be due before the matter starts."))
            if not early:
                try:
                    matter = actions.do_create_matter(
                        actor=request.user,
                        code=data["code"].strip(),
                        title=data["title"],
                        description=data["description"],
                        domain=data["domain"],
                        sub_area=data["sub_area"],
                        lead_unit=data["lead_unit"],
                        co_units=list(data["co_units"]),
                        start_date=data["start_date"],
                        due_date=data["due_date"],
                        priority=data["priority"],
                        reporting_frequency=data["reporting_frequency"],
                        public=data["public"],
                        milestones=milestones.milestones(),
                        assign=data["assign"],
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    return _done(request, matter, _("The matter was created."))
        status = 400
    else:
        form = MatterCreateForm(initial={"start_date": timezone.localdate()})
        milestones = MilestoneFormSet(prefix="ms")
    context = _form_context(form, milestones=milestones)
    return render(request, "supervision/matter_form.html", context, status=status)


@login_required
def evidence_download(request, pk):
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.name, content_type=evidence.content_type)


# --- public ---------------------------------------------------------------------------------------------


def public_matter(request, code):
    """A matter marked public, for residents: units, dates, percentages and states, never people."""
    matter = get_object_or_404(
        _matter_queryset().exclude(state=State.DRAFT).prefetch_related("milestones"), code=code, public=True
    )
    accepted = _latest_by_unit(
        matter.reports.filter(status=ReportStatus.ACCEPTED).only("unit_id", "percent", "reviewed_at", "submitted_at")
    )
    units = [matter.lead_unit] + [c.unit for c in matter.co_units.all()]
    context = {
        "matter": matter,
        "health": matter.health(),
        "units": [{"unit": u, "lead": i == 0, "accepted": accepted.get(u.pk)} for i, u in enumerate(units)],
        "milestones": list(matter.milestones.all()),
        "timeline": timeline_rows(history(matter, public_only=True), public=True),
    }
    return render(request, "supervision/public_matter.html", context)


# --- 催办单, withdrawing, extensions ----------------------------------------------------------------------


def _get_urging(request, pk):
    urging = get_urging_for_user(request.user, pk)
    return urging, _get_matter(request, urging.matter_id)


@login_required
@require_POST
def urging_sign(request, pk):
    urging, matter = _get_urging(request, pk)
    actions.do_sign_urging(actor=request.user, urging=urging)
    return _done(request, matter, _("%(label)s signed for.") % {"label": urging.label}, "#urgings")


@login_required
@require_POST
def urging_reply(request, pk):
    urging, matter = _get_urging(request, pk)
    if not can_answer_urging(request.user, urging):
        raise PermissionDenied
    form = UrgingReplyForm(request.POST, auto_id=f"id_urging{urging.pk}_%s")
    done, _result = submit(form, lambda data: actions.do_reply_urging(actor=request.user, urging=urging, **data))
    if done:
        return _done(request, matter, _("Your reply to %(label)s was sent.") % {"label": urging.label}, "#urgings")
    return _render_detail(request, matter, status=400, urging_reply_form=form, urging_reply_for=urging.pk)


@login_required
@require_POST
def report_withdraw(request, pk):
    report = get_report_for_user(request.user, pk)
    matter = _get_matter(request, report.matter_id)
    try:
        actions.do_withdraw_report(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(matter.get_absolute_url() + "#reports")
    return _done(
        request, matter, _("The report was withdrawn; correct it and send it again."), f"?resubmit={pk}#report"
    )


@login_required
@require_POST
def extension_request(request, pk):
    matter = _get_matter(request, pk)
    if not can_request_extension(request.user, matter):
        raise PermissionDenied
    form = ExtensionForm(request.POST, auto_id="id_ext_%s")
    done, _extension = submit(
        form, lambda data: actions.do_request_extension(actor=request.user, matter=matter, **data)
    )
    if done:
        return _done(request, matter, _("The extension request was sent to the office."), "#extensions")
    return _render_detail(request, matter, status=400, extension_form=form)


@login_required
@require_POST
def extension_decide(request, pk):
    extension = get_extension_for_user(request.user, pk)
    matter = _get_matter(request, extension.matter_id)
    if not can_supervise(request.user):
        raise PermissionDenied
    form = ExtensionDecisionForm(request.POST, auto_id="id_decide_%s")
    done, _result = submit(
        form,
        lambda data: actions.do_decide_extension(
            actor=request.user,
            extension=extension,
            grant=data["decision"] == "grant",
            comment=data["comment"],
            granted_due=data["granted_due"],
        ),
    )
    if done:
        granted = form.cleaned_data["decision"] == "grant"
        message = _("The extension was granted.") if granted else _("The extension was refused.")
        return _done(request, matter, message, "#extensions")
    return _render_detail(request, matter, status=400, decision_form=form)
