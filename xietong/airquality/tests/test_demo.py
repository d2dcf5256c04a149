import datetime as dt
import io

from django.core.management import call_command

from xietong.airquality.models import AreaDay, Forecast, JointWarning, Reading, Station, StationDay
from xietong.airquality.warning_rules import levels_by_day
from xietong.core.models import Unit
from xietong.core.timeline import history


def test_the_demo_tells_the_story_of_an_orange_episode_and_loads_once(db, regions):
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    assert Station.objects.count() == 21
    assert set(Station.objects.values_list("city__slug", flat=True)) == {
        "taiyuan",
        "xinzhou",
        "lvliang",
        "jinzhong",
        "yangquan",
    }
    readings = Reading.objects.count()
    assert readings == 21 * (31 + 12) * 24
    assert Reading.objects.exclude(flags=0).exists()

    # July: ozone days; December: every city above 200 from the 17th to the 20th.
    cities = Unit.objects.filter(kind="city")
    peak = AreaDay.objects.filter(unit__in=cities, day=dt.date(2022, 12, 19))
    assert peak.count() == 5 and all(day.aqi > 200 and day.primary == "pm25" for day in peak)
    assert AreaDay.objects.filter(unit__in=cities, day__month=7, primary__contains="o3_8h", aqi__gt=100).exists()
    # One analyser was down for hours: no valid daily values for it that day.
    assert StationDay.objects.get(station__code="LL03A", day=dt.date(2022, 7, 12)).pm25 is None

    taiyuan = Unit.objects.get(slug="taiyuan")
    series = dict(Forecast.objects.filter(city=taiyuan).values_list("day", "aqi"))
    levels = levels_by_day(series, sorted(series))
    assert levels[dt.date(2022, 12, 18)] == "orange" and levels[dt.date(2022, 12, 23)] is None

    warning = JointWarning.objects.get()
    assert (warning.level, warning.state, warning.rule_set.code) == ("orange", "lifted", "shanxi-2020")
    assert warning.city_warnings.filter(acknowledged_level="orange").count() == 5
    assert [e.verb for e in history(warning)] == ["issued", *["acknowledged"] * 5, "lifted"]
    assert history(warning).first().at.date() == dt.date(2022, 12, 16)

    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    assert Reading.objects.count() == readings
    assert JointWarning.objects.count() == 1 and Forecast.objects.count() == 60
