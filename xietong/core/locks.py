"""Named locks that serialise one kind of work across web processes and workers, until the transaction ends.

On PostgreSQL a purpose maps to a transaction-level advisory lock (`pg_advisory_xact_lock`): it locks no
row, so work of other purposes runs on (an air-quality recompute no longer waits for a warning being issued,
as it did when both locked the office's unit row), and it is released at commit or rollback, so no path can
leave it held. On SQLite there is no such lock and none is needed: SQLite admits one writing transaction at a
time for the whole database file, which serialises these writes already.
"""

import hashlib

from django.db import connections, router, transaction


def lock_key(purpose):
    """The signed 64-bit key of a purpose: stable across processes and releases (a digest, not hash())."""
    digest = hashlib.blake2b(f"xietong:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(purpose, *, using=None):
    """Wait until no other transaction holds `purpose`, then hold it until this transaction ends.

    Must be called inside `transaction.atomic()`: outside a transaction the lock would end with the
    statement that took it, and protect nothing.
    """
    alias = using or router.db_for_write(None)
    connection = connections[alias]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("locks.hold() needs an open transaction (transaction.atomic).")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(purpose)])
