"""Idempotency-Key for the public intake endpoints: a client that did not hear the answer sends again.

A traveller's phone on a train, or a city's script during a database fail-over, cannot tell whether a request
that timed out was stored. It resends with the same `Idempotency-Key` header; the first request to commit stores
its answer next to the record it created, in the same transaction, and every later request with that key gets
that answer again instead of creating a second record. Keys are kept for IDEMPOTENCY_KEY_HOURS.
"""

import datetime
import functools
import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import Status

from .models import IdempotentRequest
from .personal import register_purge

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,100}$")


class KeyReused(Exception):
    """The key came back with a different request body: a client bug, answered with 422."""


def _fingerprint(request):
    return hashlib.sha256(request.body).hexdigest()


def run_once(request, scope, produce, *, encode, decode):
    """`produce()` once per (scope, key): its encoded answer is stored in the transaction of its writes.

    `encode(result)` returns (status, content type, body text) and `decode(status, content_type, body)` turns a
    stored answer back into what the caller returns. Without the header the request runs as usual.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return produce()
    if not KEY_PATTERN.match(key):
        raise ValidationError(_("The Idempotency-Key header must be 8 to 100 printable characters."))
    fingerprint = _fingerprint(request)
    stored = IdempotentRequest.objects.filter(scope=scope, key=key).first()
    if stored is None:
        try:
            with transaction.atomic():
                result = produce()
                status, content_type, body = encode(result)
                if status >= 300:
                    return result  # refusals store nothing, so a corrected request may use the key again
                IdempotentRequest.objects.create(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    status=status,
                    content_type=content_type,
                    body=body,
                )
                return result
        except IntegrityError:
            # A twin of this request committed first (the unique key made this one wait, then fail): everything
            # this one wrote is rolled back, and it answers as the twin did.
            stored = IdempotentRequest.objects.filter(scope=scope, key=key).first()
            if stored is None:
                raise
    if stored.fingerprint != fingerprint:
        raise KeyReused
    return decode(stored.status, stored.content_type, stored.body)


def idempotent_api(scope):
    """For django-ninja operations that return a dict, (status, dict) or Status(status, dict)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            def encode(result):
                if isinstance(result, Status):
                    status, data = result.status_code, result.value
                else:
                    status, data = result if isinstance(result, tuple) else (200, result)
                return status, "application/json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)

            try:
                return run_once(
                    request,
                    scope,
                    lambda: func(request, *args, **kwargs),
                    encode=encode,
                    decode=lambda status, content_type, body: Status(status, json.loads(body)),
                )
            except KeyReused:
                raise ValidationError(_("This Idempotency-Key was already used for a different request.")) from None

        return wrapper

    return decorate


def idempotent_response(request, scope, produce):
    """For plain Django views: `produce()` returns an HttpResponse."""
    return run_once(
        request,
        scope,
        produce,
        encode=lambda response: (response.status_code, response["Content-Type"], response.content.decode()),
        decode=lambda status, content_type, body: _replayed(
            HttpResponse(body, status=status, content_type=content_type)
        ),
    )


def _replayed(response):
    response["Idempotent-Replayed"] = "true"
    return response


def purge_keys(now=None):
    """Forget keys older than IDEMPOTENCY_KEY_HOURS; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Old keys go with the daily purge: a resend comes within minutes, not days.
register_purge("core.idempotency_keys", purge_keys)
