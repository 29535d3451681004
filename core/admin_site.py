from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.mfa import is_verified, mfa_needed


class CarefileAdminSite(admin.AdminSite):
    site_header = "Carefile administration"
    site_title = "Carefile administration"
    index_title = "Organisations, teams, staff and schedules"
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        return not mfa_needed(user) or is_verified(user)  # type: ignore[arg-type]

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated:
            if mfa_needed(user) and not is_verified(user):
                target = reverse("accounts:mfa-verify")
                return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")
            raise PermissionDenied
        target = reverse("accounts:login")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")
