"""The supervision API under /api/v1/supervision/: same rules as the pages, errors as 403/404/422."""

import datetime

import pytest

from xietong.conftest import client_for, make_user
from xietong.core.actions import do_create_api_token
from xietong.core.models import Role
from xietong.supervision import actions
from xietong.supervision.models import Matter, ProgressReport, ReportStatus, State
from xietong.supervision.tests.factories import make_matter, prepare

API = "/api/v1/supervision"


def call(user, method, path, data=None, **headers):
    client = client_for(user)
    kwargs = {"content_type": "application/json"} if data is not None else {}
    return getattr(client, method)(API + path, data, headers=headers, **kwargs)


def messages_of(response):
    return [e["msg"] for e in response.json()["detail"]]


def report_payload(unit, **overrides):
    return {
        "unit_id": unit.pk,
        "period_start": "2022-09-01",
        "period_end": "2022-09-30",
        "text": "完成监测站点选址",
        "percent": 30,
        **overrides,
    }


def matter_payload(cluster, **overrides):
    return {
        "code": "API-01",
        "title": "重污染天气同步预警",
        "domain": "ecology",
        "sub_area": "air",
        "lead_unit_id": cluster["taiyuan"].pk,
        "co_unit_ids": [cluster["jinzhong"].pk],
        "start_date": "2022-08-01",
        "due_date": "2022-12-31",
        "milestones": [{"title": "制定方案", "due_date": "2022-09-30"}],
        **overrides,
    }


def test_openapi_lists_the_endpoints(db, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/supervision/matters",
        "/api/v1/supervision/matters/{matter_id}",
        "/api/v1/supervision/matters/{matter_id}/transition",
        "/api/v1/supervision/matters/{matter_id}/reports",
        "/api/v1/supervision/reports/{report_id}/review",
    ]:
        assert path in paths
    assert set(paths["/api/v1/supervision/matters"]) == {"get", "post"}


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/matters"),
        ("get", "/matters/1"),
        ("post", "/matters"),
        ("post", "/matters/1/transition"),
        ("get", "/matters/1/reports"),
        ("post", "/matters/1/reports"),
        ("post", "/reports/1/review"),
    ],
)
def test_anonymous_gets_a_401(db, client, method, path):
    assert getattr(client, method)(API + path).status_code == 401


# --- matters ------------------------------------------------------------------------------------------------


def test_list_shows_each_caller_what_they_may_see(led_matter, office_user, member, other_city_user, outsider, cluster):
    make_matter(office_user, cluster["xinzhou"], title="忻州的事项")
    assert [m["title"] for m in call(office_user, "get", "/matters").json()["items"]] == [
        led_matter.title,
        "忻州的事项",
    ]
    assert [m["code"] for m in call(member, "get", "/matters").json()["items"]] == [led_matter.code]
    assert [m["title"] for m in call(other_city_user, "get", "/matters").json()["items"]] == ["忻州的事项"]
    assert call(outsider, "get", "/matters").status_code == 403  # an account of no unit, as on the pages


def test_list_filters_and_paginates(led_matter, office_user, cluster):
    for i in range(3):
        make_matter(office_user, cluster["xinzhou"], title=f"忻州逾期{i}", due=datetime.date(2022, 9, 1))
    body = call(office_user, "get", "/matters?health=overdue&page_size=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert body["items"][0]["health"] == "overdue" and body["items"][0]["health_label"] == "已逾期"
    assert call(office_user, "get", f"/matters?city={cluster['taiyuan'].pk}").json()["count"] == 1
    assert call(office_user, "get", "/matters?q=大气").json()["items"][0]["id"] == led_matter.pk
    assert call(office_user, "get", "/matters?domain=ecology&state=assigned").json()["count"] == 1
    assert call(office_user, "get", f"/matters?lead_unit={cluster['xinzhou'].pk}").json()["count"] == 3


def test_a_bad_filter_is_a_422_in_the_callers_language(led_matter, office_user):
    response = call(office_user, "get", "/matters?domain=nope")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "domain"]
    assert "nope" in messages_of(response)[0] and "选择" in messages_of(response)[0]
    english = call(office_user, "get", "/matters?domain=nope", **{"Accept-Language": "en"})
    assert "Select a valid choice" in messages_of(english)[0]


def test_list_query_count_does_not_grow(office_user, cluster, frozen_day, django_assert_max_num_queries):
    def count():
        client = client_for(office_user)
        client.get(API + "/matters")
        with django_assert_max_num_queries(10) as captured:
            client.get(API + "/matters")
        return len(captured)

    for _ in range(3):
        make_matter(office_user, cluster["taiyuan"], co_units=[cluster["jinzhong"]])
    few = count()
    for _ in range(20):
        make_matter(office_user, cluster["xinzhou"], co_units=[cluster["jinzhong"], cluster["gujiao"]])
    assert count() == few


