"""Session idle timeout and the multi-factor requirement."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.mfa import is_verified, mfa_needed

LAST_SEEN_KEY = "carefile_last_seen"


class IdleTimeoutMiddleware:
    """Sign out a session that has been idle for longer than CAREFILE_IDLE_TIMEOUT."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            timeout = settings.CAREFILE_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - float(last_seen) > timeout:
                logout(request)
                request.session["carefile_timed_out"] = True
            elif last_seen is None or now - float(last_seen) > 30:
                # Writing at most every 30 seconds keeps session writes cheap.
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """A signed-in user who must use a one-time code is sent to enrol or verify first.

    Views marked with ``mfa_not_required`` (sign-out, enrolment, verification) and views that
    need no sign-in are let through. API session requests are refused by the API's own
    authentication class instead (accounts.api.authentication).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: list[Any],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or request.path_info.startswith("/api/"):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "mfa_not_required", False):
            return None
        if not mfa_needed(user) or is_verified(user):
            return None
        target = reverse("accounts:mfa-verify")
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{target}?{query}")


def mfa_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view reachable by a signed-in user who has not yet given a one-time code."""
    view.mfa_not_required = True  # type: ignore[attr-defined]
    return view


def timed_out_message(request: HttpRequest) -> None:
    if request.session.pop("carefile_timed_out", False):
        messages.info(
            request,
            "You were signed out because you had not done anything for "
            f"{int(settings.CAREFILE_IDLE_TIMEOUT.total_seconds() // 60)} minutes.",
        )
