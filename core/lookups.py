"""``field__any=[...]``: membership in a list sent as one parameter.

Django's ``__in`` writes one placeholder per value. For the thousands of ids of a disposal
chunk, psycopg then splits and quotes a query string the size of the list, and PostgreSQL
parses every literal; the query is never the same twice. ``__any`` sends one array
(PostgreSQL: ``= ANY(%s)``; SQLite: a JSON array read by ``json_each``), so the query text
stays the same whatever the list's length. An empty list matches nothing without a query,
as ``__in`` does.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            raise EmptyResultSet  # as ``__in`` does: no query is sent at all
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        # ``lhs`` is the compiler's own quoted column, never input.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(values)]


# Related fields keep their own lookups (``RelatedIn``…): register on both.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
