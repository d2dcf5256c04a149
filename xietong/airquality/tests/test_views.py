"""Every page and endpoint: who gets in, who is refused, and what they see."""

import datetime as dt
import io

import pytest

from xietong.airquality import actions
from xietong.airquality.derive import recompute
from xietong.airquality.models import Forecast, Reading, Station
from xietong.conftest import client_for
from xietong.core.actions import do_set_membership
from xietong.core.models import Role

from .conftest import CST, feed, store, timepoint

DAY = dt.date(2022, 12, 10)


def day_of(code, day, pm25):
    return [(code, timepoint(day, h), 10, 30, 80, pm25, 0.8, 40) for h in range(1, 25)]


@pytest.fixture
def data(stations):
    rows = []
    for offset, pm25 in enumerate((60, 130, 180)):
        day = DAY + dt.timedelta(days=offset)
        for code in stations:
            rows += day_of(code, day, pm25)
    store(feed(*rows))
    recompute([s.pk for s in stations.values()], DAY, DAY + dt.timedelta(days=2))
    return stations


@pytest.fixture
def warning(cluster, office_user):
    return actions.do_issue_joint_warning(
        actor=office_user,
        level="orange",
        cities=[cluster["taiyuan"], cluster["xinzhou"]],
        starts_at=dt.datetime(2022, 12, 11, tzinfo=CST),
        reason="区域重污染",
        measures="工业企业按清单减排",
    )


