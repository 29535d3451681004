"""Opens the audit context for each request and writes its read event before answering."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from audit.context import RequestContext, request_context

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's address: the socket peer, or the address the trusted proxies saw."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _release(response: HttpResponseBase) -> None:
    """Let go of what a withheld response holds (a download's open file). Not by
    ``response.close()``: that also signals the request finished while it is still being
    answered, and Django then closes the database connection under it."""
    closers = getattr(response, "_resource_closers", [])
    for close in closers:
        with contextlib.suppress(Exception):
            close()
    closers.clear()


class AuditMiddleware:
    """Every response that shows personal data writes its read event, or is not sent.

    Views name the people they show with ``audit.context.shown``; after the view returns, one
    event per request is written (one per purpose if a response mixes them). If that write
    fails, the user gets the error page instead of the data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        context = RequestContext(
            request_id=getattr(request, "request_id", ""),
            ip_address=client_address(request),
            path=request.path[:300],
        )
        with request_context(context):
            response = self.get_response(request)
            if context.reads and response.status_code < 400:
                try:
                    self._record(request, context)
                except Exception:
                    logger.exception("Could not write the read audit event; response withheld")
                    from core import views

                    _release(response)
                    return views.server_error(request)
        return response

    @staticmethod
    def _record(request: HttpRequest, context: RequestContext) -> None:
        from audit.services import reads_record
        from records.selectors import read_purposes

        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        undecided = {
            person_id
            for note in context.reads
            if not note.purpose
            for person_id in note.subject_ids
        }
        purposes = read_purposes(user=actor, person_ids=undecided) if actor and undecided else {}
        reads_record(actor=actor, notes=context.reads, purposes=purposes)
