import datetime

import pytest

from xietong.conftest import client_for, make_user
from xietong.core.models import Role
from xietong.supervision import actions
from xietong.supervision.actions import do_write_snapshots
from xietong.supervision.models import ProgressSnapshot, State
from xietong.supervision.tests.factories import deliver, make_matter

URL = "/supervision/"


def html_of(user, url=URL, **params):
    response = client_for(user).get(url, params)
    assert response.status_code == 200
    return response.content.decode(), response


def test_anonymous_is_sent_to_log_in(db, client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_outsider_is_refused(outsider):
    assert client_for(outsider).get(URL).status_code == 403


def test_another_city_sees_none_of_taiyuans_matters(led_matter, other_city_user):
    html, response = html_of(other_city_user)
    assert led_matter.title not in html
    assert response.context["card"]["total"].total == 0


def test_the_office_sees_the_scorecard_by_city_and_domain(led_matter, office_user, cluster, frozen_day):
    make_matter(office_user, cluster["gujiao"], domain="ecology", sub_area="water", title="汾河流域治理")
    make_matter(office_user, cluster["xinzhou"], domain="industry", sub_area="tourism", title="文旅线路")
    make_matter(office_user, cluster["xinzhou"], domain="industry", sub_area="", title="草稿事项", assign=False)
    html, response = html_of(office_user)
    card = response.context["card"]
    rows = {row.unit.slug: row for row in card["rows"] if row.unit}
    ecology = [d.value for d in card["domains"]].index("ecology")
    industry = [d.value for d in card["domains"]].index("industry")
    # 古交 lies under 太原: its matter counts for 太原.
    assert rows["taiyuan"].cells[ecology].total == 2
    assert rows["xinzhou"].cells[industry].total == 1  # the draft is not counted
    assert card["total"].total == 3
    assert "太原市人民政府" in html
    assert "?city=%d&amp;domain=ecology" % cluster["taiyuan"].pk in html


def test_done_overdue_and_mean_progress_per_cell(office_user, cluster, frozen_day):
    late = make_matter(office_user, cluster["taiyuan"], domain="ecology", sub_area="air", due=datetime.date(2022, 9, 1))
    done = make_matter(office_user, cluster["taiyuan"], domain="ecology", sub_area="air")
    deliver(done, office_user)
    _, response = html_of(office_user)
    card = response.context["card"]
    row = next(r for r in card["rows"] if r.unit == cluster["taiyuan"])
    cell = row.cells[[d.value for d in card["domains"]].index("ecology")]
    assert (cell.total, cell.done, cell.overdue, cell.mean_progress) == (2, 1, 1, 50)
    assert [m.pk for m in response.context["overdue"]] == [late.pk]


def test_overdue_and_due_soon_lists(office_user, cluster, frozen_day):
    make_matter(office_user, cluster["taiyuan"], title="已逾期的事项", due=datetime.date(2022, 9, 10))
    make_matter(office_user, cluster["taiyuan"], title="下周到期的事项", due=datetime.date(2022, 9, 20))
    make_matter(office_user, cluster["taiyuan"], title="年底到期的事项", due=datetime.date(2022, 12, 31))
    _, response = html_of(office_user)
    assert [m.title for m in response.context["overdue"]] == ["已逾期的事项"]
    assert [m.title for m in response.context["due_soon"]] == ["下周到期的事项"]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"domain": "ecology"}, {"太忻一体化大气污染联防联控"}),
        ({"state": State.IN_PROGRESS}, {"太原牵头推进中"}),
        ({"health": "overdue"}, {"忻州逾期事项"}),
        ({"q": "大气"}, {"太忻一体化大气污染联防联控"}),
        ({"q": "数据共享"}, {"太忻一体化大气污染联防联控"}),  # found in the description
        ({"q": "联防 太忻"}, {"太忻一体化大气污染联防联控"}),  # every fragment must match
    ],
)
def test_filters(led_matter, office_user, cluster, params, expected):
    ongoing = make_matter(office_user, cluster["gujiao"], title="太原牵头推进中", domain="industry", sub_area="")
    actions.do_transition(actor=office_user, matter=ongoing, name="start")
    make_matter(office_user, cluster["xinzhou"], title="忻州逾期事项", due=datetime.date(2022, 9, 1))
    _, response = html_of(office_user, **params)
    titles = {m.title for m in response.context["overdue"]} | {m.title for m in response.context["due_soon"]}
    listed = set(
        client_for(office_user)
        .get("/supervision/matters/", params)
        .context["page"]
        .object_list.values_list("title", flat=True)
    )
    assert listed == expected
    assert titles <= expected
    assert response.context["card"]["total"].total == len(expected)


def test_filter_by_city_and_by_lead_unit(led_matter, office_user, cluster):
    in_gujiao = make_matter(office_user, cluster["gujiao"], title="古交牵头")
    make_matter(office_user, cluster["xinzhou"], title="忻州牵头")
    _, response = html_of(office_user, city=cluster["taiyuan"].pk)
    assert response.context["card"]["total"].total == 2
    _, response = html_of(office_user, lead_unit=cluster["gujiao"].pk)
    assert response.context["card"]["total"].total == 1
    listed = client_for(office_user).get("/supervision/matters/", {"lead_unit": cluster["gujiao"].pk})
    assert [m.pk for m in listed.context["page"]] == [in_gujiao.pk]


def test_a_filter_that_does_not_fit_is_left_out_with_a_note(led_matter, office_user):
    html, response = html_of(office_user, domain="no-such-domain", city="abc")
    assert response.context["card"]["total"].total == 1
    assert "这些筛选条件无法识别，已忽略" in html


