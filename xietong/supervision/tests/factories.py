"""Small builders for supervision tests (real actions, real database)."""

import datetime
import itertools

from xietong.supervision.actions import do_create_matter
from xietong.supervision.models import Domain, SubArea

_codes = itertools.count(1)


def make_matter(
    actor,
    lead_unit,
    *,
    co_units=(),
    start=datetime.date(2022, 8, 1),
    due=datetime.date(2022, 12, 31),
    assign=True,
    **extra,
):
    defaults = {
        "title": "太忻大道建设",
        "domain": Domain.INFRASTRUCTURE,
        "sub_area": SubArea.TRANSPORT,
        "reporting_frequency": "monthly",
    }
    defaults.update(extra)
    return do_create_matter(
        actor=actor,
        code=f"T-{next(_codes):05d}",
        lead_unit=lead_unit,
        co_units=co_units,
        start_date=start,
        due_date=due,
        assign=assign,
        **defaults,
    )


def manager_of(unit):
    """A manager of exactly this unit (created once), who reports its part and submits for verification."""
    from django.contrib.auth import get_user_model

    from xietong.conftest import make_user
    from xietong.core.models import Role

    username = f"mgr-{unit.pk}"
    existing = get_user_model().objects.filter(username=username).first()
    return existing or make_user(username, unit, Role.MANAGER)


def prepare(matter, office_user):
    """Everything 确认办结 asks for: every unit reports 100 %, the office accepts, milestones are done."""
    from django.utils import timezone

    from xietong.supervision import actions
    from xietong.supervision.access import participating_units

    today = timezone.localdate()
    matter.refresh_from_db()
    if matter.state == "assigned":
        matter = actions.do_transition(actor=office_user, matter=matter, name="start")
    for unit in participating_units(matter):
        report = actions.do_submit_report(
            actor=manager_of(unit),
            matter=matter,
            unit=unit,
            period_start=min(today, matter.start_date),
            period_end=today if today >= matter.start_date else matter.start_date,
            text="已全部完成。",
            percent=100,
        )
        actions.do_review_report(actor=office_user, report=report, accept=True)
    for milestone in matter.milestones.filter(done_on__isnull=True):
        actions.do_complete_milestone(actor=office_user, milestone=milestone)
    matter.refresh_from_db()
    return matter


def deliver(matter, office_user, *, verify=True):
    """The whole honest path to done: prepared, submitted by the lead unit, verified by the office."""
    from xietong.supervision import actions

    matter = prepare(matter, office_user)
    matter = actions.do_transition(actor=manager_of(matter.lead_unit), matter=matter, name="submit")
    if verify:
        matter = actions.do_transition(actor=office_user, matter=matter, name="verify")
    return matter
