"""One submission through the public API: a fixed number of queries, and screening against the areas and
rules in force even though a web process keeps them in memory between submissions."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xietong.core.models import Notification, TimelineEvent
from xietong.declarations.models import Declaration, Match, Measure, RiskArea, State, Tier, TierRule

from .conftest import TODAY, id_number, publish_notice

pytestmark = pytest.mark.django_db

URL = "/api/v1/declarations/declare/taiyuan"
# The form's units and the screening stamp (2); the declaration, stops, matches, measures and history, one
# insert each, in a transaction (7); after commit, the receiving units told (prevention offices, members and
# one insert: 3) and the inbox rows claimed for the other back-ends, in a transaction of their own so a
# redelivered task e-mails nobody twice (read and lock, mark delivered, and its savepoint: 4).
MAX_QUERIES = 16


def payload(units, seq, place="四川省内江市资中县"):
    return {
        "name": "赵六",
        "id_number": id_number(seq),
        "phone": f"1390351{seq:04d}",
        "arrival_date": TODAY.isoformat(),
        "destination": "太原市小店区坞城街道",
        "community": units["community"].pk,
        "employer": units["employer"].pk,
        "stops": [
            {"place": place, "start": "2022-07-20", "end": "2022-07-26", "transport": "G1234"},
            {"place": "山西省晋中市榆次区", "start": "2022-07-10", "end": "2022-07-12", "transport": ""},
        ],
    }


def post(units, seq, **kwargs):
    response = Client().post(URL, json.dumps(payload(units, seq, **kwargs)), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_submission_takes_a_fixed_number_of_queries(notice, people, decl_units, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(decl_units, 1)  # the first one in this process reads the rules and areas in force
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        answer = post(decl_units, 2)
    assert len(queries) <= MAX_QUERIES, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    # Everything a submission writes is there: the result, its reason, the measures, the history, the news.
    declaration = Declaration.objects.get(receipt=answer["receipt"])
    assert answer["tier"] == declaration.tier == Tier.LISTED and declaration.state == State.AT_RISK
    assert declaration.screened_at and declaration.edition_id and declaration.stops.count() == 2
    match = Match.objects.get(declaration=declaration)
    assert (
        match.stop.region_id == "511025" and match.notice_id == notice.pk and match.left_on.isoformat() == "2022-07-26"
    )
    # Left on 07-26, arrived on 07-28: the test of day 2 and the monitoring (day 1 passed before arrival).
    assert sorted(declaration.measures.values_list("kind", flat=True)) == ["monitoring", "test"]
    verbs = list(
        TimelineEvent.objects.filter(object_id=str(declaration.pk)).order_by("id").values_list("verb", flat=True)
    )
    assert verbs == ["submitted", "screened"]
    for who in ("community", "employer", "ty_office"):
        assert Notification.objects.filter(recipient=people[who], params__receipt=declaration.receipt).count() == 1


def test_a_clear_submission_takes_fewer(notice, decl_units, django_capture_on_commit_callbacks):
    post(decl_units, 1)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        answer = post(decl_units, 2, place="山西省晋中市榆次区")
    assert answer["tier"] == "" and len(queries) <= MAX_QUERIES - 5


def test_changes_made_behind_the_actions_back_reach_the_next_submission(notice, people, decl_units):
    """The areas and rules kept in memory follow every change, also one made by plain SQL or the admin."""
    assert post(decl_units, 1)["tier"] == Tier.LISTED
    # The area is lifted by a plain UPDATE (no action, no signal).
    RiskArea.objects.filter(notice=notice, region_id="511025").update(lifted_on=TODAY)
    assert post(decl_units, 2)["tier"] == ""
    # A rule edited in place changes what the next person must do.
    RiskArea.objects.filter(notice=notice, region_id="511025").update(lifted_on=None, tier=Tier.HIGH)
    assert post(decl_units, 3)["tier"] == Tier.HIGH
    assert Measure.objects.filter(declaration__id_index__isnull=False, kind="centralized").count() == 1
    TierRule.objects.filter(tier=Tier.HIGH).update(quarantine="", quarantine_days=0)
    fourth = Declaration.objects.get(receipt=post(decl_units, 4)["receipt"])
    assert not fourth.measures.filter(kind="centralized").exists()
    # A second notice published meanwhile counts at once.
    publish_notice(people["ty_office"], decl_units, text="山西省晋中市榆次区", tier=Tier.MEDIUM)
    fifth = post(decl_units, 5, place="山西省晋中市榆次区")
    assert fifth["tier"] == Tier.MEDIUM
