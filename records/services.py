"""Every write to case records. Each service takes ``actor=``, checks the policy, validates,
and writes in one transaction; need-to-know grants are granted and revoked only here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CASE_SERVICES, Membership, Organisation, Team
from audit.models import Action, Purpose
from audit.services import changes_between, created_changes, event_record, snapshot
from core.errors import ApplicationError
from records import identifiers, policies
from records.models import (
    CATEGORY_SERVICE,
    Address,
    AlertKind,
    Allocation,
    Assessment,
    AssessmentStatus,
    BreakGlassAccess,
    Case,
    CaseGroupObjectPermission,
    CaseNote,
    CaseParticipant,
    CaseUserObjectPermission,
    Contact,
    DisagreementStatement,
    Document,
    EmailAddress,
    HistoricRecord,
    InformationReceived,
    Item,
    ItemKind,
    ItemPerson,
    ItemRevision,
    ItemUserObjectPermission,
    ParticipantRole,
    Person,
    PersonAlert,
    PersonName,
    PersonUserObjectPermission,
    PhoneNumber,
    Plan,
    Relationship,
    Review,
)
from records.policies import record_access
from records.uploads import check_upload

if TYPE_CHECKING:
    from accounts.models import User

ItemT = TypeVar("ItemT", bound=Item)

PERSON_FIELDS = (
    "first_name",
    "middle_names",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "date_of_death",
    "gender",
    "ethnicity",
    "first_language",
    "interpreter_needed",
    "disability",
    "nhs_number",
    "ni_number",
    "upn",
)
# A little slack for clocks: "now" typed on a phone is not "the future".
FUTURE_TOLERANCE = timedelta(minutes=5)


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="records", codename=codename)


def _end_of(day: date) -> datetime:
    """The first moment after ``day`` in local time: when a grant ending that day expires."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _refuse(message: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, field_errors={field: [message]} if field else None)


# --- Audit -----------------------------------------------------------------------------------
# Each service records what it did with ``audit.services.event_record`` inside its own
# transaction. Summaries name the kind of change only; names, text and reasons go in the
# event's personal part (``changes`` and ``personal``), which retention can erase.

# Columns that say nothing the event does not already say (its id, its time).
_NOT_RECORDED = frozenset({"public_id", "search_name", "created_at", "updated_at"})

ITEM_PHRASES: dict[str, str] = {
    ItemKind.CONTACT: "a contact",
    ItemKind.NOTE: "a case note",
    ItemKind.ASSESSMENT: "an assessment",
    ItemKind.PLAN: "a plan",
    ItemKind.REVIEW: "a review",
    ItemKind.DOCUMENT: "a document",
    ItemKind.INFORMATION_RECEIVED: "information received",
}


def _new_values(instance: Any, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A new row's filled-in fields, as changes from nothing."""
    return {
        name: change
        for name, change in created_changes(instance, fields).items()
        if name not in _NOT_RECORDED
    }


def _case_subjects(case: Case) -> set[int]:
    """The people whose record a case is: its subject and everyone taking part."""
    participants = CaseParticipant.objects.filter(case_id=case.pk).values_list(
        "person_id", flat=True
    )
    return {case.person_id, *participants}


def _item_subjects(item: Item) -> set[int]:
    """The people an item is about: its case's subject and everyone it links."""
    linked = ItemPerson.objects.filter(item_id=item.pk).values_list("person_id", flat=True)
    return {item.person_id, *linked}


def _item_phrase(item: Item) -> str:
    return ITEM_PHRASES.get(item.kind, "an item")


# --- Teams and their caseload grants ---------------------------------------------------------


def team_caseload_group_ensure(*, team: Team) -> Group:
    """The group that carries a team's object permissions on the cases it holds."""
    if team.caseload_group_id:
        return team.caseload_group  # type: ignore[return-value]
    from accounts.services import user_sync_roles

    group, _ = Group.objects.get_or_create(name=f"Caseload of {team.name} ({team.public_id})")
    Team.objects.filter(pk=team.pk).update(caseload_group=group)
    team.caseload_group = group
    for member in {
        m.user for m in Membership.objects.current().filter(team=team).select_related("user")
    }:
        user_sync_roles(user=member)
    return group


def _team_access_event(
    actor: User, action: str, summary: str, case: Case, team: Team, subjects: Iterable[int]
) -> None:
    event_record(
        actor=actor,
        action=action,
        summary=summary,
        obj=case,
        subjects=subjects,
        personal={"team": str(team.public_id)},
    )


def _grant_team(actor: User, case: Case, team: Team, subjects: Iterable[int]) -> None:
    group = team_caseload_group_ensure(team=team)
    _, created = CaseGroupObjectPermission.objects.get_or_create(
        group=group, permission=_perm("view_case"), content_object=case
    )
    policies.grants_changed()
    if created:
        summary = "Granted the team holding a case access to it"
        _team_access_event(actor, Action.PERMISSION_GRANT, summary, case, team, subjects)


def _revoke_team(actor: User, case: Case, team: Team, subjects: Iterable[int]) -> None:
    if not team.caseload_group_id:
        return
    removed, _ = CaseGroupObjectPermission.objects.filter(
        group_id=team.caseload_group_id, content_object=case
    ).delete()
    policies.grants_changed()
    if removed:
        summary = "Removed a team's access to a case it no longer holds"
        _team_access_event(actor, Action.PERMISSION_REVOKE, summary, case, team, subjects)


def _sync_allocation_grant(case: Case, worker_id: int) -> None:
    """One grant row per worker and case, expiring when their last current allocation ends."""
    policies.grants_changed()
    today = timezone.localdate()
    ends = list(
        Allocation.objects.filter(case=case, worker_id=worker_id)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("ends_on", flat=True)
    )
    grants = CaseUserObjectPermission.objects.filter(
        content_object=case, user_id=worker_id, permission=_perm("view_case")
    )
    if not ends:
        grants.delete()
        return
    expires = None if any(e is None for e in ends) else _end_of(max(e for e in ends if e))
    CaseUserObjectPermission.objects.update_or_create(
        content_object=case,
        user_id=worker_id,
        permission=_perm("view_case"),
        defaults={"expires_at": expires},
    )


# --- People ----------------------------------------------------------------------------------


def _apply_person_details(person: Person, data: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name] if data[name] is not None else _blank(name))
    for name, normalise in (
        ("nhs_number", identifiers.normalise_nhs_number),
        ("ni_number", identifiers.normalise_ni_number),
        ("upn", identifiers.normalise_upn),
    ):
        value = getattr(person, name) or ""
        if value:
            try:
                setattr(person, name, normalise(value))
            except ValidationError as exc:
                errors[name] = exc.messages
    today = timezone.localdate()
    if person.date_of_birth and person.date_of_birth > today:
        errors["date_of_birth"] = ["Date of birth must be today or in the past."]
    if person.date_of_death:
        if person.date_of_death > today:
            errors["date_of_death"] = ["Date of death must be today or in the past."]
        elif person.date_of_birth and person.date_of_death < person.date_of_birth:
            errors["date_of_death"] = ["Date of death must be on or after the date of birth."]
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["created_by", "organisation"])


