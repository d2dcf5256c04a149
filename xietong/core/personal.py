"""Personal data: encrypted at rest, shown masked, every read logged.

Values are encrypted with Fernet under keys derived from settings.PERSONAL_DATA_KEYS
(the first key encrypts, all decrypt, so keys can be rotated). Exact-match lookups
use a keyed hash (`blind_index`) instead of the plaintext.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import PersonalDataAccess


def _fernet():
    keys = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"xietong-personal:{k}".encode()).digest()))
        for k in settings.PERSONAL_DATA_KEYS
    ]
    return MultiFernet(keys)


def encrypt(value):
    if value in (None, ""):
        return value
    return _fernet().encrypt(str(value).encode()).decode()


def decrypt(token):
    if token in (None, ""):
        return token
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("personal data could not be decrypted with the configured keys") from None


def blind_index(value):
    # Its own key: rotating the encryption keys must not change the index that lookups and unique
    # constraints rely on (see reencrypt_all).
    key = hashlib.sha256(f"xietong-index:{settings.PERSONAL_DATA_INDEX_KEY}".encode()).digest()
    return hmac.new(key, str(value).strip().upper().encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        return encrypt(super().get_prep_value(value))


def mask_id_number(value):
    """1101**********1234: region prefix and last four only."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value):
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value):
    """张** for 张三丰: the family name only."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def log_access(actor, obj, fields, purpose=""):
    PersonalDataAccess.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        fields=",".join(fields),
        purpose=purpose,
    )


# --- retention ---------------------------------------------------------------------------------------------
# Each workflow that holds personal data registers how to purge what has outlived its retention period
# (a closed concern's contact, a completed declaration's ID number, …). One command and one periodic task
# run them all, so an operator has a single place to set and check retention.

_purgers = {}


def register_purge(name, purge):
    """`purge(now)` removes or blanks the personal data due for deletion and returns how many records it touched."""
    if name in _purgers and _purgers[name] is not purge:
        raise ValueError(f"personal-data purge {name!r} is registered twice")
    _purgers[name] = purge


def purge_personal_data(now=None):
    """Run every registered purge; returns {name: records touched}."""
    from django.utils import timezone

    now = now or timezone.now()
    return {name: purge(now) for name, purge in sorted(_purgers.items())}


def purge_access_log(now):
    """The access log itself is kept for the audit period, then dropped."""
    from datetime import timedelta

    cutoff = now - timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = PersonalDataAccess.objects.filter(at__lt=cutoff).delete()
    return deleted


register_purge("core.access_log", purge_access_log)


# --- key rotation ------------------------------------------------------------------------------------------------
# To rotate: put the new key first in PERSONAL_DATA_KEYS (the old ones stay after it, so everything still
# decrypts and nothing stops), run `manage.py reencrypt_personal_data`, then drop the old keys. The blind
# index has its own key (PERSONAL_DATA_INDEX_KEY, by default the last data key): set it explicitly to the key
# it uses before dropping that key from the list, and the index never changes.


def encrypted_fields():
    """(model, [field names]) of every installed model with encrypted columns."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def reencrypt_all(batch=500):
    """Encrypt every stored value again under the first key; returns {model label: rows rewritten}.

    Works in batches of rows, each batch in its own transaction; a value already under the first key
    is rewritten too (MultiFernet.rotate), which is harmless, so an interrupted run can simply be run again.
    """
    from django.db import connection, transaction

    fernet = _fernet()
    done = {}
    for model, names in encrypted_fields():
        table = model._meta.db_table
        columns = [model._meta.get_field(n).column for n in names]
        pk = model._meta.pk.column
        quote = connection.ops.quote_name
        last, count = None, 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {quote(pk)} > %s " if last is not None else ""
                cursor.execute(
                    f"SELECT {quote(pk)}, {', '.join(map(quote, columns))} FROM {quote(table)} {where}"
                    f"ORDER BY {quote(pk)} LIMIT {int(batch)}",
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
                for row in rows:
                    values = [fernet.rotate(v.encode()).decode() if v else v for v in row[1:]]
                    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                    cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s", [*values, row[0]])
            if not rows:
                break
            last, count = rows[-1][0], count + len(rows)
        done[model._meta.label] = count
    return done
