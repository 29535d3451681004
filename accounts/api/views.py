from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import mfa
from accounts.api.serializers import MeSerializer, TokenRequestSerializer, TokenResponseSerializer
from accounts.models import ApiToken
from accounts.policies import can_sign_in
from accounts.services import api_token_issue, api_token_revoke
from core.api.permissions import IsSignedInStaff


class TokenView(APIView):
    """Exchange a username, password (and one-time code) for a bearer token; revoke it."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenResponseSerializer,
            400: OpenApiResponse(description="Wrong credentials or one-time code, field errors"),
            403: OpenApiResponse(description="Account locked"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        # A locked account: django-axes' middleware replaces this response with
        # accounts.lockout.lockout_response (403 JSON), so nothing is said here.
        if user is None or not can_sign_in(user):
            return Response(
                {"non_field_errors": ["Enter a correct username and password."]}, status=400
            )
        verified = False
        if mfa.mfa_needed(user):
            if not mfa.confirmed_devices(user):
                return Response(
                    {"otp_token": ["Set up an authenticator app in the browser first."]},
                    status=400,
                )
            code = data.get("otp_token") or ""
            if not code:
                return Response({"otp_token": ["Enter the 6-digit one-time code."]}, status=400)
            if mfa.verify_code(user, code) is None:
                return Response(
                    {"otp_token": ["The one-time code is wrong or has expired."]}, status=400
                )
            verified = True
        token, raw = api_token_issue(actor=user, verified_mfa=verified)
        body = TokenResponseSerializer({"token": raw, "expires_at": token.expires_at}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    permission_classes = [IsSignedInStaff]

    @extend_schema(request=None, responses={204: None, 400: OpenApiResponse()})
    def delete(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):
            return Response({"detail": "Sign out to end a browser session."}, status=400)
        api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user, their teams, roles and organisations."""

    permission_classes = [IsSignedInStaff]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
