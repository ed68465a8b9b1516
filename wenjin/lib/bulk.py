"""Fast multi-row INSERT … RETURNING for batch jobs.

Django's ``bulk_create`` prepares every value of every row through the field machinery,
which costs more than the insert itself when importing hundreds of thousands of rows.
This writes the same rows with one statement per batch and plain value conversion; it
is for plain models (no custom field types, no signals).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone

MAX_PARAMETERS = 30000  # below SQLite's 32,766 host-parameter limit


def bulk_insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert ``objects`` and set their primary keys, in the order given."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    converters = []
    for field in fields:
        if isinstance(field, models.JSONField):
            converters.append(lambda value: json.dumps(value, ensure_ascii=False))
        elif isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            stamp = field.get_db_prep_save(now, connection)
            converters.append(lambda _value, stamp=stamp: stamp)
        elif isinstance(field, (models.DateField, models.DecimalField, models.BinaryField)):
            converters.append(lambda value, field=field: field.get_db_prep_save(value, connection))
        else:
            converters.append(None)
    attnames = [f.attname for f in fields]
    if connection.vendor == "postgresql":
        _copy_postgresql(model, objects, fields, attnames, converters)
        return
    per_batch = max(1, MAX_PARAMETERS // len(fields))
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_batch):
            batch = objects[start : start + per_batch]
            params = []
            for obj in batch:
                for attname, convert in zip(attnames, converters, strict=True):
                    value = getattr(obj, attname)
                    params.append(convert(value) if convert else value)
            # Only quoted table and column names are interpolated; values are parameters.
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
                + ", ".join([row_sql] * len(batch))
                + f" RETURNING {quote(model._meta.pk.column)}"
            )
            cursor.execute(sql, params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _copy_postgresql(
    model: type[models.Model],
    objects: Sequence[models.Model],
    fields: list,
    attnames: list[str],
    converters: list,
) -> None:
    """PostgreSQL: take the ids from the sequence first, then stream the rows with COPY,
    the fastest way into the server."""
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(c) for c in [pk_column, *(f.column for f in fields)])
        raw = cursor.cursor  # the psycopg cursor underneath Django's wrapper
        with raw.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for pk, obj in zip(ids, objects, strict=True):
                row = [pk]
                for attname, convert in zip(attnames, converters, strict=True):
                    value = getattr(obj, attname)
                    row.append(convert(value) if convert else value)
                copy.write_row(row)
    for pk, obj in zip(ids, objects, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
