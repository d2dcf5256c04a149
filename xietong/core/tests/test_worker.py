"""A real Celery worker process, against Redis on 127.0.0.1:6379."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xietong.conftest import database_url_for_workers

pytestmark = pytest.mark.worker


def test_a_real_worker_completes_a_task(celery_workers):
    queue, client, start = celery_workers
    start(1)
    result = client.send_task("xietong.core.ping", queue=queue)
    assert result.get(timeout=30)["pong"] is True


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_to_the_shared_database(celery_workers, cluster, member):
    url = database_url_for_workers()
    if url is None:
        pytest.skip("an in-memory SQLite test database cannot be shared with a worker process; runs on PostgreSQL")
    from xietong.core import personal
    from xietong.core.models import PersonalDataAccess

    personal.log_access(member, cluster["hekou"], ["phone"])
    PersonalDataAccess.objects.update(at=timezone.now() - timedelta(days=5000))
    personal.log_access(member, cluster["hekou"], ["phone"])
    queue, client, start = celery_workers
    start(1, database_url=url)
    assert client.send_task("xietong.core.purge_personal_data", queue=queue).get(timeout=30)["core.access_log"] == 1
    assert PersonalDataAccess.objects.count() == 1
