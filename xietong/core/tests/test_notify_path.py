"""One recipients helper, one notify path, messages rendered in the reader's language, opening reads."""

import datetime

import pytest
from django.utils import translation

from xietong.conftest import client_for, make_user
from xietong.core.models import Notification, Role
from xietong.core.notify import notify, notify_bulk, office_units, recipients, translatable, unit_name
from xietong.supervision.actions import do_create_matter, do_urge
from xietong.supervision.models import Domain


def test_recipients_counts_roles_and_units_below_only_when_asked(cluster, owner, member, town_staff, office_user):
    viewer = make_user("taiyuan-viewer", cluster["taiyuan"], Role.VIEWER)
    inactive = make_user("gone", cluster["taiyuan"], Role.MANAGER, is_active=False)
    assert set(recipients([cluster["taiyuan"]])) == {owner, member}
    assert set(recipients([cluster["taiyuan"]], min_role=Role.VIEWER)) == {owner, member, viewer}
    assert set(recipients([cluster["taiyuan"]], min_role=Role.MANAGER)) == {owner}
    assert set(recipients([cluster["taiyuan"]], below=True)) == {owner, member, town_staff}
    # The office is above 太原 but is told only when named.
    assert office_user not in recipients([cluster["taiyuan"]], below=True)
    assert recipients(office_units()) == [office_user]
    assert inactive not in recipients([cluster["taiyuan"]], min_role=Role.VIEWER)


def test_a_notification_is_shown_in_its_readers_language_not_the_actors(cluster, office_user, owner):
    english_reader = make_user("taiyuan-en", cluster["taiyuan"], Role.STAFF)
    matter = do_create_matter(
        actor=office_user,
        code="DB-T-1",
        title="太忻大道",
        lead_unit=cluster["taiyuan"],
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 12, 31),
        domain=Domain.INFRASTRUCTURE,
        assign=True,
    )
    with translation.override("zh-hans"):  # the office works in Chinese
        do_urge(actor=office_user, matter=matter, message="请本周报送")
    urged = Notification.objects.get(recipient=english_reader, kind="matter.urged")
    english = client_for(english_reader)
    english.cookies.load({"django_language": "en"})
    # The 催办单 number is an official label and stays as issued; the sentence around it is the reader's.
    assert "催办〔2026〕1号: 太忻大道, reply by " in english.get("/inbox/").content.decode()
    title = english.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()[0]["title"]
    assert title.startswith("催办〔2026〕1号: 太忻大道, reply by ")
    chinese = client_for(owner)
    assert "催办〔2026〕1号：太忻大道，请于" in chinese.get("/inbox/").content.decode()
    assert urged.body == "请本周报送"


def test_translated_parameters_follow_the_reader_too(cluster, member):
    cluster["taiyuan"].name_en = "Taiyuan"
    notify(
        [member],
        kind="t",
        message="%(city)s acknowledged warning %(code)s (%(level)s)",
        params={"city": unit_name(cluster["taiyuan"]), "code": "2026-001", "level": translatable("Orange")},
    )
    (stored,) = Notification.objects.filter(recipient=member)
    with translation.override("en"):
        assert stored.title_text == "Taiyuan acknowledged warning 2026-001 (Orange)"
    with translation.override("zh-hans"):
        assert stored.title_text == "太原市人民政府已确认预警 2026-001（橙色）"


def test_opening_a_notification_marks_it_read_and_follows_its_link(cluster, member, other_city_user):
    (mine,) = notify([member], kind="t", message="t", url="/supervision/")
    (theirs,) = notify([other_city_user], kind="t", message="t", url="/supervision/")
    client = client_for(member)
    response = client.get(f"/inbox/{mine.pk}/")
    assert response.status_code == 302 and response["Location"] == "/supervision/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    # Someone else's notification is not there for this reader, and stays unread.
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db(transaction=True)
def test_the_bulk_form_stores_keys_and_sends_after_commit(cluster, member, owner, mailoutbox):
    member.email = "m@example.org"
    member.save()
    ids = notify_bulk(
        [
            (member.pk, "reminder.due", "%(title)s: due on %(due)s", {"title": "太忻大道", "due": "2026-12-31"}, "/x/"),
            (owner.pk, "reminder.due", "%(title)s: due on %(due)s", {"title": "太忻大道", "due": "2026-12-31"}, "/x/"),
        ]
    )
    assert len(ids) == 2
    stored = Notification.objects.get(recipient=member)
    with translation.override("en"):
        assert stored.title_text == "太忻大道: due on 2026-12-31"
    assert [m.to for m in mailoutbox] == [["m@example.org"]]


def test_only_the_notify_module_stores_notifications():
    """Every notification goes through core.notify (one place that decides the inbox row and the other
    back-ends), set-based runs included: no other module creates the rows or inserts into their table."""
    import re
    from pathlib import Path

    import xietong

    table = Notification._meta.db_table
    writes = re.compile(
        r"Notification\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
        rf"|table\(Notification\)|INSERT INTO[^;]*\b{table}\b"
    )
    root = Path(xietong.__file__).resolve().parent
    writers = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.parts) and path.name != "notify.py"
        if writes.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == []
