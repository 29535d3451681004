from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import membership_list_for_user
from core.health import run_checks
from core.navigation import panels_for


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The signed-in start page: one section per role the user holds."""
    memberships = list(membership_list_for_user(user=request.user))  # type: ignore[arg-type]
    return render(
        request,
        "core/start.html",
        {"panels": panels_for(request.user), "memberships": memberships},
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(check.ok for check in checks)
    body = {
        "status": "ok" if healthy else "unhealthy",
        "checks": {check.name: check.as_dict() for check in checks},
        "problems": [check.detail for check in checks if not check.ok],
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _error(
    request: HttpRequest, status: int, title: str, message: str, template: str = "error.html"
) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    response = render(request, template, {"title": title, "message": message}, status=status)
    response.carefile_error_page = True  # type: ignore[attr-defined]
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        "Sorry, there is a problem with that request",
        "The request could not be understood. Go back and try again.",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        "You cannot do that",
        "You do not have permission to do that. If you think you should, ask your "
        "team manager or system administrator.",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, "
        "the page may have moved, or you may not have access to it.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the failure may be in one of them.
    if _is_api(request):
        return JsonResponse({"detail": "Sorry, something went wrong on our side."}, status=500)
    from django.template import loader

    body = loader.get_template("500.html").render({"service_name": "Carefile"})
    response = HttpResponse(body, status=500)
    response.carefile_error_page = True  # type: ignore[attr-defined]
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Your form could not be sent",
        "The page you sent the form from had expired or was missing its security "
        "token. Nothing was saved. Go back, reload the page and try again.",
    )
