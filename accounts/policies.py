"""Pure functions deciding what a member of staff may do with accounts and the admin site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User


def user_roles(user: User) -> frozenset[str]:
    """Roles the user holds today through current memberships (cached on the user object)."""
    cached = getattr(user, "_carefile_roles", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active or user.has_left:
        roles: frozenset[str] = frozenset()
    else:
        roles = frozenset(user.memberships.current().values_list("role", flat=True))
    user._carefile_roles = roles  # type: ignore[attr-defined]
    return roles


def has_role(user: User, role: Role) -> bool:
    return role in user_roles(user)


def can_administer(user: User) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_sign_in(user: User) -> bool:
    """Disabled accounts and leavers cannot sign in, whatever their memberships say."""
    return user.is_active and not user.has_left


def organisation_ids_for_roles(user: User, roles: frozenset[str]) -> frozenset[int]:
    """Councils the user works for in one of these roles: their team's own council and any
    council the team acts for."""
    key = "_carefile_orgs_" + "_".join(sorted(roles))
    cached = getattr(user, key, None)
    if cached is not None:
        return cached
    from accounts.models import Membership, Team

    orgs: set[int] = set()
    if user.is_authenticated and user.is_active and not user.has_left:
        teams = list(
            Membership.objects.current()
            .filter(user_id=user.pk, role__in=roles, team__is_active=True)
            .values_list("team_id", "team__organisation_id", "team__organisation__kind")
        )
        orgs.update(org_id for _, org_id, kind in teams if kind == "council")
        if teams:
            orgs.update(
                Team.acts_for.through.objects.filter(
                    team_id__in=[team_id for team_id, _, _ in teams]
                ).values_list("organisation_id", flat=True)
            )
    result = frozenset(orgs)
    setattr(user, key, result)
    return result
