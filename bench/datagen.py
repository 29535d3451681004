"""Synthetic case records at scale, written with PostgreSQL COPY, for the benchmarks.

    from bench import datagen
    data = datagen.generate("small")      # or "county": 200,000 people, 4,000,000 items

Rows go straight into the tables with psycopg 3's ``cursor.copy`` — never one object at a time
through the ORM — but they are the rows the services would have written:

- ``records.services.person_create``: a ``Person`` and its current ``PersonName``;
- ``case_open`` / ``_grant_team``: a ``Case`` (reference ``<prefix>-<id:07d>``) and a
  ``CaseGroupObjectPermission`` (``view_case``) for the holding team's caseload group, made by
  ``services.team_caseload_group_ensure``;
- ``case_allocate`` / ``_sync_allocation_grant``: an ``Allocation`` and, while it lasts, one
  ``CaseUserObjectPermission`` (``view_case``, no expiry); a closed case keeps its ended
  allocation and no grant, as ``case_close`` leaves it;
- ``related_person_create``: a ``Person``, a ``CaseParticipant`` and a ``Relationship``;
- ``_item_create``: an ``Item`` row, its kind's child row (multi-table inheritance: the child's
  primary key is ``item_ptr_id``) and revision 1 in ``ItemRevision``; contacts link their
  subject as a participant (``ItemPerson``);
- ``_refresh_case_summary``: ``Case.last_contact_at`` and ``next_review_on``, set here by one
  UPDATE at the end.

Staff, teams and memberships are few, so they go through the ORM (bulk) and the accounts
services. Foreign keys are checked by construction: the load runs with
``session_replication_role = replica`` so PostgreSQL does not queue millions of deferred
constraint checks. Then ``VACUUM ANALYZE``.

Special rows the benchmarks look for:

- ``bench-p5``, ``bench-p30`` and ``bench-p300``: practitioners in the first children's team
  with 5, 30 and 300 open allocated cases (the caseload must cost the same queries for each);
- a person with 2,000 items across two cases ``bench-p30`` works on (one open, one closed),
  and a youth justice case with more that ``bench-p30`` may not see;
- teams holding thousands of cases at county scale (``county``: 40 teams, 2,500 each).
"""

from __future__ import annotations

import json
import math
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

DAY = 86_400
STAFF_PREFIX = "bench-"


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    cases: int
    items: int
    teams: dict[str, int]  # service -> how many teams hold its cases
    open_share: float = 0.7
    caseload: int = 25  # a typical practitioner's open allocated cases
    heavy_items: int = 2_000  # visible to bench-p30 on the heavy person's two cases
    heavy_hidden_items: int = 150  # on the heavy person's youth justice case
    chunk_cases: int = 4_000  # cases whose items are generated and copied at once


SCALES = {
    "small": Scale(
        "small",
        people=8_000,
        cases=4_000,
        items=60_000,
        teams={
            "childrens_social_care": 2,
            "early_help": 1,
            "youth_justice": 1,
            "adult_social_care": 1,
        },
    ),
    "county": Scale(
        "county",
        people=200_000,
        cases=100_000,
        items=4_000_000,
        teams={
            "childrens_social_care": 22,
            "early_help": 6,
            "youth_justice": 4,
            "adult_social_care": 8,
        },
    ),
}


@dataclass
class Generated:
    """What was made, and what the benchmarks need to find in it."""

    scale: str
    seconds: float
    counts: dict[str, int]
    heavy_person: str  # public_id
    heavy_visible_items: int
    practitioners: dict[int, str]  # open allocated cases -> username
    search_query: str  # the heavy person's name with a typo
    search_expected: str  # public_id the search should find
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "seconds": round(self.seconds, 1),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "counts": self.counts,
            "heavy_visible_items": self.heavy_visible_items,
            "practitioners": self.practitioners,
            "search_query": self.search_query,
        }


_generated: Generated | None = None


def current() -> Generated | None:
    return _generated


# --- Writing rows --------------------------------------------------------------------------


def _raw_connection() -> Any:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def _check_columns(model: Any, columns: Sequence[str]) -> None:
    """Every column named exists; every NOT NULL column without a database default (all of
    Django's) is named, except an identity ``id`` left to PostgreSQL."""
    fields = {f.column: f for f in model._meta.local_concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__}: no column {', '.join(sorted(unknown))}")
    missing = {
        name
        for name, f in fields.items()
        if not f.null and name not in columns and not (name == "id" and f.primary_key)
    }
    if missing:
        raise ValueError(f"{model.__name__}: columns not given: {', '.join(sorted(missing))}")