def test_htmx_gets_only_the_results(led_matter, office_user):
    response = client_for(office_user).get(URL, {"q": "大气"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"') or 'id="results"' in html[:200]
    assert "<html" not in html


def test_trend_from_snapshots_per_city(led_matter, office_user, member, town_staff, cluster, frozen_day):
    do_write_snapshots(day=frozen_day - datetime.timedelta(days=1))
    do_write_snapshots(day=frozen_day)
    _, response = html_of(office_user)
    trend = response.context["trend"]
    assert trend["dates"] == ["2022-09-14", "2022-09-15"]
    names = [s["name"] for s in trend["series"]]
    assert names[:3] == ["太原市人民政府", "忻州市人民政府", "晋中市人民政府"] and names[-1] == "全部城市"
    assert 'id="trend-chart"' in response.content.decode()
    # A city sees its own line only; a town's staff no whole-city figures at all.
    _, response = html_of(member)
    assert [s["name"] for s in response.context["trend"]["series"]] == ["太原市人民政府"]
    _, response = html_of(town_staff)
    assert response.context["trend"]["series"] == []


def test_the_city_filter_narrows_the_trend(led_matter, office_user, cluster, frozen_day):
    do_write_snapshots(day=frozen_day)
    _, response = html_of(office_user, city=cluster["xinzhou"].pk)
    assert [s["name"] for s in response.context["trend"]["series"]] == ["忻州市人民政府"]


def build(count, office_user, cluster, reporter):
    units = [cluster["taiyuan"], cluster["gujiao"], cluster["xinzhou"], cluster["jinzhong"]]
    domains = ["ecology", "industry", "planning", "factors"]
    for i in range(count):
        matter = make_matter(
            office_user,
            units[i % 4],
            co_units=[cluster["hekou"]] if i % 4 == 2 else [],
            domain=domains[i % 4],
            sub_area="",
            due=datetime.date(2022, 9, 1) if i % 3 == 0 else datetime.date(2022, 9, 20),
        )
        if i % 4 == 0:
            actions.do_submit_report(
                actor=reporter,
                matter=matter,
                unit=cluster["taiyuan"],
                period_start=datetime.date(2022, 9, 1),
                period_end=datetime.date(2022, 9, 30),
                text="进展",
                percent=30,
            )
    do_write_snapshots(day=datetime.date(2022, 9, 14))
    do_write_snapshots(day=datetime.date(2022, 9, 15))


@pytest.mark.parametrize(
    "url", [URL, URL + "?domain=ecology&q=太", "/supervision/matters/", "/supervision/matters/?page=2"]
)
def test_query_count_does_not_grow_with_the_matters(
    office_user, owner, cluster, frozen_day, url, django_assert_max_num_queries
):
    def count_queries():
        client = client_for(office_user)
        client.get(url)  # the first request of a session fills per-process caches
        # 15: two of them count the 催办单 (the scorecard's cells, the units most urged).
        with django_assert_max_num_queries(15) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    build(5, office_user, cluster, owner)
    few = count_queries()
    build(25, office_user, cluster, owner)
    assert count_queries() == few


def test_a_city_viewers_dashboard_query_count_is_flat_too(
    owner, office_user, cluster, frozen_day, django_assert_max_num_queries
):
    viewer = make_user("ty-viewer", cluster["taiyuan"], Role.VIEWER)

    def count_queries():
        client = client_for(viewer)
        client.get(URL)
        with django_assert_max_num_queries(15) as captured:
            client.get(URL)
        return len(captured)

    build(5, office_user, cluster, owner)
    few = count_queries()
    build(25, office_user, cluster, owner)
    assert count_queries() == few
    assert ProgressSnapshot.objects.count() == 6


def test_search_ignores_case_for_latin_letters(led_matter, office_user):
    code = led_matter.code.lower()
    listed = client_for(office_user).get("/supervision/matters/", {"q": code}).context["page"]
    assert [m.pk for m in listed] == [led_matter.pk]


def test_filtering_by_city_leaves_only_that_citys_row(led_matter, office_user, cluster):
    _, response = html_of(office_user, city=cluster["xinzhou"].pk)
    assert [row.unit for row in response.context["card"]["rows"]] == [cluster["xinzhou"]]


def test_the_scorecard_and_the_dashboard_count_urgings(office_user, cluster, frozen_day):
    from xietong.supervision import actions
    from xietong.supervision.dashboard import Filters, counted_matters, scorecard
    from xietong.supervision.tests.factories import make_matter

    taiyuan, jinzhong = cluster["taiyuan"], cluster["jinzhong"]
    first = make_matter(office_user, taiyuan, domain="ecology", sub_area="air")
    second = make_matter(office_user, jinzhong, co_units=[taiyuan])
    actions.do_urge(actor=office_user, matter=first, message="请加快进度。")
    actions.do_urge(actor=office_user, matter=first, message="请报送进展。")
    actions.do_urge(actor=office_user, matter=second, message="请协调推进。", unit=taiyuan)
    card = scorecard(counted_matters(office_user, Filters()), [taiyuan, jinzhong], frozen_day)
    by_city = {row.unit.pk: row for row in card["rows"]}
    ecology = [d.value for d in card["domains"]].index("ecology")
    assert by_city[taiyuan.pk].cells[ecology].urgings == 2
    assert (by_city[taiyuan.pk].total.urgings, by_city[jinzhong.pk].total.urgings, card["total"].urgings) == (2, 1, 3)
    page = client_for(office_user).get(URL, headers={"accept-language": "en"}).content.decode()
    table = page.split('id="urged-units"')[1].split("</table>")[0]
    # 太原 was urged three times: twice as lead unit, once for its part of 晋中's matter.
    assert '<th scope="row">太原市人民政府</th><td data-label="催办单">3</td>' in table
