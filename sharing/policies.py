"""Who may do what with the sharing log. Pure decisions over the user's current memberships
(loaded once per request) and the cases a sharing's people hold.

- A practitioner or manager records a sharing, and consents, for people they reach through a
  case they work on (as its subject or a participant): break-glass and records-access grants
  only read.
- A sharing without consent is authorised by a manager of a team holding a case of one of its
  people — never by the person who recorded it.
- The register (agencies and agreements) is kept by the records manager and the system
  administrator of each council; managers, the Caldicott guardian and they see the reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from accounts.policies import organisation_ids_for_roles
from accounts.roles import Role
from records import policies as record_policies

if TYPE_CHECKING:
    from accounts.models import User
    from records.models import Case
    from records.policies import RecordAccess
    from sharing.models import SharingRecord

REGISTER_ROLES = frozenset({Role.RECORDS_MANAGER, Role.SYSTEM_ADMIN})
REPORT_ROLES = frozenset(
    {Role.TEAM_MANAGER, Role.CALDICOTT_GUARDIAN, Role.RECORDS_MANAGER, Role.SYSTEM_ADMIN}
)


def register_org_ids(user: User) -> frozenset[int]:
    """Councils whose agencies and agreements the user keeps."""
    return organisation_ids_for_roles(user, REGISTER_ROLES)


def report_org_ids(user: User) -> frozenset[int]:
    """Councils whose sharing reports the user sees (counts and references, never names)."""
    return organisation_ids_for_roles(user, REPORT_ROLES)


def can_keep_register(user: User, organisation_id: int) -> bool:
    return organisation_id in register_org_ids(user)


def can_see_reports(user: User) -> bool:
    return bool(report_org_ids(user))


def can_share_through(access: RecordAccess, cases: Iterable[Case]) -> bool:
    """The user works on one of these cases (the person's own, or one they take part in)."""
    return any(record_policies.can_work_on_case(access, case) for case in cases)


def can_authorise(access: RecordAccess, sharing: SharingRecord, holding_team_ids: set[int]) -> bool:
    """A manager of a team holding a case of one of the sharing's people, not its recorder,
    while the authorisation is pending. ``holding_team_ids``: the teams holding those cases."""
    from sharing.models import Authorisation

    return (
        sharing.authorisation == Authorisation.PENDING
        and sharing.recorded_by_id != access.user_id
        and sharing.organisation_id in access.served_org_ids
        and bool(access.managed_team_ids & holding_team_ids)
    )
