"""What the audit trail needs to know about the request in hand, and what it has shown.

``audit.middleware.AuditMiddleware`` opens a context for each request; services read the
address and request id from it, and views add the people a response shows with :func:`shown`.
Celery tasks and commands run with no context: their events carry no address, and a task that
shows personal data (a PDF, an export) records its read explicitly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model


@dataclass
class ReadNote:
    summary: str
    subject_ids: set[int]
    object_type: str = ""
    object_id: str = ""
    purpose: str = ""  # empty: decided from how the user reaches each subject
    personal: dict[str, Any] = field(default_factory=dict)


@dataclass
class RequestContext:
    request_id: str = ""
    ip_address: str = ""
    path: str = ""
    reads: list[ReadNote] = field(default_factory=list)


_current: ContextVar[RequestContext | None] = ContextVar("carefile_audit_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


@contextlib.contextmanager
def request_context(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def object_ref(obj: Model | None) -> tuple[str, str]:
    """("app.model", public id or pk) naming a thing without personal data."""
    if obj is None:
        return "", ""
    meta = obj._meta
    key = getattr(obj, "public_id", None) or obj.pk
    return f"{meta.app_label}.{meta.model_name}", str(key)


def person_ids(people: Iterable[Any]) -> set[int]:
    """Person ids from people, ids, or anything with a ``person_id``."""
    ids: set[int] = set()
    for person in people:
        if person is None:
            continue
        if isinstance(person, int):
            ids.add(person)
        elif hasattr(person, "person_id") and not hasattr(person, "first_name"):
            ids.add(int(person.person_id))
        else:
            ids.add(int(person.pk))
    return ids


def shown(
    people: Iterable[Any],
    *,
    summary: str,
    obj: Model | None = None,
    purpose: str = "",
    personal: dict[str, Any] | None = None,
) -> None:
    """Say that this response shows these people's data. The middleware writes one read event
    for the request once the response is ready, and fails the response if it cannot.

    Raises ``RuntimeError`` outside a request, so a read can never go unrecorded silently."""
    context = _current.get()
    if context is None:
        raise RuntimeError("audit.context.shown() called outside a request")
    object_type, object_id = object_ref(obj)
    context.reads.append(
        ReadNote(
            summary=summary,
            subject_ids=person_ids(people),
            object_type=object_type,
            object_id=object_id,
            purpose=purpose,
            personal=personal or {},
        )
    )
