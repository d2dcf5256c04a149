"""The documented production environment passes Django's deployment checklist, and sends its security headers."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def documented_env(tmp_path):
    """The lines of /etc/xietong/env as docs/deploy.md gives them, with the secret key file made real."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    block = re.search(r"<!-- deploy-env -->\s*```sh\n(.*?)```\s*<!-- /deploy-env -->", text, re.S).group(1)
    env = dict(line.split("=", 1) for line in block.splitlines() if line.strip())
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50))
    env["SECRET_KEY_FILE"] = str(key_file)
    return env


def operator_environment():
    """This process's environment without what the test run itself sets: the browser tests' permission to call
    the ORM from Playwright's event loop (DJANGO_ALLOW_ASYNC_UNSAFE) is no part of a production set-up."""
    test_run = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    return {k: v for k, v in os.environ.items() if k not in test_run}


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    env = documented_env(tmp_path)
    assert env["DEBUG"] == "0" and env["SECURE_SSL_REDIRECT"] == "1"
    base = operator_environment()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "xietong.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_a_bare_production_environment_misses(tmp_path):
    env = documented_env(tmp_path)
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name)
    base = operator_environment()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "xietong.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W008" in result.stderr + result.stdout  # SSL redirect


def test_every_page_is_sent_with_a_policy_that_allows_only_own_scripts(db):
    response = Client().get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
