import datetime as dt

import pytest

from xietong.airquality import actions
from xietong.airquality.models import CityWarning, JointWarning, WarningRuleSet
from xietong.airquality.warning_rules import seed
from xietong.conftest import client_for

from .conftest import CST


@pytest.fixture
def warning(cluster, office_user):
    return actions.do_issue_joint_warning(
        actor=office_user,
        level="orange",
        cities=[cluster["taiyuan"], cluster["xinzhou"]],
        starts_at=dt.datetime(2023, 1, 11, tzinfo=CST),
        reason="预计连续三天重度污染",
    )


def taiyuan_warning(warning):
    return warning.city_warnings.get(city__slug="taiyuan")


def pages(warning):
    return [
        "/airquality/warnings/",
        "/airquality/warnings/new/",
        f"/airquality/warnings/{warning.pk}/",
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, warning):
    for url in pages(warning):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    response = client.post(f"/airquality/warnings/city/{taiyuan_warning(warning).pk}/acknowledge/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_person_of_no_unit_is_refused_everything(outsider, warning):
    client = client_for(outsider)
    for url in pages(warning):
        assert client.get(url).status_code == 403, url
    for url in [
        f"/airquality/warnings/{warning.pk}/level/",
        f"/airquality/warnings/{warning.pk}/lift/",
        f"/airquality/warnings/city/{taiyuan_warning(warning).pk}/acknowledge/",
    ]:
        assert client.post(url, {"level": "red", "reason": "x"}).status_code == 403, url


def test_every_member_sees_the_warnings_and_their_acknowledgement_state(other_city_user, warning):
    html = client_for(other_city_user).get("/airquality/warnings/").content.decode()
    assert warning.code in html and "太原市人民政府" in html
    detail = client_for(other_city_user).get(f"/airquality/warnings/{warning.pk}/").content.decode()
    assert "预计连续三天重度污染" in detail
    # 忻州 staff get a button for 忻州 only.
    assert f"/airquality/warnings/city/{warning.city_warnings.get(city__slug='xinzhou').pk}/acknowledge/" in detail
    assert f"/airquality/warnings/city/{taiyuan_warning(warning).pk}/acknowledge/" not in detail


def test_only_the_office_gets_the_issue_page_and_the_office_forms(member, office_user, warning):
    assert client_for(member).get("/airquality/warnings/new/").status_code == 403
    assert 'id="change-level"' not in client_for(member).get(f"/airquality/warnings/{warning.pk}/").content.decode()
    assert client_for(office_user).get("/airquality/warnings/new/").status_code == 200
    assert 'id="change-level"' in client_for(office_user).get(f"/airquality/warnings/{warning.pk}/").content.decode()


def test_city_staff_cannot_change_or_lift(member, warning):
    client = client_for(member)
    assert client.post(f"/airquality/warnings/{warning.pk}/level/", {"level": "red", "reason": "x"}).status_code == 403
    assert client.post(f"/airquality/warnings/{warning.pk}/lift/", {"reason": "x"}).status_code == 403
    warning.refresh_from_db()
    assert warning.level == "orange" and warning.is_active


def test_another_city_cannot_acknowledge_taiyuans_warning(other_city_user, office_user, warning):
    url = f"/airquality/warnings/city/{taiyuan_warning(warning).pk}/acknowledge/"
    assert client_for(other_city_user).post(url, {"level_seen": "orange"}).status_code == 403
    assert client_for(office_user).post(url, {"level_seen": "orange"}).status_code == 403
    assert taiyuan_warning(warning).needs_acknowledgement


def test_the_flow_through_the_pages(cluster, office_user, member, other_city_user, regions):
    seed(WarningRuleSet)
    office = client_for(office_user)
    response = office.post(
        "/airquality/warnings/new/",
        {
            "level": "orange",
            "cities": [cluster["taiyuan"].pk, cluster["xinzhou"].pk],
            "starts_at": "2023-01-11T00:00",
            "ends_at": "2023-01-14T00:00",
            "reason": "区域重污染过程",
        },
    )
    warning = JointWarning.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/airquality/warnings/{warning.pk}/"
    cw = taiyuan_warning(warning)
    response = client_for(member).post(f"/airquality/warnings/city/{cw.pk}/acknowledge/", {"level_seen": "orange"})
    assert response.status_code == 302
    cw.refresh_from_db()
    assert cw.acknowledged_by == member
    office.post(f"/airquality/warnings/{warning.pk}/level/", {"level": "red", "reason": "加重"})
    office.post(f"/airquality/warnings/{warning.pk}/lift/", {"reason": "好转"})
    warning.refresh_from_db()
    assert (warning.level, warning.state) == ("red", "lifted")
    html = office.get(f"/airquality/warnings/{warning.pk}/").content.decode()
    assert html.count("<li><time") == 4  # issued, 太原 acknowledged, upgraded, lifted
    assert CityWarning.objects.filter(state="lifted").count() == 2


def test_the_issue_form_explains_what_is_wrong(cluster, office_user):
    seed(WarningRuleSet)
    response = client_for(office_user).post(
        "/airquality/warnings/new/",
        {
            "level": "blue",
            "cities": [cluster["taiyuan"].pk],
            "starts_at": "2024-12-11T00:00",
            "ends_at": "2024-12-10T00:00",
            "reason": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and not JointWarning.objects.exists()
    assert "2024" in html and "errorlist" in html
    form = response.context["form"]
    assert set(form.errors) == {"level", "ends_at", "reason"}


def test_the_warning_list_takes_a_fixed_number_of_queries(cluster, office_user, member, django_assert_max_num_queries):
    for _ in range(4):
        warning = actions.do_issue_joint_warning(
            actor=office_user,
            level="yellow",
            cities=[cluster["taiyuan"], cluster["xinzhou"], cluster["jinzhong"]],
            starts_at=dt.datetime(2023, 1, 11, tzinfo=CST),
            reason="r",
        )
        actions.do_lift(actor=office_user, warning=warning, reason="l")
    actions.do_issue_joint_warning(
        actor=office_user,
        level="yellow",
        cities=[cluster["taiyuan"]],
        starts_at=dt.datetime(2023, 1, 11, tzinfo=CST),
        reason="r",
    )
    client = client_for(member)
    with django_assert_max_num_queries(
        14
    ):  # with the work counts of the navigation badge (cold cache, and supervision's)
        response = client.get("/airquality/warnings/")
    assert response.status_code == 200
