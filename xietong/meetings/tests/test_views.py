import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.conftest import client_for, make_user
from xietong.core.models import Role
from xietong.meetings import actions
from xietong.meetings.models import Decision, Document, Meeting, MeetingState
from xietong.supervision.models import Matter


@pytest.fixture
def urls(matter, decision, agreement):
    """Every page of a meeting with its document, decision and matter: (name, path, office only)."""
    meeting = decision.meeting
    attachment = actions.do_add_attachment(
        actor=decision.created_by,
        meeting=meeting,
        uploaded=SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf"),
    )
    return [
        ("list", "/meetings/", False),
        ("documents", "/meetings/documents/", False),
        ("meeting", f"/meetings/{meeting.pk}/", False),
        ("minutes", f"/meetings/{meeting.pk}/minutes/docx/", False),
        ("document", f"/meetings/documents/{agreement.pk}/", False),
        ("decision", f"/meetings/decisions/{decision.pk}/", False),
        ("attachment", f"/meetings/{meeting.pk}/attachments/{attachment.pk}/", False),
        ("new", "/meetings/new/", True),
        ("edit", f"/meetings/{meeting.pk}/edit/", True),
        ("document-new", f"/meetings/{meeting.pk}/documents/new/", True),
        ("decision-new", f"/meetings/{meeting.pk}/decisions/new/", True),
        ("matter-new", f"/meetings/decisions/{decision.pk}/matters/new/", True),
    ]


POSTS = ["hold", "close", "agenda", "attachments"]


def test_anonymous_people_are_sent_to_log_in(urls, client):
    for _name, path, _office in urls:
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path


def test_an_outsider_is_refused_everywhere(urls, outsider, matter):
    client = client_for(outsider)
    for _name, path, _office in urls:
        assert client.get(path).status_code == 403, path
    meeting = matter.source_object.meeting
    for action in POSTS:
        assert client.post(f"/meetings/{meeting.pk}/{action}/").status_code == 403


def test_a_city_that_did_not_take_part_sees_nothing_of_the_meeting(urls, other_city_user):
    client = client_for(other_city_user)
    for name, path, office_only in urls:
        status = client.get(path).status_code
        if name in ("list", "documents"):
            assert status == 200
        else:
            assert status == (403 if office_only else 404), path
    listing = client.get("/meetings/").content.decode()
    assert "第一次市际联席会议" not in listing
    assert "合作协议" not in client.get("/meetings/documents/").content.decode()


def test_participants_read_but_only_the_office_changes(urls, member, jinzhong_staff, office_user):
    for user in (member, jinzhong_staff):
        client = client_for(user)
        for _name, path, office_only in urls:
            assert client.get(path).status_code == (403 if office_only else 200), (user, path)
    office = client_for(office_user)
    for _name, path, _office in urls:
        assert office.get(path).status_code == 200, path


def test_a_district_of_a_participating_city_can_walk_back_from_its_matter(decision, office_user, cluster):
    gujiao_staff = make_user("gujiao-staff", cluster["gujiao"], Role.STAFF)
    actions.do_create_matters_from_decision(
        actor=office_user,
        decision=decision,
        matters=[
            {
                "title": "古交段征地拆迁",
                "lead_unit": cluster["gujiao"],
                "start_date": datetime.date(2022, 8, 1),
                "due_date": datetime.date(2022, 10, 31),
                "domain": "infrastructure",
            }
        ],
    )
    client = client_for(gujiao_staff)
    assert client.get(f"/meetings/decisions/{decision.pk}/").status_code == 200
    assert client.get(f"/meetings/{decision.meeting_id}/").status_code == 200


def test_the_meeting_page_shows_agenda_documents_decisions_and_their_matters(matter, decision, member):
    html = client_for(member).get(f"/meetings/{decision.meeting_id}/").content.decode()
    expected = ["审议《山西中部城市群高质量发展市际联席会议制度》", "山西中部城市群“6+1”合作协议", decision.text]
    for text in [*expected, matter.code]:
        assert text in html
    assert "太榆连接线建设" in html
    assert f'href="/supervision/matters/{matter.pk}/"' in html  # 太原 is a co-unit: it may open it


def test_the_walk_back_in_pages_from_a_matter_to_decision_clause_and_meeting(matter, jinzhong_staff):
    client = client_for(jinzhong_staff)
    decision_url = matter.source_object.get_absolute_url()
    html = client.get(decision_url).content.decode()
    meeting = matter.source_object.meeting
    document = matter.source_object.clause.document
    assert f'id="trail-meeting">{meeting.title}' in html
    assert f'href="{document.get_absolute_url()}" id="trail-document"' in html
    assert f'href="{document.get_absolute_url()}#clause-2" id="trail-clause"' in html
    assert matter.code in html
    document_html = client.get(document.get_absolute_url()).content.decode()
    assert 'id="clause-2"' in document_html and matter.code in document_html


