"""Who may call the audit API: thin wrappers over ``audit.policies``.

Anyone else gets 404, the answer for an endpoint that does not exist, so the API does not say
that there is an audit trail to be refused."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from audit import policies


class CanReviewAudit(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not policies.can_review_audit(request.user):  # type: ignore[arg-type]
            raise NotFound()
        return True


class CanConfigureAudit(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not policies.can_configure_audit(request.user):  # type: ignore[arg-type]
            raise NotFound()
        return True
