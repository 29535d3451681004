"""API authentication: bearer tokens, and browser sessions that have passed MFA."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.request import Request

from accounts.mfa import is_verified, mfa_needed
from accounts.policies import can_sign_in
from accounts.services import api_token_find, api_token_touch


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a token from POST /api/v1/auth/token/."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed bearer token header."))
        token = api_token_find(raw=parts[1])
        if token is None or not can_sign_in(token.user):
            raise exceptions.AuthenticationFailed(_("Token is invalid, expired or revoked."))
        if mfa_needed(token.user) and not token.verified_mfa:
            raise exceptions.AuthenticationFailed(_("Token was issued without a one-time code."))
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser session, once the user has given a one-time code where one is needed."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not can_sign_in(user):
            return None
        if mfa_needed(user) and not is_verified(request._request.user):
            return None
        return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
