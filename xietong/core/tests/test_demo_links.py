"""Every role sees something true: each demo account follows every link its pages show, and none answers 403
(a link the person may not use), 500, 404 or a log-in page. Pages are reached by following links from the
work queue and the home page, as a person would; each named route is tried with a few of its links."""

import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from xietong.core.demo import ACCOUNTS

HREF = re.compile(r'href="([^"]+)"')
# Links that are not pages: assets, the admin (its own permissions and log-in), leaving the session.
SKIP = ("/static/", "/media/", "/admin/", "/logout/", "/api/v1/docs")
PER_ROUTE = 2
MAX_PAGES = 220


def walk(client, starts):
    """{url: (status, location, page that linked it)} of the pages reached from `starts` by following links,
    each route at most PER_ROUTE times."""
    seen, per_route, statuses = set(starts), {}, {}
    queue = deque((url, "") for url in starts)
    while queue and len(statuses) < MAX_PAGES:
        url, referrer = queue.popleft()
        response = client.get(url)
        statuses[url] = (response.status_code, response.get("Location", ""), referrer)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            if not href.startswith("/") or href.startswith("//") or href.startswith(SKIP) or href in seen:
                continue
            try:
                name = resolve(urlsplit(href).path).view_name
            except Resolver404:
                statuses[href] = (404, "", url)
                seen.add(href)
                continue
            if per_route.get(name, 0) >= PER_ROUTE:
                continue
            per_route[name] = per_route.get(name, 0) + 1
            seen.add(href)
            queue.append((href, url))
    return statuses


@pytest.mark.django_db
def test_no_demo_account_is_shown_a_link_it_cannot_use(regions, settings):
    settings.NOTIFICATION_BACKENDS = []
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    broken = {}
    for username, *_rest in ACCOUNTS:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(get_user_model().objects.get(username=username))
        for url, (status, location, referrer) in walk(client, ["/work/", "/"]).items():
            to_login = status in (301, 302) and "/login/" in location
            if status >= 400 or to_login:
                broken.setdefault(username, []).append((url, status, f"linked from {referrer}"))
    for username, links in broken.items():
        print(username, links)
    assert broken == {}
