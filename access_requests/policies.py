"""Who may work rights requests: the records-access officers of the controller that holds the
records (a shared records team acts for each council it serves). Pure decisions over the
user's current memberships, loaded once per request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Membership, Team
from accounts.roles import Role

if TYPE_CHECKING:
    from access_requests.models import AccessRequest, Complaint
    from accounts.models import User


def officer_org_ids(user: User) -> frozenset[int]:
    """Organisations whose rights requests the user works as a records-access officer."""
    cached = getattr(user, "_carefile_officer_orgs", None)
    if cached is not None:
        return cached
    orgs: set[int] = set()
    if user.is_authenticated and user.is_active and not user.has_left:
        teams = list(
            Membership.objects.current()
            .filter(user_id=user.pk, role=Role.RECORDS_ACCESS_OFFICER)
            .values_list("team_id", "team__organisation_id", "team__organisation__kind")
        )
        orgs.update(org_id for _, org_id, kind in teams if kind == "council")
        orgs.update(
            Team.acts_for.through.objects.filter(
                team_id__in=[team_id for team_id, _, _ in teams]
            ).values_list("organisation_id", flat=True)
        )
    result = frozenset(orgs)
    user._carefile_officer_orgs = result  # type: ignore[attr-defined]
    return result


def is_officer(user: User) -> bool:
    return bool(officer_org_ids(user))


def can_work_request(user: User, request: AccessRequest) -> bool:
    return request.organisation_id in officer_org_ids(user)


def can_approve(user: User, request: AccessRequest) -> bool:
    """A second officer approves: not the one who sent it for approval, nor the assignee."""
    return (
        can_work_request(user, request)
        and user.pk != request.submitted_for_approval_by_id
        and user.pk != request.assigned_to_id
    )


def can_work_complaint(user: User, complaint: Complaint) -> bool:
    return complaint.organisation_id in officer_org_ids(user)
