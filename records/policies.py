"""Need-to-know: who may see and change which people, cases and items (DESIGN.md invariants).

Two layers. ``record_access(user)`` loads, once per request, what a user's current memberships
give them: the teams whose caseloads they see, the teams they manage, the controllers they work
for, and the ids of the record permissions. The ``*_visible_q`` functions turn that into query
filters over django-guardian's direct foreign-key permission tables, honouring every grant's
expiry at the moment of the query. The ``can_*`` functions are pure decisions on one object.

Roles decide nothing on their own: a Caldicott guardian, records manager or system
administrator sees no case through this module unless they also hold a case-working role in a
team, and a records-access officer sees a person only through a grant for an access request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import CASE_SERVICES, Membership, Team
from accounts.policies import user_roles
from accounts.roles import Role

if TYPE_CHECKING:
    from accounts.models import User
    from records.models import Case, Item, Person

# Person-wide grants: the holder sees every case of the person (break-glass, records access).
PERSON_WIDE_CODENAMES = ("break_glass_person", "disclose_person")
RECORD_CODENAMES = (
    "view_case",
    "manage_case",
    "view_person",
    "view_restricted_person",
    "break_glass_person",
    "disclose_person",
    "view_restricted_item",
)
CASEWORK_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER})
# Roles that work for their council's records without a caseload (grants and indexes only).
RECORDS_ROLES = frozenset({Role.RECORDS_ACCESS_OFFICER, Role.RECORDS_MANAGER})


@dataclass(frozen=True)
class RecordAccess:
    """What the user's current memberships give them on record data, on one day."""

    user_id: int
    on: date
    roles: frozenset[str]
    # Teams whose cases the user works on: as practitioner (when the team shares its caseload)
    # or as manager.
    caseload_team_ids: frozenset[int]
    caseload_group_ids: tuple[int, ...]
    # Teams where the user is a case-working member at all (allocations need this).
    casework_team_ids: frozenset[int]
    managed_team_ids: frozenset[int]
    served_org_ids: frozenset[int]
    permission_ids: dict[str, int] = field(default_factory=dict)
    # The user's own grant rows, loaded on first use (see ``grants``).
    _loaded: list[Grants] = field(default_factory=list, compare=False, repr=False)

    @property
    def does_casework(self) -> bool:
        return bool(self.casework_team_ids)

    def perm(self, codename: str) -> int:
        return self.permission_ids[codename]

    def grants(self) -> Grants:
        """The user's case, person and item grants: one query, once per request (again only if
        a service in this process has changed grants since). Expiry is judged each time one
        is used, against the moment of the query being built."""
        if not self._loaded or self._loaded[0].generation != _generation[0]:
            self._loaded[:] = [_load_grants(self)]
        return self._loaded[0]

    def allocated_case_ids(self, now: datetime) -> list[int]:
        return [c for c, expires in self.grants().cases if _live(expires, now)]

    def person_ids(self, codenames: tuple[str, ...], now: datetime) -> list[int]:
        wanted = {self.perm(c) for c in codenames}
        return [
            p for p, perm, expires in self.grants().people if perm in wanted and _live(expires, now)
        ]


@dataclass(frozen=True)
class Grants:
    cases: tuple[tuple[int, datetime | None], ...]  # allocation grants: (case, expires)
    people: tuple[tuple[int, int, datetime | None], ...]  # (person, permission, expires)
    items: frozenset[int]  # restricted items named for the user
    generation: int


# Bumped by every service that writes grant rows, so grants loaded earlier in this process are
# read again. Other processes' writes are seen from their next request on.
_generation = [0]


def grants_changed() -> None:
    _generation[0] += 1


def _live(expires: datetime | None, now: datetime) -> bool:
    return expires is None or expires > now


