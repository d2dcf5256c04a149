"""Rows written in one plain statement, for the declarations' busy paths.

Django's bulk_create and bulk_update go through the query compiler, which for the few rows of one
submission costs several times what the database needs to store them, and bulk_update's CASE per field
and row costs seconds for thousands. These build the statement from the model's own fields, so values
are prepared as the ORM prepares them (encryption, JSON, dates).
"""

from django.db import connection


def insert_rows(model, objects, *, skip_conflicts=False):
    """INSERT the objects in one statement and set their ids; returns how many rows were stored.

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
    quote = connection.ops.quote_name
    params = []
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="insert_rows")
        params.extend(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * len(objects))}"
        f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [pk for (pk,) in cursor.fetchall()]
    # Rows come back in the order of VALUES, which bulk_create relies on as well.
    for obj, pk in zip(objects, ids, strict=False):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return len(ids)


UPDATE_BATCH = 1000


def update_rows(model, objects, fields):
    """Write these fields of many rows: on PostgreSQL one UPDATE … FROM (VALUES …) per thousand rows.

    Django's bulk_update builds a CASE per field and row, which costs far more to compile in Python than
    the database needs to run it (seconds for a few thousand declarations). SQLite keeps bulk_update.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields)
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = v.column{n + 2}::{field.db_type(connection)}"
        for n, field in enumerate(columns)
    )
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), UPDATE_BATCH):
            batch = objects[start : start + UPDATE_BATCH]
            params = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns)
            cursor.execute(
                f"UPDATE {meta.db_table} AS t SET {assignments} FROM (VALUES {', '.join([row] * len(batch))}) AS v "
                "WHERE t.id = v.column1::bigint",
                params,
            )