def _blank(name: str) -> Any:
    return None if name in {"date_of_birth", "date_of_death"} else ""


def _sync_current_name(person: Person) -> None:
    PersonName.objects.update_or_create(
        person=person,
        kind=PersonName.Kind.CURRENT,
        defaults={"first_name": person.first_name, "last_name": person.last_name},
    )


@transaction.atomic
def person_create(
    *,
    actor: User,
    details: Mapping[str, Any],
    team: Team,
    category: str,
    opened_on: date | None = None,
    referral_reason: str = "",
    allocate: bool = True,
    organisation: Organisation | None = None,
) -> tuple[Person, Case]:
    """Record a new person and open their first case: a person is always seen through a case.

    The actor's team holds the case; the actor is allocated unless ``allocate`` is false (a
    manager logging a referral for allocation later)."""
    access = record_access(actor)
    if not policies.can_open_case(access, team):
        raise _refuse("You can only open cases for a team you work in.", "team")
    controller = _controller_for(team, organisation)
    person = Person(organisation=controller, created_by=actor)
    _apply_person_details(person, details)
    person.save()
    _sync_current_name(person)
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Recorded a new person",
        obj=person,
        subjects=[person.pk],
        changes=_new_values(person),
    )
    case = _open_case(
        actor=actor,
        person=person,
        team=team,
        category=category,
        opened_on=opened_on,
        referral_reason=referral_reason,
    )
    if allocate:
        case_allocate(actor=actor, case=case, worker=actor)
    return person, case


def _controller_for(team: Team, organisation: Organisation | None) -> Organisation:
    """The council a new record belongs to: the one chosen, which the team must work for, or
    the only one the team works for."""
    served = team.served_organisation_ids()
    if organisation is not None:
        if organisation.pk not in served:
            raise _refuse(f"{team.name} does not work for {organisation.name}.", "organisation")
        return organisation
    if len(served) == 1:
        return Organisation.objects.get(pk=next(iter(served)))
    raise _refuse(
        f"{team.name} works for more than one council: choose which this record belongs to.",
        "organisation",
    )


@transaction.atomic
def person_update(*, actor: User, person: Person, details: Mapping[str, Any]) -> Person:
    """Correct a person's details. The audit trail keeps what was there before."""
    _require_person_editor(actor, person)
    return _person_details_change(actor, person, details, "Changed a person's details")


def _works_rights_request(actor: User, person_id: int) -> bool:
    """The actor holds a live records-access grant on the person: they work a rights request
    about them (``access_requests`` grants it while the request is open)."""
    return person_id in record_access(actor).person_ids(("disclose_person",), timezone.now())


@transaction.atomic
def person_correct_for_rights_request(
    *, actor: User, person: Person, details: Mapping[str, Any]
) -> Person:
    """Art 16: the records-access officer corrects a factual error the person has pointed
    out (a date of birth, the spelling of a name). The old value stays in the audit trail."""
    if not _works_rights_request(actor, person.pk):
        raise ApplicationError("Only the officer working the person's request can correct this.")
    return _person_details_change(
        actor, person, details, "Corrected a person's details on a rights request"
    )


def _person_details_change(
    actor: User, person: Person, details: Mapping[str, Any], summary: str
) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    _apply_person_details(person, details)
    person.updated_at = timezone.now()
    person.save()
    _sync_current_name(person)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=summary,
        obj=person,
        subjects=[person.pk],
        changes=changes_between(before, snapshot(person, PERSON_FIELDS)),
    )
    return person


def _require_person_editor(actor: User, person: Person) -> None:
    """The actor works on a case of this person's, or a case they take part in."""
    from records.selectors import case_list_for_person, participations_for_person

    access = record_access(actor)
    cases = case_list_for_person(user=actor, person=person)
    cases += [p.case for p in participations_for_person(user=actor, person=person)]
    if not policies.can_edit_person(access, person, cases):
        raise ApplicationError("You can change a person's details only on a case you work on.")


@transaction.atomic
def person_name_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    first_name: str,
    last_name: str,
    used_from: date | None = None,
    used_to: date | None = None,
) -> PersonName:
    _require_person_editor(actor, person)
    if kind == PersonName.Kind.CURRENT:
        raise _refuse("Change the current name on the person's details instead.", "kind")
    name = PersonName(
        person=person,
        kind=kind,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        used_from=used_from,
        used_to=used_to,
    )
    name.full_clean(exclude=["search_name"])
    name.save()
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Added another name for a person",
        obj=name,
        subjects=[person.pk],
        changes=_new_values(name),
    )
    return name


RowT = TypeVar("RowT", Address, PhoneNumber, EmailAddress, PersonAlert)


def _person_row_add(actor: User, row: RowT, summary: str) -> RowT:
    """Add an address, phone, email or alert to a person the actor works with."""
    _require_person_editor(actor, row.person)
    row.full_clean()
    row.save()
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=summary,
        obj=row,
        subjects=[row.person_id],
        changes=_new_values(row),
    )
    return row


@transaction.atomic
def address_add(*, actor: User, person: Person, **fields: Any) -> Address:
    address = Address(person=person, **fields)
    address.postcode = (address.postcode or "").upper().strip()
    return _person_row_add(actor, address, "Added an address")


@transaction.atomic
def phone_add(*, actor: User, person: Person, number: str, label: str = "") -> PhoneNumber:
    phone = PhoneNumber(person=person, number=number.strip(), label=label)
    return _person_row_add(actor, phone, "Added a phone number")


@transaction.atomic
def email_add(*, actor: User, person: Person, email: str, label: str = "") -> EmailAddress:
    address = EmailAddress(person=person, email=email.strip(), label=label)
    return _person_row_add(actor, address, "Added an email address")


@transaction.atomic
def alert_add(
    *, actor: User, person: Person, kind: AlertKind | str, description: str
) -> PersonAlert:
    alert = PersonAlert(person=person, kind=kind, description=description, recorded_by=actor)
    return _person_row_add(actor, alert, "Added an alert")


