"""Every read of the sharing register, consents and the sharing log. Each function takes the
acting user and returns only what they may see; anything else is ``Http404`` with the same
message as a thing that does not exist.

A sharing is seen by anyone who may see one of its people, and shows them only the people and
records they may see themselves: need-to-know holds inside the log too.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from records import policies as record_policies
from records.models import Case, CaseParticipant, Item, Person
from records.policies import record_access
from records.selectors import NOT_FOUND, _uuid
from sharing import policies
from sharing.models import (
    Authorisation,
    Consent,
    ConsentStatus,
    LawfulBasis,
    PartnerAgency,
    Purpose,
    SharedItem,
    SharingAgreement,
    SharingRecord,
    SharingStatus,
    SharingSubject,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- Who may share about whom ----------------------------------------------------------------


def workable_person_ids(actor: User, person_ids: Iterable[int]) -> set[int]:
    """Of these people, those the actor reaches through a case they work on: its subject, or
    someone taking part in it (the mother in her child's case). Restricted people need their
    named grant; break-glass and records-access grants never count."""
    from records.selectors import case_annotate_access

    ids = set(person_ids)
    if not ids:
        return set()
    access = record_access(actor)
    visible_people = set(
        Person.objects.filter(pk__in=ids)
        .filter(record_policies.person_visible_q(access))
        .values_list("pk", flat=True)
    )
    cases = list(
        case_annotate_access(
            Case.objects.filter(Q(person_id__in=ids) | Q(participants__person_id__in=ids))
            .filter(record_policies.case_visible_q(access))
            .distinct(),
            access,
        )
    )
    takes_part: dict[int, set[int]] = {}
    for case_id, person_id in CaseParticipant.objects.filter(
        case_id__in=[c.pk for c in cases], person_id__in=ids
    ).values_list("case_id", "person_id"):
        takes_part.setdefault(case_id, set()).add(person_id)
    workable: set[int] = set()
    for case in cases:
        if not policies.can_share_through(access, [case]):
            continue
        workable.update({case.person_id, *takes_part.get(case.pk, set())} & ids)
    return workable & visible_people


def may_share_about(user: User, person: Person) -> bool:
    """The user may record sharings and consents for this person."""
    return person.pk in workable_person_ids(user, [person.pk])


def sees_everyone(user: User, person_ids: Iterable[int]) -> bool:
    """The user may see every one of these people (a manager deciding on a sharing must read
    all of it, reasons included)."""
    ids = set(person_ids)
    return ids == set(
        Person.objects.filter(pk__in=ids)
        .filter(record_policies.person_visible_q(record_access(user)))
        .values_list("pk", flat=True)
    )


def sharing_people_ids(sharing: SharingRecord) -> list[int]:
    """Everyone whose information the sharing includes (for its audit events)."""
    return list(sharing.subjects.values_list("person_id", flat=True))


def holding_team_ids(sharing: SharingRecord) -> set[int]:
    """Teams holding a case of one of the sharing's people (as subject or participant)."""
    ids = sharing_people_ids(sharing)
    return set(
        Case.objects.filter(organisation_id=sharing.organisation_id)
        .filter(Q(person_id__in=ids) | Q(participants__person_id__in=ids))
        .values_list("team_id", flat=True)
    )


def covering_consents(
    *,
    people: Iterable[Person],
    agency: PartnerAgency,
    purpose: str,
    data_categories: list[str],
    on: date,
) -> dict[int, Consent]:
    """For each person, the most recent consent that covers this sharing on this day."""
    ids = [p.pk for p in people]
    found: dict[int, Consent] = {}
    for consent in Consent.objects.filter(person_id__in=ids, agency=agency).order_by(
        "-given_on", "-id"
    ):
        if consent.person_id in found:
            continue
        if consent.valid_on(on) and consent.covers(
            purpose=purpose, data_categories=data_categories
        ):
            found[consent.person_id] = consent
    return found


# --- The register ----------------------------------------------------------------------------


def agency_list_for_recording(*, user: User, organisation_id: int) -> QuerySet[PartnerAgency]:
    """Active agencies a sharing of this council's records may go to (the service still
    refuses one outside the UK, with its reason)."""
    if organisation_id not in record_access(user).served_org_ids:
        return PartnerAgency.objects.none()
    return PartnerAgency.objects.filter(organisation_id=organisation_id, is_active=True)


def agency_list_for_register(*, user: User) -> QuerySet[PartnerAgency]:
    return PartnerAgency.objects.filter(
        organisation_id__in=policies.register_org_ids(user)
    ).select_related("organisation")


def agency_get_for_register(*, user: User, agency_id: Any) -> PartnerAgency:
    agency = agency_list_for_register(user=user).filter(public_id=_uuid(agency_id)).first()
    if agency is None:
        raise Http404(NOT_FOUND)
    return agency


def agreement_list_for_register(*, user: User) -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.filter(
        organisation_id__in=policies.register_org_ids(user)
    ).select_related("agency")


def agreement_get_for_register(*, user: User, agreement_id: Any) -> SharingAgreement:
    agreement = agreement_list_for_register(user=user).filter(public_id=_uuid(agreement_id)).first()
    if agreement is None:
        raise Http404(NOT_FOUND)
    return agreement


def agreements_for_agency(
    *, agency: PartnerAgency, on: date | None = None
) -> list[SharingAgreement]:
    """The agency's agreements in force on the day (today by default), newest first."""
    on = on or timezone.localdate()
    return [
        a
        for a in SharingAgreement.objects.filter(agency=agency).order_by("-starts_on")
        if a.in_force_on(on)
    ]


def agreement_for_recording(*, agency: PartnerAgency, agreement_id: Any) -> SharingAgreement:
    """One of the agency's agreements, in force or not (the service says why one not in force
    on the day is refused), or 404. For a caller that has fetched the agency for the user."""
    agreement = SharingAgreement.objects.filter(
        agency=agency, public_id=_uuid(agreement_id)
    ).first()
    if agreement is None:
        raise Http404(NOT_FOUND)
    return agreement


def agency_for_recording(*, user: User, organisation_id: int, agency_id: Any) -> PartnerAgency:
    """An agency of this council's register, active or not (the service says why an inactive
    one is refused), or 404."""
    if organisation_id not in record_access(user).served_org_ids:
        raise Http404(NOT_FOUND)
    agency = PartnerAgency.objects.filter(
        organisation_id=organisation_id, public_id=_uuid(agency_id)
    ).first()
    if agency is None:
        raise Http404(NOT_FOUND)
    return agency


# --- Consents --------------------------------------------------------------------------------


def consent_list_for_person(*, person: Person) -> list[Consent]:
    """A person's consents, for a caller that has already fetched the person for the user."""
    return list(
        Consent.objects.filter(person=person)
        .select_related("agency", "recorded_by", "withdrawn_by")
        .order_by("-given_on", "-id")
    )


def consent_get_for_user(*, user: User, consent_id: Any) -> Consent:
    access = record_access(user)
    consent = (
        Consent.objects.filter(public_id=_uuid(consent_id))
        .filter(person__in=Person.objects.filter(record_policies.person_visible_q(access)))
        .select_related("person", "agency", "recorded_by", "withdrawn_by")
        .first()
    )
    if consent is None:
        raise Http404(NOT_FOUND)
    return consent


# --- The sharing log -------------------------------------------------------------------------


def _visible_people(user: User) -> QuerySet[Person]:
    return Person.objects.filter(record_policies.person_visible_q(record_access(user)))


def sharing_list_for_person(*, person: Person) -> QuerySet[SharingRecord]:
    """Who a person's information was shared with, newest first, for a caller that has already
    fetched the person for the user."""
    return (
        SharingRecord.objects.filter(subjects__person=person)
        .select_related("agency", "recorded_by")
        .order_by("-shared_on", "-id")
    )


def sharing_list_for_user(*, user: User) -> QuerySet[SharingRecord]:
    """Sharings with at least one person the user may see."""
    visible = _visible_people(user)
    return SharingRecord.objects.filter(
        Exists(SharingSubject.objects.filter(sharing_id=OuterRef("pk"), person__in=visible))
    ).select_related("agency", "recorded_by", "authorised_by")


@dataclass
class SharingInView:
    sharing: SharingRecord
    people: list[Person]
    hidden_people: int
    items: list[tuple[SharedItem, Item]]
    hidden_items: int
    consents: dict[int, Consent] = field(default_factory=dict)
    can_authorise: bool = False

    # The sharing's own words (why, why without consent, the manager's reasons) may name
    # anyone in it: a reader who may not see everyone in it does not see them.
    FREE_TEXT = ("purpose_detail", "no_consent_detail", "authorisation_note", "statute_detail")

    @property
    def free_text_withheld(self) -> bool:
        return self.hidden_people > 0


def sharing_get_for_user(*, user: User, sharing_id: Any) -> SharingInView:
    sharing = (
        sharing_list_for_user(user=user)
        .select_related("agreement", "organisation")
        .filter(public_id=_uuid(sharing_id))
        .first()
    )
    if sharing is None:
        raise Http404(NOT_FOUND)
    access = record_access(user)
    subjects = list(sharing.subjects.select_related("person", "consent", "consent__agency"))
    visible_ids = set(
        _visible_people(user)
        .filter(pk__in=[s.person_id for s in subjects])
        .values_list("pk", flat=True)
    )
    people = [s.person for s in subjects if s.person_id in visible_ids]
    consents = {
        s.person_id: s.consent for s in subjects if s.consent and s.person_id in visible_ids
    }
    shared = list(sharing.items.all())
    visible_items = {
        i.pk: i
        for i in Item.objects.filter(pk__in=[s.item_id for s in shared])
        .filter(record_policies.item_visible_q(access))
        .select_related("case")
    }
    items = sorted(
        ((s, visible_items[s.item_id]) for s in shared if s.item_id in visible_items),
        key=lambda pair: pair[1].occurred_at,
    )
    return SharingInView(
        sharing=sharing,
        people=people,
        hidden_people=len(subjects) - len(people),
        items=items,
        hidden_items=len(shared) - len(items),
        consents=consents,
        # Deciding needs the whole sharing, reasons included: everyone in it must be visible.
        can_authorise=len(people) == len(subjects)
        and policies.can_authorise(access, sharing, holding_team_ids(sharing)),
    )


def authorisation_queue_for_user(*, user: User) -> QuerySet[SharingRecord]:
    """Sharings without consent waiting for this manager: a case of one of their people is
    held by a team the user manages, and the user may see everyone in it. The user's own
    recordings are not theirs to authorise. Urgent ones, already shared, come first."""
    access = record_access(user)
    if not access.managed_team_ids:
        return SharingRecord.objects.none()
    subject_people = SharingSubject.objects.filter(sharing_id=OuterRef(OuterRef("pk"))).values(
        "person_id"
    )
    held = Case.objects.filter(team_id__in=access.managed_team_ids).filter(
        Q(person_id__in=subject_people) | Q(participants__person_id__in=subject_people)
    )
    unseen = SharingSubject.objects.filter(sharing_id=OuterRef("pk")).exclude(
        person__in=_visible_people(user)
    )
    return (
        SharingRecord.objects.filter(
            authorisation=Authorisation.PENDING, organisation_id__in=access.served_org_ids
        )
        .exclude(recorded_by_id=user.pk)
        .filter(Exists(held))
        .exclude(Exists(unseen))
        .select_related("agency", "recorded_by")
        .prefetch_related(
            Prefetch("subjects", queryset=SharingSubject.objects.select_related("person"))
        )
        .order_by("-is_urgent", "recorded_at")
    )


def shareable_items_for_user(*, user: User, people: Iterable[Person]) -> QuerySet[Item]:
    """Records the user may choose from: the people's own, and others that link them, among
    those the user may see. Newest first."""
    ids = [p.pk for p in people]
    access = record_access(user)
    return (
        Item.objects.filter(Q(person_id__in=ids) | Q(links__person_id__in=ids))
        .filter(entered_in_error_at__isnull=True)
        .filter(record_policies.item_visible_q(access))
        .distinct()
        .select_related("case", "person")
        .order_by("-occurred_at", "-id")
    )


def recipients_of_sharings(*, public_ids: Iterable[Any]) -> list[str]:
    """The agencies of these sharings (by public id) that happened: what a subject access
    reply lists as recipients, from the sharing entries the officer reviewed and disclosed."""
    return sorted(
        set(
            SharingRecord.objects.filter(
                public_id__in=list(public_ids), status=SharingStatus.SHARED
            ).values_list("agency__name", flat=True)
        )
    )


# --- Reports ---------------------------------------------------------------------------------


@dataclass
class WithoutConsentRow:
    reference: str
    public_id: Any
    shared_on: date
    agency: str
    purpose: str
    reason: str
    is_urgent: bool
    status: str
    authorisation: str
    hours_to_decision: float | None


@dataclass
class SharingReport:
    start: date
    end: date
    months: list[date]
    total: int
    by_agency: dict[str, Counter[date]]
    by_purpose: dict[str, Counter[date]]
    by_basis: dict[str, Counter[date]]
    month_totals: Counter[date]
    without_consent: list[WithoutConsentRow]
    median_hours_to_decision: float | None
    pending: int
    flagged: int


# The days a report may cover: anything outside is a typing slip, not a period of sharing.
REPORT_FIRST_DAY = date(1990, 1, 1)
REPORT_LAST_DAY = date(2099, 12, 31)


def report_day_validators() -> list[Any]:
    message = "Enter a date between 1990 and 2099."
    return [
        MinValueValidator(REPORT_FIRST_DAY, message=message),
        MaxValueValidator(REPORT_LAST_DAY, message=message),
    ]


def _months(start: date, end: date) -> list[date]:
    months = []
    day = start.replace(day=1)
    while day <= end:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def sharing_report_for_user(*, user: User, start: date, end: date) -> SharingReport:
    """Sharings done between two days in the user's councils, counted by month and by agency,
    purpose and basis; and every sharing without consent, with how long its authorisation
    took. No names: references and counts only."""
    org_ids = policies.report_org_ids(user)
    if not org_ids:
        raise Http404(NOT_FOUND)
    rows = list(
        SharingRecord.objects.filter(
            organisation_id__in=org_ids, shared_on__gte=start, shared_on__lte=end
        )
        .select_related("agency", "organisation")
        .order_by("shared_on", "id")
    )
    purposes = dict(Purpose.choices)
    bases = dict(LawfulBasis.choices)
    by_agency: dict[str, Counter[date]] = defaultdict(Counter)
    by_purpose: dict[str, Counter[date]] = defaultdict(Counter)
    by_basis: dict[str, Counter[date]] = defaultdict(Counter)
    totals: Counter[date] = Counter()
    without: list[WithoutConsentRow] = []
    several = len({row.organisation_id for row in rows}) > 1
    for row in rows:
        month = row.shared_on.replace(day=1)
        agency = row.agency.name
        if several:
            agency = f"{agency} ({row.organisation.display_name})"
        if row.status == SharingStatus.SHARED:
            totals[month] += 1
            by_agency[agency][month] += 1
            by_purpose[str(purposes[row.purpose])][month] += 1
            by_basis[str(bases[row.lawful_basis])][month] += 1
        if row.consent_status != ConsentStatus.ON_FILE:
            hours = None
            if row.authorised_at is not None:
                hours = round((row.authorised_at - row.recorded_at).total_seconds() / 3600, 1)
            without.append(
                WithoutConsentRow(
                    reference=row.reference,
                    public_id=row.public_id,
                    shared_on=row.shared_on,
                    agency=row.agency.name,
                    purpose=str(purposes[row.purpose]),
                    reason=row.get_no_consent_reason_display(),
                    is_urgent=row.is_urgent,
                    status=row.get_status_display(),
                    authorisation=row.get_authorisation_display(),
                    hours_to_decision=hours,
                )
            )
    decided = [r.hours_to_decision for r in without if r.hours_to_decision is not None]
    return SharingReport(
        start=start,
        end=end,
        months=_months(start, end),
        total=sum(totals.values()),
        by_agency=dict(sorted(by_agency.items())),
        by_purpose=dict(sorted(by_purpose.items())),
        by_basis=dict(sorted(by_basis.items())),
        month_totals=totals,
        without_consent=without,
        median_hours_to_decision=statistics.median(decided) if decided else None,
        pending=sum(1 for r in rows if r.authorisation == Authorisation.PENDING),
        flagged=sum(1 for r in rows if r.is_flagged),
    )
