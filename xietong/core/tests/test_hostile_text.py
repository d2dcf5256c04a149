"""Every free-text field of every workflow holding hostile text, shown on every page that displays it: no script
runs. The policy is bypassed here, so it is the templates' escaping that is tested, not the CSP behind it."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from xietong.core.tests.crawl import open_context, walk
from xietong.core.tests.test_csp import WALKERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "javascript:alert(4)",
    "</textarea><script>alert(5)</script>",
]
# Tables of reference data or machinery, and fields that are identifiers rather than text people typed.
SKIP_APPS = {"contenttypes", "sessions", "admin", "axes", "regions", "auth"}
SKIP_NAMES = {
    "slug",
    "code",
    "key",
    "key_hash",
    "prefix",
    "password",
    "username",
    "email",
    "receipt",
    "number",
    "content_type",
    "scope",
    "fingerprint",
    "kind",
    "message",
    "dedupe_key",
    "language",
    "verb",
    "object_id",
    "primary_pollutants",
}


def free_text_fields():
    for model in apps.get_models():
        if model._meta.app_label in SKIP_APPS or model._meta.proxy or not model._meta.managed:
            continue
        together = {name for group in model._meta.unique_together for name in group}
        together |= {
            name
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
            for name in constraint.fields
        }
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.unique
            and not f.primary_key
            and f.name not in SKIP_NAMES
            and f.name not in together
            and not f.name.endswith(("_index", "_hash", "_key", "_code"))
            and (f.max_length or 1000) >= 30
        ]
        if fields:
            yield model, fields


def fill_with_hostile_text():
    filled = 0
    for index, (model, fields) in enumerate(free_text_fields()):
        values = {f.name: PAYLOADS[(index + n) % len(PAYLOADS)][: f.max_length] for n, f in enumerate(fields)}
        filled += model._base_manager.update(**values) * len(values)
    from django.contrib.auth import get_user_model

    get_user_model().objects.update(first_name=PAYLOADS[1][:30], last_name="")
    return filled


def test_no_hostile_text_runs_on_any_page(browser, live_server, regions):
    call_command("loaddemo", "--quiet-accounts", stdout=io.StringIO())
    filled = fill_with_hostile_text()
    checked, dialogs = 0, []
    for username, start in WALKERS:
        context, page = open_context(browser, live_server, bypass_csp=True)
        try:
            for path, _status, _violations, _console, opened in walk(page, username=username, start=start):
                checked += 1
                if opened:
                    dialogs.append((username, path, opened))
        finally:
            context.close()
    print(f"\nhostile text: {filled} field values filled, {checked} pages checked, {len(dialogs)} dialogs")
    assert not dialogs, dialogs
    assert checked >= 100
