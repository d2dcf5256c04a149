import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from xietong.airquality.ingest import IngestError, check_value, json_rows
from xietong.airquality.ingest import ingest as ingest_rows
from xietong.airquality.models import Flag, IngestBatch, Reading, Source
from xietong.core.models import TimelineEvent

from .conftest import CST, feed, store

GOOD = ("TY01", "2022-07-01 01:00:00", 8, 21, 45, 23, 0.6, 88)


def test_a_row_is_stored_at_the_end_of_its_hour_in_local_time(stations):
    result = store(feed(GOOD))
    reading = Reading.objects.get()
    assert reading.at == dt.datetime(2022, 7, 1, 1, tzinfo=CST)
    assert reading.day == dt.date(2022, 7, 1)
    assert (reading.so2, reading.no2, reading.pm10, reading.pm25, reading.co, reading.o3) == (8, 21, 45, 23, 0.6, 88)
    assert reading.flags == 0 and reading.station == stations["TY01"]
    assert (result.received, result.created, result.replaced, result.flagged_count) == (1, 1, 0, 0)


def test_the_hour_ending_at_midnight_belongs_to_the_day_it_closes(stations):
    store(feed(("TY01", "2022-07-01 24:00", 1, 1, 1, 1, 0.1, 1), ("TY01", "2022/7/2 0:00", 2, 2, 2, 2, 0.2, 2)))
    # "24:00" of July 1 and "00:00" of July 2 are the same hour: the later line replaced the earlier one.
    reading = Reading.objects.get()
    assert reading.at == dt.datetime(2022, 7, 2, 0, tzinfo=CST)
    assert reading.day == dt.date(2022, 7, 1)
    assert reading.so2 == 2


def test_an_explicit_offset_is_honoured(stations):
    store(feed(("TY01", "2022-07-01T05:00:00Z", 8, 21, 45, 23, 0.6, 88)))
    assert Reading.objects.get().at == dt.datetime(2022, 7, 1, 13, tzinfo=CST)


def test_resending_a_station_hour_replaces_it_never_duplicates_it(stations):
    store(feed(GOOD))
    result = store(feed(("TY01", "2022-07-01 01:00:00", 9, 21, 45, 23, 0.6, 88)))
    assert Reading.objects.count() == 1
    assert Reading.objects.get().so2 == 9
    assert (result.created, result.replaced, result.unchanged) == (0, 1, 0)

    again = store(feed(("TY01", "2022-07-01 01:00:00", 9, 21, 45, 23, 0.6, 88)))
    assert (again.created, again.replaced, again.unchanged) == (0, 0, 1)
    assert again.station_ids == []  # nothing to recompute


def test_bad_values_are_flagged_and_kept_with_the_row(stations):
    result = store(
        feed(
            GOOD,
            ("TY01", "2022-07-01 02:00:00", "—", -3, 45, 99999, "abc", ""),
            ("TY02", "2022-07-01 02:00:00", 8, 21, 45, 23, 0.6, 88),
        )
    )
    assert Reading.objects.count() == 3
    bad = Reading.objects.get(at=dt.datetime(2022, 7, 1, 2, tzinfo=CST), station=stations["TY01"])
    assert bad.flag_codes == {
        "so2": Flag.MISSING,
        "no2": Flag.NEGATIVE,
        "pm25": Flag.IMPOSSIBLE,
        "co": Flag.NOT_A_NUMBER,
        "o3": Flag.MISSING,
    }
    assert (bad.so2, bad.no2, bad.pm10, bad.pm25, bad.co, bad.o3) == (None, -3, 45, 99999, None, None)
    assert bad.raw == {"co": "abc"}

    assert result.flagged_count == 1
    [row] = result.flagged
    assert (row.line, row.station, row.timepoint) == (3, "TY01", "2022-07-01 02:00:00")
    assert row.flags["pm25"] == Flag.IMPOSSIBLE and row.values["pm25"] == "99999" and row.values["co"] == "abc"
    assert IngestBatch.objects.get().rows_flagged == 1


