"""Notifications: who is told (`recipients`), and one path that tells them (`notify`, and for runs that tell
many at once `notify_bulk` and `notify_select`).

A notification is stored as a message key (the English source text, marked with gettext_noop so it is
extracted into the catalogs) and its parameters; it is rendered when read, in the reader's language.
Every notification lands in the recipient's inbox; the back-ends named in settings.NOTIFICATION_BACKENDS
(console, email, or an adapter such as SMS or 政务微信 registered in BACKENDS) get a copy from a background
task queued through the outbox (`xietong.core.outbox`): sent after the transaction commits, so a rolled-back
write sends nothing, and sent later, not lost, while the broker is down.
"""

import json
import logging
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from .models import Membership, Notification, Role, Unit, UnitKind

logger = logging.getLogger(__name__)
BULK_BATCH = 2000


# --- who is told ----------------------------------------------------------------------------------------------


def _membership_q(units, min_role, below, prefix=""):
    condition = Q()
    for unit in units:
        if below:
            condition |= Q(**{f"{prefix}unit__path__startswith": unit.path})
        else:
            condition |= Q(**{f"{prefix}unit": unit.pk})
    return condition & Q(**{f"{prefix}role__gte": min_role})


def recipients(units, *, min_role=Role.STAFF, below=False):
    """Active people holding at least `min_role` in these units (with `below`, in any unit under them too).

    Units above do not count: the office is told by naming it (`office_units()`), not by inheritance.
    """
    units = [u for u in units if u is not None]
    if not units:
        return []
    members = Membership.objects.filter(_membership_q(units, min_role, below))
    return list(get_user_model().objects.filter(is_active=True, pk__in=members.values("user_id")).order_by("pk"))


def recipient_ids_by_unit(unit_ids, *, min_role=Role.STAFF):
    """{unit id: {user ids}} of active members with at least `min_role`, in one query (for bulk runs)."""
    out = {unit_id: set() for unit_id in unit_ids}
    for unit_id, user_id in Membership.objects.filter(
        unit_id__in=list(unit_ids), role__gte=min_role, user__is_active=True
    ).values_list("unit_id", "user_id"):
        out[unit_id].add(user_id)
    return out


def office_units():
    return list(Unit.objects.filter(kind=UnitKind.OFFICE))


# --- parameters that are themselves translated ------------------------------------------------------------------


def translatable(text):
    """A parameter rendered through the catalogs: a gettext_noop key or a lazy label (a choice's label)."""
    with translation.override(None):  # no active catalog: a lazy label yields its key
        return {"msgid": str(text)}


def localized(zh, en=""):
    """A parameter known in both languages, e.g. a unit's name and English name."""
    return {"zh-hans": str(zh), "en": str(en or zh)}


def unit_name(unit):
    return localized(unit.name, unit.name_en)


def _param(value):
    if isinstance(value, dict):
        if "msgid" in value:
            return gettext(value["msgid"])
        language = (get_language() or settings.LANGUAGE_CODE).lower()
        return value.get("en" if language.startswith("en") else "zh-hans", "")
    return value


def render(message, params):
    """The message in the active language, its parameters filled in (a key missing from params stays visible)."""
    if not message:
        return ""
    text = gettext(message)
    if not params:
        return text
    try:
        return text % {key: _param(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return text


# --- telling ----------------------------------------------------------------------------------------------------


def notify(people, *, kind, message, params=None, body="", url="", dedupe_key=None, at=None):
    """Send a message to each person once; with `dedupe_key`, once ever per person and key.

    `message` is a gettext_noop key with %(name)s placeholders filled from `params` when read; `body` is
    text people wrote (a reason, a comment) shown as written. `at` dates the inbox entry when the event it
    reports happened earlier (imported or replayed history). Returns the notifications created.
    """
    params = params or {}
    json.dumps(params)  # a parameter that cannot be stored fails here, in the action, not in the inbox
    created = []
    for person in {p.pk: p for p in people if p is not None}.values():
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=person,
                        kind=kind,
                        message=str(message),
                        params=params,
                        body=str(body),
                        url=url,
                        dedupe_key=dedupe_key,
                        created_at=at or timezone.now(),
                    )
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
    dispatch_after_commit([n.pk for n in created])
    return created


def notify_bulk(rows, *, at=None):
    """Many notifications in plain INSERTs (no model instances: a reminder run can make 100,000s).

    `rows` are (recipient id, kind, message, params, url), optionally with a dedupe key as a sixth value: a
    row whose person already holds that key is skipped, as `notify` does. Returns the ids stored; the other
    back-ends are sent after commit.
    """
    if not rows:
        return []
    table = Notification._meta.db_table
    at = at or timezone.now()
    names = ["recipient", "kind", "message", "params", "title", "body", "url", "created_at", "dedupe_key"]
    columns = ", ".join(Notification._meta.get_field(name).column for name in names)
    values = [_row_values(row, at) for row in rows]
    ids = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: the statement stays a few lines long, where VALUES lists for thousands of
            # rows take longer to split into parameters than the database takes to store them.
            arrays = ", ".join(f"%s::{Notification._meta.get_field(n).db_type(connection)}[]" for n in names)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING RETURNING id",
                [list(column) for column in zip(*values, strict=True)],
            )
            ids.extend(pk for (pk,) in cursor.fetchall())
        else:
            for i in range(0, len(values), BULK_BATCH):
                chunk = values[i : i + BULK_BATCH]
                placeholders = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {placeholders} ON CONFLICT DO NOTHING RETURNING id",
                    [value for row in chunk for value in row],
                )
                ids.extend(pk for (pk,) in cursor.fetchall())
    dispatch_after_commit(ids)
    return ids


