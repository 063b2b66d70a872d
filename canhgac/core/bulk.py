"""Bulk updates and inserts in one `executemany`, for the import and matching writers.

Django's `bulk_update` builds a `CASE WHEN pk=… THEN …` expression per field and row; for the
2,000-row pages of a feed that compilation alone took 60 % of an NVD import (bench/nvd_import.py).
`bulk_set` sends one parameterised UPDATE per row in a single `executemany` instead, with the
values prepared by each field (JSON, dates) exactly as `save()` would. Like `bulk_update`, it
sends no signals and leaves `auto_now` fields alone unless they are listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


def bulk_set(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of every object (all of one model, already saved) to the database."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"{model.__name__}.{name} is not a column")
        columns.append(field)
    assert meta.pk is not None  # noqa: S101 (every model has one)
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    table, key = quote(meta.db_table), quote(str(meta.pk.column))
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 (names from the model)
    rows = [
        [*values, obj.pk]
        for obj, values in zip(objects, _prepared(objects, columns, connection), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _prepared(
    objects: Sequence[models.Model], columns: Sequence[models.Field[Any, Any]], connection: Any
) -> list[list[Any]]:
    """Each object's values of `columns`, prepared for the database as `save()` prepares them."""
    return [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        for obj in objects
    ]


def bulk_insert(objects: Sequence[models.Model]) -> None:
    """Insert new objects (all of one model) in one `executemany`, every concrete column but
    the primary key, values prepared by each field as `save()` would.

    `bulk_create` compiles one SQL statement per batch value by value, which cost most of a
    first matching run (165,000 findings with their events and sources). This does not set the
    objects' primary keys: read them back by a natural key when needed. No signals; `auto_now`
    and `auto_now_add` fields are written as the objects hold them (set them first)."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [field for field in meta.concrete_fields if not field.primary_key]
    names = ", ".join(quote(str(field.column)) for field in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        cursor.executemany(sql, _prepared(objects, columns, connection))
