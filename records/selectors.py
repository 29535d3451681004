"""Every read of case records. Each function takes the acting user and returns only what they
may see; anything else is ``Http404`` with the same message as a thing that does not exist."""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone

from records import policies
from records.identifiers import compact, identifier_kind
from records.models import (
    ITEM_MODELS,
    Allocation,
    BreakGlassAccess,
    Case,
    CaseParticipant,
    DisagreementStatement,
    Document,
    HistoricRecord,
    Item,
    ItemKind,
    ItemRevision,
    Person,
    PersonName,
    Relationship,
    search_text,
)
from records.policies import RecordAccess, record_access

if TYPE_CHECKING:
    from accounts.models import Team, User

NOT_FOUND = "Page not found"


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404(NOT_FOUND) from None


def case_annotate_access(qs: QuerySet[Case], access: RecordAccess) -> QuerySet[Case]:
    """Say how the user reaches each case; the ``can_*`` policies read these."""
    now = timezone.now()
    return qs.annotate(
        via_allocation=ExpressionWrapper(
            policies.allocation_grant(access, now), output_field=BooleanField()
        ),
        via_team=ExpressionWrapper(Q(policies.team_grant(access)), output_field=BooleanField()),
        via_grant=ExpressionWrapper(
            policies.person_wide_grant(access, now, "person_id"), output_field=BooleanField()
        ),
    )


# --- People ----------------------------------------------------------------------------------


def person_list_for_user(*, user: User) -> QuerySet[Person]:
    access = record_access(user)
    return Person.objects.filter(policies.person_visible_q(access))


def person_get_for_user(*, user: User, person_id: Any) -> Person:
    public_id = _uuid(person_id)
    person = (
        person_list_for_user(user=user)
        .select_related("organisation")
        .filter(public_id=public_id)
        .first()
    )
    if person is None:
        raise Http404(NOT_FOUND)
    return person


def person_reach(*, user: User, person: Person) -> str:
    """How the user sees a person they may see: "case", "break_glass" or "disclose" (records
    access). Read from the user's own grants; only a user holding a grant on this very person
    costs a query, to tell whether a case of their own reaches the person anyway."""
    access = record_access(user)
    now = timezone.now()
    break_glass = person.pk in access.person_ids(("break_glass_person",), now)
    disclose = person.pk in access.person_ids(("disclose_person",), now)
    if not (break_glass or disclose):
        return "case"
    if (
        Person.objects.filter(pk=person.pk)
        .filter(policies.person_through_cases_q(access, now))
        .exists()
    ):
        return "case"
    return "break_glass" if break_glass else "disclose"


def read_purposes(*, user: User, person_ids: set[int]) -> dict[int, tuple[str, str]]:
    """For the read audit: people among these the user reaches only by break-glass (with the
    reason given) or by records-access work, not through a case of their own. Costs nothing
    for a user who holds no such grant."""
    access = record_access(user)
    now = timezone.now()
    break_glass = set(access.person_ids(("break_glass_person",), now)) & person_ids
    disclose = set(access.person_ids(("disclose_person",), now)) & person_ids
    special = break_glass | disclose
    if not special:
        return {}
    through_cases = set(
        Person.objects.filter(pk__in=special)
        .filter(policies.person_through_cases_q(access, now))
        .values_list("pk", flat=True)
    )
    purposes: dict[int, tuple[str, str]] = {}
    if break_glass - through_cases:
        reasons = dict(
            BreakGlassAccess.objects.filter(
                user=user, person_id__in=break_glass - through_cases, expires_at__gt=now
            )
            .order_by("person_id", "granted_at")
            .values_list("person_id", "reason")
        )
        for person_id in break_glass - through_cases:
            purposes[person_id] = ("break_glass", reasons.get(person_id, ""))
    for person_id in disclose - through_cases - break_glass:
        purposes[person_id] = ("access_request", "")
    return purposes


