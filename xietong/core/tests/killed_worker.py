"""A Celery task whose worker process is killed in the middle: delivered again, it must complete exactly once.

The test holds a database lock the task needs (a row or an advisory lock, in its own connection), so the task
starts, opens its transaction and waits there; the prefork pool process running it is then killed with SIGKILL.
With acks late and reject-on-worker-lost (settings.py) the broker delivers the task again to the pool's new
process, which waits on the same lock; the lock is released and the test checks what the task wrote.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from celery import Celery

from xietong.conftest import REDIS_TEST_URL

ROOT = Path(__file__).resolve().parents[3]


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def waiting_on_a_lock(url):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()[0]


def until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def run_killed_once(url, task, args, hold):
    """Run `task(*args)` on a real prefork worker, kill its process mid-task once; return the task's result.

    `hold(connection)` takes, in that open transaction, the lock the task will wait on.
    """
    queue = f"test-lost-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xietong.settings",
        "CELERY_BROKER_URL": REDIS_TEST_URL,
        "CELERY_RESULT_BACKEND": REDIS_TEST_URL,
        "DATABASE_URL": url,
        "NOTIFICATION_BACKENDS": "",
        "LOG_LEVEL": "ERROR",
    }
    # A prefork worker: its pool process runs the task, the main process sees it die and requeues the task.
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "xietong", "worker", "-Q", queue, "--pool=prefork"]
        + ["--concurrency=1", "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=ERROR"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Celery("xietong-test-client", broker=REDIS_TEST_URL, backend=REDIS_TEST_URL)
    lock = psycopg.connect(url)
    try:
        hold(lock)
        result = client.send_task(task, args=args, queue=queue)
        until(lambda: waiting_on_a_lock(url) >= 1)
        [first] = children(worker.pid)
        os.kill(first, signal.SIGKILL)
        # The pool starts a new process; the task is delivered again and waits on the lock again.
        until(lambda: children(worker.pid) and children(worker.pid) != [first] and waiting_on_a_lock(url) >= 1)
        lock.rollback()
        return result.get(timeout=60)
    finally:
        lock.close()
        worker.terminate()
        worker.wait(timeout=30)
        client.close()
