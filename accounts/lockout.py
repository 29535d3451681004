"""What a locked-out sign-in sees: a GOV.UK page in the browser, JSON from the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_MESSAGE = (
    "This account is locked after too many wrong attempts. Ask a system administrator to unlock it."
)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_MESSAGE, "code": "account_locked"}, status=status)
    context = {"cooloff_timedelta": settings.AXES_COOLOFF_TIME}
    return render(request, "accounts/locked.html", context, status=status)