def case_list_for_person(*, user: User, person: Person) -> list[Case]:
    access = record_access(user)
    qs = (
        Case.objects.filter(person=person)
        .filter(policies.case_visible_q(access))
        .select_related("person", "team", "organisation")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.current().select_related("worker"),
                to_attr="current_allocations",
            ),
            Prefetch(
                "participants",
                queryset=CaseParticipant.objects.select_related("person").only(
                    "case_id", "person_id", "person__is_restricted"
                ),
                to_attr="participant_rows",
            ),
        )
        .order_by("closed_on", "-opened_on")
    )
    return list(case_annotate_access(qs, access))


def participations_for_person(*, user: User, person: Person) -> list[CaseParticipant]:
    """Cases of other people in which this person takes part, among those the user sees."""
    access = record_access(user)
    now = timezone.now()
    rows: list[Any] = list(
        CaseParticipant.objects.filter(person=person)
        .filter(
            policies.case_visible_q(
                access, now, case_ref="case_id", person_ref="case__person_id", prefix="case__"
            )
        )
        .annotate(
            via_allocation=ExpressionWrapper(
                policies.allocation_grant(access, now, "case_id"), output_field=BooleanField()
            ),
            via_team=ExpressionWrapper(
                Q(policies.team_grant(access, "case_id")), output_field=BooleanField()
            ),
        )
        .select_related("case", "case__person", "case__team")
    )
    for row in rows:
        # The policies read how the user reaches the case from the case itself.
        row.case.via_allocation = row.via_allocation
        row.case.via_team = row.via_team
    return rows


@dataclass(frozen=True)
class PersonInView:
    """A person the user may see, with the cases through which they see them."""

    person: Person
    cases: list[Case]  # the person's own cases the user sees
    participations: list[CaseParticipant]  # other people's cases they take part in
    reach: str  # "case", "break_glass" or "disclose"

    def known_visible(self, access: RecordAccess) -> frozenset[int]:
        """People certainly visible too: everyone in the cases the user works on (restricted
        people only with a named grant)."""
        people = [self.person]
        for case in self.cases:
            if policies.via(case, "allocation") or policies.via(case, "team"):
                people.extend(row.person for row in case.participant_rows)  # type: ignore[attr-defined]
        for participation in self.participations:
            if policies.via(participation.case, "allocation") or policies.via(
                participation.case, "team"
            ):
                people.append(participation.case.person)
        hidden = policies.hidden_restricted(access, people)
        return frozenset(p.pk for p in people if p.pk not in hidden)


def person_in_view_for_user(*, user: User, person_id: Any) -> PersonInView:
    """Fetch a person with the cases the user sees them through, or 404.

    The same decision as ``person_visible_q``, taken from the rows the person's pages show
    anyway: a case of theirs reached by allocation or team, a case they take part in, or a
    person-wide grant for a person of a council the user serves; and for a restricted person,
    a named grant."""
    access = record_access(user)
    person = (
        Person.objects.select_related("organisation").filter(public_id=_uuid(person_id)).first()
    )
    if person is None:
        raise Http404(NOT_FOUND)
    now = timezone.now()
    if person.is_restricted and person.pk not in access.person_ids(
        ("view_restricted_person",), now
    ):
        raise Http404(NOT_FOUND)
    cases = case_list_for_person(user=user, person=person)
    participations = participations_for_person(user=user, person=person)
    through_cases = any(
        policies.via(c, "allocation") or policies.via(c, "team")
        for c in [*cases, *(p.case for p in participations)]
    )
    by_grant = (
        person.pk in access.person_ids(policies.PERSON_WIDE_CODENAMES, now)
        and person.organisation_id in access.served_org_ids
    )
    if not (through_cases or by_grant):
        raise Http404(NOT_FOUND)
    if through_cases:
        reach = "case"
    elif person.pk in access.person_ids(("break_glass_person",), now):
        reach = "break_glass"
    else:
        reach = "disclose"
    return PersonInView(person, cases, participations, reach)


@dataclass(frozen=True)
class RelatedPerson:
    relationship: Relationship
    other: Person
    label: str
    other_visible: bool


