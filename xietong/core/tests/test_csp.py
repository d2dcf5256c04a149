"""Every page of the main flows runs under the Content-Security-Policy without a single violation.

The demo accounts of each workflow walk their pages in Chromium; an inline script, an inline event handler or
an `eval` left in a template would be blocked by the policy and reported here.
"""

import io

import pytest
from django.core.management import call_command

from xietong.core.tests.crawl import open_context, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who reads which workflow in the demo, and where each starts besides the work queue.
WALKERS = [
    (None, ["/", "/deliberation/", "/declarations/areas/", "/airquality/", "/water/"]),
    ("office", ["/supervision/", "/supervision/bulletins/", "/meetings/", "/airquality/", "/water/"]),
    ("taiyuan-manager", ["/supervision/matters/", "/water/"]),
    ("hekou-manager", ["/deliberation/"]),
    ("community", ["/declarations/"]),
    ("prevention", ["/declarations/", "/declarations/notices/", "/declarations/statistics/"]),
]


def test_no_page_of_the_main_flows_violates_the_policy(browser, live_server, regions):
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    checked, problems, server_errors = 0, [], []
    for username, start in WALKERS:
        context, page = open_context(browser, live_server)
        try:
            for path, status, violations, console, _dialogs in walk(page, username=username, start=start):
                checked += 1
                if violations or console:
                    problems.append((username, path, violations, console))
                if status >= 500:
                    server_errors.append((username, path, status))
        finally:
            context.close()
    print(f"\nCSP: {checked} pages checked, {len(problems)} with violations")
    assert not problems, problems
    assert not server_errors, server_errors
    assert checked >= 100