def test_a_city_uninvolved_in_a_matter_finds_it_on_no_meeting_page_nor_in_the_api(
    matter, decision, office_user, cluster, member
):
    # 太原 took part in the meeting but not in this matter: the matter page is a 404 for its staff, so no
    # page of the meeting may show the matter's code, title, due date or progress either.
    (jinzhong_only,) = actions.do_create_matters_from_decision(
        actor=office_user,
        decision=decision,
        matters=[
            {
                "title": "晋中段绿化",
                "lead_unit": cluster["jinzhong"],
                "start_date": datetime.date(2022, 8, 1),
                "due_date": datetime.date(2022, 10, 31),
                "domain": "infrastructure",
            }
        ],
    )
    client = client_for(member)
    assert client.get(jinzhong_only.get_absolute_url()).status_code == 404
    pages = [
        decision.meeting.get_absolute_url(),
        decision.get_absolute_url(),
        decision.clause.document.get_absolute_url(),
        "/meetings/documents/",
        "/meetings/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "晋中段绿化" not in html and jinzhong_only.code not in html, url
    # The matter 太原 shares as co-unit is still listed, with its link.
    assert matter.get_absolute_url() in client.get(decision.get_absolute_url()).content.decode()
    body = client.get(f"/api/v1/meetings/meetings/{decision.meeting_id}").json()
    assert [m["code"] for d in body["decisions"] for m in d["matters"]] == [matter.code]
    # 晋中 leads it and sees both; the office sees everything.
    for user in (cluster_staff(cluster["jinzhong"]), office_user):
        html = client_for(user).get(decision.get_absolute_url()).content.decode()
        assert "晋中段绿化" in html and jinzhong_only.get_absolute_url() in html


def cluster_staff(unit):
    return make_user(f"staff-{unit.pk}", unit, Role.STAFF)


def test_the_office_plans_a_meeting_through_the_form(office_user, cluster):
    response = client_for(office_user).post(
        "/meetings/new/",
        {
            "number": 3,
            "title": "山西中部城市群第三次市际联席会议",
            "date": "2023-07-20",
            "place": "晋中市",
            "host_unit": cluster["jinzhong"].pk,
            "participants": [cluster["taiyuan"].pk, cluster["xinzhou"].pk],
            "agenda": "通报督办事项进展\n\n审议年度工作要点\n",
        },
    )
    meeting = Meeting.objects.get(number=3)
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert [i.title for i in meeting.agenda_items.all()] == ["通报督办事项进展", "审议年度工作要点"]
    assert meeting.participants.count() == 3


@pytest.mark.parametrize("bad_date", ["2022/07/27", "27.07.2022", "2022-13-01", "明天"])
def test_a_date_not_written_yyyy_mm_dd_gets_a_clear_message(office_user, cluster, bad_date):
    response = client_for(office_user).post(
        "/meetings/new/",
        {
            "number": 2,
            "title": "联席会议",
            "date": bad_date,
            "place": "太原",
            "host_unit": cluster["taiyuan"].pk,
            "participants": [cluster["jinzhong"].pk],
        },
    )
    assert response.status_code == 200
    assert "请按 YYYY-MM-DD 填写日期" in response.content.decode()
    assert not Meeting.objects.exists()


def test_hold_and_close_through_the_page_in_order(meeting, office_user):
    client = client_for(office_user)
    response = client.post(f"/meetings/{meeting.pk}/close/", follow=True)
    assert "不能" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.PLANNED
    client.post(f"/meetings/{meeting.pk}/hold/")
    client.post(
        f"/meetings/{meeting.pk}/edit/",
        {
            "title": meeting.title,
            "date": "2022-07-27",
            "place": "太原市",
            "participants": [u.pk for u in meeting.participants.all()],
            "minutes": "会议审议通过制度并签署协议。",
        },
    )
    client.post(f"/meetings/{meeting.pk}/close/")
    assert Meeting.objects.get(pk=meeting.pk).state == MeetingState.CLOSED
    assert client.get(f"/meetings/{meeting.pk}/hold/").status_code == 405


def test_record_a_decision_through_the_form_and_empty_text_is_refused(agreement, office_user):
    meeting = agreement.adopted_at
    client = client_for(office_user)
    clause = agreement.clauses.get(number=1)
    response = client.post(f"/meetings/{meeting.pk}/decisions/new/", {"basis": f"c{clause.pk}", "text": "   "})
    assert response.status_code == 200 and not Decision.objects.exists()
    assert "errorlist" in response.content.decode()
    response = client.post(f"/meetings/{meeting.pk}/decisions/new/", {"basis": f"c{clause.pk}", "text": "五市规划衔接"})
    decision = Decision.objects.get()
    assert response["Location"] == f"/meetings/decisions/{decision.pk}/"
    assert decision.clause == clause


def test_a_signatory_that_did_not_take_part_is_refused_on_the_form(held, office_user, cluster):
    response = client_for(office_user).post(
        f"/meetings/{held.pk}/documents/new/",
        {
            "kind": "rule",
            "title": "山西中部城市群高质量发展市际联席会议制度",
            "full_text": "第一条 总则",
            "clauses": "总则\n轮值",
            "signatories": [cluster["taiyuan"].pk, cluster["xinzhou"].pk],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "忻州市人民政府" in html and "errorlist" in html
    assert not Document.objects.exists()


def test_create_a_matter_from_a_decision_through_the_form(decision, office_user, cluster):
    client = client_for(office_user)
    data = {
        "title": "太榆连接线主线贯通",
        "domain": "infrastructure",
        "sub_area": "transport",
        "lead_unit": cluster["jinzhong"].pk,
        "co_units": [cluster["taiyuan"].pk],
        "start_date": "2022-08-01",
        "due_date": "2022-12-31",
        "priority": 2,
        "reporting_frequency": "monthly",
        "milestones": "2022-09-30 路基完成\n2022-11-30 主线贯通",
    }
    bad = client.post(f"/meetings/decisions/{decision.pk}/matters/new/", {**data, "lead_unit": cluster["xinzhou"].pk})
    assert bad.status_code == 200 and "忻州市人民政府" in bad.content.decode()
    bad = client.post(f"/meetings/decisions/{decision.pk}/matters/new/", {**data, "milestones": "30.09.2022 路基"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()
    assert not Matter.objects.exists()
    response = client.post(f"/meetings/decisions/{decision.pk}/matters/new/", data)
    matter = Matter.objects.get()
    assert response.status_code == 302
    assert matter.source_object == decision and matter.code == "HY1-1-1"
    assert [m.title for m in matter.milestones.all()] == ["路基完成", "主线贯通"]


def test_an_attachment_of_a_forbidden_type_is_refused(meeting, office_user):
    client = client_for(office_user)
    response = client.post(
        f"/meetings/{meeting.pk}/attachments/",
        {"file": SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")},
        follow=True,
    )
    assert "run.exe" in response.content.decode()
    assert not meeting.attachments.exists()


def test_the_meeting_list_costs_a_fixed_number_of_queries(office_user, cluster, django_assert_max_num_queries):
    for number in range(1, 16):
        actions.do_create_meeting(
            actor=office_user,
            number=number,
            title=f"第{number}次联席会议",
            date=datetime.date(2022, 1, 1) + datetime.timedelta(days=30 * number),
            place="太原",
            host_unit=cluster["taiyuan"],
            participants=[cluster["jinzhong"]],
        )
    client = client_for(office_user)
    with django_assert_max_num_queries(10):  # with supervision's work-count query
        response = client.get("/meetings/")
    assert response.content.decode().count("次联席会议</a>") == 15


def test_the_meeting_page_costs_a_fixed_number_of_queries(matter, decision, office_user, django_assert_max_num_queries):
    client = client_for(office_user)
    client.get(f"/meetings/{decision.meeting_id}/")
    for index in range(5):
        actions.do_record_decision(
            actor=office_user, meeting=decision.meeting, text=f"决定{index}", clause=decision.clause
        )
    with django_assert_max_num_queries(20):
        assert client.get(f"/meetings/{decision.meeting_id}/").status_code == 200


def test_the_document_list_costs_a_fixed_number_of_queries(held, office_user, member, django_assert_max_num_queries):
    for index in range(8):
        actions.do_adopt_document(
            actor=office_user,
            meeting=held,
            kind="agreement",
            title=f"专项合作协议{index}",
            full_text="全文",
            clauses=["第一条", "第二条"],
            signatories=[held.host_unit],
        )
    client = client_for(member)
    with django_assert_max_num_queries(10):  # 8, a city's cached work counts and supervision's work-count query
        response = client.get("/meetings/documents/")
    assert response.content.decode().count("专项合作协议") == 8