def relationships_for_person(
    *, user: User, person: Person, known_visible: frozenset[int] = frozenset()
) -> list[RelatedPerson]:
    """Both directions of every relationship, saying which related people the user may open.

    ``known_visible``: people the caller already knows the user sees (the people of cases it
    has just fetched with the policy); the policy is asked only about the others."""
    rels = list(
        Relationship.objects.filter(Q(from_person=person) | Q(to_person=person)).select_related(
            "from_person", "to_person"
        )
    )
    hidden = policies.hidden_restricted(record_access(user), [r.other(person) for r in rels])
    rels = [r for r in rels if r.other(person).pk not in hidden]
    other_ids = {r.other(person).pk for r in rels}
    visible = {pk for pk in other_ids if pk in known_visible}
    unknown = other_ids - visible
    if unknown:
        visible |= set(
            person_list_for_user(user=user).filter(pk__in=unknown).values_list("pk", flat=True)
        )
    return [
        RelatedPerson(r, r.other(person), r.label_for(person), r.other(person).pk in visible)
        for r in rels
    ]


@dataclass(frozen=True)
class SearchResult:
    person: Person
    matched_name: str
    score: float


def person_search_for_user(
    *,
    user: User,
    query: str = "",
    date_of_birth: date | None = None,
    limit: int = 50,
) -> list[SearchResult]:
    """Typo-tolerant name search, or an identifier, or a date of birth, over what the user may
    see. On PostgreSQL names are ranked by trigram similarity; on SQLite by difflib over the
    user's visible names (a caseload, so small)."""
    access = record_access(user)
    if not policies.can_search_people(access):
        return []
    visible = Person.objects.filter(policies.person_visible_q(access))
    query = (query or "").strip()
    kind = identifier_kind(query) if query else None
    if kind:
        people = visible.filter(**{kind: compact(query)})
        if date_of_birth:
            people = people.filter(date_of_birth=date_of_birth)
        return [SearchResult(p, p.full_name, 1.0) for p in people[:limit]]
    if not query:
        if date_of_birth is None:
            return []
        people = visible.filter(date_of_birth=date_of_birth).order_by("last_name", "first_name")
        return [SearchResult(p, p.full_name, 1.0) for p in people[:limit]]
    wanted = search_text(query)
    names = PersonName.objects.filter(person__in=visible)
    if date_of_birth:
        names = names.filter(person__date_of_birth=date_of_birth)
    best: dict[int, tuple[float, str]] = {}
    if connection.vendor == "postgresql":
        rows = _trigram_rows(
            names, wanted, whole=0.3, fields=("person_id", "search_name"), limit=limit * 4
        )
        for person_id, name, rank in rows:
            if rank > best.get(person_id, (0.0, ""))[0]:
                best[person_id] = (rank, name)
    else:
        for person_id, name in names.values_list("person_id", "search_name"):
            score = _fuzzy_score(wanted, name)
            if score >= 0.6 and score > best.get(person_id, (0.0, ""))[0]:
                best[person_id] = (score, name)
    ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:limit]
    people_by_id = Person.objects.in_bulk([pid for pid, _ in ranked])
    return [
        SearchResult(people_by_id[pid], name.title(), round(score, 2))
        for pid, (score, name) in ranked
        if pid in people_by_id
    ]


def _trigram_rows(
    qs: QuerySet[Any], wanted: str, *, whole: float, fields: tuple[str, ...], limit: int
) -> list[Any]:
    """Rows whose ``search_name`` is like ``wanted`` (PostgreSQL pg_trgm), best first: similar
    as a whole, or containing words like it. The ``%`` and ``%>`` operators let the trigram
    index find the candidates; their thresholds are set for this transaction only. Each row
    ends with its ``rank``."""
    from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
    from django.db.models.functions import Greatest

    matches = (
        qs.filter(
            Q(search_name__trigram_similar=wanted) | Q(search_name__trigram_word_similar=wanted)
        )
        .annotate(
            rank=Greatest(
                TrigramSimilarity("search_name", wanted),
                TrigramWordSimilarity(wanted, "search_name") * 0.9,
            )
        )
        .order_by("-rank")
        .values_list(*fields, "rank")[:limit]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(whole)])
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true)")
        return list(matches)