def _load_grants(access: RecordAccess) -> Grants:
    from django.db.models import DateTimeField, IntegerField, Value

    from records.models import (
        CaseUserObjectPermission,
        ItemUserObjectPermission,
        PersonUserObjectPermission,
    )

    cases = CaseUserObjectPermission.objects.filter(
        user_id=access.user_id, permission_id=access.perm("view_case")
    ).values_list(
        Value(1, output_field=IntegerField()), "content_object_id", "permission_id", "expires_at"
    )
    people = PersonUserObjectPermission.objects.filter(user_id=access.user_id).values_list(
        Value(2, output_field=IntegerField()), "content_object_id", "permission_id", "expires_at"
    )
    items = ItemUserObjectPermission.objects.filter(
        user_id=access.user_id, permission_id=access.perm("view_restricted_item")
    ).values_list(
        Value(3, output_field=IntegerField()),
        "content_object_id",
        "permission_id",
        Value(None, output_field=DateTimeField()),
    )
    case_rows, person_rows, item_ids = [], [], set()
    for kind, object_id, permission_id, expires in cases.union(people, items, all=True):
        if kind == 1:
            case_rows.append((object_id, expires))
        elif kind == 2:
            person_rows.append((object_id, permission_id, expires))
        else:
            item_ids.add(object_id)
    return Grants(tuple(case_rows), tuple(person_rows), frozenset(item_ids), _generation[0])


def record_access(user: User) -> RecordAccess:
    """The user's record access today, cached on the user object for the rest of the request."""
    today = timezone.localdate()
    cached: RecordAccess | None = getattr(user, "_carefile_record_access", None)
    if cached is not None and cached.on == today:
        return cached
    roles = user_roles(user)
    rows = []
    if roles:
        rows = list(
            Membership.objects.current(today)
            .filter(user_id=user.pk, team__is_active=True)
            .values_list(
                "role",
                "team_id",
                "team__service",
                "team__shares_caseload",
                "team__caseload_group_id",
                "team__organisation_id",
                "team__organisation__kind",
            )
        )
    caseload_teams: set[int] = set()
    caseload_groups: set[int] = set()
    casework_teams: set[int] = set()
    managed: set[int] = set()
    serving_teams: set[int] = set()
    served: set[int] = set()
    for role, team_id, service, shares, group_id, org_id, org_kind in rows:
        if role not in CASEWORK_ROLES and role not in RECORDS_ROLES:
            continue
        serving_teams.add(team_id)
        if org_kind == "council":
            served.add(org_id)
        if role not in CASEWORK_ROLES or service not in CASE_SERVICES:
            continue
        casework_teams.add(team_id)
        if role == Role.TEAM_MANAGER or shares:
            caseload_teams.add(team_id)
            if group_id:
                caseload_groups.add(group_id)
        if role == Role.TEAM_MANAGER:
            managed.add(team_id)
    if serving_teams:
        served.update(
            Team.acts_for.through.objects.filter(team_id__in=serving_teams).values_list(
                "organisation_id", flat=True
            )
        )
    permission_ids = dict(
        Permission.objects.filter(
            content_type__app_label="records", codename__in=RECORD_CODENAMES
        ).values_list("codename", "id")
    )
    access = RecordAccess(
        user_id=user.pk,
        on=today,
        roles=roles,
        caseload_team_ids=frozenset(caseload_teams),
        caseload_group_ids=tuple(sorted(caseload_groups)),
        casework_team_ids=frozenset(casework_teams),
        managed_team_ids=frozenset(managed),
        served_org_ids=frozenset(served),
        permission_ids=permission_ids,
    )
    user._carefile_record_access = access  # type: ignore[attr-defined]
    return access


def forget_record_access(user: User) -> None:
    if hasattr(user, "_carefile_record_access"):
        del user._carefile_record_access


# --- Query filters ---------------------------------------------------------------------------
# Allocation, person and item grants are the user's own rows, so they become id lists; a team's
# grants can cover thousands of cases, so they stay a subquery on the team's caseload group.


def allocation_grant(access: RecordAccess, now: datetime, case_ref: str = "pk") -> Q:
    return Q(**{f"{case_ref}__in": access.allocated_case_ids(now)})


