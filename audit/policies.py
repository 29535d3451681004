"""Who may read the audit trail and tune privacy monitoring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.policies import has_role
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User


def can_review_audit(user: User) -> bool:
    """The Caldicott guardian reads the trail and reviews alerts; nobody else does."""
    return user.is_authenticated and has_role(user, Role.CALDICOTT_GUARDIAN)


def can_configure_audit(user: User) -> bool:
    """Privacy rules are tuned by the guardian, or set up by the system administrator."""
    return user.is_authenticated and (
        has_role(user, Role.CALDICOTT_GUARDIAN) or has_role(user, Role.SYSTEM_ADMIN)
    )