@transaction.atomic
def relationship_add(
    *,
    actor: User,
    from_person: Person,
    to_person: Person,
    kind: str,
    started_on: date | None = None,
    notes: str = "",
    is_parental_responsibility: bool = False,
) -> Relationship:
    """Record that ``from_person`` is the ``kind`` of ``to_person``. The actor must be able to
    work on one of them and see both."""
    from records.selectors import person_list_for_user

    visible = person_list_for_user(user=actor).filter(pk__in=[from_person.pk, to_person.pk])
    if visible.count() != len({from_person.pk, to_person.pk}):
        raise _refuse("Choose a person you can see.", "to_person")
    _require_person_editor_any(actor, [from_person, to_person])
    if from_person.pk == to_person.pk:
        raise _refuse("A person cannot be related to themselves.", "to_person")
    relationship = Relationship(
        from_person=from_person,
        to_person=to_person,
        kind=kind,
        started_on=started_on,
        notes=notes,
        is_parental_responsibility=is_parental_responsibility,
        created_by=actor,
    )
    relationship.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            relationship.save()
    except IntegrityError:
        raise _refuse("This relationship is already recorded.", "kind") from None
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Recorded a relationship",
        obj=relationship,
        subjects=[from_person.pk, to_person.pk],
        changes=_new_values(relationship),
    )
    return relationship


def _require_person_editor_any(actor: User, people: Iterable[Person]) -> None:
    for person in people:
        try:
            _require_person_editor(actor, person)
            return
        except ApplicationError:
            continue
    raise ApplicationError("You can add relationships only for people on a case you work on.")


@transaction.atomic
def related_person_create(
    *,
    actor: User,
    case: Case,
    details: Mapping[str, Any],
    kind: str,
    related_is: str = "from",
    participant_role: str = ParticipantRole.FAMILY,
    is_parental_responsibility: bool = False,
) -> tuple[Person, Relationship]:
    """Add someone new to a case's family or network: a person record, a relationship to the
    case's subject, and a place in the case so its workers can see them.

    ``related_is="from"`` reads "the new person is the <kind> of the subject" (mother of…);
    ``"to"`` reads "the subject is the <kind> of the new person"."""
    case = _case_for_work(actor, case)
    person = Person(organisation=case.organisation, created_by=actor)
    _apply_person_details(person, details)
    person.save()
    _sync_current_name(person)
    participant = CaseParticipant.objects.create(case=case, person=person, role=participant_role)
    pair = (person, case.person) if related_is == "from" else (case.person, person)
    relationship = Relationship(
        from_person=pair[0],
        to_person=pair[1],
        kind=kind,
        is_parental_responsibility=is_parental_responsibility,
        created_by=actor,
    )
    relationship.full_clean(validate_constraints=False)
    relationship.save()
    changes = _new_values(person)
    changes.update(
        {f"participant.{name}": change for name, change in _new_values(participant).items()}
    )
    changes.update(
        {f"relationship.{name}": change for name, change in _new_values(relationship).items()}
    )
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Added a person to a case's family or network",
        obj=person,
        subjects=_case_subjects(case),
        changes=changes,
    )
    return person, relationship


@transaction.atomic
def case_participant_add(
    *, actor: User, case: Case, person: Person, role: str = ParticipantRole.FAMILY
) -> CaseParticipant:
    from records.selectors import person_list_for_user

    case = _case_for_work(actor, case)
    if not person_list_for_user(user=actor).filter(pk=person.pk).exists():
        raise _refuse("Choose a person you can see.", "person")
    if person.pk == case.person_id:
        raise _refuse("This person is the subject of the case.", "person")
    participant, created = CaseParticipant.objects.get_or_create(
        case=case, person=person, defaults={"role": role}
    )
    if created:
        event_record(
            actor=actor,
            action=Action.CREATE,
            summary="Added a person to a case",
            obj=participant,
            subjects=_case_subjects(case),
            changes=_new_values(participant),
        )
    return participant


# --- Restriction and break-glass -------------------------------------------------------------


@transaction.atomic
def person_restrict(*, actor: User, person: Person, reason: str) -> Person:
    """Mark a person restricted. The actor and the workers now allocated to the person's open
    cases get named grants, so work in hand carries on; everyone else needs one."""
    from records.selectors import case_list_for_person

    access = record_access(actor)
    cases = case_list_for_person(user=actor, person=person)
    if not policies.can_restrict_person(access, cases):
        raise ApplicationError("Only a manager of a team holding this person's case can do this.")
    person = Person.objects.select_for_update().get(pk=person.pk)
    fields = ["is_restricted", "restriction_reason"]
    before = snapshot(person, fields)
    person.is_restricted = True
    person.restriction_reason = reason
    person.full_clean(exclude=["created_by", "organisation"])
    person.save(update_fields=["is_restricted", "restriction_reason", "updated_at"])
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Restricted a person's record",
        obj=person,
        subjects=[person.pk],
        changes=changes_between(before, snapshot(person, fields)),
    )
    workers = dict(
        Allocation.objects.current()
        .filter(case__person=person, case__closed_on__isnull=True)
        .values_list("worker_id", "worker__public_id")
    )
    workers[actor.pk] = actor.public_id
    granted = []
    for user_id, public_id in sorted(workers.items()):
        policies.grants_changed()
        _, created = PersonUserObjectPermission.objects.get_or_create(
            user_id=user_id,
            permission=_perm("view_restricted_person"),
            content_object=person,
            defaults={"granted_by": actor, "reason": "Working on the case when it was restricted"},
        )
        if created:
            granted.append(str(public_id))
    if granted:
        event_record(
            actor=actor,
            action=Action.PERMISSION_GRANT,
            summary="Granted named access to a restricted person to the staff working on it",
            obj=person,
            subjects=[person.pk],
            personal={"grantees": granted},
        )
    policies.forget_record_access(actor)
    return person


@transaction.atomic
def restricted_access_grant(
    *, actor: User, person: Person, user: User, reason: str = ""
) -> PersonUserObjectPermission:
    from records.selectors import case_list_for_person

    access = record_access(actor)
    cases = case_list_for_person(user=actor, person=person)
    if not policies.can_restrict_person(access, cases):
        raise ApplicationError("Only a manager of a team holding this person's case can do this.")
    grantee_teams = set(
        Membership.objects.current()
        .filter(user=user, role__in=policies.CASEWORK_ROLES)
        .values_list("team_id", flat=True)
    )
    if not grantee_teams & {case.team_id for case in cases}:
        raise _refuse("Choose someone in a team holding this person's case.", "user")
    policies.grants_changed()
    grant, _ = PersonUserObjectPermission.objects.update_or_create(
        user=user,
        permission=_perm("view_restricted_person"),
        content_object=person,
        defaults={"granted_by": actor, "reason": reason, "expires_at": None},
    )
    event_record(
        actor=actor,
        action=Action.PERMISSION_GRANT,
        summary="Granted named access to a restricted person",
        obj=person,
        subjects=[person.pk],
        personal={"grantee": str(user.public_id), "reason": reason},
    )
    return grant