def team_grant(access: RecordAccess, case_ref: str = "pk") -> Exists | Q:
    from records.models import CaseGroupObjectPermission

    if not access.caseload_group_ids:
        return Q(pk__in=[])
    return Exists(
        CaseGroupObjectPermission.objects.filter(
            content_object_id=OuterRef(case_ref),
            group_id__in=access.caseload_group_ids,
            permission_id=access.perm("view_case"),
        )
    )


def person_wide_grant(access: RecordAccess, now: datetime, person_ref: str = "pk") -> Q:
    return Q(**{f"{person_ref}__in": access.person_ids(PERSON_WIDE_CODENAMES, now)})


def restricted_person_grant(access: RecordAccess, now: datetime, person_ref: str = "pk") -> Q:
    return Q(**{f"{person_ref}__in": access.person_ids(("view_restricted_person",), now)})


def case_visible_q(
    access: RecordAccess,
    now: datetime | None = None,
    *,
    case_ref: str = "pk",
    person_ref: str = "person_id",
    prefix: str = "",
) -> Q:
    """Filter for cases (or rows pointing at a case) that the user may see now.

    ``case_ref`` / ``person_ref`` name the case and person columns on the queryset filtered;
    ``prefix`` is the path to the case's own fields ("" on Case, "case__" elsewhere).
    """
    now = now or timezone.now()
    if not access.served_org_ids:
        return Q(pk__in=[])
    reach = (
        allocation_grant(access, now, case_ref)
        | Q(team_grant(access, case_ref))
        | person_wide_grant(access, now, person_ref)
    )
    restricted_ok = Q(**{f"{prefix}person__is_restricted": False}) | restricted_person_grant(
        access, now, person_ref
    )
    return reach & restricted_ok & Q(**{f"{prefix}organisation_id__in": access.served_org_ids})


def case_reached_q(
    access: RecordAccess, now: datetime | None = None, *, case_ref: str = "pk", prefix: str = ""
) -> Q:
    """Cases the user reaches through their own work (allocation or team), never through a
    person-wide grant: what makes a case's other people visible to them."""
    now = now or timezone.now()
    if not access.served_org_ids:
        return Q(pk__in=[])
    restricted_ok = Q(**{f"{prefix}person__is_restricted": False}) | restricted_person_grant(
        access, now, f"{prefix}person_id"
    )
    return (
        (allocation_grant(access, now, case_ref) | Q(team_grant(access, case_ref)))
        & restricted_ok
        & Q(**{f"{prefix}organisation_id__in": access.served_org_ids})
    )


def person_through_cases_q(access: RecordAccess, now: datetime | None = None) -> Q:
    """People the user reaches through a case of their own: its subject, or taking part.
    Break-glass and records-access grants open one person; they never reach that person's
    family through the case."""
    from records.models import Case, CaseParticipant

    now = now or timezone.now()
    if not access.served_org_ids:
        return Q(pk__in=[])
    as_subject = Exists(
        Case.objects.filter(person_id=OuterRef("pk")).filter(
            allocation_grant(access, now) | Q(team_grant(access)),
            organisation_id__in=access.served_org_ids,
        )
    )
    as_participant = Exists(
        CaseParticipant.objects.filter(person_id=OuterRef("pk")).filter(
            case_reached_q(access, now, case_ref="case_id", prefix="case__")
        )
    )
    return Q(as_subject) | Q(as_participant)


def person_visible_q(access: RecordAccess, now: datetime | None = None) -> Q:
    """Filter for people the user may see: subject or participant of a case they see, or a
    person-wide grant (break-glass, records access) for a person of a controller they serve."""
    now = now or timezone.now()
    if not access.served_org_ids:
        return Q(pk__in=[])
    by_grant = person_wide_grant(access, now) & Q(organisation_id__in=access.served_org_ids)
    restricted_ok = Q(is_restricted=False) | restricted_person_grant(access, now)
    return (person_through_cases_q(access, now) | by_grant) & restricted_ok


