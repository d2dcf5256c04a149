"""The matter list and the matter page: who sees what."""

import datetime

import pytest

from xietong.conftest import client_for, make_user
from xietong.core.models import Role
from xietong.supervision import actions
from xietong.supervision.models import Matter
from xietong.supervision.tests.factories import make_matter


def detail(matter):
    return f"/supervision/matters/{matter.pk}/"


# --- list -------------------------------------------------------------------------------------------------


def test_list_needs_a_login(db, client):
    response = client.get("/supervision/matters/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_list_refuses_an_outsider(outsider):
    assert client_for(outsider).get("/supervision/matters/").status_code == 403


def test_list_shows_a_city_only_what_it_takes_part_in(led_matter, office_user, cluster, other_city_user, member):
    make_matter(office_user, cluster["xinzhou"], title="忻州自己的事项")
    assert [m.title for m in client_for(other_city_user).get("/supervision/matters/").context["page"]] == [
        "忻州自己的事项"
    ]
    assert [m.title for m in client_for(member).get("/supervision/matters/").context["page"]] == [led_matter.title]


def test_list_is_paginated_and_keeps_the_filters(office_user, cluster, frozen_day):
    for i in range(30):
        make_matter(office_user, cluster["taiyuan"], title=f"事项{i:02d}", domain="ecology", sub_area="")
    make_matter(office_user, cluster["taiyuan"], title="别的领域", domain="planning", sub_area="")
    response = client_for(office_user).get("/supervision/matters/", {"domain": "ecology"})
    html = response.content.decode()
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25
    assert "?domain=ecology&amp;page=2" in html
    second = client_for(office_user).get("/supervision/matters/", {"domain": "ecology", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_list_shows_health_and_progress(led_matter, office_user):
    html = client_for(office_user).get("/supervision/matters/").content.decode()
    assert led_matter.code in html and "health-on_track" in html and "0%" in html


# --- detail -----------------------------------------------------------------------------------------------


def test_detail_needs_a_login(led_matter, client):
    response = client.get(detail(led_matter))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_detail_is_a_404_for_those_outside_the_matter(led_matter, who, request):
    assert client_for(request.getfixturevalue(who)).get(detail(led_matter)).status_code == 404


def test_detail_of_an_unknown_matter_is_a_404(office_user):
    assert client_for(office_user).get("/supervision/matters/999999/").status_code == 404


def test_detail_shows_the_matter_units_milestones_reports_and_timeline(
    led_matter, office_user, member, jinzhong_staff, cluster
):
    actions.do_submit_report(
        actor=jinzhong_staff,
        matter=led_matter,
        unit=cluster["jinzhong"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="晋中段监测站点已建成",
        percent=40,
    )
    report = led_matter.reports.get()
    actions.do_review_report(actor=office_user, report=report, accept=False, comment="请附上站点照片")
    response = client_for(member).get(detail(led_matter))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        led_matter.title,
        "建立大气污染联防联控机制",
        "太原市人民政府",
        "晋中市人民政府",
        "签订联防联控协议",
        "晋中段监测站点已建成",
        "请附上站点照片",
        "2022-12-31",
    ]:
        assert text in html
    assert "health-on_track" in html
    # the latest report per unit sits next to its unit
    units = {row["unit"].slug: row["latest"] for row in response.context["units"]}
    assert units["jinzhong"] == report and units["taiyuan"] is None
    verbs = [row["code"] for row in response.context["timeline"]]
    assert verbs[:2] == ["created", "assign"] and "report_returned" in verbs


def test_detail_shows_only_the_buttons_a_person_may_use(led_matter, office_user, member, owner, jinzhong_staff):
    def names(user):
        return [t["name"] for t in client_for(user).get(detail(led_matter)).context["transitions"]]

    assert names(office_user) == ["start", "suspend", "cancel"]
    assert names(member) == ["start"]
    assert names(jinzhong_staff) == []  # a co-unit reports, it does not steer
    office_html = client_for(office_user).get(detail(led_matter)).content.decode()
    assert 'name="reason"' in office_html  # suspend and cancel ask for a reason
    member_page = client_for(member).get(detail(led_matter))
    assert member_page.context["may_edit"] is False and member_page.context["report_form"] is not None
    owner_page = client_for(owner).get(detail(led_matter))
    assert owner_page.context["may_edit"] is False and owner_page.context["may_plan"] is True


def test_the_report_form_offers_only_ones_own_units(led_matter, member, jinzhong_staff, other_city_user):
    form = client_for(jinzhong_staff).get(detail(led_matter)).context["report_form"]
    assert [label for _, label in form.fields["unit"].choices] == ["晋中市人民政府"]
    form = client_for(member).get(detail(led_matter)).context["report_form"]
    assert [label for _, label in form.fields["unit"].choices] == ["太原市人民政府"]


def test_detail_walks_back_to_the_source(cluster, office_user, frozen_day):
    decision = make_matter(office_user, cluster["taiyuan"], title="第一次联席会议决定")
    matter = make_matter(office_user, cluster["taiyuan"], source="meeting_decision", source_object=decision)
    html = client_for(office_user).get(detail(matter)).content.decode()
    assert f'href="{decision.get_absolute_url()}"' in html and str(decision) in html


def test_a_source_without_a_page_is_named_without_a_link(cluster, office_user, frozen_day):
    matter = make_matter(office_user, cluster["taiyuan"], source="agreement_clause", source_object=cluster["xinzhou"])
    source = client_for(office_user).get(detail(matter)).context["source"]
    assert source == {"label": "忻州市人民政府", "url": "", "kind": "协议条款"}


def test_a_town_below_a_lead_city_sees_the_matter(cluster, office_user, town_staff, frozen_day):
    matter = make_matter(office_user, cluster["hekou"])
    assert client_for(town_staff).get(detail(matter)).status_code == 200
    above = make_user("gujiao-viewer", cluster["gujiao"], Role.VIEWER)
    assert client_for(above).get(detail(matter)).status_code == 200


def test_detail_query_count_does_not_grow_with_reports(
    led_matter, office_user, jinzhong_staff, cluster, django_assert_max_num_queries
):
    def submit(n):
        for i in range(n):
            actions.do_submit_report(
                actor=jinzhong_staff,
                matter=Matter.objects.get(pk=led_matter.pk),
                unit=cluster["jinzhong"],
                period_start=datetime.date(2022, 9, 1),
                period_end=datetime.date(2022, 9, 30),
                text=f"第{i}次",
                percent=i,
            )

    def count():
        client = client_for(office_user)
        client.get(detail(led_matter))
        with django_assert_max_num_queries(30) as captured:
            client.get(detail(led_matter))
        return len(captured)

    submit(2)
    few = count()
    submit(10)
    assert count() == few
    assert Matter.objects.count() == 1