def _fuzzy_score(wanted: str, name: str) -> float:
    whole = difflib.SequenceMatcher(None, wanted, name).ratio()
    words = name.split()
    parts = [
        max((difflib.SequenceMatcher(None, w, n).ratio() for n in words), default=0.0)
        for w in wanted.split()
    ]
    return max(whole, sum(parts) / len(parts) if parts else 0.0)


# --- Cases -----------------------------------------------------------------------------------


def case_get_for_user(*, user: User, case_id: Any) -> Case:
    access = record_access(user)
    qs = (
        Case.objects.filter(public_id=_uuid(case_id))
        .filter(policies.case_visible_q(access))
        .select_related("person", "team", "organisation")
    )
    case = case_annotate_access(qs, access).first()
    if case is None:
        raise Http404(NOT_FOUND)
    return case


def allocation_get_for_user(*, user: User, allocation_id: Any) -> Allocation:
    """An allocation of a case the user may see, with that case (annotated for the policies)."""
    access = record_access(user)
    allocation = (
        Allocation.objects.filter(public_id=_uuid(allocation_id))
        .select_related("worker", "allocated_by")
        .first()
    )
    if allocation is None:
        raise Http404(NOT_FOUND)
    case = case_annotate_access(
        Case.objects.filter(pk=allocation.case_id)
        .filter(policies.case_visible_q(access))
        .select_related("person", "team", "organisation"),
        access,
    ).first()
    if case is None:
        raise Http404(NOT_FOUND)
    allocation.case = case
    return allocation


def case_allocations(*, case: Case) -> QuerySet[Allocation]:
    """Every allocation of a case the caller has already fetched through case_get_for_user."""
    return case.allocations.select_related("worker", "allocated_by").order_by("-starts_on")


def case_people(*, case: Case, user: User) -> list[Person]:
    """The subject and participants of a case the caller already may see: who may take part
    in its contacts or be linked from its items. Restricted people without a named grant for
    the user are left out."""
    people = [case.person]
    people.extend(
        p.person for p in case.participants.select_related("person").order_by("person__last_name")
    )
    hidden = policies.hidden_restricted(record_access(user), people)
    return [p for p in people if p.pk not in hidden]


def caseload_for_user(*, user: User) -> list[Case]:
    """Open cases currently allocated to the user, with what the caseload page shows."""
    access = record_access(user)
    today = timezone.localdate()
    allocated = Allocation.objects.current(today).filter(worker_id=user.pk, case_id=OuterRef("pk"))
    qs = (
        Case.objects.filter(Exists(allocated), closed_on__isnull=True)
        .filter(policies.case_visible_q(access))
        .select_related("person", "team")
        .order_by("next_review_on", "person__last_name")
    )
    return list(qs)


def team_cases_for_user(*, user: User, team: Team, open_only: bool = True) -> list[Case]:
    """A team's cases, for its manager or (when it shares its caseload) its members."""
    access = record_access(user)
    if team.pk not in access.caseload_team_ids:
        raise Http404(NOT_FOUND)
    qs = Case.objects.filter(team=team).filter(policies.case_visible_q(access))
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    return list(
        qs.select_related("person")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.current().select_related("worker"),
                to_attr="current_allocations",
            )
        )
        .order_by("person__last_name", "person__first_name")
    )


def caseload_teams_for_user(*, user: User) -> QuerySet[Team]:
    """Teams whose held cases the user works on: those they manage, and those whose caseload
    they share as a practitioner."""
    from accounts.models import Team

    access = record_access(user)
    return Team.objects.filter(pk__in=access.caseload_team_ids).select_related("organisation")


# --- Items -----------------------------------------------------------------------------------


