"""Personal data of declarations: nothing in clear anywhere in the database, purge after retention, key rotation."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection

from xietong.core import personal
from xietong.declarations import actions
from xietong.declarations.models import Declaration, State

from .conftest import id_number, submit

pytestmark = pytest.mark.django_db


def all_text_in_database():
    """Every cell of every table as text, read with plain SQL (no field decrypts anything)."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                cells.extend(str(value) for value in row if value is not None)
    return "\n".join(cells)


def test_no_id_number_or_phone_is_stored_in_clear(regions, frozen):
    from django.contrib.auth import get_user_model

    from xietong.core.demo import load as load_core
    from xietong.core.models import Unit
    from xietong.declarations.demo import load as load_demo

    load_core()
    load_demo()  # a few hundred synthetic declarations, measures, a hand-over
    # The flows of the suite on top: a submission, an unmasking, a missed measure, notifications.
    units = {u.slug: u for u in Unit.objects.all()}
    units["community"] = units["wucheng-community"]
    first = submit(units, seq=1, employer=units["jinyang-tech"])
    worker = get_user_model().objects.get(username="wucheng")
    actions.reveal(actor=worker, declaration=first, purpose="电话联系本人")
    actions.mark_missed(datetime.date(2022, 8, 10))
    secrets = set()
    for declaration in Declaration.objects.all():
        secrets.update([declaration.id_number, declaration.phone])
    assert len(secrets) > 500
    text = all_text_in_database()
    found = [s for s in secrets if s and s in text]
    assert found == []
    # The scan can fail: a value written in clear is found.
    from xietong.core import timeline

    timeline.record(first, "noted", note=f"联系电话 {first.phone}")
    assert first.phone in all_text_in_database()


def test_personal_data_is_deleted_after_the_retention_period(notice, people, decl_units, frozen, settings):
    settings.DECLARATION_RETENTION_DAYS = 28
    done = submit(decl_units, seq=1)
    kept = submit(decl_units, seq=2)
    for measure in done.measures.all():
        actions.do_record_measure(actor=people["community"], measure=measure, result="negative")
    done.refresh_from_db()
    assert done.state == State.COMPLETED
    assert personal.purge_personal_data()["declarations.declarations"] == 0  # not yet
    frozen.move_to(datetime.datetime(2022, 8, 30, 12, 0, tzinfo=datetime.UTC))
    call_command("purge_personal_data", stdout=io.StringIO())
    done.refresh_from_db()
    kept.refresh_from_db()
    assert (done.name, done.id_number, done.phone, done.address) == ("", "", "", "")
    assert done.purged_at is not None and done.id_index.startswith("purged:")
    assert kept.id_number == id_number(2) and kept.purged_at is None  # still under measures
    assert id_number(1) not in all_text_in_database()
    # The same person may declare a new arrival afterwards.
    again = submit(decl_units, seq=1, arrival=datetime.date(2022, 8, 30), stops=[])
    assert again.pk != done.pk


def test_keys_rotate_without_downtime(notice, decl_units, settings):
    settings.PERSONAL_DATA_KEYS = ["old-key"]
    settings.PERSONAL_DATA_INDEX_KEY = "index-key"
    declaration = submit(decl_units, seq=3)
    raw_before = _raw(declaration)
    settings.PERSONAL_DATA_KEYS = ["new-key", "old-key"]  # new first: it encrypts; the old still decrypts
    assert Declaration.objects.get(pk=declaration.pk).id_number == id_number(3)
    call_command("reencrypt_personal_data", stdout=io.StringIO())
    settings.PERSONAL_DATA_KEYS = ["new-key"]  # the old key is gone
    reread = Declaration.objects.get(pk=declaration.pk)
    assert (reread.id_number, reread.phone) == (id_number(3), declaration.phone)
    assert _raw(declaration) != raw_before
    # Found by the same keyed hash as before: a resubmission still updates the row.
    assert submit(decl_units, seq=3).pk == declaration.pk
    settings.PERSONAL_DATA_KEYS = ["old-key"]
    with pytest.raises(ValueError):
        Declaration.objects.get(pk=declaration.pk).id_number  # noqa: B018


def _raw(declaration):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Declaration._meta.db_table} WHERE id = %s", [declaration.pk])
        return cursor.fetchone()[0]