MEMBER_PAGES = [
    "/airquality/",
    "/airquality/stations/",
    "/airquality/stations/TY01/",
    "/airquality/forecasts/",
    "/airquality/rules/",
    "/airquality/warnings/",
]
API = [
    "/api/v1/airquality/daily",
    "/api/v1/airquality/calendar",
    "/api/v1/airquality/breakdown",
    "/api/v1/airquality/stations",
    "/api/v1/airquality/forecasts",
]


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_says_401(client, data):
    for url in [*MEMBER_PAGES, "/airquality/readings/upload/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for url in API:
        assert client.get(url).status_code == 401, url
    assert (
        client.post("/api/v1/airquality/readings", {"readings": []}, content_type="application/json").status_code == 401
    )


def test_a_person_of_no_unit_is_refused(outsider, data):
    client = client_for(outsider)
    for url in [*MEMBER_PAGES, "/airquality/readings/upload/"]:
        assert client.get(url).status_code == 403, url
    for url in API:
        assert client.get(url).status_code == 403, url
    response = client.post(
        "/api/v1/airquality/readings", {"readings": [{"stationcode": "TY01"}]}, content_type="application/json"
    )
    assert response.status_code == 403
    assert client.post("/airquality/forecasts/", {"city": 1, "day": "2022-12-10", "aqi": 1}).status_code == 403


@pytest.mark.parametrize("who", ["member", "other_city_user", "town_staff", "office_user"])
def test_every_member_of_any_unit_sees_the_shared_data(request, data, who):
    client = client_for(request.getfixturevalue(who))
    for url in MEMBER_PAGES:
        assert client.get(url).status_code == 200, url
    for url in API:
        assert client.get(url).status_code == 200, url


def test_the_public_page_is_open_and_shows_what_is_in_force(client, data, warning, cluster):
    response = client.get("/airquality/public/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("aq-warning-orange") >= 2 and "工业企业按清单减排" in html
    assert 'data-city="jinzhong"' in html and "当前无预警" in html
    api = client.get("/api/v1/airquality/public/warnings").json()
    assert [(w["city"], w["level"], w["acknowledged"]) for w in api] == [
        ("taiyuan", "orange", False),
        ("xinzhou", "orange", False),
    ]
    actions.do_lift(actor=warning.issued_by, warning=warning, reason="好转")
    assert 'id="no-warning"' in client.get("/airquality/public/").content.decode()
    assert client.get("/api/v1/airquality/public/warnings").json() == []


def test_the_public_page_shows_old_daily_aqi_as_out_of_date(client, data):
    html = client.get("/airquality/public/").content.decode()
    # PM2.5 180 on 2022-12-12 (heavily polluted) is years old: given with its day, not as current
    assert "2022-12-12" in html and "已过时" in html and "aq-level-5" not in html


# --- upload page --------------------------------------------------------------------------------------------


def upload(client, text, name="feed.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    file = io.BytesIO(data)
    file.name = name
    return client.post("/airquality/readings/upload/", {"file": file})


def test_an_upload_reports_each_flagged_row(stations, member, django_capture_on_commit_callbacks):
    text = feed(
        ("TY01", "2022-12-10 01:00:00", 10, 30, 80, 60, 0.8, 40),
        ("TY01", "2022-12-10 02:00:00", "—", -4, 80, 60, 0.8, 40),
        ("TY02", "2022-12-10 02:00:00", 10, 30, 80, 60000, "n/a?", 40),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(member), text)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="upload-result"' in html
    assert Reading.objects.count() == 3
    assert 'data-line="3"' in html and 'data-line="4"' in html and 'data-line="2"' not in html
    for label in ("缺测", "负值", "超出合理范围", "非数值", "“n/a?”"):
        assert label in html
    assert Station.objects.get(code="TY01").days.get().hours == 2  # recomputed after the upload


def test_a_bad_file_is_refused_with_its_lines_and_nothing_is_stored(stations, member):
    response = upload(client_for(member), feed(("TY01", "2022-12-10 01:00", 1, 1, 1, 1, 0.1, 1), ("XZ01", "bad", 1)))
    html = response.content.decode()
    assert response.status_code == 400 and 'id="upload-error"' in html
    assert "第 3 行" in html and "未存储任何数据" in html
    assert Reading.objects.count() == 0


def test_another_citys_station_is_refused_on_upload(stations, other_city_user):
    response = upload(client_for(other_city_user), feed(("TY01", "2022-12-10 01:00", 1, 1, 1, 1, 0.1, 1)))
    assert response.status_code == 400 and "您无权上传" in response.content.decode()
    assert Reading.objects.count() == 0


def test_people_who_may_upload_nothing_get_no_upload_page(stations, town_staff, cluster):
    assert client_for(town_staff).get("/airquality/readings/upload/").status_code == 403
    viewer = client_for(town_staff)
    do_set_membership(user=town_staff, unit=cluster["jinzhong"], role=Role.VIEWER)
    assert viewer.get("/airquality/readings/upload/").status_code == 403


def test_a_file_that_is_too_large_is_refused(stations, member, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = upload(client_for(member), feed(*day_of("TY01", DAY, 50)))
    assert response.status_code == 200 and "文件超过" in response.content.decode()
    assert Reading.objects.count() == 0


# --- API -------------------------------------------------------------------------------------------------------


def test_the_batch_api_stores_and_reports(stations, member):
    client = client_for(member)
    body = {
        "readings": [
            {
                "stationcode": "TY01",
                "timepoint": "2022-12-10 01:00:00",
                "so2": 10,
                "no2": 30,
                "pm10": 80,
                "pm2_5": 60,
                "co": 0.8,
                "o3": 40,
            },
            {
                "stationcode": "TY01",
                "timepoint": "2022-12-10 02:00:00",
                "so2": "—",
                "no2": -1,
                "pm10": 80,
                "pm2_5": 60,
                "co": 0.8,
                "o3": 40,
            },
        ]
    }
    response = client.post("/api/v1/airquality/readings", body, content_type="application/json")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["created"], answer["flagged_count"]) == (2, 1)
    assert answer["flagged"][0]["flags"] == {"so2": "missing", "no2": "negative"}
    again = client.post("/api/v1/airquality/readings", body, content_type="application/json").json()
    assert (again["created"], again["replaced"], again["unchanged"]) == (0, 0, 2)
    assert Reading.objects.count() == 2


def test_the_batch_api_refuses_a_batch_with_unplaceable_rows(stations, member):
    body = {"readings": [{"stationcode": "XZ01", "timepoint": "2022-12-10 01:00:00", "pm2_5": 5}]}
    response = client_for(member).post("/api/v1/airquality/readings", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["problems"][0]["line"] == 1 and "XZ01" in response.json()["problems"][0]["message"]
    assert Reading.objects.count() == 0


def test_the_batch_api_takes_a_bearer_token(stations, member):
    from xietong.core.actions import do_create_api_token

    _token, key = do_create_api_token(user=member, name="feed")
    body = {"readings": [{"stationcode": "TY01", "timepoint": "2022-12-10 01:00:00", "pm2_5": 5}]}
    response = client_for(None).post(
        "/api/v1/airquality/readings", body, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200 and Reading.objects.get().pm25 == 5


def test_the_daily_endpoint_aligns_cities_and_cluster(data, member):
    answer = client_for(member).get("/api/v1/airquality/daily?start=2022-12-09&end=2022-12-12").json()
    assert answer["days"] == ["2022-12-09", "2022-12-10", "2022-12-11", "2022-12-12"]
    taiyuan = next(s for s in answer["series"] if s["unit"] == "taiyuan")
    assert taiyuan["aqi"][0] is None and taiyuan["aqi"][1:] == [82, 172, 230]
    assert answer["series"][-1]["cluster"] is True and len(answer["levels"]) == 6


def test_the_daily_endpoint_refuses_a_bad_period(data, member):
    client = client_for(member)
    assert client.get("/api/v1/airquality/daily?start=2022-12-12&end=2022-12-01").status_code == 422
    assert client.get("/api/v1/airquality/daily?start=2010-01-01&end=2022-12-01").status_code == 422
    assert client.get("/api/v1/airquality/daily?start=yesterday").status_code == 422


def test_calendar_breakdown_and_stations(data, member):
    client = client_for(member)
    calendar = client.get("/api/v1/airquality/calendar?unit=taiyuan&year=2022").json()
    assert calendar["days"][0] == ["2022-12-10", 82, 2, "pm25"]
    assert client.get("/api/v1/airquality/calendar?unit=cluster&year=2022").json()["days"]
    assert client.get("/api/v1/airquality/calendar?unit=nowhere").status_code == 404
    breakdown = client.get("/api/v1/airquality/breakdown?start=2022-12-10&end=2022-12-12").json()
    taiyuan = next(c for c in breakdown["cities"] if c["unit"] == "taiyuan")
    assert taiyuan["primary"] == {"pm25": 3} and taiyuan["levels"] == {"2": 1, "4": 1, "5": 1}
    stations = client.get("/api/v1/airquality/stations").json()["stations"]
    assert {s["code"]: (s["day"], s["aqi"]) for s in stations}["TY01"] == ("2022-12-12", 230)


# --- forecasts ---------------------------------------------------------------------------------------------------


def test_city_staff_enter_a_forecast_and_see_its_level(cluster, member):
    client = client_for(member)
    for day, value in (("2022-12-20", 230), ("2022-12-21", 240)):
        response = client.post("/airquality/forecasts/", {"city": cluster["taiyuan"].pk, "day": day, "aqi": value})
        assert response.status_code == 302
    html = client.get("/airquality/forecasts/?from=2022-12-19").content.decode()
    assert "aq-warning-yellow" in html  # two days above 200 under the 2020 plans
    assert Forecast.objects.count() == 2


def test_a_forecast_for_another_city_is_refused(cluster, other_city_user):
    response = client_for(other_city_user).post(
        "/airquality/forecasts/", {"city": cluster["taiyuan"].pk, "day": "2022-12-20", "aqi": 230}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Forecast.objects.exists()


def test_forecasts_are_imported_all_or_nothing(cluster, member):
    client = client_for(member)
    good = io.BytesIO("city,date,aqi\n太原,2022-12-20,230\ntaiyuan,2022-12-21,180\n".encode())
    good.name = "f.csv"
    assert client.post("/airquality/forecasts/", {"import": "1", "file": good}).status_code == 302
    assert Forecast.objects.count() == 2
    bad = io.BytesIO("city,date,aqi\n太原,2022-12-22,230\n忻州,2022-12-22,230\n太原,2022/12/23,1\n".encode())
    bad.name = "f.csv"
    html = client.post("/airquality/forecasts/", {"import": "1", "file": bad}).content.decode()
    assert "第 3 行" in html and "第 4 行" in html
    assert Forecast.objects.count() == 2


def test_forecasts_over_the_api(cluster, member):
    client = client_for(member)
    body = [{"city": "太原市", "day": "2022-12-20", "aqi": 230}]
    assert client.post("/api/v1/airquality/forecasts", body, content_type="application/json").status_code == 200
    refused = client.post(
        "/api/v1/airquality/forecasts",
        [{"city": "忻州", "day": "2022-12-20", "aqi": 1}],
        content_type="application/json",
    )
    assert refused.status_code == 422
    listed = client.get("/api/v1/airquality/forecasts?start=2022-12-19&end=2022-12-21").json()
    assert listed == [{"city": "taiyuan", "day": "2022-12-20", "aqi": 230, "aqi_low": None, "primary": "", "note": ""}]


# --- station pages ----------------------------------------------------------------------------------------------


def test_the_station_page_shows_hours_with_their_flags(data, member):
    store(feed(("TY01", "2022-12-12 05:00:00", -3, 30, 80, 180, 0.8, 40)))
    html = client_for(member).get("/airquality/stations/TY01/?day=2022-12-12").content.decode()
    assert "负值" in html and "aq-flag" in html and "2022-12-11" in html
    assert client_for(member).get("/airquality/stations/NOPE/").status_code == 404
    assert client_for(member).get("/airquality/stations/TY01/?day=garbage").status_code == 200


# --- query counts -----------------------------------------------------------------------------------------------


def test_list_pages_take_a_fixed_number_of_queries(data, member, warning, django_assert_max_num_queries):
    client = client_for(member)
    client.get("/airquality/rules/")  # the navigation's work count is cached from then on, as in use
    for url, limit in [
        ("/airquality/stations/", 8),
        ("/airquality/", 8),
        ("/airquality/forecasts/", 12),  # with the coverage of the next three days
        ("/airquality/public/", 13),  # warnings, real-time, daily and forecasts: 8 of them
        ("/airquality/rules/", 8),
    ]:
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_api_reads_take_a_fixed_number_of_queries(data, member, django_assert_max_num_queries):
    client = client_for(member)
    for url in API:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_the_admin_lists_open_for_a_superuser(data, warning):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="x")
    client = client_for(admin)
    for model in ("station", "warningruleset", "forecast", "ingestbatch", "jointwarning"):
        assert client.get(f"/admin/airquality/{model}/").status_code == 200, model


def test_the_batch_api_names_an_item_that_is_not_an_object(stations, member):
    body = {"readings": [{"stationcode": "TY01", "timepoint": "2022-12-10 01:00:00", "pm2_5": 5}, "TY01,1"]}
    response = client_for(member).post("/api/v1/airquality/readings", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["problems"] == [{"line": 2, "message": "第 2 项不是对象。"}]
    assert Reading.objects.count() == 0
