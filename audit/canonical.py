"""The canonical forms that audit hashes cover, in Python and (for fast verification) in SQL.

Every sealed value is written as ``<length>:<text>`` (``~`` for NULL), so no value can run into
the next. The two implementations must agree byte for byte; audit/tests/test_canonical.py
checks them against each other on PostgreSQL with awkward values.

- event hash  = SHA-256("event-v1" + the sealed columns in order, except id and the hash);
- events digest = SHA-256 of "<id>:<event hash>\\n" for each sealed event in id order;
- seal hash   = SHA-256("seal-v1" + range, count, skipped ids, events digest, previous seal
  hash, time), which chains each seal to the one before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

# The sealed columns an event hash covers, in order. ``id`` is bound by the events digest.
HASHED_EVENT_COLUMNS = (
    "occurred_at",
    "action",
    "purpose",
    "actor_id",
    "actor_username",
    "summary",
    "object_type",
    "object_id",
    "subject_ids",
    "changed_fields",
    "path",
    "request_id",
    "ip_address",
    "personal_digest",
)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _enc(value: Any) -> str:
    if value is None:
        return "~"
    if isinstance(value, datetime):
        value = micros(value)
    text = str(value)
    return f"{len(text)}:{text}"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(values: dict[str, Any]) -> str:
    return sha256_hex("event-v1" + "".join(_enc(values[c]) for c in HASHED_EVENT_COLUMNS))


def personal_digest(salt: str, text: str) -> str:
    return sha256_hex(salt + text)


def events_digest(pairs: Iterable[tuple[int, str]]) -> str:
    digest = hashlib.sha256()
    for event_id, hash_hex in pairs:
        digest.update(f"{event_id}:{hash_hex}\n".encode())
    return digest.hexdigest()


def seal_hash(
    *,
    first_event_id: int,
    last_event_id: int,
    event_count: int,
    skipped_ids: str,
    events_digest: str,
    previous_hash: str,
    sealed_at: datetime,
) -> str:
    parts = (
        first_event_id,
        last_event_id,
        event_count,
        skipped_ids,
        events_digest,
        previous_hash,
        sealed_at,
    )
    return sha256_hex("seal-v1" + "".join(_enc(p) for p in parts))


# --- PostgreSQL ------------------------------------------------------------------------------


# Columns that may be NULL; every other hashed column is NOT NULL.
NULLABLE_EVENT_COLUMNS = frozenset({"actor_id"})


def _sql_part(column: str, alias: str) -> str:
    if column == "occurred_at":
        value = f"((extract(epoch FROM {alias}.occurred_at) * 1000000)::bigint)::text"
    elif column == "actor_id":
        value = f"{alias}.actor_id::text"
    else:
        value = f"{alias}.{column}"
    if column in NULLABLE_EVENT_COLUMNS:
        return f"coalesce(length({value}) || ':' || {value}, '~')"
    return f"length({value}), ':', {value}"


def sql_event_hash(alias: str = "e") -> str:
    """SQL computing an event's hash from its stored columns, as :func:`event_hash` does.

    One ``concat`` builds the whole text in a single pass, which is what lets PostgreSQL
    re-check millions of events a second."""
    body = ", ".join(_sql_part(c, alias) for c in HASHED_EVENT_COLUMNS)
    return f"encode(sha256(convert_to(concat('event-v1', {body}), 'UTF8')), 'hex')"


def sql_personal_digest(alias: str = "e") -> str:
    return (
        f"encode(sha256(convert_to({alias}.personal_salt || {alias}.personal_text, 'UTF8')), 'hex')"
    )


def sql_events_digest(alias: str = "e") -> str:
    """An aggregate over events: the events digest of those in the group."""
    return (
        "encode(sha256(convert_to(string_agg("
        f"{alias}.id::text || ':' || {alias}.event_hash || E'\\n', '' ORDER BY {alias}.id"
        "), 'UTF8')), 'hex')"
    )
