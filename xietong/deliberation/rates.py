"""The three public rates of citizen-service practice (接诉即办), computed from the concerns' event log.

For the concerns a hall received in a month:
- 响应率 (response rate) = concerns accepted, refused or marked duplicate by their accept-or-refuse deadline
  ÷ concerns received whose deadline has passed or that were answered already (a concern received this
  morning is not yet late, so it does not lower the rate);
- 解决率 (resolution rate) = concerns with a "resolved" event ÷ concerns accepted (refused and duplicate
  ones are not the hall's to solve);
- 满意率 (satisfaction rate) = concerns whose last rating is 满意 or 基本满意 ÷ concerns rated. A resident who
  rates again after a reopening (重办) changes the case's rating; the case still counts once.
Each figure is shown with its numerator and denominator so anyone can recompute it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from xietong.core.models import TimelineEvent

from .models import Concern

RESPONSE_VERBS = ("accepted", "refused", "duplicate")


@dataclass
class Rates:
    received: int = 0
    response_due: int = 0
    responded_on_time: int = 0
    accepted: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0

    @staticmethod
    def _ratio(num, den):
        return round(100 * num / den, 1) if den else None

    @property
    def response_rate(self):
        return self._ratio(self.responded_on_time, self.response_due)

    @property
    def resolution_rate(self):
        return self._ratio(self.resolved, self.accepted)

    @property
    def satisfaction_rate(self):
        return self._ratio(self.satisfied, self.rated)


def month_bounds(year, month):
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=tz)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def rates_by_hall(year, month, halls, today=None):
    """{hall_id: Rates} for concerns received in the month; two queries whatever the number of concerns."""
    start, end = month_bounds(year, month)
    today = today or timezone.localdate()
    concerns = {
        pk: (hall_id, accept_due)
        for pk, hall_id, accept_due in Concern.objects.filter(
            hall__in=halls, received_at__gte=start, received_at__lt=end
        ).values_list("id", "hall_id", "accept_due")
    }
    content_type = ContentType.objects.get_for_model(Concern)
    events = (
        TimelineEvent.objects.filter(
            content_type=content_type,
            object_id__in=[str(pk) for pk in concerns],
            verb__in=[*RESPONSE_VERBS, "resolved", "rated"],
        )
        .order_by("at", "id")
        .values_list("object_id", "verb", "at", "changes")
    )
    first_response, resolved, last_rating = {}, set(), {}
    accepted = set()
    for object_id, verb, at, changes in events:
        pk = int(object_id)
        if verb in RESPONSE_VERBS and pk not in first_response:
            first_response[pk] = at
        if verb == "accepted":
            accepted.add(pk)
        elif verb == "resolved":
            resolved.add(pk)
        elif verb == "rated":
            last_rating[pk] = (changes.get("rating") or [None, None])[1]
    result = defaultdict(Rates)
    for pk, (hall_id, accept_due) in concerns.items():
        rates = result[hall_id]
        rates.received += 1
        answered = first_response.get(pk)
        if answered is not None or (accept_due and accept_due < today):
            rates.response_due += 1
        if answered is not None and accept_due and timezone.localtime(answered).date() <= accept_due:
            rates.responded_on_time += 1
        if pk in accepted:
            rates.accepted += 1
            rates.resolved += pk in resolved
        if pk in last_rating:
            rates.rated += 1
            rates.satisfied += last_rating[pk] in ("satisfied", "basic")
    return result


def total(rates_list):
    out = Rates()
    for rates in rates_list:
        for field in ("received", "response_due", "responded_on_time", "accepted", "resolved", "rated", "satisfied"):
            setattr(out, field, getattr(out, field) + getattr(rates, field))
    return out