def copy_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    _check_columns(model, columns)
    table = model._meta.db_table
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # noqa: S608 - names from _meta
    count = 0
    with _raw_connection().cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if count == 0 and len(row) != len(columns):
                raise ValueError(f"{model.__name__}: {len(row)} values for {len(columns)} columns")
            copy.write_row(row)
            count += 1
    return count


def _next_id(model: Any) -> int:
    with _raw_connection().cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _sync_sequence(model: Any) -> None:
    """After explicit ids, move the identity sequence past them."""
    table = model._meta.db_table
    with _raw_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def _sql(statement: str) -> None:
    with _raw_connection().cursor() as cursor:
        cursor.execute(statement)


# --- Values ----------------------------------------------------------------------------------


def _ts(epoch: int) -> str:
    """timestamptz text for COPY."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def _json_ts(epoch: int) -> str:
    """How DjangoJSONEncoder writes an aware UTC datetime (revision data)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _nhs_number(rng: random.Random) -> str:
    from records.demo import synthetic_nhs_number

    return synthetic_nhs_number(rng)


def search_text(*parts: str) -> str:
    from records.models import search_text as model_search_text

    return model_search_text(*parts)


class Texts:
    """Paragraphs for item bodies, from the demo's words with invented names put in."""

    def __init__(self, rng: random.Random, first_names: Sequence[str]) -> None:
        from records.demo import ADULT, CHILDREN, YOUTH

        templates: list[str] = []
        for voice in (CHILDREN, YOUTH, ADULT):
            for texts in voice.contacts.values():
                templates.extend(texts)
            templates.extend(text for _, text in voice.notes)
            templates.extend(text for _, _, text in voice.information)
            templates.extend(voice.reviews)
        self.paragraphs = [
            t.format(
                name=rng.choice(first_names),
                carer=rng.choice(first_names),
                school="Hillside Primary School",
                worker="the social worker",
                source="the school",
            )
            for t in templates
            for _ in range(3)
        ]
        self.rng = rng

    def body(self) -> str:
        return " ".join(self.rng.sample(self.paragraphs, self.rng.choice((1, 1, 2, 3))))


# --- Staff and teams -------------------------------------------------------------------------


@dataclass
class TeamPlan:
    team: Any
    service: str
    categories: tuple[str, ...]
    manager_id: int = 0
    practitioner_ids: list[int] = field(default_factory=list)


CATEGORIES = {
    "childrens_social_care": ("child_in_need", "child_protection", "looked_after"),
    "early_help": ("early_help",),
    "youth_justice": ("yj_out_of_court", "yj_referral_order", "yj_court_order"),
    "adult_social_care": ("adult_care", "adult_safeguarding"),
}
TEAM_NAMES = {
    "childrens_social_care": "Children's Social Care",
    "early_help": "Family Hub",
    "youth_justice": "Youth Justice",
    "adult_social_care": "Adult Social Care",
}
REFERENCE_PREFIX = {
    "childrens_social_care": "CSC",
    "early_help": "EH",
    "youth_justice": "YJ",
    "adult_social_care": "ASC",
}
PLAN_TYPE = {
    "child_in_need": "child_in_need",
    "child_protection": "child_protection",
    "looked_after": "care",
    "early_help": "early_help",
    "yj_out_of_court": "youth_justice",
    "yj_referral_order": "youth_justice",
    "yj_court_order": "youth_justice",
    "adult_care": "care_and_support",
    "adult_safeguarding": "care_and_support",
}
ASSESSMENT_TYPE = {
    "childrens_social_care": "child_and_family",
    "early_help": "child_and_family",
    "youth_justice": "youth_justice",
    "adult_social_care": "care_act_needs",
}


def _teams(scale: Scale, organisation: Any) -> list[TeamPlan]:
    from accounts.models import Team
    from records import services

    plans: list[TeamPlan] = []
    for service, categories in CATEGORIES.items():
        for n in range(1, scale.teams.get(service, 0) + 1):
            team, _ = Team.objects.get_or_create(
                organisation=organisation,
                name=f"{TEAM_NAMES[service]} {n}",
                defaults={"service": service},
            )
            # Before anyone joins, so no one's roles need syncing.
            services.team_caseload_group_ensure(team=team)
            plans.append(TeamPlan(team, service, categories))
    return plans


