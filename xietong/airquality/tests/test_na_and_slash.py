"""NA (missing or invalid) and "/" (outside the station's monitoring programme) stay distinct on
every page and in the API (HJ 633-2026 5.3.1)."""

import datetime as dt

import pytest

from xietong.airquality.derive import recompute
from xietong.conftest import client_for

from .conftest import feed, store, timepoint

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def days(stations):
    """TY01 does not measure CO; XZ01 does but sent none; both low otherwise (AQI ≤ 100)."""
    stations["TY01"].programme = "so2,no2,pm10,pm25,o3"
    stations["TY01"].save(update_fields=["programme"])
    rows = []
    for code in ("TY01", "XZ01"):
        rows += [(code, timepoint(DAY, h), 20, 40, 40, 20, "—", 60) for h in range(1, 25)]
    store(feed(*rows))
    recompute([stations["TY01"].pk, stations["XZ01"].pk], DAY, DAY)
    return stations


def cells(html, marker):
    """The text of the table row that starts with `marker`."""
    start = html.index(marker)
    return html[start : html.index("</tr>", start)]


def test_the_station_page_shows_slash_for_unmonitored_and_na_for_missing(days, member):
    client = client_for(member)
    outside = client.get(f"/airquality/stations/TY01/?day={DAY}").content.decode()
    missing = client.get(f"/airquality/stations/XZ01/?day={DAY}").content.decode()
    # daily table: TY01 publishes its AQI, CO is "/"; XZ01's CO is NA and so is its AQI
    assert 'class="aq-slash"' in cells(outside, f'data-day="{DAY}"')
    assert 'class="aq-na"' not in cells(outside, f'data-day="{DAY}"')
    row = cells(missing, f'data-day="{DAY}"')
    assert row.count('class="aq-na"') == 2 and 'class="aq-slash"' not in row
    # hourly table: the same distinction hour by hour
    assert 'class="aq-slash"' in cells(outside, 'data-hour="1"')
    assert 'class="aq-slash"' not in cells(missing, 'data-hour="1"') and "NA" in cells(missing, 'data-hour="1"')
    assert "CO" in outside[outside.index('id="programme"') :][:200]


def test_the_api_gives_na_and_slash(days, member):
    client = client_for(member)
    url = f"/api/v1/airquality/stations/{{}}/days?start={DAY}&end={DAY}"
    (outside,) = client.get(url.format("TY01")).json()
    (missing,) = client.get(url.format("XZ01")).json()
    assert outside["values"]["co"] == "/" and outside["iaqi"]["co"] == "/" and isinstance(outside["aqi"], int)
    assert missing["values"]["co"] == "NA" and missing["iaqi"]["co"] == "NA" and missing["aqi"] == "NA"
    assert outside["values"]["pm25"] == 20 and "o3" not in outside["iaqi"]  # 2026: no 1-hour O3 sub-index
    stations = {s["code"]: s for s in client.get("/api/v1/airquality/stations").json()["stations"]}
    assert stations["TY01"]["not_monitored"] == ["co"] and stations["XZ01"]["not_monitored"] == []
    assert client_for(None).get(url.format("TY01")).status_code == 401


def test_the_station_list_shows_na(days, member):
    html = client_for(member).get("/airquality/stations/").content.decode()
    assert 'class="aq-level aq-na"' in cells(html, 'data-station="XZ01"')


def test_the_daily_series_tells_na_from_no_data(days, member):
    """The trend chart's source: a city whose AQI is withheld is NA that day; the day before,
    with no reading at all, is no data, and so is every day of a city without readings."""
    before = DAY - dt.timedelta(days=1)
    answer = client_for(member).get(f"/api/v1/airquality/daily?start={before}&end={DAY}").json()
    series = {s["unit"]: s for s in answer["series"]}
    assert series["xinzhou"]["aqi"] == [None, None] and series["xinzhou"]["na"] == [False, True]
    assert series["jinzhong"]["aqi"] == [None, None] and series["jinzhong"]["na"] == [False, False]