@transaction.atomic
def break_glass_open(*, actor: User, person: Person, reason: str) -> BreakGlassAccess:
    """Open a person the actor cannot otherwise see, for a stated reason, for a limited time.

    The grant expires by itself (policies never honour an expired one); every access under it
    is marked in the audit trail and the Caldicott guardian reviews it."""
    access = record_access(actor)
    if not policies.can_break_glass(access):
        raise ApplicationError("Only practitioners and team managers can use break-glass access.")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise _refuse("Explain why you need this record now, in at least 10 characters.", "reason")
    person = Person.objects.get(pk=person.pk)
    if person.is_restricted or person.organisation_id not in access.served_org_ids:
        raise _refuse("No record matches these details that break-glass can open.")
    now = timezone.now()
    expires = now + timedelta(hours=settings.CAREFILE_BREAK_GLASS_HOURS)
    policies.grants_changed()
    PersonUserObjectPermission.objects.update_or_create(
        user=actor,
        permission=_perm("break_glass_person"),
        content_object=person,
        defaults={"granted_by": actor, "reason": reason, "expires_at": expires, "granted_at": now},
    )
    opened = BreakGlassAccess.objects.create(
        user=actor, person=person, reason=reason, granted_at=now, expires_at=expires
    )
    event_record(
        actor=actor,
        action=Action.PERMISSION_GRANT,
        purpose=Purpose.BREAK_GLASS,
        summary="Opened break-glass access",
        obj=opened,
        subjects=[person.pk],
        changes={"expires_at": (None, expires.isoformat())},
        personal={"reason": reason},
    )
    return opened


# --- Cases and allocations -------------------------------------------------------------------


def _reference_for(service: str, case_id: int) -> str:
    """A case's human reference: the service's letters and the case's own number, so two
    cases opened at the same moment can never be given the same one."""
    prefix = {
        "childrens_social_care": "CSC",
        "early_help": "EH",
        "youth_justice": "YJ",
        "adoption": "ADP",
        "fostering": "FOS",
        "adult_social_care": "ASC",
        "carers": "CAR",
        "finance": "FIN",
    }.get(service, "CAS")
    return f"{prefix}-{case_id:07d}"


@transaction.atomic
def case_open(
    *,
    actor: User,
    person: Person,
    team: Team,
    category: str,
    opened_on: date | None = None,
    referral_reason: str = "",
) -> Case:
    """Open a case for someone the actor works with, in their own team or (a referral) in
    another team providing the service for the person's council."""
    access = record_access(actor)
    reached = (
        Person.objects.filter(pk=person.pk)
        .filter(policies.person_through_cases_q(access) & policies.person_visible_q(access))
        .exists()
    )
    if not reached:
        # Break-glass and records-access grants read a record; they never turn into lasting
        # access through a case the reader opens.
        raise _refuse("You can open a case only for someone on a case you work on.", "person")
    return _open_case(
        actor=actor,
        person=person,
        team=team,
        category=category,
        opened_on=opened_on,
        referral_reason=referral_reason,
    )


def _open_case(
    *,
    actor: User,
    person: Person,
    team: Team,
    category: str,
    opened_on: date | None,
    referral_reason: str,
) -> Case:
    access = record_access(actor)
    own_team = policies.can_open_case(access, team)
    if not own_team and not Case.objects.filter(person=person).exists():
        raise _refuse("You can only open cases for a team you work in.", "team")
    if not own_team and person.organisation_id not in team.served_organisation_ids():
        raise _refuse("Choose a team that works for this person's council.", "team")
    # Someone who works with the person may also refer them to another team's service: the
    # case is that team's from the start, and the referrer is not allocated to it.
    if team.service not in CASE_SERVICES:
        raise _refuse("This team does not hold cases.", "team")
    service = CATEGORY_SERVICE.get(category)
    if service is None:
        raise _refuse("Choose the kind of case.", "category")
    if service != team.service:
        raise _refuse(
            f"{team.name} does not provide this service. Choose a case kind it provides.",
            "category",
        )
    served = team.served_organisation_ids()
    if person.organisation_id in served:
        organisation_id = person.organisation_id
    elif len(served) == 1:
        organisation_id = next(iter(served))
    else:
        raise _refuse("This team does not act for this person's council.", "team")
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise _refuse("The date the case opened must be today or in the past.", "opened_on")
    case = Case(
        person=person,
        organisation_id=organisation_id,
        service=service,
        category=category,
        team=team,
        opened_on=opened_on,
        referral_reason=referral_reason,
        created_by=actor,
        # Unique until the row has its number, below.
        reference=f"NEW-{uuid.uuid4().hex[:16]}",
    )
    case.full_clean(exclude=["created_by"])
    case.save()
    case.reference = _reference_for(service, case.pk)
    Case.objects.filter(pk=case.pk).update(reference=case.reference)
    # A new case has no one else taking part yet.
    subjects = [person.pk]
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Opened a case",
        obj=case,
        subjects=subjects,
        changes=_new_values(case),
    )
    _grant_team(actor, case, team, subjects)
    policies.forget_record_access(actor)
    return case


def _case_locked(case: Case, actor: User) -> Case:
    """The case, locked for the change, if the actor may see it (else a refusal)."""
    access = record_access(actor)
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("team", "person")
        .filter(pk=case.pk)
        .filter(policies.case_visible_q(access))
        .first()
    )
    if locked is None:
        raise _refuse("Choose a case you work on.", "case")
    return locked


@transaction.atomic
def case_close(*, actor: User, case: Case, closed_on: date, reason: str) -> Case:
    """Close a case and end its allocations; the team still sees its history."""
    access = record_access(actor)
    case = _case_locked(case, actor)
    if not policies.can_manage_case(access, case):
        raise ApplicationError("Only a manager of the team holding the case can close it.")
    if not case.is_open:
        raise ApplicationError("This case is already closed.")
    errors: dict[str, list[str]] = {}
    if closed_on > timezone.localdate():
        errors["closed_on"] = ["The closing date must be today or in the past."]
    elif closed_on < case.opened_on:
        errors["closed_on"] = ["The closing date must be on or after the date it opened."]
    if not reason:
        errors["closure_reason"] = ["Choose why the case is closing."]
    if errors:
        raise ValidationError(errors)
    fields = ["closed_on", "closure_reason"]
    before = snapshot(case, fields)
    case.closed_on = closed_on
    case.closure_reason = reason
    case.full_clean(exclude=["created_by"])
    case.save(update_fields=["closed_on", "closure_reason"])
    subjects = _case_subjects(case)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Closed a case",
        obj=case,
        subjects=subjects,
        changes=changes_between(before, snapshot(case, fields)),
    )
    for allocation in Allocation.objects.current().filter(case=case).select_related("worker"):
        ended = snapshot(allocation, ["ends_on"])
        allocation.ends_on = max(closed_on, allocation.starts_on)
        allocation.save(update_fields=["ends_on"])
        _sync_allocation_grant(case, allocation.worker_id)
        event_record(
            actor=actor,
            action=Action.PERMISSION_REVOKE,
            summary="Ended an allocation because the case closed",
            obj=allocation,
            subjects=subjects,
            changes=changes_between(ended, snapshot(allocation, ["ends_on"])),
            personal={"grantee": str(allocation.worker.public_id)},
        )
    return case


