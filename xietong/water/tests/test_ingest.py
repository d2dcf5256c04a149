"""Samples from CSV and JSON: flags kept, never dropped; a re-sent sample replaces; a bad row stores nothing."""

import pytest

from xietong.water import actions
from xietong.water.ingest import IngestError, csv_rows, json_rows, parse_value
from xietong.water.models import Flag, MonthlyResult, Sample

from .conftest import CSV, csv_text, rows_of


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [
        ("0.5", 0.5, None),
        ("", None, None),
        ("ND", None, Flag.BELOW_DETECTION),
        ("未检出", None, Flag.BELOW_DETECTION),
        ("<0.01", 0.01, Flag.BELOW_DETECTION),
        ("0.025L", 0.025, Flag.BELOW_DETECTION),
        ("-0.2", -0.2, Flag.NEGATIVE),
        ("—", None, Flag.MISSING),
        ("abc", None, Flag.NOT_A_NUMBER),
        ("250", 250.0, Flag.IMPOSSIBLE),
        (0.3, 0.3, None),
    ],
)
def test_values_are_flagged_and_kept(text, value, flag):
    assert parse_value("nh3n", text) == (value, flag)


def test_an_upload_keeps_flagged_values_and_a_resent_sample_replaces(fenhe, office_user):
    first = actions.do_ingest_samples(
        actor=office_user,
        rows=rows_of(("FH02", "2026-07-05 10:00", 7.8, 7.1, 4.2, 16, 3.1, "ND", "<0.02", "-1")),
        source=CSV,
    )
    assert (first.created, first.replaced, first.flagged_count) == (1, 0, 1)
    sample = Sample.objects.get()
    assert sample.flags == {"nh3n": "nd", "tp": "nd", "tn": "negative"}
    assert sample.raw == {"nh3n": "ND", "tp": "<0.02", "tn": "-1"}
    assert (sample.nh3n, sample.tp, sample.tn) == (None, 0.02, -1.0)

    again = actions.do_ingest_samples(
        actor=office_user,
        rows=rows_of(("FH02", "2026-07-05 10:00", 7.8, 7.1, 4.2, 16, 3.1, 0.31, 0.12, 1.5)),
        source=CSV,
    )
    assert (again.created, again.replaced) == (0, 1)
    sample = Sample.objects.get()
    assert (sample.nh3n, sample.flags) == (0.31, {})


def test_a_bad_row_stores_nothing_and_names_every_line(fenhe, office_user):
    rows = rows_of(
        ("FH02", "2026-07-05 10:00", 7.8, 7.1, 4.2, 16, 3.1, 0.3, 0.1, 1),
        ("NOPE", "2026-07-05 10:00", 7.8, 7.1, 4.2, 16, 3.1, 0.3, 0.1, 1),
        ("FH02", "yesterday", 7.8, 7.1, 4.2, 16, 3.1, 0.3, 0.1, 1),
    )
    with pytest.raises(IngestError) as caught:
        actions.do_ingest_samples(actor=office_user, rows=rows, source=CSV)
    assert len(caught.value.problems) == 2
    assert "NOPE" in caught.value.problems[0] and "yesterday" in caught.value.problems[1]
    assert not Sample.objects.exists()


def test_a_city_may_send_only_its_own_sections(fenhe, other_city_user, member):
    rows = rows_of(("FH02", "2026-07-05 10:00", 7.8, 7.1, 4.2, 16, 3.1, 0.3, 0.1, 1))
    with pytest.raises(IngestError) as caught:
        actions.do_ingest_samples(actor=other_city_user, rows=rows, source=CSV)
    assert "无权报送FH02" in caught.value.problems[0]
    assert actions.do_ingest_samples(actor=member, rows=rows, source=CSV).created == 1


def test_chinese_headers_and_gb18030_files_are_read(fenhe):
    text = "断面编码,采样时间,pH值,溶解氧,氨氮,砷\nFH02,2026/7/5,7.6,6.2,0.4,0.004\n"
    rows = csv_rows(text.encode("gb18030"))
    assert rows[0][1]["as_"] == "0.004" and rows[0][1]["nh3n"] == "0.4"


def test_json_items_that_are_not_objects_are_named(fenhe):
    rows = json_rows([{"section": "FH02", "sampled_at": "2026-07-05", "nh3n": 0.2}, 3])
    assert isinstance(rows[1][1], str) and "2" in rows[1][1]


def test_a_file_without_the_needed_columns_is_explained():
    with pytest.raises(IngestError, match="section"):
        csv_rows(csv_text(("x",), header="nh3n"))


def test_water_temperature_and_flow_are_kept_beside_the_class_without_setting_it(fenhe, office_user):
    text = (
        "断面编码,采样时间,pH值,溶解氧,氨氮,水温,流量\n"
        "FH02,2026-07-01 08:00,7.6,6.5,0.4,24.5,31.2\n"
        "FH02,2026-07-11 08:00,7.6,6.5,0.4,212,-3\n"
    )
    result = actions.do_ingest_samples(actor=office_user, rows=csv_rows(text), source=CSV)
    first, second = Sample.objects.order_by("taken_at")
    assert (first.wt, first.flow, first.flags) == (24.5, 31.2, {})
    # 212 °C is a Fahrenheit reading, a negative flow a sign error: flagged, kept, left out of the means
    assert second.flags == {"wt": Flag.IMPOSSIBLE, "flow": Flag.NEGATIVE} and second.wt == 212
    assert result.flagged_count == 1
    month = MonthlyResult.objects.get(section=fenhe["TY"])
    assert month.means["wt"] == 24.5 and month.means["flow"] == 31.2
    assert month.grade == "II" and "wt" not in month.worst and "flow" not in month.exceeding
