"""Out-of-range input gets a clear 4xx or validation message, never a server error; a forecast's
rules are the action's, and every caller only translates its ValidationError."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from xietong.airquality import actions
from xietong.airquality.models import Forecast, Reading
from xietong.conftest import client_for

from .conftest import HEADER

EXTREME_DATES = ["0001-01-01", "9999-12-31"]


@pytest.fixture
def client(member, stations):
    client = client_for(member)
    client.raise_request_exception = False
    return client


# --- the forecast's rules live in the action ----------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"aqi": 120, "aqi_low": 130}, "aqi_low"),
        ({"aqi": 501}, "aqi"),
        ({"aqi": -1}, "aqi"),
        ({"aqi_low": 501, "aqi": 500}, "aqi_low"),
        ({"primary": "dust"}, "primary"),
        ({"note": "x" * 301}, "note"),
        ({"day": dt.date(1, 1, 1)}, "day"),
        ({"day": dt.date(9999, 12, 31)}, "day"),
    ],
)
def test_the_action_refuses_a_forecast_that_breaks_a_rule(cluster, member, change, field):
    item = {"city": cluster["taiyuan"], "day": dt.date(2022, 12, 20), "aqi": 150, **change}
    with pytest.raises(ValidationError) as refused:
        actions.do_set_forecast(actor=member, **item)
    assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        actions.do_import_forecasts(actor=member, items=[{**item, "day": dt.date(2022, 12, 21), "aqi": 100}, item])
    assert not Forecast.objects.exists()


def test_an_import_names_the_line_the_action_refused(cluster, member):
    good = {"city": cluster["taiyuan"], "day": dt.date(2022, 12, 20), "aqi": 150}
    bad = {**good, "day": dt.date(2022, 12, 21), "aqi_low": 160, "line": 7}
    with pytest.raises(actions.ForecastProblems) as refused:
        actions.do_import_forecasts(actor=member, items=[good, bad])
    assert [line for line, _message in refused.value.problems] == [7]
    assert not Forecast.objects.exists()


def test_every_caller_shows_the_actions_message(client, cluster):
    page = client.post(
        "/airquality/forecasts/", {"city": cluster["taiyuan"].pk, "day": "2022-12-20", "aqi": 120, "aqi_low": 130}
    )
    assert page.status_code == 200 and "预报区间下限高于预报 AQI" in page.content.decode()
    upload = io.BytesIO("city,date,aqi,aqi_low\n太原,2022-12-20,230,100\n太原,2022-12-21,120,130\n".encode())
    upload.name = "f.csv"
    page = client.post("/airquality/forecasts/", {"import": "1", "file": upload})
    assert page.status_code == 200 and "第 3 行" in page.content.decode()
    body = [{"city": "太原", "day": "2022-12-20", "aqi": 120, "aqi_low": 130}]
    answer = client.post("/api/v1/airquality/forecasts", body, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["problems"][0]["line"] == 1
    assert not Forecast.objects.exists()


# --- the API schema carries the ranges ----------------------------------------------------------------------


def test_the_openapi_document_shows_ranges_and_lengths(client):
    schema = client.get("/api/v1/openapi.json").json()
    forecast = schema["components"]["schemas"]["ForecastIn"]["properties"]
    assert forecast["aqi"]["maximum"] == 500 and forecast["note"]["maxLength"] == 300
    assert forecast["city"]["maxLength"] == 60 and "enum" in str(forecast["primary"])
    assert "minimum" in str(forecast["aqi_low"])
    calendar = schema["paths"]["/api/v1/airquality/calendar"]["get"]["parameters"]
    year = next(p for p in calendar if p["name"] == "year")
    assert "minimum" in str(year["schema"]) and "maximum" in str(year["schema"])


def test_the_api_refuses_overlong_forecast_fields(client):
    for change in ({"note": "x" * 301}, {"primary": "dust"}, {"city": "x" * 61}):
        body = [{"city": "太原", "day": "2022-12-20", "aqi": 120, **change}]
        assert client.post("/api/v1/airquality/forecasts", body, content_type="application/json").status_code == 422


# --- dates and years out of range ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_api_dates_out_of_range_are_4xx(client, day):
    for url in (
        f"/api/v1/airquality/daily?start={day}&end={day}",
        f"/api/v1/airquality/daily?start={day}",
        f"/api/v1/airquality/daily?end={day}",
        f"/api/v1/airquality/breakdown?start={day}&end={day}",
        f"/api/v1/airquality/forecasts?start={day}",
        f"/api/v1/airquality/forecasts?end={day}",
        f"/api/v1/airquality/forecasts?start={day}&end={day}",
        f"/api/v1/airquality/stations?day={day}",
    ):
        assert client.get(url).status_code in (200, 422), url
    body = [{"city": "太原", "day": day, "aqi": 120}]
    answer = client.post("/api/v1/airquality/forecasts", body, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["problems"]


@pytest.mark.parametrize("year", [0, -1, 10000, 99999999999999999999])
def test_api_calendar_years_out_of_range_are_422(client, year):
    assert client.get(f"/api/v1/airquality/calendar?year={year}").status_code == 422


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_page_filters_out_of_range_say_so(client, day):
    for url in (f"/airquality/stations/TY01/?day={day}", f"/airquality/forecasts/?from={day}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "超出" in response.content.decode(), url


@pytest.mark.parametrize("timepoint", ["0001-01-01 00:00:00", "0001-01-01 01:00:00", "9999-12-31 23:00:00"])
def test_readings_out_of_range_are_refused_with_their_line(client, timepoint):
    upload = io.BytesIO(f"{HEADER}\nTY01,{timepoint},1,1,1,1,1,1\n".encode())
    upload.name = "r.csv"
    response = client.post("/airquality/readings/upload/", {"file": upload})
    assert response.status_code == 400 and "第 2 行" in response.content.decode()
    row = {"stationcode": "TY01", "timepoint": timepoint, "so2": 1}
    answer = client.post("/api/v1/airquality/readings", {"readings": [row]}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["problems"][0]["line"] == 1
    assert not Reading.objects.exists()


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_forecast_files_with_dates_out_of_range_are_refused(client, day):
    upload = io.BytesIO(f"city,date,aqi\n太原,{day},100\n".encode())
    upload.name = "f.csv"
    response = client.post("/airquality/forecasts/", {"import": "1", "file": upload})
    assert response.status_code == 200 and "第 2 行" in response.content.decode()
    assert not Forecast.objects.exists()


def test_the_openapi_document_shows_the_batch_limit(client):
    from xietong.airquality.api import MAX_BATCH

    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["ReadingsIn"]["properties"]["readings"]["maxItems"] == MAX_BATCH
