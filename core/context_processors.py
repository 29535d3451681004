from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from core.navigation import nav_for


def carefile(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    organisation = ""
    if signed_in:
        from accounts.selectors import team_list_for_user

        teams = team_list_for_user(user=user)  # type: ignore[arg-type]
        names = sorted({team.organisation.name for team in teams})
        organisation = ", ".join(names)
    return {
        "header_organisation": organisation,
        "service_name": settings.CAREFILE_SERVICE_NAME,
        "embedded_demo": settings.CAREFILE_EMBEDDED,
        "navigation": nav_for(user, request.path) if signed_in else [],
        "idle_timeout_minutes": int(settings.CAREFILE_IDLE_TIMEOUT.total_seconds() // 60),
    }