def test_a_repeated_station_hour_in_one_file_is_reported_and_the_later_line_wins(stations):
    result = store(feed(GOOD, ("TY01", "2022-07-01 01:00:00", 10, 21, 45, 23, 0.6, 88)))
    assert Reading.objects.get().so2 == 10
    assert result.duplicates == 1
    assert "2" in result.flagged[0].note and result.flagged[0].line == 3


@pytest.mark.parametrize(
    "row, message",
    [
        (("NOPE", "2022-07-01 01:00:00", 1, 1, 1, 1, 0.1, 1), "Unknown station code “NOPE”"),
        (("", "2022-07-01 01:00:00", 1, 1, 1, 1, 0.1, 1), "station code is empty"),
        (("TY01", "yesterday", 1, 1, 1, 1, 0.1, 1), "is not a date and hour"),
        (("TY01", "2022-02-30 01:00", 1, 1, 1, 1, 0.1, 1), "is not a date and hour"),
        (("TY01", "2022-07-01 01:30", 1, 1, 1, 1, 0.1, 1), "is not on the hour"),
        (("TY01", "2022-07-01 01:00", 1, 1), "has 4 fields where the header has 8"),
    ],
)
def test_a_row_that_cannot_be_placed_rejects_the_whole_file(stations, settings, row, message):
    settings.LANGUAGE_CODE = "en"
    store(feed(("TY01", "2022-07-01 01:00:00", 5, 5, 5, 5, 0.5, 5)))
    with pytest.raises(IngestError) as caught:
        store(feed(("TY01", "2022-07-01 01:00:00", 6, 6, 6, 6, 0.6, 6), GOOD, row))
    assert caught.value.problems[0][0] == 4 and message in caught.value.problems[0][1]
    assert "Nothing was stored" in caught.value.message
    # What was stored before is untouched, and no delivery was recorded.
    assert list(Reading.objects.values_list("so2", flat=True)) == [5]
    assert IngestBatch.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not readable text"),
        (b"stationcode,so2\nTY01,3\n", "missing: timepoint"),
        (b"stationcode,timepoint,temperature\nTY01,2022-07-01 01:00,3\n", "No pollutant column"),
        (b"stationcode,timepoint,so2\n", "header but no readings"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(stations, settings, data, message):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(IngestError) as caught:
        store(data)
    assert message in caught.value.message
    assert Reading.objects.count() == 0 and IngestBatch.objects.count() == 0


def test_messages_are_in_chinese_by_default(stations):
    with pytest.raises(IngestError) as caught:
        store(feed(("NOPE", "2022-07-01 01:00:00", 1, 1, 1, 1, 0.1, 1)))
    assert "未存储" in caught.value.message or "没有" in caught.value.message
    assert "NOPE" in caught.value.problems[0][1] and "站点" in caught.value.problems[0][1]


def test_a_gb18030_file_with_chinese_headers_and_extra_columns_is_read(stations):
    text = (
        "监测点编码,时间,position_name,aqi,so2,no2,pm10,PM2.5,co,o3\n"
        "TY01,2022-07-01 01:00:00,坞城,60,8,21,45,23,0.6,88\n"
    )
    store(text.encode("gb18030"))
    assert Reading.objects.get().pm25 == 23


def test_a_missing_pollutant_column_flags_that_pollutant_missing(stations):
    store("stationcode,timepoint,pm2_5\nTY01,2022-07-01 01:00:00,23\n")
    reading = Reading.objects.get()
    assert reading.pm25 == 23 and set(reading.flag_codes) == {"so2", "no2", "pm10", "co", "o3"}


def test_json_rows_take_numbers_strings_and_nulls(stations):
    items = [
        {
            "stationcode": "TY01",
            "timepoint": "2022-07-01 01:00:00",
            "so2": 8,
            "no2": "21",
            "pm10": None,
            "pm2_5": 23.5,
            "co": "—",
            "o3": True,
        },
    ]
    ingest_rows(json_rows(items), source=Source.API, recompute=False)
    reading = Reading.objects.get()
    assert (reading.so2, reading.no2, reading.pm25) == (8, 21, 23.5)
    assert reading.flag_codes == {"pm10": Flag.MISSING, "co": Flag.MISSING, "o3": Flag.NOT_A_NUMBER}


def test_value_checks():
    assert check_value("so2", " 12.5 ") == (12.5, Flag.OK, None)
    assert check_value("so2", "0") == (0.0, Flag.OK, None)
    assert check_value("co", 150) == (150.0, Flag.OK, None)
    assert check_value("co", 150.1) == (150.1, Flag.IMPOSSIBLE, None)
    assert check_value("o3", "nan")[1] == Flag.MISSING
    assert check_value("o3", "inf")[1] == Flag.NOT_A_NUMBER
    assert check_value("o3", "-0.5") == (-0.5, Flag.NEGATIVE, None)


# --- who may upload ---------------------------------------------------------------------------------------


def test_city_staff_upload_their_own_stations(stations, member):
    store(feed(GOOD, ("TY02", "2022-07-01 01:00:00", 8, 21, 45, 23, 0.6, 88)), user=member)
    assert Reading.objects.count() == 2


def test_city_staff_cannot_upload_another_citys_station(stations, member, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(IngestError) as caught:
        store(feed(GOOD, ("XZ01", "2022-07-01 01:00:00", 8, 21, 45, 23, 0.6, 88)), user=member)
    assert "You may not upload readings for station XZ01" in caught.value.problems[0][1]
    assert Reading.objects.count() == 0


@pytest.mark.parametrize("who", ["town_staff", "outsider", "other_city_user"])
def test_others_cannot_upload_taiyuan_stations(stations, request, who):
    with pytest.raises(IngestError):
        store(feed(GOOD), user=request.getfixturevalue(who))
    assert Reading.objects.count() == 0


def test_the_office_uploads_for_every_city(stations, office_user):
    store(feed(GOOD, ("XZ01", "2022-07-01 01:00:00", 8, 21, 45, 23, 0.6, 88)), user=office_user)
    assert Reading.objects.count() == 2


def test_a_delivery_is_recorded_on_the_timeline(stations, member):
    store(feed(GOOD), user=member)
    event = TimelineEvent.objects.get(verb="readings_received")
    assert event.actor == member and event.changes["created"] == 1


# --- the management command takes the same path -------------------------------------------------------------


def test_the_command_stores_a_file(stations, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(feed(GOOD, ("TY01", "2022-07-01 02:00:00", "—", 21, 45, 23, 0.6, 88)), encoding="utf-8")
    out = io.StringIO()
    call_command("ingest_readings", str(path), "--no-recompute", stdout=out)
    assert Reading.objects.count() == 2
    assert "2 new" in out.getvalue() and "line 3" in out.getvalue()
    assert IngestBatch.objects.get().source == Source.COMMAND


def test_the_command_refuses_a_bad_file_and_stores_nothing(stations, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"
    path = tmp_path / "feed.csv"
    path.write_text(feed(GOOD, ("NOPE", "2022-07-01 02:00:00", 1, 1, 1, 1, 0.1, 1)), encoding="utf-8")
    with pytest.raises(CommandError, match="line 3: Unknown station code"):
        call_command("ingest_readings", str(path), stdout=io.StringIO())
    assert Reading.objects.count() == 0


def test_the_command_reads_json(stations, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('[{"station_code": "TY01", "time_point": "2022-07-01 01:00:00", "pm2_5": 30}]')
    call_command("ingest_readings", str(path), "--no-recompute", stdout=io.StringIO())
    assert Reading.objects.get().pm25 == 30


def test_text_that_is_not_a_number_is_kept_exactly(stations):
    store('stationcode,timepoint,so2,no2\nTY01,2022-07-01 01:00:00,"a\\b ""c""\t",1_000\n')
    reading = Reading.objects.get()
    assert reading.raw == {"so2": 'a\\b "c"'} and reading.flag_codes["so2"] == Flag.NOT_A_NUMBER
    assert reading.no2 == 1000