def _row_values(row, at):
    """A `notify_bulk` row as the stored columns, in the order of its INSERT."""
    recipient_id, kind, message, params, url, *dedupe = row
    return (recipient_id, kind, str(message), json.dumps(params or {}), "", "", url, at, dedupe[0] if dedupe else None)


def notify_select(query, params=(), *, at=None):
    """The notifications a SELECT names, in one INSERT … SELECT: for set-based runs (the reminder ladder) that
    find their recipients in SQL and would otherwise read 100,000s of rows back only to write them again.

    `query` yields the columns recipient_id, kind, message, params (JSON) and url; a person it names twice is
    told twice, so the query says who is told once. Returns how many were stored; the other back-ends are
    sent after commit.
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    # The other back-ends (e-mail …) need the rows; the inbox alone needs nothing back.
    returning = " RETURNING id" if settings.NOTIFICATION_BACKENDS else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, kind, message, params, title, body, url, created_at) "
            f"SELECT q.recipient_id, q.kind, q.message, q.params, '', '', q.url, %s FROM ({query}) q{returning}",
            [at or timezone.now(), *params],
        )
        ids = [pk for (pk,) in cursor.fetchall()] if returning else []
        count = len(ids) if returning else cursor.rowcount
    dispatch_after_commit(ids)
    return count


# Ids per delivery task: a reminder run's 100,000 messages become many small tasks, not one huge one.
DELIVERY_BATCH = 1000


def dispatch_after_commit(ids):
    """Send stored inbox rows (by id) to the other back-ends once the transaction commits."""
    from . import outbox

    ids = list(ids)
    if not settings.NOTIFICATION_BACKENDS:
        return
    for i in range(0, len(ids), DELIVERY_BATCH):
        outbox.enqueue("xietong.core.deliver_notifications", ids[i : i + DELIVERY_BATCH])


def deliver(ids):
    """Send these stored notifications to the other back-ends, each once; returns how many were sent.

    The rows stay locked while they are sent, so a second delivery of the same task (a resend from the
    outbox, a redelivery after a lost worker) waits and then finds them delivered.
    """
    with transaction.atomic():
        notifications = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(pk__in=ids, delivered_at__isnull=True)
            .select_related("recipient")
            .order_by("pk")
        )
        _dispatch(notifications)
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(delivered_at=timezone.now())
    return len(notifications)


# --- back-ends --------------------------------------------------------------------------------------------------


def _console(notification):
    # Only what identifies the notification: its text may hold personal data and consoles end up in logs.
    sys.stdout.write(f"[notify] #{notification.pk} to user {notification.recipient_id}: {notification.kind}\n")


def _email(notification):
    address = notification.recipient.email
    if not address:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = notification.title_text
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


BACKENDS = {"console": _console, "email": _email}


def _dispatch(notifications):
    for name in settings.NOTIFICATION_BACKENDS:
        backend = BACKENDS.get(name)
        if backend is None:
            continue
        for notification in notifications:
            try:
                backend(notification)
            except Exception:
                # The inbox copy is already stored; a failing channel must not undo the write.
                logger.exception("notification back-end %s failed for notification %s", name, notification.pk)
