"""The supervision kinds of the work queue (工作台).

For a unit's staff: reports due this period (待报送), reports returned (被退回), open 催办单 with their
reply deadline (被催办), milestones due, extension requests answered. For the office: reports to review
(待审核), matters awaiting verification (待核验), overdue matters, 催办单 past their reply deadline,
extension requests to decide. Each kind costs one count and one limited select, whatever the data.
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.core import workqueue
from xietong.core.access import is_office
from xietong.core.models import Role

from .access import has_own_line, own_line_q
from .models import (
    OPEN_STATES,
    CoUnit,
    ExtensionRequest,
    ExtensionStatus,
    Frequency,
    Matter,
    Milestone,
    ProgressReport,
    ReportStatus,
    State,
    Urging,
)
from .reminders import period_bounds

MILESTONE_AHEAD_DAYS = 7
ANSWERED_RECENTLY_DAYS = 14


def _kind(key, label, rows, item, applies, order, description):
    """A kind from the queryset of its rows and how one row reads as an item (one count, one select)."""

    def collect(user, today, limit):
        queryset = rows(user, today)
        count = queryset.count()
        return workqueue.Bucket(count, [item(row, today) for row in queryset[:limit]] if limit else [])

    return workqueue.WorkKind(
        key=key,
        label=label,
        collect=collect,
        applies=applies,
        order=order,
        description=description,
        count_query=rows,
    )


def _matter_url(matter_id, anchor=""):
    return reverse("supervision:matter", args=[matter_id]) + anchor


# --- a unit's work ------------------------------------------------------------------------------------------


def _unit_staff(user):
    return has_own_line(user, Role.STAFF)


def to_report(user, today):
    """Matters under way in which none of the person's units has reported in the current period."""
    mine = own_line_q(user, Role.STAFF, "unit")
    period_q = Q(pk__in=[])
    for frequency in Frequency:
        start, _end, _key = period_bounds(frequency, today)
        reported = ProgressReport.objects.filter(mine, matter=OuterRef("pk"), period_end__gte=start).exclude(
            status=ReportStatus.WITHDRAWN
        )
        period_q |= Q(reporting_frequency=frequency) & ~Exists(reported)
    involved = own_line_q(user, Role.STAFF, "lead_unit") | Q(
        Exists(CoUnit.objects.filter(own_line_q(user, Role.STAFF, "unit"), matter=OuterRef("pk")))
    )
    return Matter.objects.filter(involved, period_q, state__in=[State.ASSIGNED, State.IN_PROGRESS]).order_by(
        "due_date", "id"
    )


def to_report_item(matter, today):
    _start, end, _key = period_bounds(matter.reporting_frequency, today)
    return workqueue.WorkItem(title=matter.title, url=_matter_url(matter.pk, "#report"), subtitle=matter.code, due=end)


def returned(user, today):
    """Reports of the person's units the office returned, not corrected yet."""
    later = ProgressReport.objects.filter(
        matter=OuterRef("matter"), unit=OuterRef("unit"), submitted_at__gt=OuterRef("submitted_at")
    )
    return (
        ProgressReport.objects.filter(
            own_line_q(user, Role.STAFF, "unit"), status=ReportStatus.RETURNED, matter__state__in=OPEN_STATES
        )
        .filter(~Exists(later))
        .select_related("matter", "unit")
        .order_by("reviewed_at", "id")
    )


def returned_item(report, today):
    return workqueue.WorkItem(
        title=report.matter.title,
        url=_matter_url(report.matter_id, f"?resubmit={report.pk}#report"),
        subtitle=f"{report.matter.code} · {report.unit.display_name} · {report.review_comment}"[:120],
    )


def urged(user, today):
    return (
        Urging.objects.filter(own_line_q(user, Role.STAFF, "unit"), replied_at__isnull=True)
        .select_related("matter")
        .order_by("reply_due", "id")
    )


def urging_item(urging, today):
    return workqueue.WorkItem(
        title=urging.matter.title,
        url=_matter_url(urging.matter_id, "#urgings"),
        subtitle=urging.label,
        due=urging.reply_due,
        working_days=True,
    )


def milestones_due(user, today):
    return (
        Milestone.objects.filter(
            own_line_q(user, Role.STAFF, "matter__lead_unit"),
            done_on__isnull=True,
            due_date__lte=today + datetime.timedelta(days=MILESTONE_AHEAD_DAYS),
            matter__state__in=OPEN_STATES,
        )
        .select_related("matter")
        .order_by("due_date", "id")
    )


def milestone_item(milestone, today):
    return workqueue.WorkItem(
        title=milestone.title,
        url=_matter_url(milestone.matter_id, "#milestones"),
        subtitle=milestone.matter.title,
        due=milestone.due_date,
    )


def extensions_answered(user, today):
    since = today - datetime.timedelta(days=ANSWERED_RECENTLY_DAYS)
    return (
        ExtensionRequest.objects.filter(
            own_line_q(user, Role.STAFF, "unit"),
            decided_at__date__gte=since,
            status__in=[ExtensionStatus.GRANTED, ExtensionStatus.REFUSED],
        )
        .select_related("matter")
        .order_by("-decided_at", "-id")
    )


