"""One retention purge for every workflow's personal data."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from xietong.core import personal
from xietong.core.models import PersonalDataAccess


def test_the_command_runs_every_registered_purge_and_drops_old_access_records(cluster, member):
    personal.log_access(member, cluster["hekou"], ["phone"], purpose="回访")
    PersonalDataAccess.objects.update(at=timezone.now() - timedelta(days=5000))
    personal.log_access(member, cluster["hekou"], ["phone"], purpose="回访")
    from io import StringIO

    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "core.access_log: 1" in out.getvalue()
    assert PersonalDataAccess.objects.count() == 1


def test_a_purge_name_cannot_be_taken_twice():
    import pytest

    with pytest.raises(ValueError):
        personal.register_purge("core.access_log", lambda now: 0)