def item_visible_q(access: RecordAccess, now: datetime | None = None) -> Q:
    """Filter for items: the case is visible, restricted items need a named grant (or to be the
    author), and items entered in error are seen only by managers of the holding team."""
    now = now or timezone.now()
    in_error_ok = Q(entered_in_error_at__isnull=True) | Q(case__team_id__in=access.managed_team_ids)
    return (
        case_visible_q(access, now, case_ref="case_id", person_ref="person_id", prefix="")
        & item_restricted_ok_q(access)
        & in_error_ok
    )


def item_restricted_ok_q(access: RecordAccess) -> Q:
    """A restricted item needs a named grant, unless the user wrote it."""
    return (
        Q(is_restricted=False)
        | Q(author_id=access.user_id)
        | Q(pk__in=sorted(access.grants().items))
    )


# --- Decisions on one object -----------------------------------------------------------------
# ``case.via_*`` are annotations the selectors add (see selectors.case_annotate_access).


def via(case: Case, name: str) -> bool:
    return bool(getattr(case, f"via_{name}", False))


def can_work_on_case(access: RecordAccess, case: Case) -> bool:
    """Record contacts, notes and the rest: allocated, or a member of the holding team whose
    caseload they share, or its manager. Break-glass and records access only read."""
    if case.organisation_id not in access.served_org_ids:
        return False
    if via(case, "allocation"):
        return True
    return case.team_id in access.caseload_team_ids


def can_record_on_case(access: RecordAccess, case: Case) -> bool:
    return case.is_open and can_work_on_case(access, case)


def can_manage_case(access: RecordAccess, case: Case) -> bool:
    return case.team_id in access.managed_team_ids


def can_allocate(access: RecordAccess, case: Case, worker_id: int) -> bool:
    """Managers allocate anyone; a team member may take a case of their own team."""
    if can_manage_case(access, case):
        return True
    return worker_id == access.user_id and case.team_id in access.casework_team_ids


def can_amend_item(access: RecordAccess, item: Item, case: Case) -> bool:
    if item.is_entered_in_error:
        return False
    if item.author_id == access.user_id:
        return can_work_on_case(access, case)
    return can_manage_case(access, case)


def can_mark_entered_in_error(access: RecordAccess, item: Item, case: Case) -> bool:
    return not item.is_entered_in_error and can_manage_case(access, case)


def can_record_disagreement(access: RecordAccess, item: Item, case: Case) -> bool:
    return not item.is_entered_in_error and can_work_on_case(access, case)


def can_authorise_assessment(access: RecordAccess, assessment: Any, case: Case) -> bool:
    """A manager of the holding team, never for an assessment they wrote themselves."""
    return (
        assessment.status == "submitted"
        and assessment.author_id != access.user_id
        and can_manage_case(access, case)
    )


def can_break_glass(access: RecordAccess) -> bool:
    return access.does_casework


def can_search_people(access: RecordAccess) -> bool:
    return access.does_casework or Role.RECORDS_ACCESS_OFFICER in access.roles


def can_open_case(access: RecordAccess, team: Team) -> bool:
    return team.pk in access.casework_team_ids


def can_edit_person(access: RecordAccess, person: Person, cases: list[Case]) -> bool:
    """Correct a person's details: someone who may work on one of their visible cases."""
    return any(can_work_on_case(access, case) for case in cases)


def can_restrict_person(access: RecordAccess, cases: list[Case]) -> bool:
    return any(can_manage_case(access, case) for case in cases)


def hidden_restricted(access: RecordAccess, people: list[Person]) -> set[int]:
    """Of these people, the restricted ones the user holds no named grant for: shown to them
    nowhere, not even as a name in someone else's record."""
    restricted = [p.pk for p in people if p.is_restricted]
    if not restricted:
        return set()
    granted = set(access.person_ids(("view_restricted_person",), timezone.now()))
    return {pk for pk in restricted if pk not in granted}


def can_see_historic_index(user: User) -> bool:
    roles = user_roles(user)
    return Role.RECORDS_ACCESS_OFFICER in roles or Role.RECORDS_MANAGER in roles