def test_detail_for_the_matters_people(led_matter, member, jinzhong_staff):
    body = call(member, "get", f"/matters/{led_matter.pk}").json()
    assert body["code"] == led_matter.code and body["state_label"] == "已交办"
    assert [u["name"] for u in body["co_units"]] == ["晋中市人民政府"]
    assert body["milestones"][0]["title"] == "签订联防联控协议"
    assert body["allowed_transitions"] == ["start"]
    assert call(jinzhong_staff, "get", f"/matters/{led_matter.pk}").json()["allowed_transitions"] == []


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_detail_is_a_404_outside_the_matter(led_matter, who, request):
    response = call(request.getfixturevalue(who), "get", f"/matters/{led_matter.pk}")
    assert response.status_code == 404 and response.json()["detail"] == "未找到，或您无权查看。"


def test_the_office_creates_a_matter(cluster, office_user):
    response = call(office_user, "post", "/matters", matter_payload(cluster))
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == State.ASSIGNED and body["milestones"][0]["title"] == "制定方案"
    assert Matter.objects.get().co_units.get().unit == cluster["jinzhong"]


@pytest.mark.parametrize("who", ["outsider", "other_city_user", "owner", "member"])
def test_only_the_office_creates(cluster, who, request):
    response = call(request.getfixturevalue(who), "post", "/matters", matter_payload(cluster))
    assert response.status_code == 403 and response.json()["detail"] == "您无权执行此操作。"
    assert not Matter.objects.exists()


@pytest.mark.parametrize(
    "overrides,loc,message",
    [
        ({"due_date": "2022-07-01"}, ["body", "due_date"], "截止日期不能早于开始日期。"),
        ({"sub_area": "transport"}, ["body", "sub_area"], "该子领域不属于所选领域。"),
        ({"co_unit_ids": ["LEAD"]}, ["body", "co_units"], "牵头单位不能同时是协办单位。"),
        ({"co_unit_ids": [999999]}, ["body", "co_unit_ids"], "未知的单位：999999。"),
        (
            {"milestones": [{"title": "早", "due_date": "2022-07-01"}]},
            ["body", "milestones"],
            "里程碑的截止日期不能早于事项开始日期。",
        ),
    ],
)
def test_bad_matter_input_is_a_422(cluster, office_user, overrides, loc, message):
    if overrides.get("co_unit_ids") == ["LEAD"]:
        overrides = {"co_unit_ids": [cluster["taiyuan"].pk]}
    response = call(office_user, "post", "/matters", matter_payload(cluster, **overrides))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc and messages_of(response) == [message]
    assert not Matter.objects.exists()


def test_a_stale_edit_is_a_409(led_matter, office_user, cluster):
    colleague = make_user("office-colleague", cluster["office"], Role.STAFF)
    version = call(colleague, "get", f"/matters/{led_matter.pk}").json()["version"]
    first = call(office_user, "patch", f"/matters/{led_matter.pk}", {"version": version, "title": "办公室改"})
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = call(colleague, "patch", f"/matters/{led_matter.pk}", {"version": version, "title": "太原改"})
    assert second.status_code == 409 and "督办员在您编辑期间修改了该事项" in second.json()["detail"]
    assert Matter.objects.get(pk=led_matter.pk).title == "办公室改"


@pytest.mark.parametrize("who,status", [("owner", 403), ("member", 403), ("other_city_user", 404), ("outsider", 404)])
def test_edit_is_refused_to_others(led_matter, who, status, request):
    response = call(request.getfixturevalue(who), "patch", f"/matters/{led_matter.pk}", {"version": 1, "title": "x"})
    assert response.status_code == status
    assert Matter.objects.get(pk=led_matter.pk).title == led_matter.title


def test_transitions(led_matter, office_user, owner, member):
    assert call(member, "post", f"/matters/{led_matter.pk}/transition", {"name": "start"}).json()["state"] == (
        "in_progress"
    )
    assert call(member, "post", f"/matters/{led_matter.pk}/transition", {"name": "submit"}).status_code == 403
    prepare(led_matter, office_user)
    assert call(owner, "post", f"/matters/{led_matter.pk}/transition", {"name": "submit"}).status_code == 200
    assert call(owner, "post", f"/matters/{led_matter.pk}/transition", {"name": "verify"}).status_code == 403
    done = call(office_user, "post", f"/matters/{led_matter.pk}/transition", {"name": "verify"})
    assert done.json()["state"] == "done" and done.json()["progress"] == 100