@transaction.atomic
def case_transfer(*, actor: User, case: Case, team: Team) -> Case:
    """Move a case to another team: the old team's grant goes, the new team's comes."""
    access = record_access(actor)
    case = _case_locked(case, actor)
    if not policies.can_manage_case(access, case):
        raise ApplicationError("Only a manager of the team holding the case can transfer it.")
    if team.pk == case.team_id:
        raise _refuse("The case is already held by this team.", "team")
    if team.service != case.service or case.organisation_id not in team.served_organisation_ids():
        raise _refuse("Choose a team that provides this service for this council.", "team")
    subjects = _case_subjects(case)
    before = snapshot(case, ["team"])
    _revoke_team(actor, case, case.team, subjects)
    case.team = team
    case.save(update_fields=["team"])
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Transferred a case to another team",
        obj=case,
        subjects=subjects,
        changes=changes_between(before, snapshot(case, ["team"])),
    )
    _grant_team(actor, case, team, subjects)
    return case


@transaction.atomic
def case_allocate(
    *,
    actor: User,
    case: Case,
    worker: User,
    role: str = Allocation.Role.LEAD,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Allocation:
    """Allocate a worker to a case; the worker may see and work on it while it lasts."""
    access = record_access(actor)
    case = _case_locked(case, actor)
    if not policies.can_allocate(access, case, worker.pk):
        raise ApplicationError("Only a manager of the team holding the case can allocate it.")
    if not case.is_open:
        raise ApplicationError("This case is closed. Reopen it before allocating.")
    starts_on = starts_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if starts_on > timezone.localdate():
        errors["starts_on"] = ["The allocation must start today or in the past."]
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = ["The end date must be on or after the start date."]
    worker_teams = set(
        Membership.objects.current()
        .filter(user=worker, role__in=policies.CASEWORK_ROLES, team__is_active=True)
        .values_list("team_id", flat=True)
    )
    eligible = Team.objects.filter(pk__in=worker_teams, service=case.service)
    if not any(case.organisation_id in team.served_organisation_ids() for team in eligible):
        errors["worker"] = ["Choose a worker in a team that provides this service for the case."]
    if errors:
        raise ValidationError(errors)
    if Allocation.objects.current().filter(case=case, worker=worker).exists():
        raise _refuse("This worker is already allocated to the case.", "worker")
    allocation = Allocation(
        case=case,
        worker=worker,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        allocated_by=actor,
    )
    allocation.full_clean()
    allocation.save()
    _sync_allocation_grant(case, worker.pk)
    subjects = _case_subjects(case)
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Allocated a worker to a case",
        obj=allocation,
        subjects=subjects,
        changes=_new_values(allocation),
    )
    event_record(
        actor=actor,
        action=Action.PERMISSION_GRANT,
        summary="Granted an allocated worker access to a case",
        obj=allocation,
        subjects=subjects,
        personal={"grantee": str(worker.public_id)},
    )
    return allocation


@transaction.atomic
def allocation_end(*, actor: User, allocation: Allocation, ends_on: date | None = None) -> None:
    access = record_access(actor)
    case = _case_locked(allocation.case, actor)
    if not policies.can_manage_case(access, case):
        raise ApplicationError("Only a manager of the team holding the case can end allocations.")
    ends_on = ends_on or timezone.localdate()
    if ends_on < allocation.starts_on:
        raise _refuse("The end date must be on or after the start date.", "ends_on")
    before = snapshot(allocation, ["ends_on"])
    allocation.ends_on = ends_on
    allocation.full_clean()
    allocation.save(update_fields=["ends_on"])
    _sync_allocation_grant(case, allocation.worker_id)
    subjects = _case_subjects(case)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary="Ended an allocation",
        obj=allocation,
        subjects=subjects,
        changes=changes_between(before, snapshot(allocation, ["ends_on"])),
    )
    event_record(
        actor=actor,
        action=Action.PERMISSION_REVOKE,
        summary="Ended an allocated worker's access to a case",
        obj=allocation,
        subjects=subjects,
        personal={"grantee": str(allocation.worker.public_id)},
    )


# --- Items -----------------------------------------------------------------------------------


def _case_for_work(actor: User, case: Case) -> Case:
    """Re-read the case with the actor's reach and refuse unless they may record on it."""
    from records.selectors import case_annotate_access

    access = record_access(actor)
    fresh = (
        case_annotate_access(
            Case.objects.filter(pk=case.pk).filter(policies.case_visible_q(access)), access
        )
        .select_related("person", "team", "organisation")
        .first()
    )
    if fresh is None or not policies.can_work_on_case(access, fresh):
        raise _refuse("Choose a case you work on.", "case")
    if not fresh.is_open:
        raise _refuse("This case is closed: nothing new can be recorded on it.", "case")
    return fresh


def _check_when(occurred_at: datetime | None, case: Case, field: str = "occurred_at") -> None:
    if occurred_at is None:
        raise ValidationError({field: ["Enter when it happened."]})
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({field: ["The date and time must not be in the future."]})
    if timezone.localtime(occurred_at).date() < case.opened_on - timedelta(days=366):
        raise ValidationError(
            {field: ["The date is more than a year before the case opened. Check the year."]}
        )


def _revision_data(item: Item) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.amendable_fields}


def _link_people(
    actor: User, item: Item, case: Case, links: Mapping[str, Iterable[Person]]
) -> None:
    from records.selectors import case_people

    allowed = {p.pk for p in case_people(case=case, user=actor)}
    rows = []
    for role, people in links.items():
        for person in people:
            if person.pk not in allowed:
                raise ValidationError({"people": ["Choose people who are part of this case."]})
            rows.append(ItemPerson(item=item, person=person, role=role))
    ItemPerson.objects.bulk_create(rows, ignore_conflicts=True)


