"""Server time of a resident's public concern page (/deliberation/c/<code>/) with 100,000 concerns
(target p95 ≤ 50 ms).

Runs on a PostgreSQL database of its own (xietong_bench_deliberation, dropped at the end): one hall,
100,000 concerns with a "received" event each (plus "accepted" for half), 2,000 topics, and one resolved
case with its session, resolution and supervised matter, written with bulk inserts. Each page is requested
through Django's test client, anonymously, as a resident would, and the 95th percentile is printed.

Baseline, measured in the same run: the p95 of the home page requested the same way (same middleware,
session and base template), so the ratio says what the concern page costs on top of any page.
"""

import datetime
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _concerns import concerns  # noqa: E402
from _pg import drop, setup_django  # noqa: E402

N = 100_000
TOPICS = 2_000
REQUESTS = 60
WARM_UP = 5
TARGET_MS = 50


def p95(samples):
    return statistics.quantiles(samples, n=20)[-1]


def p95_ms(client, url):
    for _ in range(WARM_UP):
        client.get(url)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return p95(samples)


def main():
    database = setup_django("deliberation")
    try:
        run()
    finally:
        drop(database)


def run():
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from xietong.core.actions import do_create_unit, do_set_membership
    from xietong.core.models import Role, TimelineEvent, UnitKind
    from xietong.deliberation import actions
    from xietong.deliberation.models import Category, Concern, ConcernState, Hall, Topic

    settings.DEBUG = False
    warnings.filterwarnings("ignore", message="No directory at")
    rng = random.Random(20220727)
    started = time.perf_counter()
    office = do_create_unit(name="办公室", kind=UnitKind.OFFICE, slug="office")
    town = do_create_unit(name="河口镇", kind=UnitKind.TOWN, parent=office, slug="hekou")
    owner = do_create_unit(name="河口镇党群服务中心", kind=UnitKind.DEPARTMENT, parent=town, slug="dqfw")
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.create_user(username="m", password="x")
    do_set_membership(user=manager, unit=town, role=Role.MANAGER)
    hall = Hall.objects.create(unit=town, name="河口镇党群议事厅", slug="hekou")
    categories = [Category.objects.create(code=f"c{i}", name=f"类别{i}") for i in range(8)]
    topics = Topic.objects.bulk_create(Topic(hall=hall, title=f"议题{i}") for i in range(TOPICS))
    now = timezone.now()
    rows = []
    for i, (_label, text) in enumerate(concerns(N)):
        accepted = i % 2 == 0
        rows.append(
            Concern(
                hall=hall,
                code=f"B{i:07d}",
                text=text,
                category=categories[i % 8],
                state=ConcernState.ACCEPTED if accepted else ConcernState.RECEIVED,
                topic=topics[i % TOPICS] if accepted else None,
                received_at=now - datetime.timedelta(minutes=i),
                accept_due=datetime.date(2026, 1, 1),
                answer_due=datetime.date(2026, 1, 5),
                contact=f"139{i:08d}" if i % 3 == 0 else "",
            )
        )
    Concern.objects.bulk_create(rows, batch_size=5000)
    content_type = ContentType.objects.get_for_model(Concern)
    events = []
    for pk, state in Concern.objects.values_list("pk", "state").iterator():
        events.append(TimelineEvent(content_type=content_type, object_id=str(pk), verb="received", public=True))
        if state == ConcernState.ACCEPTED:
            events.append(TimelineEvent(content_type=content_type, object_id=str(pk), verb="accepted", public=True))
    TimelineEvent.objects.bulk_create(events, batch_size=5000)

    # One case taken all the way: session, resolution, matter.
    case = actions.do_submit_concern(hall=hall, text="主街门头招牌破旧", category=categories[0])
    topic = actions.do_create_topic(actor=manager, hall=hall, title="门头改造", concerns=[case])
    session = actions.do_schedule_session(
        actor=manager, topic=topic, title="议事会", starts_at=now, place="议事厅", invitees=[("商店", ["甲", "乙"])]
    )
    actions.do_resolve(
        actor=manager,
        session=session,
        text="统一改造",
        target_date=timezone.localdate() + datetime.timedelta(days=20),
        lead_unit=owner,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"set-up: {Concern.objects.count():,} concerns, {len(events):,} events in {time.perf_counter() - started:.1f} s"
    )

    client = Client()
    baseline = p95_ms(client, "/")
    print(f"baseline: home page p95 {baseline:.1f} ms (same middleware, session and base template)")
    urls = {
        "resolved case": f"/deliberation/c/{case.code}/",
        "accepted concern": f"/deliberation/c/B{rng.randrange(0, N, 2):07d}/",
        "received concern": f"/deliberation/c/B{rng.randrange(1, N, 2):07d}/",
    }
    for name, url in urls.items():
        value = p95_ms(client, url)
        verdict = "meets" if value <= TARGET_MS else "MISSES"
        print(
            f"public concern page, {name}: p95 {value:.1f} ms = {value / baseline:.1f} × baseline; "
            f"target {TARGET_MS} ms ({verdict})"
        )


if __name__ == "__main__":
    main()
