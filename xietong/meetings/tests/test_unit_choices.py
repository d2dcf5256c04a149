"""Unit choices in the meetings forms: trees of the units that can hold the role, with 请选择 first, as on
supervision's matter form (the same fields and the same list of units)."""

import pytest

from xietong.conftest import client_for
from xietong.core.actions import do_create_unit
from xietong.core.models import UnitKind
from xietong.supervision.tests.test_unit_choices import options

TREE = ["太原市人民政府", "\u3000古交市", "\u3000\u3000河口镇", "忻州市人民政府", "晋中市人民政府"]


def assert_tree(choices):
    """The units without hotels, each unit's own units right under it, indented (siblings in any order)."""
    assert sorted(choices) == sorted(TREE)
    taiyuan = choices.index("太原市人民政府")
    assert choices[taiyuan + 1 : taiyuan + 3] == ["\u3000古交市", "\u3000\u3000河口镇"]


@pytest.fixture
def hotel(cluster):
    return do_create_unit(name="汾河湾酒店", kind=UnitKind.HOTEL, parent=cluster["gujiao"], slug="hotel")


def test_a_matter_from_a_decision_offers_the_tree_of_units_that_can_lead_or_deliver(decision, office_user, hotel):
    page = client_for(office_user).get(
        f"/meetings/decisions/{decision.pk}/matters/new/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = page.content.decode()
    lead = options(html, "lead_unit")
    assert lead[0] == "请选择"
    assert_tree(lead[1:])
    # Co-units are a list of the same tree (several may be chosen), a hotel cannot deliver part of a matter.
    assert_tree(options(html, "co_units"))
    assert 'name="co_units" size="8"' in html and 'type="checkbox" name="co_units"' not in html


def test_the_host_of_a_meeting_is_chosen_from_a_tree_after_请选择(cluster, office_user, hotel):
    task_force = do_create_unit(
        name="太忻一体化工作专班", kind=UnitKind.TASK_FORCE, parent=cluster["office"], slug="taixin"
    )
    html = client_for(office_user).get("/meetings/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    host = options(html, "host_unit")
    assert host[0] == "请选择"
    # In tree order: the office, then the cities and task forces under it (at the left edge, as on
    # supervision's form); a hotel does not host joint meetings.
    assert host[1] == "山西中部城市群建设领导小组办公室"
    assert sorted(host[2:]) == sorted(["太原市人民政府", "忻州市人民政府", "晋中市人民政府", task_force.name])
