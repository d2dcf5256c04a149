"""Fixtures every app's tests share.

A small cluster (office → 太原 → 古交 → 河口镇, and 忻州) with an owner, a member,
an outsider and a user of another city, so that every view gets its "refused" test.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from xietong.core.actions import do_create_unit, do_set_membership
from xietong.core.models import Role, UnitKind

TEST_OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language (zh-Hans).

    The test client runs requests in the test's own thread, and LocaleMiddleware leaves the language of the
    last request active there; without this a test that reads a translated word would depend on which test
    ran before it on the same worker.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def cluster(db):
    """The unit tree the tests use, as a dict by short key."""
    office = do_create_unit(name="山西中部城市群建设领导小组办公室", kind=UnitKind.OFFICE, slug="office")
    taiyuan = do_create_unit(name="太原市人民政府", kind=UnitKind.CITY, parent=office, slug="taiyuan")
    gujiao = do_create_unit(name="古交市", kind=UnitKind.DISTRICT, parent=taiyuan, slug="gujiao")
    hekou = do_create_unit(name="河口镇", kind=UnitKind.TOWN, parent=gujiao, slug="hekou")
    xinzhou = do_create_unit(name="忻州市人民政府", kind=UnitKind.CITY, parent=office, slug="xinzhou")
    jinzhong = do_create_unit(name="晋中市人民政府", kind=UnitKind.CITY, parent=office, slug="jinzhong")
    return {
        "office": office,
        "taiyuan": taiyuan,
        "gujiao": gujiao,
        "hekou": hekou,
        "xinzhou": xinzhou,
        "jinzhong": jinzhong,
    }


def make_user(username, unit=None, role=Role.STAFF, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)
    if unit is not None:
        do_set_membership(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def office_user(cluster):
    return make_user("office-supervisor", cluster["office"], Role.MANAGER, first_name="督办员")


@pytest.fixture
def owner(cluster):
    """Manager of 太原: full rights over 太原 and everything under it."""
    return make_user("taiyuan-manager", cluster["taiyuan"], Role.MANAGER)


@pytest.fixture
def member(cluster):
    """Staff of 太原."""
    return make_user("taiyuan-staff", cluster["taiyuan"], Role.STAFF)


@pytest.fixture
def town_staff(cluster):
    return make_user("hekou-staff", cluster["hekou"], Role.STAFF)


@pytest.fixture
def other_city_user(cluster):
    """Staff of 忻州: a neighbour, never allowed into 太原's business."""
    return make_user("xinzhou-staff", cluster["xinzhou"], Role.MANAGER)


@pytest.fixture
def outsider(db):
    """Logged in, but a member of no unit."""
    return make_user("outsider")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def regions(db):
    """The division tables; loaded by migration, reloaded here if a transactional test flushed them."""
    from xietong.regions.loader import load_regions
    from xietong.regions.models import Region

    if not Region.objects.filter(code="14").exists():
        load_regions(Region)
    return Region


# --- browser -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is needed for browser tests ({CHROMIUM} not found): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def screenshot(page, name):
    TEST_OUTPUT.mkdir(exist_ok=True)
    path = TEST_OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page, username, password):
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


# --- Celery workers ----------------------------------------------------------------------------------------

REDIS_TEST_URL = os.environ.get("XIETONG_TEST_REDIS", "redis://127.0.0.1:6379/15")


def closed_broker_url():
    """A Redis URL on a loopback port nothing listens on: connections are refused at once."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture
def point_celery(settings):
    """`point(url, queue=None)` sends this process's tasks to the broker at `url` instead of running them inline.

    The app's connection pool is closed at each change so the next send connects to the new URL.
    """
    from xietong.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue

    def point(url, queue=None):
        app.close()
        settings.CELERY_BROKER_URL = url
        app.conf.broker_url, app.conf.task_always_eager = url, False
        if queue:
            settings.CELERY_TASK_DEFAULT_QUEUE = app.conf.task_default_queue = queue

    yield point
    app.close()
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved


def database_url_for_workers():
    """The URL of the test database as this process sees it, for worker processes to share."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return None  # an in-memory test database cannot be shared with another process
    user = s["USER"] or ""
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_workers(request):
    """Start real `celery worker` processes on a private queue; yields (queue, client app, start)."""
    import subprocess
    import sys
    import time
    import uuid

    from celery import Celery

    queue = f"test-{uuid.uuid4().hex[:8]}"
    processes = []

    def start(count=1, database_url=None, **extra_env):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xietong.settings",
            "CELERY_BROKER_URL": REDIS_TEST_URL,
            "CELERY_RESULT_BACKEND": REDIS_TEST_URL,
            "NOTIFICATION_BACKENDS": "",
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        for index in range(count):
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "xietong",
                        "worker",
                        "-Q",
                        queue,
                        "--pool=solo",
                        "-n",
                        f"{queue}-{index}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--loglevel=WARNING",
                    ],
                    env=env,
                    cwd=Path(__file__).resolve().parent.parent,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        time.sleep(0.2)

    client = Celery("xietong-test-client", broker=REDIS_TEST_URL, backend=REDIS_TEST_URL)
    client.conf.task_default_queue = queue
    yield queue, client, start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    client.close()
