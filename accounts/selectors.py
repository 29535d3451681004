"""Reads about staff: memberships, teams and the organisations a user works for."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Membership, Organisation, Team, User


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The acting user's own current memberships, with team and organisation loaded."""
    return (
        Membership.objects.current()
        .filter(user=user)
        .select_related("team", "team__organisation")
        .prefetch_related("team__acts_for")
        .order_by("team__name", "role")
    )


def team_list_for_user(*, user: User) -> QuerySet[Team]:
    return Team.objects.filter(
        id__in=Membership.objects.current().filter(user=user).values("team_id")
    ).select_related("organisation")


def organisation_list_served_by_user(*, user: User) -> QuerySet[Organisation]:
    """Controllers whose records the user's teams work on: own council plus acts-for."""
    team_ids = Membership.objects.current().filter(user=user).values("team_id")
    return (
        Organisation.objects.filter(
            Q(kind=Organisation.Kind.COUNCIL, teams__in=team_ids) | Q(served_by_teams__in=team_ids)
        )
        .distinct()
        .order_by("name")
    )
