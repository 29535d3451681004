from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import ApiToken, Membership
from accounts.policies import user_roles
from accounts.roles import ROLE_MODEL_PERMISSIONS, Role
from accounts.services import (
    account_unlock,
    api_token_find,
    api_token_issue,
    api_token_revoke,
    membership_add,
    membership_end,
    roles_ensure,
)
from accounts.tests.factories import UserFactory
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_roles_ensure_creates_one_group_per_role_with_its_permissions() -> None:
    roles_ensure()
    roles_ensure()  # idempotent
    assert Group.objects.filter(name__in=[r.label for r in Role]).count() == len(Role)
    admin = Group.objects.get(name=Role.SYSTEM_ADMIN.label)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in admin.permissions.all()}
    assert granted == set(ROLE_MODEL_PERMISSIONS[Role.SYSTEM_ADMIN])
    assert not Group.objects.get(name=Role.PRACTITIONER.label).permissions.exists()


def test_membership_add_puts_user_in_role_group_and_staff_only_for_admins(team_north) -> None:
    user = UserFactory()
    membership_add(actor=None, user=user, team=team_north, role=Role.PRACTITIONER)
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == ["Practitioner"]
    assert not user.is_staff
    membership_add(actor=None, user=user, team=team_north, role=Role.SYSTEM_ADMIN)
    user.refresh_from_db()
    assert user.is_staff
    assert user_roles(user) == {Role.PRACTITIONER, Role.SYSTEM_ADMIN}


def test_only_a_system_admin_may_change_memberships(practitioner, team_south) -> None:
    target = UserFactory()
    with pytest.raises(ApplicationError):
        membership_add(actor=practitioner, user=target, team=team_south, role=Role.PRACTITIONER)
    assert not Membership.objects.filter(user=target).exists()


def test_ended_membership_no_longer_grants_its_role(admin_user, practitioner) -> None:
    membership = practitioner.memberships.get()
    today = timezone.localdate()
    membership_end(actor=admin_user, membership=membership, ends_on=today)
    assert Role.PRACTITIONER in user_roles(practitioner)  # still a member today
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        fresh = type(practitioner).objects.get(pk=practitioner.pk)
        assert user_roles(fresh) == frozenset()


def test_membership_cannot_end_before_it_starts(admin_user, practitioner) -> None:
    membership = practitioner.memberships.get()
    with pytest.raises(Exception, match="end date"):
        membership_end(
            actor=admin_user,
            membership=membership,
            ends_on=membership.starts_on - timedelta(days=1),
        )
    membership.refresh_from_db()
    assert membership.ends_on is None


def test_api_token_is_stored_as_digest_and_found_by_raw_value(practitioner) -> None:
    token, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    assert raw not in (token.digest, token.prefix)
    assert ApiToken.objects.filter(digest=raw).count() == 0
    assert api_token_find(raw=raw) == token
    assert api_token_find(raw=raw + "x") is None


def test_api_token_expires(practitioner, settings) -> None:
    token, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        assert api_token_find(raw=raw) is None


def test_api_token_revoked_by_owner_and_not_by_others(practitioner, other_practitioner) -> None:
    token, raw = api_token_issue(actor=practitioner, verified_mfa=False)
    with pytest.raises(ApplicationError):
        api_token_revoke(actor=other_practitioner, token=token)
    assert api_token_find(raw=raw) is not None
    api_token_revoke(actor=practitioner, token=token)
    assert api_token_find(raw=raw) is None


def test_only_a_system_admin_may_unlock_an_account(
    practitioner, other_practitioner, admin_user
) -> None:
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="ben",
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/sign-in/",
    )
    with pytest.raises(ApplicationError):
        account_unlock(actor=practitioner, user=other_practitioner)
    assert AccessAttempt.objects.filter(username="ben").exists()
    account_unlock(actor=admin_user, user=other_practitioner)
    assert not AccessAttempt.objects.filter(username="ben").exists()