def chronology_for_user(
    *,
    user: User,
    person: Person,
    kinds: list[str] | None = None,
    case_id: Any = None,
    page: int | str = 1,
    per_page: int | None = None,
    visible_cases: list[Case] | None = None,
) -> Page[Item]:
    """A person's items from the cases the user sees, newest first, one page at a time.

    ``visible_cases``: the person's cases as ``case_list_for_person`` just returned them for
    this user, to save asking the policy twice."""
    access = record_access(user)
    if visible_cases is None:
        cases = Case.objects.filter(person=person).filter(policies.case_visible_q(access))
        if case_id:
            cases = cases.filter(public_id=_uuid(case_id))
        case_ids = list(cases.values_list("pk", flat=True))
    else:
        wanted = _uuid(case_id) if case_id else None
        case_ids = [
            c.pk
            for c in visible_cases
            if c.person_id == person.pk and (wanted is None or c.public_id == wanted)
        ]
    items = (
        Item.objects.filter(person=person, case_id__in=case_ids, entered_in_error_at__isnull=True)
        .filter(policies.item_restricted_ok_q(access))
        .select_related("author", "case")
        .prefetch_related(
            Prefetch(
                "disagreements",
                queryset=DisagreementStatement.objects.order_by("received_on"),
            )
        )
        .order_by("-occurred_at", "-id")
    )
    if kinds:
        items = items.filter(kind__in=[k for k in kinds if k in ItemKind.values])
    paginator = Paginator(items, per_page or settings.CAREFILE_CHRONOLOGY_PAGE_SIZE)
    return paginator.get_page(page)


def item_get_for_user(*, user: User, item_id: Any) -> Item:
    """The kind-specific item (Contact, Assessment…) with its case, or 404."""
    access = record_access(user)
    base = (
        Item.objects.filter(public_id=_uuid(item_id))
        .filter(policies.item_visible_q(access))
        .values_list("kind", flat=True)
        .first()
    )
    if base is None:
        raise Http404(NOT_FOUND)
    model = ITEM_MODELS[base]
    item = (
        model.objects.filter(public_id=_uuid(item_id))
        .select_related("case", "case__person", "case__team", "author", "entered_in_error_by")
        .first()
    )
    if item is None:
        raise Http404(NOT_FOUND)
    case_qs = Case.objects.filter(pk=item.case_id).select_related("person", "team", "organisation")
    item.case = case_annotate_access(case_qs, access).get()
    return item


def item_revisions(*, item: Item) -> QuerySet[ItemRevision]:
    return item.revisions.select_related("author").order_by("number")


def item_disagreements(*, item: Item) -> QuerySet[DisagreementStatement]:
    return item.disagreements.select_related("recorded_by").order_by("received_on", "id")


def item_linked_people(*, item: Item, user: User) -> list[Any]:
    links = list(item.links.select_related("person").order_by("role", "person__last_name"))
    hidden = policies.hidden_restricted(record_access(user), [link.person for link in links])
    return [link for link in links if link.person_id not in hidden]


def document_get_for_user(*, user: User, item_id: Any) -> Document:
    item = item_get_for_user(user=user, item_id=item_id)
    if not isinstance(item, Document):
        raise Http404(NOT_FOUND)
    return item


# --- Historic records index --------------------------------------------------------------------


def historic_record_search_for_user(
    *, user: User, query: str = "", date_of_birth: date | None = None, limit: int = 50
) -> list[tuple[HistoricRecord, float]]:
    if not policies.can_see_historic_index(user):
        raise Http404(NOT_FOUND)
    access = record_access(user)
    records = HistoricRecord.objects.filter(organisation_id__in=access.served_org_ids)
    if date_of_birth:
        records = records.filter(date_of_birth=date_of_birth)
    wanted = search_text(query or "")
    if not wanted:
        if date_of_birth is None:
            return []
        return [(r, 1.0) for r in records.order_by("last_name")[:limit]]
    if connection.vendor == "postgresql":
        ranked_ids = _trigram_rows(records, wanted, whole=0.25, fields=("pk",), limit=limit)
        by_id = HistoricRecord.objects.in_bulk([pk for pk, _ in ranked_ids])
        return [(by_id[pk], round(rank, 2)) for pk, rank in ranked_ids]
    scored = [(r, _fuzzy_score(wanted, r.search_name)) for r in records]
    scored = [(r, round(s, 2)) for r, s in scored if s >= 0.6]
    return sorted(scored, key=lambda rs: -rs[1])[:limit]


# --- Choices for forms -------------------------------------------------------------------------


def teams_for_opening_cases(*, user: User) -> QuerySet[Team]:
    """Case-holding teams in which the user does casework: where they may open a case."""
    from accounts.models import Team

    access = record_access(user)
    return Team.objects.filter(pk__in=access.casework_team_ids).select_related("organisation")


