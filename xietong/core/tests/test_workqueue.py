"""The work queue: registry, the page after login, the navigation count, and its fixed query cost."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xietong.conftest import client_for
from xietong.core import workqueue
from xietong.core.access import memberships_of
from xietong.core.models import Membership, Role


def _units_to_welcome(user, today, limit):
    """A real kind for the tests: memberships of the person's units created without a title (one count, one select)."""
    units = [m.unit_id for m in memberships_of(user) if m.role >= Role.MANAGER]
    rows = Membership.objects.filter(unit_id__in=units, title="").exclude(user=user).select_related("user", "unit")
    count = rows.count()
    items = [
        workqueue.WorkItem(
            title=m.user.username, url=reverse("home"), subtitle=m.unit.name, due=today - timedelta(days=1)
        )
        for m in rows.order_by("id")[:limit]
    ]
    return workqueue.Bucket(count, items)


@pytest.fixture
def welcome_kind():
    kind = workqueue.register(
        workqueue.WorkKind(
            key="tests.welcome",
            label="待欢迎",
            collect=_units_to_welcome,
            applies=lambda user: any(m.role >= Role.MANAGER for m in memberships_of(user)),
        )
    )
    yield kind
    workqueue.unregister(kind.key)


def test_login_lands_on_the_work_queue(cluster, client):
    from xietong.conftest import make_user

    make_user("liaison", cluster["taiyuan"], Role.STAFF)
    response = client.post(reverse("login"), {"username": "liaison", "password": "pw-liaison"})
    assert response.status_code == 302
    assert response["Location"] == reverse("work")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("work"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_kind_shows_its_items_to_whom_it_applies(welcome_kind, owner, member, other_city_user):
    page = client_for(owner).get(reverse("work")).content.decode()
    assert 'data-kind="tests.welcome"' in page
    assert "taiyuan-staff" in page
    assert "overdue" in page
    # 忻州's manager has a unit of its own with nobody else in it; 太原's staff is no manager.
    for user in (member, other_city_user):
        page = client_for(user).get(reverse("work")).content.decode()
        assert 'data-kind="tests.welcome"' not in page


def test_the_navigation_counts_the_queue(welcome_kind, owner, member, cluster):
    from xietong.conftest import make_user

    make_user("second-staff", cluster["taiyuan"], Role.STAFF)
    assert workqueue.count_for(owner) == 2
    page = client_for(owner).get(reverse("inbox")).content.decode()
    assert 'class="work-link"' in page and '<span class="badge" aria-label="待处理">2</span>' in page


def test_someone_without_a_unit_is_told_why_the_queue_is_empty(outsider):
    page = client_for(outsider).get(reverse("work")).content.decode()
    assert "不属于任何单位" in page


def test_the_queue_costs_the_same_queries_whatever_the_size(welcome_kind, owner, cluster):
    from xietong.conftest import make_user

    client = client_for(owner)
    make_user("one", cluster["taiyuan"], Role.STAFF)
    client.get(reverse("work"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("work"))
    for index in range(30):
        make_user(f"more-{index}", cluster["taiyuan"], Role.STAFF)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("work"))
    assert len(large) == len(small)
    assert "显示 20 项，共 31 项" in response.content.decode()


def test_a_kind_key_cannot_be_registered_twice(welcome_kind):
    with pytest.raises(ValueError):
        workqueue.register(workqueue.WorkKind(key="tests.welcome", label="x", collect=_units_to_welcome))


def test_overdue_is_relative_to_the_day():
    item = workqueue.WorkItem(title="t", url="/", due=date(2026, 12, 1))
    assert item.is_overdue(date(2026, 12, 2)) and not item.is_overdue(date(2026, 12, 1))


def test_kinds_that_give_their_rows_are_counted_together_in_one_query(cluster, owner, member):
    from xietong.conftest import make_user

    def rows(user, today):
        return Membership.objects.filter(unit=cluster["taiyuan"])

    def collect(user, today, limit):
        return workqueue.Bucket(rows(user, today).count(), [])

    make_user("third", cluster["taiyuan"], Role.STAFF)
    workqueue.count_for(owner)  # memberships and per-process caches are filled once per request in real use
    with CaptureQueriesContext(connection) as without:
        before = workqueue.count_for(owner)
    keys = ["tests.together_a", "tests.together_b"]
    for key in keys:
        workqueue.register(workqueue.WorkKind(key=key, label=key, collect=collect, count_query=rows))
    try:
        with CaptureQueriesContext(connection) as captured:
            # 3 memberships of 太原, counted by each of the two kinds, in the statement that counts the others
            assert workqueue.count_for(owner) == before + 6
        assert len(captured) == len(without) == 1
    finally:
        for key in keys:
            workqueue.unregister(key)


def test_a_kind_that_gives_its_rows_and_how_a_row_reads_collects_with_one_count_and_one_select(cluster, owner):
    from xietong.conftest import make_user

    make_user("third", cluster["taiyuan"], Role.STAFF)
    kind = workqueue.WorkKind(
        key="tests.rows",
        label="rows",
        count_query=lambda user, today: (
            Membership.objects.filter(unit=cluster["taiyuan"]).select_related("user").order_by("id")
        ),
        item=lambda m: workqueue.WorkItem(title=m.user.username, url="/"),
    )
    with CaptureQueriesContext(connection) as captured:
        bucket = kind.collect(owner, date(2026, 12, 1), 1)
    # the manager and the staff member of 太原: both counted, the first listed
    assert bucket.count == 2 and [i.title for i in bucket.items] == ["taiyuan-manager"] and len(captured) == 2
    assert kind.collect(owner, date(2026, 12, 1), 0).items == []
    with pytest.raises(TypeError):
        workqueue.WorkKind(key="tests.nothing", label="nothing", count_query=kind.count_query)
