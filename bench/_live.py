"""A production-shaped installation on loopback for the load and fault benchmarks.

A throwaway PostgreSQL cluster of its own (initdb + pg_ctl in a temporary folder, on a free loopback port) so
it can be restarted without touching the shared server on 5432; the demo data migrated into it; gunicorn with
the production settings in front of it; and small HTTP clients that keep their connection and session.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary folder, owned by the postgres account when run as root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="xietong-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        # fsync off keeps the set-up (45,000 divisions, the demo) quick on a busy machine; a fast restart is a
        # clean shutdown that writes every committed transaction out, so the fault figures do not depend on it.
        conf = (
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
        )
        self._run("sh", "-c", f"cat >> {self.data}/postgresql.conf <<'EOF'\n{conf}EOF")
        self.start()

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/xietong"

    def _run(self, *args):
        command = [str(a) for a in args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "start")

    def restart(self):
        """A fast restart: every open connection is cut, as in a fail-over or a crash of the server."""
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "restart", "-l", self.dir / "log")

    def stop(self):
        try:
            self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def environment(cluster, **extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xietong.settings",
        "DATABASE_URL": cluster.url,
        "DATABASE_CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on loopback: the cookies must travel without TLS, no proxy says https.
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_PROXY_SSL_HEADER": "",
        "NOTIFICATION_BACKENDS": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_BROKER_URL": "",
        # One loopback address sends everything here; the per-address limits are for residents.
        "CONCERN_LIMIT_PER_ADDRESS_HOUR": "1000000",
        "CONCERN_LIMIT_PER_CONTACT_DAY": "1000000",
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "ERROR",
        **extra,
    }


def manage(env, *args):
    """The command's output; for `shell -c`, its last line (the shell first lists what it imported)."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode})")
    out = done.stdout
    return out.strip().splitlines()[-1] if args[0] == "shell" else out


def prepare(cluster):
    """Database, demo data, an Open311 key and an API token; returns (env, open311 key, api token)."""
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{cluster.port}/postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE xietong")
    env = environment(cluster)
    print("preparing the database (migrate, demo data) ...", flush=True)
    manage(env, "migrate", "-v", "0")
    manage(env, "loaddemo", "--quiet-accounts")
    open311_key = manage(env, "open311_key", "create", "bench").strip().split()[-1]
    token = manage(env, "apitoken", "issue", "office", "bench").strip().split()[-1]
    return env, open311_key, token


class Gunicorn:
    def __init__(self, env, workers=4):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "xietong.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Client(self.port).get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Client:
    """One keep-alive connection with its own cookies (a person's browser, or a city's script)."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout = port, timeout
        self.cookies = {}
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields, headers=None):
        return self.request(
            "POST", path, urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        )

    def post_json(self, path, payload, headers=None):
        return self.request("POST", path, json.dumps(payload), {"Content-Type": "application/json", **(headers or {})})

    def login(self, username, password="xietong-demo"):
        _status, page, _headers = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _body, _headers = self.post_form(
            "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token}, {"Referer": "x"}
        )
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")


WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(seq):
    """A valid GB 11643 number, different for each seq below 336,000 (太原市小店区, born in 1990)."""
    month, rest = divmod(seq, 28000)
    day, order = divmod(rest, 1000)
    body = f"1401051990{month % 12 + 1:02d}{day + 1:02d}{order:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def week_before(day):
    import datetime

    return (datetime.date.fromisoformat(day) - datetime.timedelta(days=7)).isoformat()


def declaration(seq, community, arrival):
    return {
        "name": "压测旅客",
        "id_number": id_number(seq),
        "phone": f"139{seq:08d}"[:11],
        "arrival_date": arrival,
        "destination": "太原市小店区坞城街道",
        "community": community,
        "stops": [{"place": "四川省内江市资中县", "start": week_before(arrival), "end": arrival, "transport": "G1234"}],
    }


def concern_fields(key, seq):
    return {
        "api_key": key,
        "service_code": "townscape",
        "lat": "37.9",
        "long": "112.2",
        "description": f"压测：第{seq}号路灯不亮",
    }


def new_key():
    return secrets.token_hex(12)


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")
