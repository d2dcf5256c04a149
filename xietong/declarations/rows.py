"""Rows written in one plain statement, for the declarations' busy paths.

Django's bulk_create and bulk_update go through the query compiler, which for the few rows of one
submission costs several times what the database needs to store them, and for the thousands of a
re-screen builds statements so long that even splitting them into parameters takes a good part of the
run. These build the statement from the model's own fields, so values are prepared as the ORM prepares
them (encryption, JSON, dates). On PostgreSQL many rows travel as one array per column (`unnest`), so the
text of the statement is the same whatever their number.
"""

from django.db import connection, models

# SQLite allows 32,766 parameters in one statement.
PARAMETERS = 30_000
# Below this many rows a VALUES list is cheaper: its short text is parsed once and kept, where each array is
# quoted value by value.
UNNEST_FROM = 50


# Fields whose Python value psycopg takes as it is: on PostgreSQL their preparation only costs time.
PLAIN = (models.IntegerField, models.CharField, models.DateField, models.BooleanField, models.ForeignKey)


def _plain(field):
    return (
        connection.vendor == "postgresql"
        and isinstance(field, PLAIN)
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    )


def _columns(model, objects, fields):
    """Each field's values prepared for the database, one list per field."""
    values = []
    for field in fields:
        if _plain(field):
            values.append([getattr(obj, field.attname) for obj in objects])
        else:
            values.append(
                [field.get_db_prep_save(field.pre_save(obj, obj._state.adding), connection) for obj in objects]
            )
    return values


def _unnest(fields, values):
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    return f"unnest({arrays})", values


def insert_rows(model, objects, *, skip_conflicts=False):
    """INSERT the objects and set their ids; returns how many rows were stored.

    Foreign keys given as objects saved meanwhile take those objects' ids, as in bulk_create. With
    `skip_conflicts` (one object only), a row that would break a unique constraint is not stored and
    does not abort the transaction (ON CONFLICT DO NOTHING): the caller finds out from the 0 returned.
    """
    objects = list(objects)
    if not objects:
        return 0
    if skip_conflicts and len(objects) != 1:
        raise ValueError("skip_conflicts is for one object: the ids returned could not be told apart")
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="insert_rows")
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
    tail = f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} RETURNING {quote(meta.pk.column)}"
    ids = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(objects) >= UNNEST_FROM:
            source, params = _unnest(fields, _columns(model, objects, fields))
            cursor.execute(f"{head}SELECT * FROM {source}{tail}", params)
            ids = [pk for (pk,) in cursor.fetchall()]
        else:
            size = max(1, PARAMETERS // len(fields))
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            for start in range(0, len(objects), size):
                batch = objects[start : start + size]
                params = [value for values in zip(*_columns(model, batch, fields), strict=True) for value in values]
                cursor.execute(f"{head}VALUES {', '.join([row] * len(batch))}{tail}", params)
                ids.extend(pk for (pk,) in cursor.fetchall())
    # Rows come back in the order given, which bulk_create relies on as well.
    for obj, pk in zip(objects, ids, strict=False):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return len(ids)


def update_rows(model, objects, fields):
    """Write these fields of many rows: on PostgreSQL one UPDATE … FROM unnest(…) joined on the ids.

    Django's bulk_update builds a CASE per field and row, which costs far more to compile in Python than
    the database needs to run it (seconds for a few thousand declarations). SQLite keeps bulk_update.
    """
    objects = list(objects)
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    source, params = _unnest(columns, _columns(model, objects, columns))
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = v.c{n}" for n, field in enumerate(columns) if n
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} AS t SET {assignments} FROM {source} AS v({names}) WHERE t.id = v.c0", params
        )