def teams_for_case_open(*, user: User, person: Person) -> QuerySet[Team]:
    """Teams that may hold a new case for this person: the user's own case-holding teams, and
    (as a referral) any case-holding team working for the person's council."""
    from accounts.models import CASE_SERVICES, Team

    access = record_access(user)
    serving = (
        Team.objects.filter(is_active=True, service__in=CASE_SERVICES)
        .filter(Q(organisation_id=person.organisation_id) | Q(acts_for=person.organisation_id))
        .values("pk")
    )
    return (
        Team.objects.filter(Q(pk__in=access.casework_team_ids) | Q(pk__in=serving))
        .select_related("organisation")
        .distinct()
        .order_by("name")
    )


def allocatable_workers(*, case: Case) -> QuerySet[User]:
    """Staff who may be allocated to the case: case-working members of a team that provides
    the case's service for the case's council."""
    from accounts.models import Membership, Team, User

    teams = [
        t.pk
        for t in Team.objects.filter(service=case.service, is_active=True).prefetch_related(
            "acts_for", "organisation"
        )
        if case.organisation_id in t.served_organisation_ids()
    ]
    members = Membership.objects.current().filter(
        team_id__in=teams, role__in=policies.CASEWORK_ROLES
    )
    return (
        User.objects.filter(pk__in=members.values("user_id"), is_active=True)
        .order_by("last_name", "first_name")
        .distinct()
    )


def transfer_teams(*, case: Case) -> QuerySet[Team]:
    """Other teams providing the case's service for the case's council."""
    from accounts.models import Team

    candidates = (
        Team.objects.filter(service=case.service, is_active=True)
        .exclude(pk=case.team_id)
        .prefetch_related("acts_for")
        .select_related("organisation")
    )
    ids = [t.pk for t in candidates if case.organisation_id in t.served_organisation_ids()]
    return Team.objects.filter(pk__in=ids).select_related("organisation")


def named_access_candidates(*, person: Person, cases: list[Case]) -> QuerySet[User]:
    """Case-working members of the teams holding the person's (visible) cases."""
    from accounts.models import Membership, User

    members = Membership.objects.current().filter(
        team_id__in={c.team_id for c in cases}, role__in=policies.CASEWORK_ROLES
    )
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "last_name"
    )


def person_find_for_break_glass(
    *,
    user: User,
    nhs_number: str = "",
    first_name: str = "",
    last_name: str = "",
    date_of_birth: date | None = None,
) -> Person | None:
    """The one unrestricted person of a council the user serves who matches these details
    exactly, or None. Never a list: break-glass opens a known person, it is not a search."""
    access = record_access(user)
    if not policies.can_break_glass(access):
        return None
    people = Person.objects.filter(organisation_id__in=access.served_org_ids, is_restricted=False)
    if nhs_number:
        try:
            from records.identifiers import normalise_nhs_number

            people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
        except ValidationError:  # an invalid number matches nobody
            return None
    else:
        if not (first_name and last_name and date_of_birth):
            return None
        people = people.filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    found = list(people[:2])
    return found[0] if len(found) == 1 else None


def person_details(*, person: Person) -> dict[str, Any]:
    """Names, addresses, phones, emails and live alerts of a person the caller may see."""
    today = timezone.localdate()
    return {
        "names": list(person.names.exclude(kind=PersonName.Kind.CURRENT)),
        "addresses": list(person.addresses.all()),
        "phones": list(person.phones.all()),
        "emails": list(person.emails.all()),
        "alerts": list(
            person.alerts.filter(starts_on__lte=today).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=today)
            )
        ),
    }


def entered_in_error_for_case(*, user: User, case: Case) -> list[Item]:
    """Items of a case marked entered in error: only its managers see them."""
    access = record_access(user)
    if not policies.can_manage_case(access, case):
        return []
    return list(
        Item.objects.filter(case=case, entered_in_error_at__isnull=False)
        .select_related("author", "entered_in_error_by")
        .order_by("-entered_in_error_at")
    )
