"""The demo follows the seed: the 7月27日 session of more than ten shop owners' representatives, the resolution
to renovate the shop signs by mid-August owned by 党群服务中心 and 环卫所, progress, ratings; and a case open today."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from xietong.deliberation.models import Concern, ConcernState, Hall, Session
from xietong.supervision.models import Matter, State


def test_the_seed_case_and_a_current_case(db, regions):
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    hall = Hall.objects.get(slug="hekou")
    session = Session.objects.get(title="主街门头改造议事会")
    assert session.starts_at.date() == datetime.date(2022, 7, 27)
    attendees = session.attendees.select_related("group")
    assert attendees.count() > 10
    assert {"理发店", "商店", "饭店", "药店"} <= {a.group.name for a in attendees}
    matter = Matter.objects.get(pk=session.resolution.matter_id)
    assert matter.due_date == datetime.date(2022, 8, 15) and matter.state == State.DONE
    assert matter.lead_unit.name == "河口镇党群服务中心"
    assert [c.unit.name for c in matter.co_units.all()] == ["河口镇环卫所"]
    signs = Concern.objects.filter(topic=session.topic)
    assert signs.count() >= 8 and all(c.closed_at for c in signs)
    current = Session.objects.get(title="河口村路灯议事会")
    assert timezone.localtime(current.starts_at).date() > timezone.localdate()
    assert hall.concerns.filter(state=ConcernState.RECEIVED).exists()
