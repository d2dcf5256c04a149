"""A backup restores into a fresh database with every record and every uploaded file."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from xietong.conftest import database_url_for_workers
from xietong.core import demo as core_demo
from xietong.core.backup import row_counts
from xietong.meetings import demo as meetings_demo
from xietong.meetings.actions import do_add_attachment
from xietong.meetings.models import Meeting, MeetingAttachment

ROOT = Path(__file__).resolve().parents[3]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _some_data():
    core_demo.load()
    meetings_demo.load()
    from django.contrib.auth import get_user_model

    office = get_user_model().objects.get(username="office")
    return do_add_attachment(
        actor=office, meeting=Meeting.objects.first(), uploaded=SimpleUploadedFile("纪要.pdf", PDF, "application/pdf")
    )


@pytest.mark.django_db(transaction=True)
def test_a_postgres_backup_restores_into_a_new_database_with_its_attachments(tmp_path, regions, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # the suite's shared media folder holds other tests' files
    url = database_url_for_workers()
    if url is None:
        pytest.skip("pg_dump and pg_restore are for PostgreSQL; the SQLite backup is tested below")
    attachment = _some_data()
    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["rows"]["meetings.MeetingAttachment"] == 1
    assert manifest["rows"]["regions.Region"] > 40000

    name = f"xietong_restore_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        media = tmp_path / "restored-media"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xietong.settings",
            "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name,
            "MEDIA_ROOT": str(media),
            # As an operator runs it: production settings with the installation's own key.
            "SECRET_KEY": django_settings.SECRET_KEY,
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "every table and file" in done.stdout
        # Read the restored database directly, not through the command that restored it.
        with psycopg.connect(env["DATABASE_URL"]) as restored:
            for label, expected in row_counts().items():
                table = __import__("django.apps").apps.apps.get_model(label)._meta.db_table
                (found,) = restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()
                assert found == expected, label
            (path,) = restored.execute("SELECT file FROM meetings_meetingattachment").fetchone()
        assert path == attachment.file.name
        assert (media / path).read_bytes() == PDF
    finally:
        connection.close()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_is_a_complete_database_file(tmp_path, regions, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL backup is tested above")
    import sqlite3

    _some_data()
    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    with sqlite3.connect(tmp_path / "backup" / "database.sqlite3") as copy:
        (attachments,) = copy.execute("SELECT count(*) FROM meetings_meetingattachment").fetchone()
        (regions_rows,) = copy.execute("SELECT count(*) FROM regions_region").fetchone()
    assert attachments == MeetingAttachment.objects.count() == manifest["rows"]["meetings.MeetingAttachment"] == 1
    assert regions_rows == manifest["rows"]["regions.Region"]
    (name,) = manifest["media"]
    assert (tmp_path / "backup" / "media" / name).read_bytes() == PDF


def test_a_backup_never_overwrites_an_earlier_one(tmp_path, db):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    from django.core.management.base import CommandError

    call_command("backup", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "b"))
