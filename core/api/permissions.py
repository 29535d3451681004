"""DRF permission classes: thin wrappers over the policies in each app's policies.py."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class DenyAll(BasePermission):
    """The default for every API view: a view that forgets its permissions is closed."""

    message = "This endpoint is not open to anyone."

    def has_permission(self, request: Request, view: Any) -> bool:
        return False

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return False


class IsSignedInStaff(BasePermission):
    """An authenticated, active member of staff who has not left."""

    def has_permission(self, request: Request, view: Any) -> bool:
        from accounts.policies import can_sign_in

        user = request.user
        return bool(user and user.is_authenticated and can_sign_in(user))
