from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.policies import can_administer, can_sign_in, user_roles
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_roles_come_from_current_memberships(practitioner, admin_user) -> None:
    assert user_roles(practitioner) == {Role.PRACTITIONER}
    assert user_roles(admin_user) == {Role.RECORDS_MANAGER, Role.SYSTEM_ADMIN}
    assert can_administer(admin_user)
    assert not can_administer(practitioner)


def test_leavers_and_disabled_accounts_hold_no_roles_and_cannot_sign_in(practitioner) -> None:
    practitioner.left_on = timezone.localdate() - timedelta(days=1)
    assert not can_sign_in(practitioner)
    assert user_roles(practitioner) == frozenset()
    practitioner.left_on = None
    practitioner.is_active = False
    del practitioner._carefile_roles
    assert not can_sign_in(practitioner)
    assert user_roles(practitioner) == frozenset()


def test_leaving_date_today_still_works(practitioner) -> None:
    practitioner.left_on = timezone.localdate()
    assert can_sign_in(practitioner)
