"""Stations in three cities of the shared `cluster` fixture, and helpers to write feed files."""

import datetime as dt
import zoneinfo

import pytest

from xietong.airquality.ingest import csv_rows, ingest
from xietong.airquality.models import Source, Station

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
HEADER = "stationcode,timepoint,so2,no2,pm10,pm2_5,co,o3"


@pytest.fixture
def stations(cluster):
    def make(code, name, city, lat, lon):
        return Station.objects.create(code=code, name=name, city=cluster[city], latitude=lat, longitude=lon)

    return {
        "TY01": make("TY01", "坞城", "taiyuan", "37.8500", "112.5700"),
        "TY02": make("TY02", "尖草坪", "taiyuan", "37.9400", "112.4900"),
        "XZ01": make("XZ01", "忻州古城", "xinzhou", "38.4100", "112.7300"),
        "JZ01": make("JZ01", "榆次锦纶厂", "jinzhong", "37.6900", "112.7300"),
    }


def feed(*rows, header=HEADER):
    """CSV text of the national feed: rows as tuples (stationcode, timepoint, so2, no2, pm10, pm2_5, co, o3)."""
    return "\n".join([header, *(",".join(str(v) for v in row) for row in rows)]) + "\n"


def hour(day, hour_ending):
    """The aware instant that ends hour `hour_ending` (1…24) of `day`."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=CST) + dt.timedelta(hours=hour_ending)


def timepoint(day, hour_ending):
    return hour(day, hour_ending).strftime("%Y-%m-%d %H:%M:%S")


def store(text, user=None, recompute=False):
    return ingest(csv_rows(text), user=user, source=Source.CSV, filename="test.csv", recompute=recompute)
