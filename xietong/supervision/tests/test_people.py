"""People on a matter: comments with @mentions, leaders' instructions (领导批示) and following (关注).

The matter of these tests is led by 太原 with 晋中 as co-unit: the office, 太原 and 晋中 see it; 忻州 and
古交's 河口镇 (below 太原, so not above the lead unit) do not.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xietong.conftest import client_for, make_user
from xietong.core.actions import do_create_unit
from xietong.core.models import Notification, Role, UnitKind
from xietong.supervision import actions
from xietong.supervision.models import Comment, CommentKind, Follow
from xietong.supervision.tests.test_api import call


def told(kind=None, **filters):
    """{username: how many notifications} of a kind."""
    rows = Notification.objects.filter(**filters)
    if kind:
        rows = rows.filter(kind=kind)
    counts = {}
    for username in rows.values_list("recipient__username", flat=True):
        counts[username] = counts.get(username, 0) + 1
    return counts


@pytest.fixture
def people(cluster, office_user, owner, member, jinzhong_staff, other_city_user, town_staff):
    return {
        "office": office_user,
        "owner": owner,
        "member": member,
        "jinzhong": jinzhong_staff,
        "xinzhou": other_city_user,
        "town": town_staff,
    }


# --- mentions -----------------------------------------------------------------------------------------------


def mentions(matter, text):
    return actions.parse_mentions(text, actions.mention_candidates(matter))


def test_a_unit_is_mentioned_without_a_space_after_its_chinese_name(led_matter, cluster, people):
    units, users = mentions(led_matter, "请@晋中市人民政府于周五前反馈，＠taiyuan-staff 汇总。")
    assert units == [cluster["jinzhong"]]
    assert users == [people["member"]]


def test_an_address_an_empty_at_and_a_trailing_at_mention_nobody(led_matter, people):
    assert mentions(led_matter, "材料发至 liaison@taiyuan.gov.cn，@ 号不算，结尾也是@") == ([], [])


def test_the_longest_name_wins_and_an_ascii_name_ends_at_a_word_boundary(led_matter, cluster, office_user, people):
    office_of_taiyuan = do_create_unit(
        name="太原市人民政府办公厅", kind=UnitKind.DEPARTMENT, parent=cluster["taiyuan"], slug="ty-office"
    )
    actions.do_update_matter(
        actor=office_user,
        matter=led_matter,
        version=led_matter.version,
        co_units=[cluster["jinzhong"], office_of_taiyuan],
    )
    assert mentions(led_matter, "@太原市人民政府办公厅牵头")[0] == [office_of_taiyuan]
    assert mentions(led_matter, "@太原市人民政府牵头")[0] == [cluster["taiyuan"]]
    with pytest.raises(ValidationError) as error:
        mentions(led_matter, "@taiyuan-staffer 请看")
    assert "@taiyuan-staffer" in error.value.message_dict["text"][0]


def test_user_names_are_matched_without_regard_to_case(led_matter, people):
    assert mentions(led_matter, "@TAIYUAN-Staff 请看")[1] == [people["member"]]


def test_only_those_who_can_see_the_matter_can_be_mentioned(led_matter, people):
    for text in ["@忻州市人民政府 请支持", "@xinzhou-staff 请看", "@河口镇", "@hekou-staff", "@无此人"]:
        with pytest.raises(ValidationError) as error:
            mentions(led_matter, text)
        assert error.value.message_dict["text"] == [f"{text.split()[0]}：未找到能查看本事项的同名单位或人员。"]


def test_a_name_two_people_share_is_refused_with_a_hint(led_matter, cluster):
    make_user("zhangwei-1", cluster["taiyuan"], Role.STAFF, first_name="伟", last_name="张")
    make_user("zhangwei-2", cluster["jinzhong"], Role.STAFF, first_name="伟", last_name="张")
    with pytest.raises(ValidationError) as error:
        mentions(led_matter, "@张伟 请看")
    assert error.value.message_dict["text"] == ["@张伟：有多个单位或人员同名，请用用户名提及人员。"]
    assert [u.username for u in mentions(led_matter, "@zhangwei-2 请看")[1]] == ["zhangwei-2"]


def test_a_person_is_mentioned_by_full_name(led_matter, cluster):
    li = make_user("li-na", cluster["jinzhong"], Role.STAFF, first_name="娜", last_name="李")
    assert mentions(led_matter, "@李娜请核实")[1] == [li]


def test_at_most_twenty_mentions(led_matter, cluster):
    names = [make_user(f"ty-{i:02d}", cluster["taiyuan"]).username for i in range(21)]
    with pytest.raises(ValidationError):
        mentions(led_matter, " ".join(f"@{n}" for n in names))
    assert len(mentions(led_matter, " ".join(f"@{n}" for n in names[:20]))[1]) == 20


# --- comments -----------------------------------------------------------------------------------------------


def test_the_mentioned_are_told_once_and_the_author_not_at_all(led_matter, cluster, people):
    jz_manager = make_user("jz-manager", cluster["jinzhong"], Role.MANAGER)
    jz_viewer = make_user("jz-viewer", cluster["jinzhong"], Role.VIEWER)
    comment = actions.do_comment(
        actor=people["member"],
        matter=led_matter,
        text="@晋中市人民政府 @jz-staff @taiyuan-staff 请核对监测点位。",
    )
    assert told("matter.mentioned") == {"jz-staff": 1, "jz-manager": 1}
    assert jz_viewer.username not in told("matter.mentioned")  # a unit's mention reaches those who act for it
    note = Notification.objects.get(kind="matter.mentioned", recipient=jz_manager)
    assert note.url.endswith(f"#comment-{comment.pk}")
    assert "taiyuan-staff" in note.title_text and led_matter.title in note.title_text
    assert list(comment.mentioned_units.all()) == [cluster["jinzhong"]]
    assert set(comment.mentioned_users.values_list("username", flat=True)) == {"jz-staff", "taiyuan-staff"}


def test_a_refused_comment_stores_and_tells_nothing(led_matter, people):
    with pytest.raises(ValidationError):
        actions.do_comment(actor=people["member"], matter=led_matter, text="@忻州市人民政府 请支持")
    with pytest.raises(ValidationError):
        actions.do_comment(actor=people["member"], matter=led_matter, text="   ")
    with pytest.raises(ValidationError):
        actions.do_comment(actor=people["member"], matter=led_matter, text="长" * 5001)
    assert not Comment.objects.exists() and not told("matter.mentioned")


def test_who_cannot_see_the_matter_cannot_comment_or_follow(led_matter, people, outsider):
    for user in (people["xinzhou"], people["town"], outsider):
        with pytest.raises(PermissionDenied):
            actions.do_comment(actor=user, matter=led_matter, text="看看")
        with pytest.raises(PermissionDenied):
            actions.do_follow(actor=user, matter=led_matter)
        client = client_for(user)
        for name in ("comment-add", "follow", "unfollow", "instruction-add"):
            url = f"/supervision/matters/{led_matter.pk}/{name.split('-')[0]}{'s' if '-' in name else ''}/"
            assert client.post(url, {"text": "看看", "leader": "王"}).status_code == 404, url
    assert not Comment.objects.exists() and not Follow.objects.exists()


def test_the_page_posts_a_comment_and_shows_hostile_text_as_text(led_matter, people):
    client = client_for(people["member"])
    url = f"/supervision/matters/{led_matter.pk}/comments/"
    response = client.post(url, {"text": "<script>alert(1)</script> @晋中市人民政府 <b>请</b>"})
    assert response.status_code == 302
    page = client.get(led_matter.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert '<span class="mention">@晋中市人民政府</span>' in page
    assert "&lt;b&gt;请&lt;/b&gt;" in page


def test_a_unit_mentioned_by_its_english_name_is_marked_up_too(led_matter, cluster, people):
    jinzhong = cluster["jinzhong"]
    jinzhong.name_en = "Jinzhong Municipal Government"
    jinzhong.save(update_fields=["name_en"])
    client = client_for(people["member"])
    url = f"/supervision/matters/{led_matter.pk}/comments/"
    assert client.post(url, {"text": "@jinzhong municipal government please reply"}).status_code == 302
    page = client.get(led_matter.get_absolute_url()).content.decode()
    assert '<span class="mention">@jinzhong municipal government</span>' in page


def test_a_refused_comment_comes_back_with_its_message(led_matter, people):
    client = client_for(people["member"])
    response = client.post(
        f"/supervision/matters/{led_matter.pk}/comments/",
        {"text": "@忻州市人民政府 请支持"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "@忻州市人民政府" in response.content.decode()


# --- leaders' instructions ----------------------------------------------------------------------------------


def test_the_office_and_a_units_leader_record_instructions_staff_do_not(led_matter, cluster, people):
    jz_manager = make_user("jz-manager", cluster["jinzhong"], Role.MANAGER)
    for user in (people["office"], people["owner"], jz_manager):
        actions.do_record_instruction(actor=user, matter=led_matter, leader="王副市长", text="抓紧推进。")
    for user in (people["member"], people["jinzhong"], people["xinzhou"]):
        with pytest.raises(PermissionDenied):
            actions.do_record_instruction(actor=user, matter=led_matter, leader="王副市长", text="抓紧推进。")
    assert Comment.objects.filter(kind=CommentKind.INSTRUCTION).count() == 3


def test_an_instruction_names_its_leader_and_reaches_every_unit_once(led_matter, cluster, people):
    with pytest.raises(ValidationError) as error:
        actions.do_record_instruction(actor=people["office"], matter=led_matter, leader=" ", text="抓紧推进。")
    assert set(error.value.message_dict) == {"leader"}
    actions.do_follow(actor=people["member"], matter=led_matter)
    actions.do_record_instruction(
        actor=people["office"], matter=led_matter, leader="李组长", text="@taiyuan-staff 本周内拿出方案。"
    )
    # 太原's staff is a participant, a follower and mentioned: told once.
    assert told("matter.instruction") == {"taiyuan-staff": 1, "taiyuan-manager": 1, "jz-staff": 1}
    assert Notification.objects.filter(kind="matter.mentioned").count() == 0


def test_instructions_are_shown_at_the_top_of_the_matter(led_matter, people):
    actions.do_record_instruction(actor=people["office"], matter=led_matter, leader="李组长", text="本周内拿出方案。")
    page = client_for(people["jinzhong"]).get(led_matter.get_absolute_url()).content.decode()
    assert page.index("本周内拿出方案") < page.index('id="facts-h"') < page.index('id="comments-h"')
    assert "李组长" in page
    assert "instruction-add" not in page and "Record a leader" not in page  # staff are not offered the form


def test_the_instruction_form_refuses_staff(led_matter, people):
    url = f"/supervision/matters/{led_matter.pk}/instructions/"
    assert client_for(people["member"]).post(url, {"leader": "王", "text": "推进"}).status_code == 403
    response = client_for(people["owner"]).post(url, {"leader": "", "text": "推进"})
    assert response.status_code == 400
    assert client_for(people["owner"]).post(url, {"leader": "王市长", "text": "推进"}).status_code == 302


# --- following ----------------------------------------------------------------------------------------------


def test_following_twice_is_following_once_and_unfollowing_is_idempotent(led_matter, people):
    actions.do_follow(actor=people["office"], matter=led_matter)
    actions.do_follow(actor=people["office"], matter=led_matter)
    assert Follow.objects.count() == 1
    actions.do_unfollow(actor=people["office"], matter=led_matter)
    actions.do_unfollow(actor=people["office"], matter=led_matter)
    assert not Follow.objects.exists()


def test_a_follower_is_told_of_each_change_once(led_matter, cluster, people, frozen_day):
    watcher = make_user("office-watcher", cluster["office"], Role.VIEWER)
    actions.do_follow(actor=watcher, matter=led_matter)
    actions.do_follow(actor=people["member"], matter=led_matter)  # also a participant: told once
    report = actions.do_submit_report(
        actor=people["jinzhong"],
        matter=led_matter,
        unit=cluster["jinzhong"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="完成选址",
        percent=40,
    )
    assert told("matter.start") == {"office-watcher": 1, "taiyuan-staff": 1}
    actions.do_review_report(actor=people["office"], report=report, accept=True)
    assert told("report.accepted") == {"office-watcher": 1, "taiyuan-staff": 1}
    led_matter.refresh_from_db()
    second = actions.do_submit_report(
        actor=people["jinzhong"],
        matter=led_matter,
        unit=cluster["jinzhong"],
        period_start=datetime.date(2022, 9, 1),
        period_end=datetime.date(2022, 9, 30),
        text="补充",
        percent=50,
    )
    actions.do_review_report(actor=people["office"], report=second, accept=False, comment="请补充证明材料")
    assert told("report.returned") == {"office-watcher": 1, "taiyuan-staff": 1, "jz-staff": 1}
    actions.do_urge(actor=people["office"], matter=led_matter, message="请加快进度")
    assert told("matter.urged") == {"office-watcher": 1, "taiyuan-staff": 1, "taiyuan-manager": 1, "jz-staff": 1}
    led_matter.refresh_from_db()
    actions.do_update_matter(
        actor=people["office"], matter=led_matter, version=led_matter.version, due_date=datetime.date(2023, 1, 31)
    )
    assert told("matter.due_date") == {"office-watcher": 1, "taiyuan-staff": 1, "taiyuan-manager": 1, "jz-staff": 1}
    note = Notification.objects.get(kind="matter.due_date", recipient=watcher)
    assert "2022-12-31" in note.title_text and "2023-01-31" in note.title_text
    extension = actions.do_request_extension(
        actor=people["member"], matter=led_matter, requested_due=datetime.date(2023, 3, 31), reason="征地延误"
    )
    actions.do_decide_extension(actor=people["office"], extension=extension, grant=True)
    assert told("extension.decided") == {"office-watcher": 1, "taiyuan-staff": 1, "taiyuan-manager": 1}
    actions.do_transition(actor=people["office"], matter=led_matter, name="suspend", reason="等待规划调整")
    assert told("matter.suspend") == {"office-watcher": 1, "taiyuan-staff": 1, "taiyuan-manager": 1, "jz-staff": 1}


def test_a_follower_is_not_told_of_their_own_change_nor_after_unfollowing(led_matter, people, frozen_day):
    actions.do_follow(actor=people["office"], matter=led_matter)
    actions.do_urge(actor=people["office"], matter=led_matter, message="请加快进度")
    assert "office-supervisor" not in told("matter.urged")
    actions.do_unfollow(actor=people["office"], matter=led_matter)
    actions.do_transition(actor=people["owner"], matter=led_matter, name="start")
    assert told("matter.start") == {}


def test_a_follower_who_can_no_longer_see_the_matter_is_not_told(led_matter, cluster, people, frozen_day):
    from xietong.core.models import Membership

    actions.do_follow(actor=people["jinzhong"], matter=led_matter)
    led_matter.refresh_from_db()
    actions.do_update_matter(actor=people["office"], matter=led_matter, version=led_matter.version, co_units=[])
    Membership.objects.filter(user=people["jinzhong"]).delete()
    actions.do_transition(actor=people["owner"], matter=led_matter, name="start")
    assert "jz-staff" not in told("matter.start")


def test_the_follow_button_follows_and_stops(led_matter, people):
    client = client_for(people["jinzhong"])
    assert "Follow (关注)" in client.get(led_matter.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert client.post(f"/supervision/matters/{led_matter.pk}/follow/").status_code == 302
    assert Follow.objects.filter(user=people["jinzhong"]).exists()
    page = client.get(led_matter.get_absolute_url()).content.decode()
    assert f"/supervision/matters/{led_matter.pk}/unfollow/" in page
    assert client.post(f"/supervision/matters/{led_matter.pk}/unfollow/").status_code == 302
    assert not Follow.objects.exists()


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_comments_records_instructions_and_follows_by_the_same_rules(led_matter, people):
    path = f"/matters/{led_matter.pk}"
    response = call(people["member"], "post", f"{path}/comments", {"text": "@晋中市人民政府 请反馈"})
    assert response.status_code == 201, response.content
    assert response.json()["mentioned_units"][0]["name"] == "晋中市人民政府"
    assert told("matter.mentioned") == {"jz-staff": 1}
    assert call(people["member"], "post", f"{path}/comments", {"text": "@忻州市人民政府"}).status_code == 422
    instruction = {"leader": "王副市长", "text": "抓紧"}
    assert call(people["member"], "post", f"{path}/instructions", instruction).status_code == 403
    assert call(people["office"], "post", f"{path}/instructions", instruction).status_code == 201
    listed = call(people["jinzhong"], "get", f"{path}/comments").json()
    assert [c["kind"] for c in listed] == ["comment", "instruction"]
    assert call(people["jinzhong"], "put", f"{path}/follow").json() == {"following": True}
    assert call(people["jinzhong"], "get", f"{path}/follow").json() == {"following": True}
    assert call(people["jinzhong"], "delete", f"{path}/follow").json() == {"following": False}
    for method in ("get", "put", "delete"):
        assert call(people["xinzhou"], method, f"{path}/follow").status_code == 404
    assert call(people["xinzhou"], "get", f"{path}/comments").status_code == 404
    assert call(people["xinzhou"], "post", f"{path}/comments", {"text": "看看"}).status_code == 404


def test_a_matter_without_people_on_it_renders_with_a_fixed_number_of_queries(
    led_matter, people, django_assert_max_num_queries
):
    client = client_for(people["jinzhong"])
    client.get(led_matter.get_absolute_url())
    for i in range(5):
        actions.do_comment(actor=people["member"], matter=led_matter, text=f"第{i}条 @晋中市人民政府 @jz-staff")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(led_matter.get_absolute_url())
    for i in range(10):
        actions.do_comment(actor=people["owner"], matter=led_matter, text=f"再{i} @taiyuan-staff")
    with CaptureQueriesContext(connection) as more:
        client.get(led_matter.get_absolute_url())
    assert len(more) == len(few)