def _refresh_case_summary(case: Case) -> None:
    """Keep the caseload's "last contact" and "next review" in step with the chronology."""
    live = Q(entered_in_error_at__isnull=True)
    last_contact = Contact.objects.filter(live, case=case).aggregate(m=Max("occurred_at"))["m"]
    # Each live plan's next review is set by its latest review, or by the plan itself.
    latest_review = Review.objects.filter(live, reviewed_plan=OuterRef("pk")).order_by(
        "-occurred_at", "-id"
    )
    plan_dates = Plan.objects.filter(live, case=case, ended_on__isnull=True).annotate(
        due=Coalesce(
            Subquery(latest_review.values("next_review_on")[:1]),
            F("next_review_on"),
        )
    )
    next_review = min((d for d in plan_dates.values_list("due", flat=True) if d), default=None)
    Case.objects.filter(pk=case.pk).update(last_contact_at=last_contact, next_review_on=next_review)


def _item_create(
    model: type[ItemT],
    *,
    actor: User,
    case: Case,
    kind: str,
    summary: str,
    fields: Mapping[str, Any],
    links: Mapping[str, Iterable[Person]] | None = None,
    is_sensitive: bool = False,
    is_restricted: bool = False,
    check_when: bool = True,
) -> ItemT:
    links = {role: list(people) for role, people in (links or {}).items()}
    case = _case_for_work(actor, case)
    if check_when:
        _check_when(fields.get("occurred_at"), case)
    item = model(
        kind=kind,
        case=case,
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        author=actor,
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
        **fields,
    )
    item.full_clean(exclude=["case", "person", "organisation", "author"])
    item.save()
    ItemRevision.objects.create(
        item=item, number=1, data=_revision_data(item), reason="", author=actor
    )
    if links:
        _link_people(actor, item, case, links)
    _refresh_case_summary(case)
    linked = {person.pk for people in links.values() for person in people}
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=summary,
        obj=item,
        subjects={case.person_id, *linked},
        changes=_new_values(item),
    )
    return item


def _require_text(value: str, field: str, message: str) -> None:
    if not (value or "").strip():
        raise ValidationError({field: [message]})


@transaction.atomic
def contact_record(
    *,
    actor: User,
    case: Case,
    contact_type: str,
    occurred_at: datetime,
    body: str,
    title: str = "",
    location: str = "",
    seen_alone: bool | None = None,
    participants: Iterable[Person] = (),
    mentioned: Iterable[Person] = (),
    is_sensitive: bool = False,
    is_restricted: bool = False,
) -> Contact:
    _require_text(body, "body", "Enter what happened.")
    from records.models import ContactType

    label = dict(ContactType.choices).get(contact_type, "Contact")
    return _item_create(
        Contact,
        actor=actor,
        case=case,
        kind=ItemKind.CONTACT,
        summary="Recorded a contact",
        fields={
            "contact_type": contact_type,
            "occurred_at": occurred_at,
            "title": title.strip() or str(label),
            "body": body,
            "location": location,
            "seen_alone": seen_alone,
        },
        links={ItemPerson.Role.PARTICIPANT: participants, ItemPerson.Role.MENTIONED: mentioned},
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
    )


@transaction.atomic
def note_record(
    *,
    actor: User,
    case: Case,
    body: str,
    title: str,
    occurred_at: datetime | None = None,
    note_type: str = "case_note",
    mentioned: Iterable[Person] = (),
    is_sensitive: bool = False,
    is_restricted: bool = False,
) -> CaseNote:
    _require_text(body, "body", "Enter the note.")
    _require_text(title, "title", "Enter a title for the note.")
    return _item_create(
        CaseNote,
        actor=actor,
        case=case,
        kind=ItemKind.NOTE,
        summary="Recorded a case note",
        fields={
            "occurred_at": occurred_at or timezone.now(),
            "title": title.strip(),
            "body": body,
            "note_type": note_type,
        },
        links={ItemPerson.Role.MENTIONED: mentioned},
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
    )


def _clean_sections(sections: Any) -> list[dict[str, str]]:
    if not isinstance(sections, list):
        raise ValidationError({"sections": ["Sections must be a list of headings and text."]})
    cleaned = []
    for section in sections:
        if not isinstance(section, dict):
            raise ValidationError({"sections": ["Each section needs a heading and text."]})
        heading = str(section.get("heading", "")).strip()
        text = str(section.get("text", ""))
        if not heading:
            raise ValidationError({"sections": ["Each section needs a heading."]})
        cleaned.append({"heading": heading[:200], "text": text})
    return cleaned


@transaction.atomic
def assessment_start(
    *,
    actor: User,
    case: Case,
    assessment_type: str,
    title: str = "",
    sections: list[dict[str, str]] | None = None,
    body: str = "",
    occurred_at: datetime | None = None,
    is_sensitive: bool = False,
    is_restricted: bool = False,
) -> Assessment:
    from records.models import AssessmentType

    label = dict(AssessmentType.choices).get(assessment_type, "Assessment")
    return _item_create(
        Assessment,
        actor=actor,
        case=case,
        kind=ItemKind.ASSESSMENT,
        summary="Started an assessment",
        fields={
            "assessment_type": assessment_type,
            "occurred_at": occurred_at or timezone.now(),
            "title": title.strip() or str(label),
            "body": body,
            "sections": _clean_sections(sections or []),
            "status": AssessmentStatus.DRAFT,
        },
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
    )


def _item_locked(item: ItemT) -> ItemT:
    return type(item).objects.select_for_update().select_related("case").get(pk=item.pk)


def _item_case_for(actor: User, item: Item) -> Case:
    """The item's case, with the actor's reach, when the actor may see the item itself (a
    restricted item needs its named grant; an item in error is its managers')."""
    from records.selectors import case_annotate_access

    access = record_access(actor)
    if not Item.objects.filter(pk=item.pk).filter(policies.item_visible_q(access)).exists():
        raise ApplicationError("You cannot change this item.")
    case = case_annotate_access(
        Case.objects.filter(pk=item.case_id).filter(policies.case_visible_q(access)), access
    ).first()
    if case is None:
        raise ApplicationError("You cannot change this item.")
    return case


