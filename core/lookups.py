"""``field__any=[...]``: membership in a list sent as one parameter.

Django's ``__in`` writes one placeholder per value. For the thousands of ids of a disposal
chunk, psycopg then splits and quotes a query string the size of the list, and PostgreSQL
parses every literal; the query is never the same twice. ``__any`` sends one array
(PostgreSQL: ``= ANY(%s::type[])``, written as one array literal; SQLite: a JSON array read by
``json_each``), so the query text stays the same whatever the list's length. An empty list
matches nothing without a query, as ``__in`` does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup

# Columns whose values are whole numbers: a list of ints needs no conversion, value by value.
INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


def _array_element(value: Any) -> str | None:
    """``value`` as an element of a PostgreSQL array literal, or None if it has no plain
    text form here (then the list goes as a psycopg array)."""
    if type(value) is int or isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return None


def _array_literal(values: Any, *, integers: bool) -> str | None:
    if integers:
        return "{" + ",".join(map(str, values)) + "}"
    elements = [_array_element(v) for v in values]
    if None in elements:
        return None
    return "{" + ",".join(elements) + "}"  # type: ignore[arg-type]


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def _column(self) -> Field:
        """The field whose values these are: a foreign key's target for a foreign key."""
        field = self.lhs.output_field
        return field.target_field if field.is_relation else field

    def get_prep_lookup(self) -> list[Any]:
        if hasattr(self.rhs, "resolve_expression"):
            raise ValueError("__any takes a list of values; use __in for a subquery.")
        # As ``__in``: None never matches (and would turn an exclude() into nothing at all);
        # a model instance stands for its primary key.
        values = [getattr(v, "pk", v) for v in self.rhs if v is not None]
        # Whole numbers for a whole-number column (ids, mostly) need no conversion.
        self.integers = self._column().get_internal_type() in INTEGER_TYPES and all(
            type(v) is int for v in values
        )
        if self.integers:
            return values
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in values]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise EmptyResultSet  # as ``__in`` does: no query is sent at all
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        if self.integers:
            values = self.rhs
        else:
            values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        if connection.vendor == "postgresql":
            column_type = field.db_type(connection)
            if column_type and column_type.startswith(("varchar", "char")):
                column_type = "text"  # a cast to varchar(n) would cut a longer value short
            literal = _array_literal(values, integers=self.integers)
            if column_type and literal is not None:
                # One text parameter, cast: psycopg would otherwise adapt value by value.
                return f"{lhs} = ANY(%s::{column_type}[])", [*lhs_params, literal]
            return f"{lhs} = ANY(%s)", [*lhs_params, list(values)]
        # ``lhs`` is the compiler's own quoted column, never input.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(list(values))]


# Related fields keep their own lookups (``RelatedIn``…): register on both.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
