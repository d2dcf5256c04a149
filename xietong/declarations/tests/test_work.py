"""The declarations' kinds of work: what each person finds in the work queue, counted in one statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xietong.core import workqueue

from .conftest import TODAY, submit

pytestmark = pytest.mark.django_db

KINDS = [
    "declarations.at_risk",
    "declarations.due_today",
    "declarations.missed",
    "declarations.handovers",
    "declarations.areas_to_review",
]


def declaration_kinds():
    return [kind for kind in workqueue.kinds() if kind.key.startswith("declarations.")]


def test_every_kind_gives_its_rows_for_the_one_counting_statement():
    assert sorted(kind.key for kind in declaration_kinds()) == sorted(KINDS)
    assert all(kind.count_query is not None for kind in declaration_kinds())


@pytest.mark.parametrize("who", ["community", "ty_office", "jz_office", "employer"])
def test_the_navigation_count_equals_the_queue_and_costs_one_statement(who, notice, people, decl_units, frozen):
    from xietong.declarations import actions

    submit(decl_units, seq=1, employer=decl_units["employer"])
    submit(decl_units, seq=2)
    submit(decl_units, seq=3, community=decl_units["jz_community"])  # handed over to 晋中
    taken = submit(decl_units, seq=4)
    actions.do_acknowledge(actor=people["community"], declaration=taken)
    actions.do_create_notice(
        actor=people["ty_office"],
        office=notice.office,
        title="待核实",
        window_start=TODAY,
        areas_text="不存在的地方",
    )
    user = people[who]
    for kind in declaration_kinds():
        if kind.applies(user):
            assert kind.count_query(user, TODAY).count() == kind.collect(user, TODAY, 0).count, kind.key
    expected = sum(bucket.count for _kind, bucket in workqueue.queue_for(user, today=TODAY))
    assert expected > 0
    workqueue.count_for(user, today=TODAY)  # memberships are cached once per request in real use
    with CaptureQueriesContext(connection) as captured:
        assert workqueue.count_for(user, today=TODAY) == expected
    touching = [q["sql"] for q in captured if "declarations_" in q["sql"]]
    assert len(touching) == 1