def answered_item(extension, today):
    return workqueue.WorkItem(
        title=extension.matter.title,
        url=_matter_url(extension.matter_id, "#extensions"),
        subtitle=f"{extension.get_status_display()} · {extension.matter.due_date:%Y-%m-%d}",
    )


# --- the office's work --------------------------------------------------------------------------------------


def _office_staff(user):
    return is_office(user, Role.STAFF)


def to_review(user, today):
    return (
        ProgressReport.objects.filter(status=ReportStatus.SUBMITTED, matter__state__in=OPEN_STATES)
        .select_related("matter", "unit")
        .order_by("submitted_at", "id")
    )


def review_item(report, today):
    return workqueue.WorkItem(
        title=report.matter.title,
        url=_matter_url(report.matter_id, f"#report-{report.pk}"),
        subtitle=f"{report.matter.code} · {report.unit.display_name} · {report.percent}%",
    )


def to_verify(user, today):
    return Matter.objects.filter(state=State.SUBMITTED).select_related("lead_unit").order_by("updated_at", "id")


def verify_item(matter, today):
    return workqueue.WorkItem(
        title=matter.title,
        url=_matter_url(matter.pk, "#actions"),
        subtitle=f"{matter.code} · {matter.lead_unit.display_name}",
    )


def overdue(user, today):
    return (
        Matter.objects.filter(state__in=OPEN_STATES, due_date__lt=today)
        .select_related("lead_unit")
        .order_by("due_date", "id")
    )


def overdue_item(matter, today):
    return workqueue.WorkItem(
        title=matter.title,
        url=_matter_url(matter.pk),
        subtitle=f"{matter.code} · {matter.lead_unit.display_name}",
        due=matter.due_date,
    )


def urgings_late(user, today):
    return (
        Urging.objects.filter(replied_at__isnull=True, reply_due__lt=today)
        .select_related("matter", "unit")
        .order_by("reply_due", "id")
    )


def late_urging_item(urging, today):
    return workqueue.WorkItem(
        title=urging.matter.title,
        url=_matter_url(urging.matter_id, "#urgings"),
        subtitle=f"{urging.label} · {urging.unit.display_name}",
        due=urging.reply_due,
        working_days=True,
    )


def extensions_to_decide(user, today):
    return (
        ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
        .select_related("matter", "unit")
        .order_by("requested_at", "id")
    )


def extension_item(extension, today):
    return workqueue.WorkItem(
        title=extension.matter.title,
        url=_matter_url(extension.matter_id, "#extensions"),
        subtitle=f"{extension.unit.display_name} · {extension.due_before:%Y-%m-%d} → "
        f"{extension.requested_due:%Y-%m-%d}",
        due=extension.due_before,
    )


KINDS = [
    _kind(
        "supervision.urged",
        _("Urged (被催办)"),
        urged,
        urging_item,
        _unit_staff,
        10,
        _("催办单 to your unit: sign for each and answer by its reply deadline."),
    ),
    _kind(
        "supervision.returned",
        _("Returned reports (被退回)"),
        returned,
        returned_item,
        _unit_staff,
        11,
        _("The office returned these reports with a comment: correct and resubmit them."),
    ),
    _kind(
        "supervision.to_report",
        _("Reports due (待报送)"),
        to_report,
        to_report_item,
        _unit_staff,
        12,
        _("Matters on which your unit has not reported in the current reporting period."),
    ),
    _kind(
        "supervision.milestones",
        _("Milestones due"),
        milestones_due,
        milestone_item,
        _unit_staff,
        13,
        _("Milestones of matters your unit leads, due within a week or overdue."),
    ),
    _kind(
        "supervision.extensions_answered",
        _("Extension requests answered"),
        extensions_answered,
        answered_item,
        _unit_staff,
        14,
        _("The office's decisions on your unit's extension requests in the last two weeks."),
    ),
    _kind(
        "supervision.to_review",
        _("Reports to review (待审核)"),
        to_review,
        review_item,
        _office_staff,
        20,
        _("Progress reports the units sent: accept them or return them with a comment."),
    ),
    _kind(
        "supervision.to_verify",
        _("Awaiting verification (待核验)"),
        to_verify,
        verify_item,
        _office_staff,
        21,
        _("Matters the lead unit submitted as finished: verify them or return them."),
    ),
    _kind(
        "supervision.extensions_to_decide",
        _("Extension requests to decide"),
        extensions_to_decide,
        extension_item,
        _office_staff,
        22,
        _("Units asking for a later due date."),
    ),
    _kind(
        "supervision.urgings_late",
        _("催办单 past the reply deadline"),
        urgings_late,
        late_urging_item,
        _office_staff,
        23,
        _("Units that have not answered a 催办单 in time."),
    ),
    _kind(
        "supervision.overdue",
        _("Overdue matters"),
        overdue,
        overdue_item,
        _office_staff,
        24,
        _("Matters under way past their due date."),
    ),
]


def register():
    for kind in KINDS:
        workqueue.register(kind)