def _assessment_move(
    actor: User,
    assessment: Assessment,
    summary: str,
    *,
    personal: Mapping[str, Any] | None = None,
    **values: Any,
) -> Assessment:
    """Move an assessment along its workflow, recording the fields that changed."""
    fields = list(values)
    before = snapshot(assessment, fields)
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.save(update_fields=fields)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=summary,
        obj=assessment,
        subjects=_item_subjects(assessment),
        changes=changes_between(before, snapshot(assessment, fields)),
        personal=personal,
    )
    return assessment


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    assessment = _item_locked(assessment)
    case = _item_case_for(actor, assessment)
    access = record_access(actor)
    if assessment.author_id != actor.pk and not policies.can_manage_case(access, case):
        raise ApplicationError("Only the author or a manager can submit this assessment.")
    if assessment.status != AssessmentStatus.DRAFT:
        raise ApplicationError("Only a draft assessment can be submitted.")
    if not assessment.sections and not assessment.body.strip():
        raise ValidationError({"sections": ["Write at least one section before submitting."]})
    return _assessment_move(
        actor,
        assessment,
        "Submitted an assessment for authorisation",
        status=AssessmentStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def assessment_authorise(*, actor: User, assessment: Assessment) -> Assessment:
    assessment = _item_locked(assessment)
    case = _item_case_for(actor, assessment)
    access = record_access(actor)
    if not policies.can_authorise_assessment(access, assessment, case):
        if assessment.author_id == actor.pk:
            raise ApplicationError("You cannot authorise an assessment you wrote.")
        if assessment.status != AssessmentStatus.SUBMITTED:
            raise ApplicationError("Only a submitted assessment can be authorised.")
        raise ApplicationError("Only a manager of the team holding the case can authorise it.")
    return _assessment_move(
        actor,
        assessment,
        "Authorised an assessment",
        status=AssessmentStatus.AUTHORISED,
        authorised_at=timezone.now(),
        authorised_by=actor,
    )


@transaction.atomic
def assessment_return(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """A manager sends a submitted assessment back to draft, saying what to change."""
    assessment = _item_locked(assessment)
    case = _item_case_for(actor, assessment)
    access = record_access(actor)
    if assessment.status != AssessmentStatus.SUBMITTED or not policies.can_manage_case(
        access, case
    ):
        raise ApplicationError("Only a manager can return a submitted assessment.")
    _require_text(reason, "reason", "Say what needs to change.")
    return _assessment_move(
        actor,
        assessment,
        "Returned an assessment to draft",
        personal={"reason": reason.strip()},
        status=AssessmentStatus.DRAFT,
        submitted_at=None,
    )


@transaction.atomic
def plan_record(
    *,
    actor: User,
    case: Case,
    plan_type: str,
    starts_on: date,
    next_review_on: date | None,
    body: str,
    title: str = "",
    is_sensitive: bool = False,
    is_restricted: bool = False,
) -> Plan:
    from records.models import PlanType

    _require_text(body, "body", "Enter the plan.")
    if next_review_on and starts_on and next_review_on < starts_on:
        raise ValidationError({"next_review_on": ["The review date must be after the start."]})
    label = dict(PlanType.choices).get(plan_type, "Plan")
    # In the chronology a plan sits on the day it starts (never later than now).
    occurred = None
    if starts_on:
        occurred = min(timezone.make_aware(datetime.combine(starts_on, time(9))), timezone.now())
    return _item_create(
        Plan,
        actor=actor,
        case=case,
        kind=ItemKind.PLAN,
        summary="Recorded a plan",
        fields={
            "plan_type": plan_type,
            "starts_on": starts_on,
            "next_review_on": next_review_on,
            "occurred_at": occurred,
            "title": title.strip() or str(label),
            "body": body,
        },
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
    )


@transaction.atomic
def review_record(
    *,
    actor: User,
    plan: Plan,
    occurred_at: datetime,
    body: str,
    next_review_on: date | None,
    title: str = "",
) -> Review:
    _require_text(body, "body", "Enter what the review decided.")
    _item_case_for(actor, plan)
    plan = Plan.objects.get(pk=plan.pk)
    if plan.is_entered_in_error:
        raise ApplicationError("This plan was entered in error.")
    if next_review_on and next_review_on < timezone.localtime(occurred_at).date():
        raise ValidationError({"next_review_on": ["The next review must be after this one."]})
    return _item_create(
        Review,
        actor=actor,
        case=plan.case,
        kind=ItemKind.REVIEW,
        summary="Recorded a review of a plan",
        fields={
            "reviewed_plan": plan,
            "occurred_at": occurred_at,
            "next_review_on": next_review_on,
            "title": title.strip() or f"Review of {plan.title}",
            "body": body,
        },
    )


@transaction.atomic
def document_upload(
    *,
    actor: User,
    case: Case,
    file: Any,
    document_type: str,
    title: str,
    occurred_at: datetime | None = None,
    body: str = "",
    is_sensitive: bool = False,
    is_restricted: bool = False,
) -> Document:
    """Store an uploaded letter or report, checked by content, under a random name."""
    _require_text(title, "title", "Enter a title for the document.")
    case = _case_for_work(actor, case)
    checked = check_upload(file)
    document = Document(
        kind=ItemKind.DOCUMENT,
        case=case,
        person_id=case.person_id,
        organisation_id=case.organisation_id,
        author=actor,
        occurred_at=occurred_at or timezone.now(),
        title=title.strip(),
        body=body,
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
        document_type=document_type,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    _check_when(document.occurred_at, case)
    document.full_clean(exclude=["case", "person", "organisation", "author", "file"])
    document.file.save("upload", file, save=False)
    stored_name = document.file.name
    try:
        document.save()
        ItemRevision.objects.create(
            item=document, number=1, data=_revision_data(document), author=actor
        )
        event_record(
            actor=actor,
            action=Action.CREATE,
            summary="Uploaded a document",
            obj=document,
            subjects=[case.person_id],
            changes=_new_values(document),
        )
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    return document


@transaction.atomic
def information_received_record(
    *,
    actor: User,
    case: Case,
    source_organisation: str,
    method: str,
    occurred_at: datetime,
    body: str,
    title: str = "",
    source_name: str = "",
    mentioned: Iterable[Person] = (),
    is_sensitive: bool = False,
    is_restricted: bool = False,
) -> InformationReceived:
    _require_text(source_organisation, "source_organisation", "Enter who it came from.")
    _require_text(body, "body", "Enter what was received.")
    return _item_create(
        InformationReceived,
        actor=actor,
        case=case,
        kind=ItemKind.INFORMATION_RECEIVED,
        summary="Recorded information received",
        fields={
            "source_organisation": source_organisation.strip(),
            "source_name": source_name.strip(),
            "method": method,
            "occurred_at": occurred_at,
            "title": title.strip() or f"Information from {source_organisation.strip()}",
            "body": body,
        },
        links={ItemPerson.Role.MENTIONED: mentioned},
        is_sensitive=is_sensitive,
        is_restricted=is_restricted,
    )


@transaction.atomic
def item_amend(*, actor: User, item: Item, changes: Mapping[str, Any], reason: str) -> Item:
    """Amend an item: the original and every amendment stay readable, in order, with reasons.

    Draft assessments are amended the same way: every saved version is kept."""
    item = _item_locked(item)
    case = _item_case_for(actor, item)
    access = record_access(actor)
    if item.is_entered_in_error:
        raise ApplicationError("This item was entered in error and cannot be amended.")
    if not policies.can_amend_item(access, item, case):
        raise ApplicationError("Only the author or a manager of the team can amend this.")
    _require_text(reason, "reason", "Give the reason for the amendment.")
    unknown = set(changes) - set(item.amendable_fields)
    if unknown:
        raise ValidationError({name: ["This cannot be amended."] for name in sorted(unknown)})
    if "sections" in changes:
        changes = {**changes, "sections": _clean_sections(changes["sections"])}
    changed = {k: v for k, v in changes.items() if getattr(item, k) != v}
    if not changed:
        raise ApplicationError("Nothing was changed. Change the record, or cancel.")
    if "body" in changed and not str(changed["body"]).strip() and item.kind != ItemKind.DOCUMENT:
        raise ValidationError({"body": ["The text cannot be empty."]})
    if "title" in changed and not str(changed["title"]).strip():
        raise ValidationError({"title": ["Enter a title."]})
    before = snapshot(item, changed)
    for name, value in changed.items():
        setattr(item, name, value)
    if "occurred_at" in changed:
        _check_when(item.occurred_at, case)
    item.full_clean(exclude=["case", "person", "organisation", "author", "file"])
    item.revision_number += 1
    item.save()
    ItemRevision.objects.create(
        item=item,
        number=item.revision_number,
        data=_revision_data(item),
        reason=reason.strip(),
        author=actor,
    )
    _refresh_case_summary(case)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=f"Amended {_item_phrase(item)}",
        obj=item,
        subjects=_item_subjects(item),
        changes=changes_between(before, snapshot(item, changed)),
        personal={"reason": reason.strip(), "revision": item.revision_number},
    )
    return item


@transaction.atomic
def item_mark_entered_in_error(*, actor: User, item: Item, reason: str) -> Item:
    """Hide an item from the chronology; it stays for the audit trail and subject access."""
    item = _item_locked(item)
    case = _item_case_for(actor, item)
    access = record_access(actor)
    if not policies.can_mark_entered_in_error(access, item, case):
        if item.is_entered_in_error:
            raise ApplicationError("This item is already marked as entered in error.")
        raise ApplicationError("Only a manager of the team holding the case can do this.")
    _require_text(reason, "reason", "Give the reason it was entered in error.")
    fields = ["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"]
    before = snapshot(item, fields)
    item.entered_in_error_at = timezone.now()
    item.entered_in_error_by = actor
    item.entered_in_error_reason = reason.strip()
    item.save(update_fields=fields)
    _refresh_case_summary(case)
    event_record(
        actor=actor,
        action=Action.UPDATE,
        summary=f"Marked {_item_phrase(item)} as entered in error",
        obj=item,
        subjects=_item_subjects(item),
        changes=changes_between(before, snapshot(item, fields)),
    )
    return item


@transaction.atomic
def disagreement_attach(
    *, actor: User, item: Item, statement: str, made_by: str, received_on: date
) -> DisagreementStatement:
    """Attach the subject's statement that a record is wrong, in their words, beside it."""
    case = _item_case_for(actor, item)
    item = Item.objects.get(pk=item.pk)
    access = record_access(actor)
    if not policies.can_record_disagreement(access, item, case):
        raise ApplicationError("You cannot add a statement to this record.")
    return _disagreement_create(actor, item, statement, made_by, received_on)


@transaction.atomic
def disagreement_attach_for_rights_request(
    *, actor: User, item: Item, statement: str, made_by: str, received_on: date
) -> DisagreementStatement:
    """The statement of a person who asked for a correction of an opinion, attached by the
    officer working their request: the view is reflected, the record is not rewritten."""
    item = Item.objects.get(pk=item.pk)
    if item.is_entered_in_error or not _works_rights_request(actor, item.person_id):
        raise ApplicationError("You cannot add a statement to this record.")
    return _disagreement_create(actor, item, statement, made_by, received_on)


def _disagreement_create(
    actor: User, item: Item, statement: str, made_by: str, received_on: date
) -> DisagreementStatement:
    errors: dict[str, list[str]] = {}
    if not (statement or "").strip():
        errors["statement"] = ["Enter the statement, in the person's own words."]
    if not (made_by or "").strip():
        errors["made_by"] = ["Enter who made the statement."]
    if received_on and received_on > timezone.localdate():
        errors["received_on"] = ["The date received must be today or in the past."]
    if errors:
        raise ValidationError(errors)
    disagreement = DisagreementStatement(
        item=item,
        statement=statement,
        made_by=made_by.strip(),
        received_on=received_on,
        recorded_by=actor,
    )
    disagreement.full_clean()
    disagreement.save()
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary=f"Attached a statement of disagreement to {_item_phrase(item)}",
        obj=disagreement,
        subjects=_item_subjects(item),
        changes=_new_values(disagreement),
    )
    return disagreement


@transaction.atomic
def item_restricted_access_grant(
    *, actor: User, item: Item, user: User
) -> ItemUserObjectPermission:
    case = _item_case_for(actor, item)
    access = record_access(actor)
    if not (policies.can_manage_case(access, case) or item.author_id == actor.pk):
        raise ApplicationError("Only the author or a manager can grant access to this item.")
    # The grant is on the chronology row (Item), whatever kind of item this is.
    policies.grants_changed()
    grant, created = ItemUserObjectPermission.objects.get_or_create(
        user=user,
        permission=_perm("view_restricted_item"),
        content_object_id=item.pk,
        defaults={"granted_by": actor},
    )
    if created:
        event_record(
            actor=actor,
            action=Action.PERMISSION_GRANT,
            summary="Granted named access to a restricted item",
            obj=item,
            subjects=_item_subjects(item),
            personal={"grantee": str(user.public_id)},
        )
    return grant


# --- Historic records index ------------------------------------------------------------------


@transaction.atomic
def historic_record_add(*, actor: User, **fields: Any) -> HistoricRecord:
    from records.policies import can_see_historic_index

    if not can_see_historic_index(actor):
        raise ApplicationError("Only the records-access team can add to the historic index.")
    access = record_access(actor)
    organisation = fields.pop("organisation", None)
    if organisation is None:
        if len(access.served_org_ids) != 1:
            raise _refuse("Choose the council the file belongs to.", "organisation")
        organisation_id = next(iter(access.served_org_ids))
    else:
        organisation_id = organisation.pk
        if organisation_id not in access.served_org_ids:
            raise _refuse("Choose a council you work for.", "organisation")
    record = HistoricRecord(organisation_id=organisation_id, **fields)
    record.full_clean(exclude=["search_name"])
    record.save()
    # An index entry is not linked to a person record, so the event names no subject.
    event_record(
        actor=actor,
        action=Action.CREATE,
        summary="Added a paper file to the historic records index",
        obj=record,
        changes=_new_values(record),
    )
    return record
