"""A wrong address gets the site's own page, no URL list and no traceback: served as in production (DEBUG off)
and as `make run` serves it (DEBUG on)."""

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
def database(tmp_path_factory):
    """A migrated, empty SQLite database: the addresses below exist, and the objects they name do not."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="xietong.settings", SECRET_KEY="x" * 50, DATABASE_URL=url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return url


@pytest.fixture(scope="module", params=["0", "1"], ids=["production", "make-run"])
def server(request, database):
    """manage.py runserver with the production settings module and DEBUG=0, or DEBUG=1 as `make run` starts it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="xietong.settings",
        DEBUG=request.param,
        SECRET_KEY="not-found-page-test-" + "x" * 40,
        DATABASE_URL=database,
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
    "path",
    [
        "/no-such-page/",
        "/supervision/no-such-page/",
        "/meetings/%E4%B8%8D%E5%AD%98%E5%9C%A8",
        # Addresses that exist, naming nothing: the view raises Http404.
        "/deliberation/c/NO-SUCH-CODE/",
        "/supervision/public/NO-SUCH-MATTER/",
    ],
)
def test_a_wrong_address_gets_the_sites_own_not_found_page_in_chinese(server, path):
    status, html = fetch(server + path)
    assert status == 404
    assert "<h1>未找到</h1>" in html and "返回首页" in html
    assert 'lang="zh-Hans"' in html
    for mark in DEBUG_PAGE_MARKS:
        assert mark not in html


def test_the_not_found_page_follows_the_readers_language(server):
    status, html = fetch(server + "/no-such-page/", language="en")
    assert status == 404
    assert "<h1>Not found</h1>" in html
    assert not any(mark in html for mark in DEBUG_PAGE_MARKS)


def test_an_address_missing_its_final_slash_is_still_redirected(server):
    request = urllib.request.Request(server + "/deliberation/report")

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        urllib.request.build_opener(Keep).open(request, timeout=30)
    except urllib.error.HTTPError as error:
        assert error.code == 301 and error.headers["Location"].endswith("/deliberation/report/")
    else:
        raise AssertionError("no redirect")
