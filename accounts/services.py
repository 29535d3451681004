"""Every write about staff accounts: roles, memberships and API tokens. Each records its audit
event in its own transaction; staff accounts are not data subjects of case records, so these
events name none."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken, Membership, Team, User
from accounts.policies import can_administer
from accounts.roles import ROLE_MODEL_PERMISSIONS, STAFF_ROLES, Role
from audit.models import Action, Purpose
from audit.services import changes_between, created_changes, event_record, snapshot
from core.errors import ApplicationError

TOKEN_PREFIX_LENGTH = 8


def roles_ensure(*, using: str = "default") -> None:
    """Create one group per role and give it exactly its model permissions. Idempotent."""
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.label)
        wanted = []
        for dotted in ROLE_MODEL_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def user_sync_roles(*, user: User) -> None:
    """Keep the user's groups and staff flag in step with their current memberships."""
    current = list(
        Membership.objects.current()
        .filter(user=user)
        .values_list("role", "team__shares_caseload", "team__caseload_group_id")
    )
    roles = {role for role, _, _ in current}
    labels = [Role(role).label for role in roles]
    # Caseload groups hold each team's object permissions on its cases (records.services).
    # Need-to-know reads memberships by date, so these groups only mirror them for the admin.
    caseload_groups = {
        group_id
        for role, shares, group_id in current
        if group_id and (role == Role.TEAM_MANAGER or (role == Role.PRACTITIONER and shares))
    }
    user.groups.set(Group.objects.filter(Q(name__in=labels) | Q(pk__in=caseload_groups)))
    is_staff = bool(roles & STAFF_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    for cached in ("_carefile_roles", "_carefile_record_access"):
        if hasattr(user, cached):
            delattr(user, cached)


def _require_admin(actor: User) -> None:
    if not can_administer(actor):
        raise ApplicationError("Only a system administrator can change teams and roles.")


@transaction.atomic
def membership_add(
    *, actor: User | None, user: User, team: Team, role: Role, starts_on: date | None = None
) -> Membership:
    """Give a user a role in a team. `actor=None` only for set-up commands (demo, bootstrap)."""
    if actor is not None:
        _require_admin(actor)
    membership = Membership(
        user=user, team=team, role=role, starts_on=starts_on or timezone.localdate()
    )
    membership.full_clean()
    membership.save()
    user_sync_roles(user=user)
    event_record(
        actor=actor,
        action=Action.PERMISSION_GRANT,
        summary="Gave a member of staff a role in a team",
        obj=membership,
        changes=_new_values(membership),
        purpose=Purpose.SYSTEM if actor is None else Purpose.NORMAL,
    )
    return membership


@transaction.atomic
def membership_end(*, actor: User, membership: Membership, ends_on: date | None = None) -> None:
    _require_admin(actor)
    before = snapshot(membership, ["ends_on"])
    membership.ends_on = ends_on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["ends_on"])
    user_sync_roles(user=membership.user)
    event_record(
        actor=actor,
        action=Action.PERMISSION_REVOKE,
        summary="Ended a member of staff's role in a team",
        obj=membership,
        changes=changes_between(before, snapshot(membership, ["ends_on"])),
    )


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> None:
    """Clear the failed sign-in attempts that locked an account."""
    from axes.utils import reset as axes_reset

    _require_admin(actor)
    cleared = axes_reset(username=user.username)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Unlocked an account",
        obj=user,
        changes={"failed_sign_in_records": (cleared, 0)},
    )


def _new_values(instance: Membership | ApiToken, *secret: str) -> dict[str, tuple[object, object]]:
    return {
        name: change
        for name, change in created_changes(instance).items()
        if name not in {"public_id", "created_at", *secret}
    }


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: User, verified_mfa: bool) -> tuple[ApiToken, str]:
    """Issue a bearer token for the actor. Returns the row and the raw token, shown only once."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        prefix=raw[:TOKEN_PREFIX_LENGTH],
        digest=_digest(raw),
        expires_at=timezone.now() + settings.CAREFILE_API_TOKEN_LIFETIME,
        verified_mfa=verified_mfa,
    )
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Issued an API token",
        obj=token,
        # Nothing of the token itself: not its digest, not its first characters.
        changes=_new_values(token, "prefix", "digest"),
    )
    return token, raw


def api_token_find(*, raw: str) -> ApiToken | None:
    """The live token matching a raw bearer value, or None. Constant-time on the digest."""
    digest = _digest(raw)
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=raw[:TOKEN_PREFIX_LENGTH], digest=digest)
        .first()
    )
    if token is None or not secrets.compare_digest(token.digest, digest):
        return None
    if not token.is_usable():
        return None
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute, so a busy client does not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk and not can_administer(actor):
        raise ApplicationError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            actor=actor,
            action=Action.UPDATE,
            summary="Revoked an API token",
            obj=token,
            changes={"revoked_at": (None, token.revoked_at.isoformat())},
        )
