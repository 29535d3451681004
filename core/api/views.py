"""What every app's API views share: the base view that turns a selector's 404 into the same
answer as a missing thing, the common schema responses, and small input helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from core.api.permissions import IsSignedInStaff

if TYPE_CHECKING:
    from accounts.models import User

NOT_FOUND = OpenApiResponse(description="Not found, or not yours to see (the same answer)")
BAD_INPUT = OpenApiResponse(description="Field errors; nothing was saved")
REFUSED = OpenApiResponse(description="You may see this but not make this change")


class StaffAPIView(APIView):
    permission_classes = [IsSignedInStaff]

    def handle_exception(self, exc: Exception) -> Response:
        # Whatever a selector says about why, a hidden thing and a missing one look the same.
        if isinstance(exc, Http404):
            exc = NotFound()
        return super().handle_exception(exc)


def actor(request: Request) -> User:
    return cast("User", request.user)


def valid(serializer_class: type[Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})
