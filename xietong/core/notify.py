"""Notifications: one call, several back-ends.

Every notification lands in the recipient's inbox; the back-ends named in
settings.NOTIFICATION_BACKENDS (console, email, or an adapter such as SMS or
政务微信 registered in BACKENDS) get a copy after the transaction commits, so a
rolled-back write sends nothing.
"""

import logging
import sys

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


def _console(notification):
    sys.stdout.write(f"[notify] {notification.recipient} · {notification.title}\n{notification.body}\n")


def _email(notification):
    address = notification.recipient.email
    if not address:
        return
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
    send_mail(notification.title, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


BACKENDS = {"console": _console, "email": _email}


def notify(recipients, *, kind, title, body="", url="", dedupe_key=None, at=None):
    """Send to each recipient once; with `dedupe_key`, once ever per recipient and key.

    `at` dates the inbox entry when the event it reports happened earlier (imported or replayed history).

    Returns the notifications created (those already sent under the key are skipped).
    """
    created = []
    for recipient in {r.pk: r for r in recipients if r is not None}.values():
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient=recipient,
                        kind=kind,
                        title=str(title),
                        body=str(body),
                        url=url,
                        dedupe_key=dedupe_key,
                        created_at=at or timezone.now(),
                    )
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
    if created:
        transaction.on_commit(lambda: _dispatch(created))
    return created


def dispatch_later(ids):
    """Send already-stored inbox rows (created in bulk, by id) through the other back-ends after commit."""
    if not ids or not settings.NOTIFICATION_BACKENDS:
        return

    def send():
        _dispatch(list(Notification.objects.filter(pk__in=ids).select_related("recipient")))

    transaction.on_commit(send)


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
                logger.exception("notification back-end %s failed", name)
