"""Backups an operator can restore: the database and the uploaded files, with a manifest to check against.

A backup is a directory holding
- `database.dump` (PostgreSQL custom format, from pg_dump) or `database.sqlite3` (SQLite's online backup),
- `media/`, a copy of every stored upload (evidence, attachments, photos),
- `manifest.json`: when, from which database vendor, the row count of every model and the SHA-256 of every file.

`restore` loads a backup into an EMPTY database and media folder and then compares what it finds with the
manifest, so a restore that lost anything says so instead of succeeding quietly.
"""

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _postgres_url(settings_dict):
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def row_counts():
    """{app_label.Model: rows} for every concrete model, read through the ORM."""
    counts = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        counts[meta.label] = model._base_manager.count()
    return counts


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(root):
    root = Path(root)
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def do_backup(target):
    """Write a backup of the configured database and MEDIA_ROOT into the new directory `target`."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; a backup goes into a new directory")
    target.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    # Counts first, then the dump: on a live system rows added in between show up as "more than the manifest",
    # never as missing.
    counts = row_counts()
    if vendor == "postgresql":
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(target / "database.dump"),
             _postgres_url(connection.settings_dict)],
            check=True,
        )  # fmt: skip
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target / "database.sqlite3") as copy:
            connection.connection.backup(copy)
    else:
        raise BackupError(f"no backup method for {vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    files = media_files(media_root)
    if files:
        shutil.copytree(media_root, target / "media")
    manifest = {"created_at": timezone.now().isoformat(), "vendor": vendor, "rows": counts, "media": files}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    return manifest


def do_restore(source):
    """Load the backup in `source` into the configured (empty) database and MEDIA_ROOT; returns the differences."""
    source = Path(source)
    manifest = json.loads((source / MANIFEST).read_text())
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"the backup is of a {manifest['vendor']} database; this one is {connection.vendor}")
    if connection.introspection.table_names():
        raise BackupError("the database is not empty; restore into a new database")
    if connection.vendor == "postgresql":
        connection.close()
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
             "--dbname", _postgres_url(connection.settings_dict), str(source / "database.dump")],
            check=True,
        )  # fmt: skip
    else:
        connection.close()
        shutil.copyfile(source / "database.sqlite3", connection.settings_dict["NAME"])
    media_root = Path(settings.MEDIA_ROOT)
    if (source / "media").exists():
        shutil.copytree(source / "media", media_root, dirs_exist_ok=True)
    return verify(manifest)


def verify(manifest):
    """What the restored database and media folder lack against the manifest (empty when nothing is lost)."""
    problems = []
    counts = row_counts()
    for label, expected in manifest["rows"].items():
        found = counts.get(label)
        if found is None or found < expected:
            problems.append(f"{label}: {found} rows, the backup had {expected}")
    files = media_files(settings.MEDIA_ROOT)
    for name, digest in manifest["media"].items():
        if files.get(name) != digest:
            problems.append(f"media/{name}: missing or changed")
    return problems