def test_a_transition_not_allowed_from_the_state_is_a_422(led_matter, office_user):
    response = call(office_user, "post", f"/matters/{led_matter.pk}/transition", {"name": "verify"})
    assert response.status_code == 422 and messages_of(response) == ["处于“已交办”状态的事项不能这样流转。"]
    english = call(
        office_user, "post", f"/matters/{led_matter.pk}/transition", {"name": "verify"}, **{"Accept-Language": "en"}
    )
    assert messages_of(english) == ["A matter in state “Assigned” cannot be moved this way."]
    missing_reason = call(office_user, "post", f"/matters/{led_matter.pk}/transition", {"name": "cancel"})
    assert missing_reason.status_code == 422 and missing_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    assert Matter.objects.get(pk=led_matter.pk).state == State.ASSIGNED


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_transition_outside_the_matter_is_a_404(led_matter, who, request):
    response = call(request.getfixturevalue(who), "post", f"/matters/{led_matter.pk}/transition", {"name": "start"})
    assert response.status_code == 404
    assert Matter.objects.get(pk=led_matter.pk).state == State.ASSIGNED


# --- reports ------------------------------------------------------------------------------------------------


def test_submit_list_and_review_a_report(led_matter, office_user, jinzhong_staff, member, cluster):
    response = call(jinzhong_staff, "post", f"/matters/{led_matter.pk}/reports", report_payload(cluster["jinzhong"]))
    assert response.status_code == 201
    report_id = response.json()["id"]
    assert response.json()["status"] == "submitted" and response.json()["unit"]["name"] == "晋中市人民政府"
    listed = call(member, "get", f"/matters/{led_matter.pk}/reports").json()
    assert [r["id"] for r in listed] == [report_id]
    returned = call(office_user, "post", f"/reports/{report_id}/review", {"accept": False})
    assert returned.status_code == 422 and returned.json()["detail"][0]["loc"] == ["body", "comment"]
    accepted = call(office_user, "post", f"/reports/{report_id}/review", {"accept": True})
    assert accepted.status_code == 200 and accepted.json()["status_label"] == "已通过"
    assert Matter.objects.get(pk=led_matter.pk).progress == 15


@pytest.mark.parametrize("who", ["outsider", "other_city_user"])
def test_reports_outside_the_matter_are_a_404(led_matter, who, request, cluster):
    user = request.getfixturevalue(who)
    assert call(user, "get", f"/matters/{led_matter.pk}/reports").status_code == 404
    response = call(user, "post", f"/matters/{led_matter.pk}/reports", report_payload(cluster["taiyuan"]))
    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


def test_a_co_unit_cannot_report_the_lead_units_part(led_matter, jinzhong_staff, cluster):
    response = call(jinzhong_staff, "post", f"/matters/{led_matter.pk}/reports", report_payload(cluster["taiyuan"]))
    assert response.status_code == 403
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"percent": 101}, "百分比必须在 0 到 100 之间。"),
        ({"percent": -5}, "百分比必须在 0 到 100 之间。"),
        ({"period_end": "2022-08-01"}, "报告期的结束日期不能早于开始日期。"),
        ({"unit": "xinzhou"}, "该单位不是本事项的参与单位。"),
    ],
)
def test_bad_report_input_is_a_422(led_matter, member, cluster, overrides, message):
    unit = cluster[overrides.pop("unit", "taiyuan")]
    response = call(member, "post", f"/matters/{led_matter.pk}/reports", report_payload(unit, **overrides))
    assert response.status_code == 422 and message in messages_of(response)
    assert not ProgressReport.objects.exists()


@pytest.fixture
def submitted(led_matter, jinzhong_staff, cluster):
    return actions.do_submit_report(
        actor=jinzhong_staff,
        matter=led_matter,
        unit=cluster["jinzhong"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="x",
        percent=10,
    )


@pytest.mark.parametrize("who,status", [("member", 403), ("owner", 403), ("other_city_user", 404), ("outsider", 404)])
def test_only_the_office_reviews(submitted, who, status, request):
    response = call(request.getfixturevalue(who), "post", f"/reports/{submitted.pk}/review", {"accept": True})
    assert response.status_code == status
    assert ProgressReport.objects.get(pk=submitted.pk).status == ReportStatus.SUBMITTED


def test_a_bearer_token_works_like_the_session(led_matter, member, client):
    _, key = do_create_api_token(user=member, name="太原报送脚本")
    response = client.get(API + "/matters", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "change",
    [{"due_date": "2023-06-30"}, {"public": True}, {"co_unit_ids": "xinzhou"}, {"priority": 3}],
)
def test_the_lead_units_manager_does_not_change_the_terms(led_matter, owner, cluster, change):
    """An overdue matter does not turn "on track" because its own unit moved the date."""
    if change.get("co_unit_ids") == "xinzhou":
        change = {"co_unit_ids": [cluster["xinzhou"].pk]}
    response = call(owner, "patch", f"/matters/{led_matter.pk}", {"version": led_matter.version, **change})
    assert response.status_code == 403
    matter = Matter.objects.get(pk=led_matter.pk)
    assert (matter.due_date, matter.public, matter.priority, matter.version) == (
        led_matter.due_date,
        led_matter.public,
        led_matter.priority,
        led_matter.version,
    )
    assert list(matter.co_units.values_list("unit_id", flat=True)) == list(
        led_matter.co_units.values_list("unit_id", flat=True)
    )
