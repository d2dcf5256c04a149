import datetime as dt

import pytest

from xietong.airquality.derive import recompute
from xietong.airquality.models import CityWarning, JointWarning, Reading, WarningRuleSet
from xietong.airquality.warning_rules import seed
from xietong.conftest import browser_login, make_user, screenshot
from xietong.core.models import Role

from .conftest import feed, store, timepoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page):
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_load_state()


def test_a_city_uploads_a_csv_with_bad_rows_and_sees_them_flagged(page, stations, member):
    browser_login(page, "taiyuan-staff", "pw-taiyuan-staff")
    page.goto(page.base_url + "/airquality/readings/upload/")
    text = feed(
        ("TY01", "2022-12-10 01:00:00", 10, 30, 80, 60, 0.8, 40),
        ("TY01", "2022-12-10 02:00:00", "—", -4, 80, 60, 0.8, 40),
        ("TY02", "2022-12-10 02:00:00", 10, 30, 80, 60000, "abc", 40),
    )
    page.set_input_files("#id_file", files=[{"name": "feed.csv", "mimeType": "text/csv", "buffer": text.encode()}])
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    result = page.locator("#upload-result")
    assert "共接收 3 行" in result.inner_text()
    assert page.locator("tr[data-line='3'] td.flagged").count() == 2
    assert page.locator("tr[data-line='4'] td.flagged").count() == 2
    assert "负值" in page.locator("tr[data-line='3']").inner_text()
    assert "“abc”" in page.locator("tr[data-line='4']").inner_text()
    screenshot(page, "airquality-upload-flagged")
    assert Reading.objects.count() == 3

    # A file with a row that cannot be placed: a clear message, and nothing stored.
    bad = feed(("TY01", "2022-12-11 01:00:00", 1, 1, 1, 1, 0.1, 1), ("XZ01", "2022-12-11 01:00:00", 1, 1, 1, 1, 0.1, 1))
    page.set_input_files("#id_file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "未存储任何数据" in alert.inner_text() and "XZ01" in alert.inner_text()
    screenshot(page, "airquality-upload-refused")
    assert Reading.objects.count() == 3

    # The flagged hours on the station page.
    page.goto(page.base_url + "/airquality/stations/TY01/?day=2022-12-10")
    assert page.locator("td.aq-flag").count() == 2
    screenshot(page, "airquality-station-hours")


def test_the_office_issues_a_joint_warning_each_city_acknowledges_and_it_is_lifted(
    page, cluster, office_user, member, other_city_user
):
    seed(WarningRuleSet)
    make_user("jinzhong-staff", cluster["jinzhong"], Role.STAFF)
    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(page.base_url + "/airquality/warnings/")
    page.get_by_role("link", name="发布区域联合预警").click()
    page.select_option("#id_level", "orange")
    page.fill("#id_starts_at", "2023-01-11T00:00")
    page.fill("#id_ends_at", "2023-01-14T00:00")
    page.fill("#id_reason", "受静稳天气影响，预计11日至13日区域AQI日均值超过200。")
    page.fill("#id_measures", "工业企业执行橙色预警减排措施；高速环内禁止中重型货车通行。")
    screenshot(page, "airquality-warning-issue")
    page.get_by_role("button", name="向各城市发布").click()
    page.wait_for_load_state()
    assert "区域联合预警 " in page.locator("h1").inner_text()
    assert page.locator(".ack-state.bad").count() == 3
    log_out(page)

    # The public page shows it, on a phone, without logging in.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/airquality/public/")
    assert page.locator(".aq-public-city.aq-border-orange").count() == 3
    screenshot(page, "airquality-public-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    for username, city in [("taiyuan-staff", "太原市"), ("xinzhou-staff", "忻州市"), ("jinzhong-staff", "晋中市")]:
        browser_login(page, username, f"pw-{username}")
        page.goto(page.base_url + "/airquality/warnings/")
        buttons = page.get_by_role("button", name="代表")
        assert buttons.count() == 1  # only the user's own city
        page.get_by_role("button", name=f"代表{city}人民政府确认").click()
        page.wait_for_load_state()
        assert "已确认" in page.locator(f"tr:has-text('{city}')").inner_text()
        log_out(page)

    warning = JointWarning.objects.get()
    assert not any(cw.needs_acknowledgement for cw in CityWarning.objects.filter(joint=warning))

    browser_login(page, "office-supervisor", "pw-office-supervisor")
    page.goto(page.base_url + f"/airquality/warnings/{warning.pk}/")
    assert page.locator(".ack-state.ok").count() == 3
    page.fill("#lift_reason", "冷空气到达，预计未来48小时AQI低于150。")
    page.get_by_role("button", name="为所有城市解除").click()
    page.wait_for_load_state()
    assert "已解除" in page.locator("#warning-state").inner_text()
    timeline = page.locator(".aq-timeline").inner_text()
    for text in ("发布", "太原市人民政府", "忻州市人民政府", "晋中市人民政府", "解除"):
        assert text in timeline
    screenshot(page, "airquality-warning-lifted")
    page.goto(page.base_url + "/airquality/public/")
    assert page.locator("#no-warning").is_visible()


def test_the_dashboard_draws_its_charts(page, stations, member):
    day = dt.date(2022, 12, 1)
    rows = []
    for offset in range(20):
        current = day + dt.timedelta(days=offset)
        for index, code in enumerate(stations):
            pm25 = 40 + 12 * offset + 5 * index
            rows += [(code, timepoint(current, h), 10, 35, 90, pm25, 0.9, 30 + h) for h in range(1, 25)]
    store(feed(*rows))
    recompute([s.pk for s in stations.values()], day, day + dt.timedelta(days=19))
    browser_login(page, "taiyuan-staff", "pw-taiyuan-staff")
    page.goto(page.base_url + "/airquality/")
    page.wait_for_selector("#aq-status[data-state='done']")
    assert page.locator("#aq-status").inner_text() == "数据已加载。"
    for name in ("trend", "calendar", "breakdown", "stations"):
        assert page.locator(f"#chart-{name} canvas").count() >= 1
    screenshot(page, "airquality-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#aq-status[data-state='done']")
    screenshot(page, "airquality-dashboard-phone")


def test_the_station_tooltip_shows_names_as_text(page, stations, member, cluster):
    hostile = '<img src=x onerror="window.__xss=1">'
    station = stations["TY01"]
    station.name = "坞城" + hostile
    station.save(update_fields=["name"])
    taiyuan = cluster["taiyuan"]
    taiyuan.short_name = "太原" + hostile
    taiyuan.save(update_fields=["short_name"])
    day = dt.date(2022, 12, 1)
    store(feed(*[("TY01", timepoint(day, h), 10, 35, 90, 60, 0.9, 30) for h in range(1, 25)]))
    recompute([station.pk], day, day)
    browser_login(page, "taiyuan-staff", "pw-taiyuan-staff")
    page.goto(page.base_url + "/airquality/")
    page.wait_for_selector("#aq-status[data-state='done']")
    tip = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-stations'));
          const series = chart.getOption().series.findIndex(s => s.data.some(d => d.station.code === 'TY01'));
          const index = chart.getOption().series[series].data.findIndex(d => d.station.code === 'TY01');
          chart.dispatchAction({type: 'showTip', seriesIndex: series, dataIndex: index});
          const el = document.querySelector('#chart-stations > div:last-child');
          return {text: el.innerText, images: el.querySelectorAll('img').length};
        }"""
    )
    assert hostile in tip["text"] and tip["images"] == 0
    assert page.evaluate("window.__xss") is None


def test_the_public_page_on_a_phone_marks_a_city_whose_data_is_a_day_old(page, stations, member, cluster):
    import time_machine

    from xietong.airquality import actions

    from .conftest import CST

    now = dt.datetime(2026, 12, 1, 10, 30, tzinfo=CST)
    today, yesterday = now.date(), now.date() - dt.timedelta(days=1)
    with time_machine.travel(now, tick=True):
        rows = [("TY01", timepoint(d, h), 10, 30, 60, 70, 0.8, 40) for d in (yesterday,) for h in range(1, 25)]
        rows += [("TY01", timepoint(today, h), 10, 30, 60, 70, 0.8, 40) for h in range(1, 11)]
        # 忻州's feed stopped a day ago
        rows += [("XZ01", timepoint(yesterday, h), 10, 30, 60, 40, 0.8, 40) for h in range(1, 11)]
        store(feed(*rows))
        recompute([s.pk for s in stations.values()], yesterday, today)
        for offset in (1, 2, 3):
            actions.do_set_forecast(
                actor=member,
                city=cluster["taiyuan"],
                day=today + dt.timedelta(days=offset),
                aqi=120,
                aqi_low=90,
                primary="pm25",
            )
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(page.base_url + "/airquality/public/")
        taiyuan = page.locator(".aq-public-city[data-city='taiyuan']")
        xinzhou = page.locator(".aq-public-city[data-city='xinzhou']")
        assert (
            taiyuan.locator("[data-report='realtime'][data-state='current'] .aq-level").inner_text() == "110"
        )  # PM2.5 70: 100 + 50 × 10/55
        stale = xinzhou.locator("[data-report='realtime'][data-state='stale']")
        assert stale.is_visible() and "2026-11-30 10:00" in stale.inner_text() and "已过时" in stale.inner_text()
        assert xinzhou.locator("[data-report='realtime'][data-state='current']").count() == 0
        assert taiyuan.locator(".aq-forecast tbody tr").count() == 3
        assert "90–120" in taiyuan.locator(".aq-forecast").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, "airquality-public-stale-phone")
        page.goto(page.base_url + "/")
        assert page.locator(".aq-residents .aq-public-city").count() == 3
        screenshot(page, "home-residents-phone")


def test_the_calendar_shows_days_without_a_published_aqi_as_na(page, stations, member):
    day = dt.date(2026, 6, 1)
    # CO missing all day at the city's only reporting station: AQI withheld (NA), not a blank day
    store(feed(*[("TY01", timepoint(day, h), 10, 30, 40, 20, "—", 40) for h in range(1, 25)]))
    store(feed(*[("TY01", timepoint(day + dt.timedelta(days=1), h), 10, 30, 40, 20, 0.5, 40) for h in range(1, 25)]))
    recompute([stations["TY01"].pk], day, day + dt.timedelta(days=1))
    browser_login(page, "taiyuan-staff", "pw-taiyuan-staff")
    page.goto(page.base_url + "/airquality/?area=taiyuan&year=2026&start=2026-06-01&end=2026-06-02")
    page.wait_for_selector("#aq-status[data-state='done']")
    shown = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-calendar'));
          const series = chart.getOption().series;
          chart.dispatchAction({type: 'showTip', seriesIndex: 1, dataIndex: 0});
          const tip = document.querySelector('#chart-calendar > div:last-child').innerText;
          return {values: series[0].data.map(d => d[0]), na: series[1].data.map(d => d[0]), tip: tip};
        }"""
    )
    assert shown["values"] == ["2026-06-02"] and shown["na"] == ["2026-06-01"]
    assert "AQI NA" in shown["tip"]
    # the trend: the NA day is a grey mark under Taiyuan's legend entry, and its tooltip says NA,
    # while a city without any reading says no data
    trend = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('chart-trend'));
          const series = chart.getOption().series;
          chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 1});
          const tip = document.querySelector('#chart-trend > div:last-child').innerText;
          const naDay = chart.getOption().tooltip[0].formatter([{dataIndex: 0}]);
          return {marks: series[1].data, name: series[1].name, first: series[0].name, tip: tip, naDay: naDay};
        }"""
    )
    assert trend["marks"] == [[0, 0]] and trend["name"] == trend["first"] == "太原市"
    assert "2026-06-02" in trend["tip"] and "忻州市 AQI 无数据" in trend["tip"] and "太原市 AQI NA" not in trend["tip"]
    assert "太原市 AQI NA" in trend["naDay"] and "忻州市 AQI 无数据" in trend["naDay"]
