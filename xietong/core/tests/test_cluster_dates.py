"""Dates are the cluster's (Asia/Shanghai), never the server's: a server on UTC is a day behind before 08:00."""

import pathlib
import re

import time_machine
from django.utils import timezone

import xietong

# The server's own clock and zone: date.today(), naive now()/utcnow() and datetime.today().
SERVER_LOCAL = re.compile(r"\bdate\.today\(\)|\bdatetime\.(?:today|utcnow)\(\)|\bdatetime\.now\(\)")


def test_no_code_reads_the_servers_local_date():
    root = pathlib.Path(xietong.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SERVER_LOCAL.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == [], "use timezone.localdate() / timezone.now(): " + ", ".join(offenders)


@time_machine.travel("2026-12-31 23:30:00+00:00", tick=False)
def test_localdate_is_the_clusters_day_before_utc_midnight_is_reached_there():
    # 23:30 UTC on New Year's Eve is already 07:30 on 1 January in the cluster.
    assert str(timezone.localdate()) == "2027-01-01"
