"""A bounded browser walk over the platform's pages, as one person, for the CSP and hostile-text tests.

It starts from a person's first pages and follows same-origin links, visiting at most a few pages of each URL
shape (digits stand for any id), so every kind of page is seen once or twice however much data the demo holds.
Downloads, the admin and the API are left out: they are not pages a person reads in the platform's layout.
"""

import re
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Error as PlaywrightError

from xietong.conftest import browser_login

SKIP = re.compile(
    r"\.(docx|xlsx|csv|pdf|png|jpe?g|json|txt)(\?|$)|/(docx|xlsx|csv|photo|evidence|download)/|/evidence/"
    r"|^/(admin|api|open311|i18n|static|media)/|/logout/"
)
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + where);
});
"""


def shape(path):
    return re.sub(r"\d+", "N", path)


def open_context(browser, live_server, *, bypass_csp=False):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp)
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    return context, page


def walk(page, *, username=None, password="xietong-demo", start=("/",), per_shape=1, limit=45):
    """Visit pages as `username` (anonymous when None); returns a list of findings per page.

    Each finding is (url, status, csp_violations, console_csp_errors, dialogs).
    """
    dialogs, console = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    if username:
        browser_login(page, username, password)
    origin = page.base_url
    queue = [origin + path for path in start]
    if username:
        queue.insert(0, page.url)
    seen_urls, seen_shapes, results = set(), {}, []
    while queue and len(results) < limit:
        url = urldefrag(queue.pop(0))[0]
        path = urlsplit(url).path
        if url in seen_urls or SKIP.search(path) or seen_shapes.get(shape(path), 0) >= per_shape:
            continue
        seen_urls.add(url)
        seen_shapes[shape(path)] = seen_shapes.get(shape(path), 0) + 1
        dialogs.clear()
        console.clear()
        try:
            response = page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle", timeout=2000)
        except PlaywrightError:
            continue  # a download or an attachment: not a page
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        violations = page.evaluate("window.__csp || []")
        results.append((path, response.status, violations, list(console), list(dialogs)))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(origin) and urldefrag(href)[0] not in seen_urls:
                queue.append(href)
    return results