def _staff(plans: list[TeamPlan], cases_per_team: dict[int, int], scale: Scale) -> dict[str, int]:
    """A manager and enough practitioners per team, plus bench-p5/p30/p300 in the first.

    Memberships and groups are what ``membership_add`` / ``user_sync_roles`` give: the role's
    group and, for a team that shares its caseload, the team's caseload group."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import Membership, User
    from accounts.roles import Role

    password = make_password("bench-not-a-secret")
    since = timezone.localdate() - timedelta(days=6 * 365)
    role_groups = {g.name: g.pk for g in Group.objects.filter(name__in=[r.label for r in Role])}
    users: list[User] = []
    wanted: list[tuple[str, TeamPlan, str]] = []
    for index, plan in enumerate(plans):
        open_cases = cases_per_team[plan.team.pk] * scale.open_share
        count = max(2, math.ceil(open_cases / scale.caseload))
        wanted.append((f"{STAFF_PREFIX}t{index:02d}-manager", plan, Role.TEAM_MANAGER))
        wanted.extend(
            (f"{STAFF_PREFIX}t{index:02d}-p{n:03d}", plan, Role.PRACTITIONER) for n in range(count)
        )
    for special in (5, 30, 300):
        wanted.append((f"{STAFF_PREFIX}p{special}", plans[0], Role.PRACTITIONER))
    for username, _, role in wanted:
        users.append(
            User(
                username=username,
                first_name=username.split("-")[-1].title(),
                last_name="Bench",
                job_title="Team manager" if role == Role.TEAM_MANAGER else "Practitioner",
                email=f"{username}@example.invalid",
                password=password,
            )
        )
    User.objects.bulk_create(users, batch_size=2_000)
    ids = dict(User.objects.filter(username__startswith=STAFF_PREFIX).values_list("username", "pk"))
    memberships = []
    groups = []
    through = User.groups.through
    for username, plan, role in wanted:
        user_id = ids[username]
        memberships.append(Membership(user_id=user_id, team=plan.team, role=role, starts_on=since))
        groups.append(through(user_id=user_id, group_id=role_groups[Role(role).label]))
        if plan.team.shares_caseload:
            groups.append(through(user_id=user_id, group_id=plan.team.caseload_group_id))
        if role == Role.TEAM_MANAGER:
            plan.manager_id = user_id
        elif not username.startswith(f"{STAFF_PREFIX}p"):
            plan.practitioner_ids.append(user_id)
    Membership.objects.bulk_create(memberships, batch_size=2_000)
    through.objects.bulk_create(groups, batch_size=5_000)
    return ids


# --- The generator ---------------------------------------------------------------------------


class Generator:
    def __init__(self, scale: Scale, seed: int = 2026) -> None:
        from django.utils import timezone

        self.scale = scale
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.now = int(timezone.now().timestamp()) - 3_600
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def _timed(self, label: str, started: float) -> None:
        self.timings[label] = time.perf_counter() - started
        print(f"  {label}: {self.timings[label]:.1f}s", flush=True)

    def _count(self, label: str, n: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def run(self) -> Generated:
        from django.contrib.auth.models import Permission

        from accounts.models import Organisation

        started = time.perf_counter()
        step = time.perf_counter()
        self.organisation, _ = Organisation.objects.get_or_create(
            name="Shire County Council (benchmark)",
            defaults={"short_name": "Shire", "kind": Organisation.Kind.COUNCIL},
        )
        self.view_case = Permission.objects.get(
            content_type__app_label="records", codename="view_case"
        ).pk
        self.plans = _teams(self.scale, self.organisation)
        self._names()
        self._plan_cases()
        self.staff = _staff(self.plans, self.cases_per_team, self.scale)
        self._count("staff", len(self.staff))
        self._timed("teams and staff", step)

        raw = _raw_connection()
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '512MB'")
        try:
            step = time.perf_counter()
            self._people()
            self._timed("people and names", step)
            step = time.perf_counter()
            self._cases()
            self._timed("cases, grants, allocations, participants", step)
            step = time.perf_counter()
            self._items()
            self._timed("items, kinds, revisions", step)
        finally:
            with raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        from records.models import Case, Item, Person

        for model in (Person, Case, Item):
            _sync_sequence(model)
        step = time.perf_counter()
        self._case_summaries()
        self._timed("case summaries", step)
        step = time.perf_counter()
        _sql("VACUUM ANALYZE")
        self._timed("vacuum analyze", step)
        heavy_public = self.person_public[self.heavy_person]
        first, last = self.person_names[self.heavy_person]
        return Generated(
            scale=self.scale.name,
            seconds=time.perf_counter() - started,
            counts=self.counts,
            heavy_person=heavy_public,
            heavy_visible_items=self.heavy_visible,
            practitioners={n: f"{STAFF_PREFIX}p{n}" for n in (5, 30, 300)},
            search_query=f"{first} {_typo(last)}",
            search_expected=heavy_public,
            timings=self.timings,
        )

    # -- names and the shape of things --------------------------------------------------------

    def _names(self) -> None:
        from faker import Faker

        fake = Faker("en_GB")
        fake.seed_instance(self.rng.randint(0, 10**6))
        self.female = sorted({fake.first_name_female() for _ in range(2_000)})
        self.male = sorted({fake.first_name_male() for _ in range(2_000)})
        self.surnames = sorted({fake.last_name() for _ in range(5_000)})
        self.texts = Texts(self.rng, self.female + self.male)

    def _plan_cases(self) -> None:
        """How many cases each team holds: children's teams twice the others, the first a
        little more again, so bench-p300 has its 300 and the team's others still have work."""
        scale = self.scale
        weights = [2.0 if p.service == "childrens_social_care" else 1.0 for p in self.plans]
        weights[0] = 2.4
        total = sum(weights)
        counts = [int(scale.cases * w / total) for w in weights]
        counts[0] += scale.cases - sum(counts)
        self.cases_per_team = {p.team.pk: c for p, c in zip(self.plans, counts, strict=True)}

    # -- people ---------------------------------------------------------------------------------

    def _people(self) -> None:
        """Subjects first (about 45%), then the family members and carers."""
        from records.models import Person, PersonName

        scale, rng = self.scale, self.rng
        self.person_base = _next_id(Person)
        self.subject_count = int(scale.people * 0.45)
        self.person_public: dict[int, str] = {}
        self.person_names: dict[int, tuple[str, str]] = {}
        self.person_born: dict[int, date] = {}
        created_at = _ts(self.now - 30 * DAY)
        creator = self.plans[0].manager_id

        def people() -> Iterator[tuple[Any, ...]]:
            for n in range(scale.people):
                pk = self.person_base + n
                female = rng.random() < 0.5
                first = rng.choice(self.female if female else self.male)
                last = rng.choice(self.surnames)
                subject = n < self.subject_count
                age = rng.randint(0, 17) if subject else rng.randint(19, 70)
                if subject and rng.random() < 0.2:
                    age = rng.randint(66, 95)  # adult social care
                born = self.today - timedelta(days=age * 365 + rng.randint(0, 364))
                public = _uuid(rng)
                self.person_public[pk] = public
                self.person_names[pk] = (first, last)
                self.person_born[pk] = born
                yield (
                    pk,
                    public,
                    self.organisation.pk,
                    first,
                    "",
                    last,
                    "",
                    born,
                    None,
                    "female" if female else "male",
                    "white_british",
                    "English",
                    False,
                    "",
                    _nhs_number(rng),
                    "",
                    "",
                    False,
                    "",
                    created_at,
                    creator,
                    created_at,
                )

        columns = [f.column for f in Person._meta.local_concrete_fields]
        self._count("people", copy_rows(Person, columns, people()))

        def names() -> Iterator[tuple[Any, ...]]:
            for pk, (first, last) in self.person_names.items():
                yield (pk, "current", first, last, search_text(first, last), None, None)

        self._count(
            "person names",
            copy_rows(
                PersonName,
                [
                    "person_id",
                    "kind",
                    "first_name",
                    "last_name",
                    "search_name",
                    "used_from",
                    "used_to",
                ],
                names(),
            ),
        )

    # -- cases ----------------------------------------------------------------------------------

    def _cases(self) -> None:
        """Every case with its team grant; allocations (and grants while they last) for each;
        one to three family members taking part, shared by siblings."""
        from records.models import (
            Allocation,
            Case,
            CaseGroupObjectPermission,
            CaseParticipant,
            CaseUserObjectPermission,
            Relationship,
        )

        scale, rng = self.scale, self.rng
        case_base = _next_id(Case)
        # case id -> (person, team plan, opened epoch, closed epoch or None, worker, category)
        self.cases: dict[int, tuple[int, TeamPlan, int, int | None, int, str]] = {}
        rows: list[tuple[Any, ...]] = []
        group_grants: list[tuple[Any, ...]] = []
        allocations: list[tuple[Any, ...]] = []
        user_grants: list[tuple[Any, ...]] = []
        participants: list[tuple[Any, ...]] = []
        relationships: list[tuple[Any, ...]] = []
        today_epoch = self.now

        subjects = list(range(self.person_base, self.person_base + self.subject_count))
        family_pool = list(
            range(self.person_base + self.subject_count, self.person_base + scale.people)
        )
        rng.shuffle(subjects)
        p30 = self.staff[f"{STAFF_PREFIX}p30"]
        # bench-p30's first case is the heavy person's; then 29 more, 300 and 5 for the others.
        special = (
            [self.staff[f"{STAFF_PREFIX}p5"]] * 5
            + [p30] * 29
            + [self.staff[f"{STAFF_PREFIX}p300"]] * 300
        )
        self.heavy_person = subjects[0]
        heavy_cases: list[int] = []

        case_id = case_base
        subject_index = 0
        family: list[int] = []
        siblings_left = 0
        for plan in self.plans:
            practitioners = plan.practitioner_ids
            for n in range(self.cases_per_team[plan.team.pk]):
                heavy = plan is self.plans[0] and n < 2
                if heavy:
                    person = self.heavy_person
                elif subject_index + 1 < len(subjects):
                    subject_index += 1
                    person = subjects[subject_index]
                else:
                    person = rng.choice(subjects[1:])  # a second involvement
                closed = (rng.random() > scale.open_share) if not heavy else n == 1
                if heavy:
                    opened = today_epoch - (6 * 365 if n == 1 else 3 * 365) * DAY
                    closing = today_epoch - int(3.2 * 365) * DAY if closed else None
                else:
                    opened = today_epoch - rng.randint(20, 6 * 365) * DAY
                    closing = None
                    if closed and opened + 30 * DAY < today_epoch - DAY:
                        closing = rng.randint(opened + 30 * DAY, today_epoch - DAY)
                opened_on = datetime.fromtimestamp(opened, UTC).date()
                closed_on = datetime.fromtimestamp(closing, UTC).date() if closing else None
                # Who works it: the special caseloads take the first team's open cases first.
                if heavy:
                    worker = p30
                    heavy_cases.append(case_id)
                elif plan is self.plans[0] and closing is None and special:
                    worker = special.pop()
                else:
                    worker = rng.choice(practitioners)
                category = rng.choice(plan.categories)
                rows.append(
                    (
                        case_id,
                        _uuid(rng),
                        f"{REFERENCE_PREFIX[plan.service]}-{case_id:07d}",
                        person,
                        self.organisation.pk,
                        plan.service,
                        category,
                        plan.team.pk,
                        opened_on,
                        closed_on,
                        "needs_met" if closed_on else "",
                        "Referral received.",
                        None,
                        None,
                        plan.manager_id,
                        _ts(opened),
                    )
                )
                group_grants.append((self.view_case, plan.team.caseload_group_id, case_id))
                allocations.append(
                    (
                        _uuid(rng),
                        case_id,
                        worker,
                        "lead",
                        opened_on,
                        closed_on,
                        plan.manager_id,
                        _ts(opened),
                    )
                )
                if closed_on is None:
                    user_grants.append((self.view_case, worker, case_id, None))
                # Family: siblings share the adults of the case before them.
                if siblings_left <= 0 or not family:
                    size = rng.choice((1, 1, 2, 2, 3))
                    family = [family_pool.pop() for _ in range(min(size, len(family_pool)))]
                    if not family:
                        family = [
                            rng.randrange(
                                self.person_base + self.subject_count,
                                self.person_base + scale.people,
                            )
                        ]
                    siblings_left = rng.choice((0, 0, 1, 2))
                else:
                    siblings_left -= 1
                for index, member in enumerate(family):
                    if member == person:
                        continue
                    role = "family" if index == 0 else rng.choice(("family", "household", "carer"))
                    participants.append((case_id, member, role, _ts(opened)))
                    kind = (
                        "mother"
                        if index == 0
                        else rng.choice(("father", "step_parent", "grandparent"))
                    )
                    relationships.append(
                        (
                            _uuid(rng),
                            member,
                            person,
                            kind,
                            None,
                            None,
                            "",
                            index == 0,
                            plan.manager_id,
                            _ts(opened),
                        )
                    )
                self.cases[case_id] = (person, plan, opened, closing, worker, category)
                case_id += 1

        # The heavy person also has a youth justice case bench-p30 does not see.
        youth = next(p for p in self.plans if p.service == "youth_justice")
        opened = today_epoch - 200 * DAY
        rows.append(
            (
                case_id,
                _uuid(rng),
                f"YJ-{case_id:07d}",
                self.heavy_person,
                self.organisation.pk,
                youth.service,
                "yj_referral_order",
                youth.team.pk,
                datetime.fromtimestamp(opened, UTC).date(),
                None,
                "",
                "Referral order.",
                None,
                None,
                youth.manager_id,
                _ts(opened),
            )
        )
        group_grants.append((self.view_case, youth.team.caseload_group_id, case_id))
        worker = youth.practitioner_ids[0]
        allocations.append(
            (
                _uuid(rng),
                case_id,
                worker,
                "lead",
                datetime.fromtimestamp(opened, UTC).date(),
                None,
                youth.manager_id,
                _ts(opened),
            )
        )
        user_grants.append((self.view_case, worker, case_id, None))
        self.cases[case_id] = (self.heavy_person, youth, opened, None, worker, "yj_referral_order")
        self.heavy_cases = heavy_cases
        self.heavy_youth_case = case_id

        if special:
            raise RuntimeError(f"{len(special)} special allocations found no open case")
        columns = [f.column for f in Case._meta.local_concrete_fields]
        self._count("cases", copy_rows(Case, columns, rows))
        self._count(
            "team grants",
            copy_rows(
                CaseGroupObjectPermission,
                ["permission_id", "group_id", "content_object_id"],
                group_grants,
            ),
        )
        self._count(
            "allocations",
            copy_rows(
                Allocation,
                [
                    "public_id",
                    "case_id",
                    "worker_id",
                    "role",
                    "starts_on",
                    "ends_on",
                    "allocated_by_id",
                    "created_at",
                ],
                allocations,
            ),
        )
        self._count(
            "allocation grants",
            copy_rows(
                CaseUserObjectPermission,
                ["permission_id", "user_id", "content_object_id", "expires_at"],
                user_grants,
            ),
        )
        self._count(
            "participants",
            copy_rows(CaseParticipant, ["case_id", "person_id", "role", "added_at"], participants),
        )
        self._count(
            "relationships",
            copy_rows(
                Relationship,
                [
                    "public_id",
                    "from_person_id",
                    "to_person_id",
                    "kind",
                    "started_on",
                    "ended_on",
                    "notes",
                    "is_parental_responsibility",
                    "created_by_id",
                    "created_at",
                ],
                _unique_relationships(relationships),
            ),
        )

    # -- items ----------------------------------------------------------------------------------

    def _item_counts(self) -> dict[int, int]:
        """Items per case: longer involvements have more; the heavy person's cases exactly
        what the benchmarks need; the total what the scale says."""
        scale, rng = self.scale, self.rng
        fixed = {
            self.heavy_cases[0]: scale.heavy_items * 7 // 10,
            self.heavy_cases[1]: scale.heavy_items - scale.heavy_items * 7 // 10,
            self.heavy_youth_case: scale.heavy_hidden_items,
        }
        self.heavy_visible = scale.heavy_items
        weights: dict[int, float] = {}
        for case_id, (_, _, opened, closing, _, _) in self.cases.items():
            if case_id in fixed:
                continue
            days = ((closing or self.now) - opened) / DAY
            weights[case_id] = max(days, 10) * rng.uniform(0.4, 1.6)
        budget = scale.items - sum(fixed.values())
        total = sum(weights.values())
        counts = {c: max(3, round(w * budget / total)) for c, w in weights.items()}
        # Trim or pad the largest cases so the total is exact.
        drift = sum(counts.values()) - budget
        for case_id in sorted(counts, key=counts.__getitem__, reverse=True):
            if drift == 0:
                break
            change = max(-counts[case_id] + 3, min(counts[case_id] // 2, drift))
            counts[case_id] -= change
            drift -= change
        counts.update(fixed)
        return counts

    def _items(self) -> None:
        from records.models import (
            Assessment,
            CaseNote,
            Contact,
            Document,
            InformationReceived,
            Item,
            ItemPerson,
            ItemRevision,
            Plan,
            Review,
        )

        counts = self._item_counts()
        next_id = _next_id(Item)
        case_ids = list(self.cases)
        item_columns = [f.column for f in Item._meta.local_concrete_fields]
        child_columns = {
            model: [f.column for f in model._meta.local_concrete_fields]
            for model in (
                Contact,
                CaseNote,
                Assessment,
                Plan,
                Review,
                Document,
                InformationReceived,
            )
        }
        for start in range(0, len(case_ids), self.scale.chunk_cases):
            chunk = case_ids[start : start + self.scale.chunk_cases]
            items: list[tuple[Any, ...]] = []
            children: dict[Any, list[tuple[Any, ...]]] = {m: [] for m in child_columns}
            revisions: list[tuple[Any, ...]] = []
            links: list[tuple[Any, ...]] = []
            for case_id in chunk:
                next_id = self._case_items(
                    case_id, counts[case_id], next_id, items, children, revisions, links
                )
            self._count("items", copy_rows(Item, item_columns, items))
            for model, rows in children.items():
                self._count(model.__name__, copy_rows(model, child_columns[model], rows))
            self._count(
                "revisions",
                copy_rows(
                    ItemRevision,
                    ["item_id", "number", "data", "reason", "author_id", "created_at"],
                    revisions,
                ),
            )
            self._count(
                "item links", copy_rows(ItemPerson, ["item_id", "person_id", "role"], links)
            )
            done = min(start + self.scale.chunk_cases, len(case_ids))
            print(
                f"    {done:,} of {len(case_ids):,} cases, {self.counts['items']:,} items",
                flush=True,
            )

    def _case_items(
        self,
        case_id: int,
        count: int,
        next_id: int,
        items: list[tuple[Any, ...]],
        children: dict[Any, list[tuple[Any, ...]]],
        revisions: list[tuple[Any, ...]],
        links: list[tuple[Any, ...]],
    ) -> int:
        """One case's chronology: a referral, an assessment, a plan and its reviews every
        quarter, then contacts, notes, information and more assessments, in time order."""
        from records.models import (
            Assessment,
            CaseNote,
            Contact,
            Document,
            InformationReceived,
            Plan,
            Review,
        )

        rng = self.rng
        person, plan_team, opened, closing, author, category = self.cases[case_id]
        end = (closing or self.now) - 3_600
        span = max(end - opened, DAY)
        times = sorted(opened + rng.randrange(span) for _ in range(count))
        head = ["information_received", "assessment"] + (["plan"] if count >= 6 else [])
        head = head[:count]
        rest = count - len(head)
        reviews = min(rest // 8, int(span / (91 * DAY))) if "plan" in head else 0
        tail = rng.choices(
            ("contact", "note", "information_received", "assessment", "document"),
            weights=(55, 27, 12, 4, 2),
            k=rest - reviews,
        )
        # Reviews spread evenly through what follows the plan.
        step = max(1, len(tail) // (reviews + 1))
        for n in range(reviews):
            tail.insert(min(len(tail), (n + 1) * step + n), "review")
        kinds = head + tail
        plan_id: int | None = None
        organisation = self.organisation.pk
        for kind, at in zip(kinds, times, strict=True):
            item_id = next_id
            next_id += 1
            when = _ts(at)
            json_when = _json_ts(at)
            body = self.texts.body()
            sensitive = kind == "information_received" and rng.random() < 0.3
            title, data = "", {}
            if kind == "contact":
                contact_type = rng.choice(
                    (
                        "home_visit",
                        "home_visit",
                        "phone",
                        "school_visit",
                        "meeting",
                        "text",
                        "office_visit",
                    )
                )
                title = CONTACT_TITLES[contact_type]
                location = "Family home" if contact_type == "home_visit" else ""
                seen_alone = (rng.random() < 0.5) if contact_type == "home_visit" else None
                children[Contact].append((item_id, contact_type, location, seen_alone))
                data = {
                    "contact_type": contact_type,
                    "location": location,
                    "seen_alone": seen_alone,
                }
                links.append((item_id, person, "participant"))
            elif kind == "note":
                note_type = "management_oversight" if rng.random() < 0.15 else "case_note"
                title = (
                    "Management oversight" if note_type == "management_oversight" else "Case note"
                )
                children[CaseNote].append((item_id, note_type))
                data = {"note_type": note_type}
            elif kind == "assessment":
                assessment_type = ASSESSMENT_TYPE[plan_team.service]
                title = "Assessment"
                recent = at > self.now - 30 * DAY
                status = rng.choice(("draft", "submitted")) if recent else "authorised"
                sections = [{"heading": "Analysis", "text": body}]
                children[Assessment].append(
                    (
                        item_id,
                        assessment_type,
                        status,
                        json.dumps(sections),
                        when if status != "draft" else None,
                        when if status == "authorised" else None,
                        plan_team.manager_id if status == "authorised" else None,
                    )
                )
                data = {"assessment_type": assessment_type, "sections": sections}
            elif kind == "plan":
                starts_on = datetime.fromtimestamp(at, UTC).date()
                review_on = starts_on + timedelta(days=91)
                title = "Plan"
                plan_type = PLAN_TYPE[category]
                children[Plan].append((item_id, plan_type, starts_on, review_on, None))
                data = {
                    "plan_type": plan_type,
                    "starts_on": starts_on.isoformat(),
                    "next_review_on": review_on.isoformat(),
                }
                plan_id = item_id
            elif kind == "review" and plan_id is not None:
                review_on = datetime.fromtimestamp(at, UTC).date() + timedelta(days=91)
                title = "Review of the plan"
                children[Review].append((item_id, plan_id, review_on))
                data = {"next_review_on": review_on.isoformat()}
            elif kind == "document":
                title = "Letter to the family"
                children[Document].append(
                    (
                        item_id,
                        "letter",
                        f"bench/{item_id}.pdf",
                        "letter.pdf",
                        "application/pdf",
                        1_024,
                        "0" * 64,
                    )
                )
                data = {"document_type": "letter"}
            else:
                kind = "information_received"
                source = rng.choice(INFORMATION_SOURCES)
                title = f"Information from {source}"
                method = rng.choice(("letter", "email", "phone", "portal"))
                children[InformationReceived].append((item_id, source, "", method))
                data = {"source_organisation": source, "source_name": "", "method": method}
            items.append(
                (
                    item_id,
                    _uuid(rng),
                    kind,
                    case_id,
                    person,
                    organisation,
                    when,
                    title,
                    body,
                    sensitive,
                    False,
                    author,
                    when,
                    1,
                    None,
                    None,
                    "",
                )
            )
            revision = {"occurred_at": json_when, "title": title, "body": body, **data}
            revisions.append((item_id, 1, json.dumps(revision), "", author, when))
        return next_id

    def _case_summaries(self) -> None:
        """What ``services._refresh_case_summary`` keeps: the last live contact, and the
        soonest next review over live, unended plans (a plan's latest review, else its own)."""
        _sql(
            """
            UPDATE records_case c SET last_contact_at = s.last_contact
            FROM (
                SELECT i.case_id, MAX(i.occurred_at) AS last_contact
                FROM records_item i JOIN records_contact ct ON ct.item_ptr_id = i.id
                WHERE i.entered_in_error_at IS NULL
                GROUP BY i.case_id
            ) s
            WHERE c.id = s.case_id
            """
        )
        _sql(
            """
            UPDATE records_case c SET next_review_on = s.next_review
            FROM (
                SELECT p.case_id, MIN(COALESCE(r.next_review_on, p.next_review_on)) AS next_review
                FROM (
                    SELECT i.id, i.case_id, pl.next_review_on
                    FROM records_item i JOIN records_plan pl ON pl.item_ptr_id = i.id
                    WHERE i.entered_in_error_at IS NULL AND pl.ended_on IS NULL
                ) p
                LEFT JOIN LATERAL (
                    SELECT rv.next_review_on
                    FROM records_review rv JOIN records_item ri ON ri.id = rv.item_ptr_id
                    WHERE rv.reviewed_plan_id = p.id AND ri.entered_in_error_at IS NULL
                    ORDER BY ri.occurred_at DESC, ri.id DESC
                    LIMIT 1
                ) r ON TRUE
                GROUP BY p.case_id
            ) s
            WHERE c.id = s.case_id
            """
        )


CONTACT_TITLES = {
    "home_visit": "Home visit",
    "phone": "Phone call",
    "school_visit": "School or nursery visit",
    "meeting": "Meeting",
    "text": "Text message",
    "office_visit": "Office visit",
}
INFORMATION_SOURCES = (
    "Hillside Primary School",
    "Shire Police, Public Protection Unit",
    "Castle Street Surgery",
    "Shire Health Visiting Service",
    "Shire Homes (housing)",
)


def _unique_relationships(rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """One relationship per (from, to, kind), as the unique constraint wants."""
    seen: set[tuple[int, int, str]] = set()
    for row in rows:
        key = (row[1], row[2], row[3])
        if key not in seen and row[1] != row[2]:
            seen.add(key)
            yield row


def _typo(word: str) -> str:
    """Swap two letters in the middle: 'Thompson' -> 'Thomspon'."""
    if len(word) < 4:
        return word + word[-1]
    middle = len(word) // 2
    return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]


def generate(scale_name: str = "small", *, seed: int = 2026) -> Generated:
    """Generate the named scale into the (fresh) database; remembered for the benchmarks."""
    global _generated
    if scale_name not in SCALES:
        raise ValueError(f"unknown scale {scale_name!r}; choose from {', '.join(SCALES)}")
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("The benchmark data needs PostgreSQL (COPY).")
    scale = SCALES[scale_name]
    print(
        f"generating {scale.name}: {scale.people:,} people, {scale.cases:,} cases, "
        f"{scale.items:,} items…",
        flush=True,
    )
    _generated = Generator(scale, seed=seed).run()
    print(f"generated in {_generated.seconds:.1f}s", flush=True)
    return _generated
