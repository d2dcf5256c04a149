"""Pages: members see them, an outsider is refused, anonymous goes to login; the public page is open."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xietong.conftest import client_for
from xietong.water.models import JointSampling, Statement

from .conftest import csv_text
from .test_accountability import BAD, GOOD, upload


@pytest.fixture
def data(agreement, office_user, member, jinzhong_staff):
    upload(office_user, ("FH03", "2026-07-10 10:00", *GOOD), ("FH03", "2026-08-10 10:00", *BAD))
    upload(office_user, ("FH02", "2026-08-10 10:00", 7.5, 6.0, 4.0, 15, 3, "ND", "<0.01", -1))
    from xietong.water import actions

    actions.do_record_joint_result(
        actor=member, section=agreement.section, sampled_on="2026-08-10", side="upstream", values={"nh3n": 1}
    )
    actions.do_record_joint_result(
        actor=jinzhong_staff, section=agreement.section, sampled_on="2026-08-10", side="downstream", values={"nh3n": 2}
    )
    return {"statement": Statement.objects.get(month="2026-08-01"), "joint": JointSampling.objects.get()}


def _urls(data):
    return [
        reverse("water:dashboard"),
        reverse("water:dashboard") + "?month=2026-08",
        reverse("water:monthly") + "?month=2026-08",
        reverse("water:section", args=["FH03"]),
        reverse("water:upload"),
        reverse("water:misses"),
        reverse("water:statements"),
        reverse("water:statement", args=[data["statement"].pk]),
        reverse("water:statement-xlsx", args=[data["statement"].pk]),
        reverse("water:joints"),
        reverse("water:joint", args=[data["joint"].pk]),
    ]


def test_members_see_every_page(data, member):
    client = client_for(member)
    for url in _urls(data):
        assert client.get(url).status_code == 200, url


def test_outsiders_are_refused_and_anonymous_sent_to_login(data, outsider, client):
    for url in _urls(data):
        assert client_for(outsider).get(url).status_code == 403, url
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_the_public_page_shows_classes_to_anyone(data, client):
    page = client.get(reverse("water:public") + "?month=2026-08").content.decode()
    assert 'data-section="FH03"' in page and "劣V" in page


def test_the_monthly_table_lists_sections_with_their_pollutants(data, member):
    page = client_for(member).get(reverse("water:monthly") + "?month=2026-08").content.decode()
    assert 'data-section="FH03"' in page and 'class="wq-missed"' in page
    assert "(1.50)" in page  # main pollutants: ammonia 2.5 against class III’s 1.0
    # the national report's columns: water temperature first, flow last, each with its unit
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert header.index("水温 (°C)") < header.index("pH") < header.index("总磷") < header.index("流量 (m³/s)")


def test_the_statement_downloads_and_names_every_sample(data, member):
    statement = data["statement"]
    response = client_for(member).get(reverse("water:statement-xlsx", args=[statement.pk]))
    book = load_workbook(io.BytesIO(response.content))
    facts = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert any(value == 150 for value in facts.values())
    used = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in used] == statement.sample_ids
    assert used[0][1] == "FH03"


def test_an_upload_through_the_page_reports_flags_and_the_miss(fenhe, office_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = csv_text(("FH03", "2026-07-10 10:00", *BAD), ("FH02", "2026-07-10 10:00", 7, 6, 4, 15, 3, "ND", 0.1, 1))
    page = client_for(office_user).post(
        reverse("water:upload"), {"file": SimpleUploadedFile("july.csv", text.encode())}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="upload-misses"' in body and "SZ-FH03-202607" in body


def test_a_bad_upload_is_explained_and_stores_nothing(fenhe, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = csv_text(("FH09", "2026-07-10 10:00", *BAD))
    page = client_for(member).post(reverse("water:upload"), {"file": SimpleUploadedFile("july.csv", text.encode())})
    assert page.status_code == 400 and "FH09" in page.content.decode()


def test_confirming_through_the_page(data, member):
    statement = data["statement"]
    client_for(member).post(reverse("water:statement-confirm", args=[statement.pk]))
    assert Statement.objects.get(pk=statement.pk).upstream_confirmed_at is not None


def test_an_other_city_cannot_confirm(data, other_city_user):
    statement = data["statement"]
    response = client_for(other_city_user).post(reverse("water:statement-confirm", args=[statement.pk]))
    assert response.status_code == 403


def test_the_dashboard_costs_a_fixed_number_of_queries(data, member, django_assert_max_num_queries):
    client = client_for(member)
    with django_assert_max_num_queries(16):
        client.get(reverse("water:dashboard") + "?month=2026-08")


def test_statements_and_joint_samplings_stay_between_their_two_cities(data, other_city_user, office_user):
    neighbour = client_for(other_city_user)
    for url in (
        reverse("water:statement", args=[data["statement"].pk]),
        reverse("water:statement-xlsx", args=[data["statement"].pk]),
        reverse("water:joint", args=[data["joint"].pk]),
    ):
        assert neighbour.get(url).status_code == 403, url
        assert client_for(office_user).get(url).status_code == 200, url
    assert 'data-statement="' not in neighbour.get(reverse("water:statements")).content.decode()
    assert "温南社" not in neighbour.get(reverse("water:joints")).content.decode().split("<form")[0]


@time_machine.travel(dt.datetime(2026, 9, 3, 4, tzinfo=dt.UTC), tick=False)
def test_the_pages_open_on_the_last_month_that_is_over(data, office_user, member):
    """September's first automatic samples of one section must not make the monthly report a report of
    that one section: without ?month= the pages show August, the last month that is over."""
    upload(office_user, ("FH02", "2026-09-01 04:00", *GOOD))
    page = client_for(member).get(reverse("water:monthly")).content.decode()
    assert "2026年8月" in page and 'data-section="FH03"' in page
    assert "2026年9月" in client_for(member).get(reverse("water:monthly") + "?month=2026-09").content.decode()
