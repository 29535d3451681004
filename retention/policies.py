"""Who keeps the retention schedule and its holds: the records manager, for the councils their
team works for (holds); the schedule itself is the deployment's, changed by any records
manager and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.policies import organisation_ids_for_roles, user_roles
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User
    from retention.models import DisposalItem

KEEPERS = frozenset({Role.RECORDS_MANAGER})


def can_change_schedule(user: User) -> bool:
    return Role.RECORDS_MANAGER in user_roles(user)


def hold_org_ids(user: User) -> frozenset[int]:
    """Councils whose records the user may place holds on and lift them from."""
    return organisation_ids_for_roles(user, KEEPERS)


APPROVERS = frozenset({Role.RECORDS_MANAGER, Role.SYSTEM_ADMIN})


def approver_org_ids(user: User) -> frozenset[int]:
    """Councils whose disposal batches the user reviews and approves."""
    return organisation_ids_for_roles(user, APPROVERS)


READERS = frozenset({Role.RECORDS_MANAGER, Role.SYSTEM_ADMIN, Role.CALDICOTT_GUARDIAN})


def can_view_schedule(user: User) -> bool:
    """The schedule and its history hold no personal data: the records manager, the system
    administrator and the Caldicott guardian read it. Holds, batches, the register and the
    forecast are the approvers' (``approver_org_ids``)."""
    return any(role in READERS for role in user_roles(user))


def item_named(item: DisposalItem) -> bool:
    """Whether a batch's reviewers see whose record an item is: only while it is still to be
    decided (included or kept longer), and never for a restricted person (adoption, staff as
    clients), whose name needs a named grant the reviewer does not have."""
    from retention.models import ItemStatus

    return (
        item.person is not None
        and item.status in (ItemStatus.INCLUDED, ItemStatus.KEPT)
        and not item.person.is_restricted
    )
