"""A wrong address, served as in production (DEBUG off), gets the site's own page: no URL list, no traceback."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEBUG_PAGE_MARKS = ("Traceback", "Using the URLconf", "Django tried these URL patterns", "DEBUG = True", "technical")


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """manage.py runserver with the production settings module and DEBUG=0, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="xietong.settings",
        DEBUG="0",
        SECRET_KEY="not-found-page-test-" + "x" * 40,
        # An empty database: the 404 page must not need a table to say that nothing is here.
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1",
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stdout.read().decode()) from None
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)


def fetch(url, language="zh-hans"):
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize(
    "path", ["/no-such-page/", "/supervision/no-such-page/", "/meetings/%E4%B8%8D%E5%AD%98%E5%9C%A8"]
)
def test_a_wrong_address_gets_the_sites_own_not_found_page_in_chinese(production_server, path):
    status, html = fetch(production_server + path)
    assert status == 404
    assert "<h1>未找到</h1>" in html and "返回首页" in html
    assert 'lang="zh-Hans"' in html
    for mark in DEBUG_PAGE_MARKS:
        assert mark not in html


def test_the_not_found_page_follows_the_readers_language(production_server):
    status, html = fetch(production_server + "/no-such-page/", language="en")
    assert status == 404
    assert "<h1>Not found</h1>" in html
    assert not any(mark in html for mark in DEBUG_PAGE_MARKS)
