"""The demo's current cycle: dated from the day it is loaded, every kind of daily work present, loaded once."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from xietong.core import workqueue
from xietong.core.models import Notification, TimelineEvent
from xietong.meetings.models import Meeting, MeetingState
from xietong.supervision.models import (
    Bulletin,
    ExtensionRequest,
    ExtensionStatus,
    Health,
    Matter,
    ProgressReport,
    ReportStatus,
    State,
    Urging,
)


def counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def queue_keys(username, today):
    user = get_user_model().objects.get(username=username)
    return {kind.key for kind, _bucket in workqueue.queue_for(user, today=today)}


@pytest.mark.django_db
def test_the_demo_has_a_current_cycle_dated_from_today_and_loads_once(regions, settings):
    settings.NOTIFICATION_BACKENDS = []
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    before = counts()
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    assert counts() == before

    today = timezone.localdate()
    meeting = Meeting.objects.get(number=5)
    assert meeting.date == today - datetime.timedelta(weeks=5) and meeting.state == MeetingState.CLOSED
    cycle = Matter.objects.filter(code__startswith="HY5-").with_health()
    assert cycle.count() == 7
    assert all(m.source_object.meeting == meeting and m.start_date > meeting.date for m in cycle)
    health = {m.title: m.health_code for m in cycle}
    assert health["太忻大道忻州段交工验收"] == Health.OVERDUE
    assert health["五市异地就医直接结算定点医疗机构扩面"] == Health.DUE_SOON
    assert cycle.filter(state=State.SUBMITTED).count() == 1

    reports = ProgressReport.objects.filter(matter__in=cycle)
    assert reports.filter(status=ReportStatus.SUBMITTED).count() == 2
    returned = reports.get(status=ReportStatus.RETURNED)
    assert returned.unit.slug == "taiyuan" and returned.review_comment

    urgings = Urging.objects.filter(matter__in=cycle)
    answered = urgings.get(replied_at__isnull=False)
    assert answered.signed_at <= answered.replied_at and answered.reply
    assert urgings.filter(replied_at__isnull=True, reply_due__gte=today).count() == 1
    late = urgings.get(replied_at__isnull=True, reply_due__lt=today)
    # Its deadline counts from the day it was issued, as the office would have set it then.
    assert timezone.localtime(late.issued_at).date() < late.reply_due < today

    granted = ExtensionRequest.objects.get(status=ExtensionStatus.GRANTED)
    assert granted.matter.original_due_date == granted.due_before < granted.matter.due_date
    assert ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING, matter__in=cycle).count() == 1

    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    assert Bulletin.objects.filter(period_start=last_month_end.replace(day=1), period_end=last_month_end).exists()
    # Nothing of the story happened after the moment it was loaded.
    now = timezone.now()
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Matter), object_id__in=[str(m.pk) for m in cycle]
    )
    assert events.count() > 40 and not events.filter(at__gt=now).exists()
    assert not Notification.objects.filter(url__in=[m.get_absolute_url() for m in cycle], created_at__gt=now).exists()
    assert not urgings.filter(issued_at__gt=now).exists()

    # The office opens on a working office; each city's liaison on its own work.
    assert {
        "supervision.to_review",
        "supervision.to_verify",
        "supervision.extensions_to_decide",
        "supervision.urgings_late",
        "supervision.overdue",
    } <= queue_keys("office", today)
    assert {"supervision.returned", "supervision.milestones", "supervision.extensions_answered"} <= queue_keys(
        "taiyuan", today
    )
    assert "supervision.urged" in queue_keys("xinzhou", today)
    assert "supervision.urged" in queue_keys("lvliang", today)
    for city in ("jinzhong", "yangquan"):
        assert "supervision.to_report" in queue_keys(city, today)

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(get_user_model().objects.get(username="office"))
    page = client.get("/work/").content.decode()
    for label in ("待审核", "待核验", "五市异地就医直接结算定点医疗机构扩面", "秋冬季重污染天气联合应对演练"):
        assert label in page
