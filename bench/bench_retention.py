"""Retention at scale: carrying out approved disposal batches of closed cases that are due.

A council of its own (``Downland District Council (retention benchmark)``) gets N closed cases
that have fallen due (3,000 at ``small`` scale, 30,000 at ``county``; ``BENCH_RETENTION_CASES``
overrides): children in need cases of people now past their 25th birthday and adult social
care cases closed more than eight years ago. Each is a case with everything a closed piece of
work leaves behind, written with COPY through ``bench.datagen``'s helpers as the services would
have written it:

- the subject and two relatives (``Person``, current names and a birth name, addresses, a
  phone), their relationships to the subject and their places in the case;
- the case, the holding team's grant, the ended allocation and the worker's expired grant;
- twelve items: six contacts (subject and a relative linked as taking part), three case notes
  (one restricted, with its named grant; one mentioning the other relative), an authorised
  assessment, information received and a letter stored as a real file; each item's revision,
  and a second revision (an amendment) on two of them;
- 24 audit events about them (the records made, the case opened, allocated, amended and
  closed, and reads), hashed as ``audit.canonical`` hashes, then sealed by
  ``audit.services.audit_seal``.

Then the nightly proposal (``retention.services.disposal_propose``, timed once), two
approvals by two different records managers, and ``retention.services.batch_run`` for each
batch, timed: cases per second including the hold re-check, the audit scrub, the files and the
register, items per second, the time per chunk of 200 and the growth of the resident set while
it runs. Afterwards the run must have left N stubs in the register and nothing else: no case,
person, item or file of the council, no personal part in any of its events, and (up to two
million events) a trail that ``audit_verify`` still passes.

Where the time goes is written to ``var/bench/retention-profile.txt``: every SQL statement by
kind and table, the commits, and the main steps of ``retention.destruction``.
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import random
import re
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from bench import datagen
from bench.harness import Figures, Run, UnexpectedStatusError, benchmark, percentile

CASES = {"small": 3_000, "county": 30_000}
TARGET_PER_SECOND = 500  # cases (records) disposed of per second
VERIFY_UP_TO = 2_000_000  # audit events: beyond this audit_verify takes minutes
ORGANISATION = "Downland District Council (retention benchmark)"
PREFIX = "bench-ret-"
CHUNK_CASES = 2_000  # cases generated and copied at once
ITEMS_PER_CASE = 12
DAY = 86_400


def scale_name() -> str:
    generated = datagen.current()
    return generated.scale if generated else os.environ.get("BENCH_SCALE") or "small"


def case_count(scale: str) -> int:
    return int(os.environ.get("BENCH_RETENTION_CASES") or CASES.get(scale, CASES["small"]))


# --- Rows --------------------------------------------------------------------------------------


class Rows:
    """Rows for one model, given by column name, copied in the model's column order."""

    def __init__(self, model: Any, *, with_id: bool = False) -> None:
        self.model = model
        self.columns = [
            f.column
            for f in model._meta.local_concrete_fields
            if with_id or not (f.primary_key and f.column == "id")
        ]
        self.rows: list[tuple[Any, ...]] = []
        self.row = operator.itemgetter(*self.columns)

    def add(self, **values: Any) -> None:
        self.rows.append(self.row(values))

    def copy(self) -> int:
        count = datagen.copy_rows(self.model, self.columns, self.rows)
        self.rows.clear()
        return count


def _moment(epoch: int) -> datetime:
    """An aware UTC datetime: psycopg writes it for COPY faster than text formatting does."""
    return datetime.fromtimestamp(epoch, UTC)


def _json_changes(**values: Any) -> str:
    return json.dumps(
        {"changes": {name: [None, value] for name, value in sorted(values.items())}},
        sort_keys=True,
        ensure_ascii=False,
    )


@dataclass
class Council:
    """What the benchmark made: the council, its people and what the checks look for."""

    organisation: Any
    cases: int = 0
    items: int = 0
    people: int = 0
    files: int = 0
    first_event: int = 0
    last_event: int = 0
    approvers: tuple[Any, Any] | None = None
    folder: Path = field(default_factory=Path)
    seconds: float = 0.0


class Generator:
    """N closed, due cases of one council, with everything under them."""

    def __init__(self, cases: int, folder: Path, seed: int = 1958) -> None:
        self.total = cases
        self.folder = folder
        self.rng = random.Random(seed)  # noqa: S311 - synthetic records
        self.today = timezone.localdate()
        self.now = int(timezone.now().timestamp()) - 3_600

    # -- staff ----------------------------------------------------------------------------------

    def staff(self) -> None:
        from django.contrib.auth.models import Permission

        from accounts.models import Organisation, Service, Team, User
        from accounts.roles import Role
        from accounts.services import membership_add
        from records import services

        self.organisation, _ = Organisation.objects.get_or_create(
            name=ORGANISATION,
            defaults={"short_name": "Downland", "kind": Organisation.Kind.COUNCIL},
        )

        def team(name: str, service: str) -> Any:
            made, _ = Team.objects.get_or_create(
                organisation=self.organisation, name=name, defaults={"service": service}
            )
            return made

        def person(username: str, team: Any, role: str) -> Any:
            user, created = User.objects.get_or_create(
                username=f"{PREFIX}{username}",
                defaults={"first_name": username.title(), "last_name": "Bench"},
            )
            if created:
                membership_add(actor=None, user=user, team=team, role=role)
            return user

        self.teams = {}
        for key, name, service in (
            ("children", "Children's Social Care", Service.CHILDRENS_SOCIAL_CARE),
            ("adults", "Adult Social Care", Service.ADULT_SOCIAL_CARE),
        ):
            held = team(name, service)
            services.team_caseload_group_ensure(team=held)
            self.teams[key] = (
                held,
                person(f"{key}-worker", held, Role.PRACTITIONER).pk,
                person(f"{key}-manager", held, Role.TEAM_MANAGER).pk,
            )
        governance = team("Information Governance", Service.INFORMATION_GOVERNANCE)
        self.approvers = (
            person("records-1", governance, Role.RECORDS_MANAGER),
            person("records-2", governance, Role.RECORDS_MANAGER),
        )
        self.usernames = dict(
            User.objects.filter(username__startswith=PREFIX).values_list("pk", "username")
        )
        perms = dict(
            Permission.objects.filter(
                content_type__app_label="records",
                codename__in=("view_case", "view_restricted_item"),
            ).values_list("codename", "pk")
        )
        self.view_case, self.view_restricted_item = (
            perms["view_case"],
            perms["view_restricted_item"],
        )

    # -- the cases ------------------------------------------------------------------------------

    def run(self) -> Council:
        from faker import Faker

        from audit.models import AuditEvent
        from audit.services import audit_seal
        from records.demo import tiny_pdf
        from records.models import Case, Item, Person

        started = time.perf_counter()
        self.staff()
        fake = Faker("en_GB")
        fake.seed_instance(1958)
        self.female = sorted({fake.first_name_female() for _ in range(600)})
        self.male = sorted({fake.first_name_male() for _ in range(600)})
        self.surnames = sorted({fake.last_name() for _ in range(2_000)})
        self.streets = sorted({fake.street_name() for _ in range(500)})
        self.texts = datagen.Texts(self.rng, self.female + self.male)
        self.pdf = tiny_pdf(
            [
                "Downland District Council",
                "",
                "Dear parent or carer,",
                "",
                "This letter confirms that our work with your family has ended.",
            ]
        )
        self.pdf_sha = hashlib.sha256(self.pdf).hexdigest()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "bench-retention").mkdir(exist_ok=True)

        self.next_person = datagen._next_id(Person)
        self.next_case = datagen._next_id(Case)
        self.next_item = datagen._next_id(Item)
        self.next_event = datagen._next_id(AuditEvent)
        council = Council(self.organisation, first_event=self.next_event, folder=self.folder)
        self._rows()
        raw = datagen._raw_connection()
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            for start in range(0, self.total, CHUNK_CASES):
                for n in range(start, min(start + CHUNK_CASES, self.total)):
                    self._case(n)
                for rows in self.tables.values():
                    rows.copy()
        finally:
            with raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        for model in (Person, Case, Item, AuditEvent):
            datagen._sync_sequence(model)
        council.cases = self.total
        council.items = self.total * ITEMS_PER_CASE
        council.people = self.total * 3
        council.files = self.total
        council.last_event = self.next_event - 1
        council.approvers = self.approvers
        _check_hashes(council.first_event)
        # Records due for disposal are years old, long since vacuumed: rows just copied would
        # otherwise have their visibility settled, and autovacuum run, inside the timed run.
        datagen._sql("VACUUM ANALYZE")
        audit_seal()
        council.seconds = time.perf_counter() - started
        return council

    def _rows(self) -> None:
        from audit.models import AuditEvent, AuditEventSubject
        from records.models import (
            Address,
            Allocation,
            Assessment,
            Case,
            CaseGroupObjectPermission,
            CaseNote,
            CaseParticipant,
            CaseUserObjectPermission,
            Contact,
            Document,
            InformationReceived,
            Item,
            ItemPerson,
            ItemRevision,
            ItemUserObjectPermission,
            Person,
            PersonName,
            PhoneNumber,
            Relationship,
        )

        # In the order they are copied: what a row points at is copied first.
        self.tables = {
            "person": Rows(Person, with_id=True),
            "name": Rows(PersonName),
            "address": Rows(Address),
            "phone": Rows(PhoneNumber),
            "relationship": Rows(Relationship),
            "case": Rows(Case, with_id=True),
            "participant": Rows(CaseParticipant),
            "allocation": Rows(Allocation),
            "team_grant": Rows(CaseGroupObjectPermission),
            "user_grant": Rows(CaseUserObjectPermission),
            "item": Rows(Item, with_id=True),
            "contact": Rows(Contact),
            "note": Rows(CaseNote),
            "assessment": Rows(Assessment),
            "information": Rows(InformationReceived),
            "document": Rows(Document),
            "revision": Rows(ItemRevision),
            "link": Rows(ItemPerson),
            "item_grant": Rows(ItemUserObjectPermission),
            "event": Rows(AuditEvent, with_id=True),
            "subject": Rows(AuditEventSubject),
        }

    def _uuid(self) -> str:
        return datagen._uuid(self.rng)

    def _born(self, years_ago: int) -> date:
        return self.today - timedelta(days=years_ago * 365 + self.rng.randint(0, 360))

    def _epoch(self, day: date) -> int:
        return int(datetime(day.year, day.month, day.day, 10, tzinfo=UTC).timestamp())

    def _person(
        self, *, female: bool, born: date | None, last: str, died: date | None = None
    ) -> tuple[int, str, str]:
        pk = self.next_person
        self.next_person += 1
        first = self.rng.choice(self.female if female else self.male)
        public = self._uuid()
        created = _moment(self.now - 30 * DAY)
        self.tables["person"].add(
            id=pk,
            public_id=public,
            organisation_id=self.organisation.pk,
            first_name=first,
            middle_names="",
            last_name=last,
            preferred_name="",
            date_of_birth=born,
            date_of_death=died,
            gender="female" if female else "male",
            ethnicity="white_british",
            first_language="English",
            interpreter_needed=False,
            disability="",
            nhs_number=datagen._nhs_number(self.rng),
            ni_number="",
            upn="",
            is_restricted=False,
            restriction_reason="",
            created_at=created,
            created_by_id=self.worker,
            updated_at=created,
        )
        self.tables["name"].add(
            person_id=pk,
            kind="current",
            first_name=first,
            last_name=last,
            search_name=datagen.search_text(first, last),
            used_from=None,
            used_to=None,
        )
        return pk, public, first

    def _event(
        self,
        *,
        at: int,
        action: str,
        summary: str,
        object_type: str,
        object_id: str,
        subjects: list[int],
        changed: str = "",
        personal: str | None = None,
        actor: int | None = None,
    ) -> None:
        from audit import canonical

        event_id = self.next_event
        self.next_event += 1
        actor = actor or self.worker
        subject_ids = ",".join(str(s) for s in sorted(set(subjects)))
        salt = digest = ""
        if personal is not None:
            salt = f"{self.rng.getrandbits(128):032x}"
            digest = canonical.personal_digest(salt, personal)
        moment = _moment(at)
        values = {
            "occurred_at": moment,
            "action": action,
            "purpose": "normal",
            "actor_id": actor,
            "actor_username": self.usernames[actor],
            "summary": summary,
            "object_type": object_type,
            "object_id": object_id,
            "subject_ids": subject_ids,
            "changed_fields": changed,
            "path": "",
            "request_id": "",
            "ip_address": "",
            "personal_digest": digest,
        }
        self.tables["event"].add(
            id=event_id,
            **values,
            event_hash=canonical.event_hash(values),
            personal_text=personal,
            personal_salt=salt,
            scrubbed_at=None,
        )
        for person_id in sorted(set(subjects)):
            self.tables["subject"].add(
                event_id=event_id,
                person_id=person_id,
                occurred_at=moment,
                actor_id=actor,
                purpose="normal",
            )

    def _case(self, n: int) -> None:
        rng = self.rng
        adult = n % 5 >= 3  # two in five
        key = "adults" if adult else "children"
        team, self.worker, manager = self.teams[key]
        last = rng.choice(self.surnames)
        died = None
        if adult:
            born = self._born(rng.randint(72, 95))
            opened = self.today - timedelta(days=rng.randint(9 * 365, 16 * 365))
            closed = min(
                opened + timedelta(days=rng.randint(90, 900)),
                self.today - timedelta(days=8 * 365 + 30),
            )
            if rng.random() < 0.3:
                died = closed
        else:
            born = self._born(rng.randint(26, 40))
            opened = born + timedelta(days=rng.randint(8 * 365, 15 * 365))
            closed = opened + timedelta(days=rng.randint(180, 1_000))
        subject, subject_public, first = self._person(
            female=rng.random() < 0.5, born=born, last=last, died=died
        )
        relative_born = (
            born - timedelta(days=rng.randint(20, 35) * 365)
            if not adult
            else born + timedelta(days=rng.randint(22, 35) * 365)
        )
        one, one_public, one_first = self._person(female=True, born=relative_born, last=last)
        other, other_public, _ = self._person(
            female=False, born=relative_born - timedelta(days=700), last=rng.choice(self.surnames)
        )
        self.tables["name"].add(
            person_id=one,
            kind="birth",
            first_name=one_first,
            last_name=rng.choice(self.surnames),
            search_name=datagen.search_text(one_first, last),
            used_from=None,
            used_to=opened,
        )
        for person_id in (subject, one):
            self.tables["address"].add(
                public_id=self._uuid(),
                person_id=person_id,
                line_1=f"{rng.randint(1, 140)} {rng.choice(self.streets)}",
                line_2="",
                town="Downland",
                postcode=f"DL{rng.randint(1, 9)} {rng.randint(1, 9)}AB",
                lived_from=opened - timedelta(days=900),
                lived_to=None,
                is_confidential=False,
            )
        self.tables["phone"].add(
            person_id=one, number=f"07700 900{rng.randint(0, 999):03d}", label="Mobile"
        )
        opened_at, closed_at = self._epoch(opened), self._epoch(closed)
        for relative, kind in (
            (one, "carer" if adult else "mother"),
            (other, "next_of_kin" if adult else "father"),
        ):
            self.tables["relationship"].add(
                public_id=self._uuid(),
                from_person_id=relative,
                to_person_id=subject,
                kind=kind,
                started_on=None,
                ended_on=None,
                notes="",
                is_parental_responsibility=not adult,
                created_by_id=self.worker,
                created_at=_moment(opened_at),
            )
        case = self.next_case
        self.next_case += 1
        case_public = self._uuid()
        prefix = "ASC" if adult else "CSC"
        self.tables["case"].add(
            id=case,
            public_id=case_public,
            reference=f"{prefix}-R{case:07d}",
            person_id=subject,
            organisation_id=self.organisation.pk,
            service="adult_social_care" if adult else "childrens_social_care",
            category="adult_care" if adult else "child_in_need",
            team_id=team.pk,
            opened_on=opened,
            closed_on=closed,
            closure_reason="died" if died else "needs_met",
            referral_reason="Referral received.",
            last_contact_at=None,
            next_review_on=None,
            created_by_id=manager,
            created_at=_moment(opened_at),
        )
        for relative, role in ((one, "carer" if adult else "family"), (other, "family")):
            self.tables["participant"].add(
                case_id=case, person_id=relative, role=role, added_at=_moment(opened_at)
            )
        self.tables["allocation"].add(
            public_id=self._uuid(),
            case_id=case,
            worker_id=self.worker,
            role="lead",
            starts_on=opened,
            ends_on=closed,
            allocated_by_id=manager,
            created_at=_moment(opened_at),
        )
        self.tables["team_grant"].add(
            permission_id=self.view_case, group_id=team.caseload_group_id, content_object_id=case
        )
        self.tables["user_grant"].add(
            permission_id=self.view_case,
            user_id=self.worker,
            content_object_id=case,
            expires_at=_moment(closed_at),
        )
        person_ref = "records.person"
        for person_id, public in ((subject, subject_public), (one, one_public)):
            self._event(
                at=opened_at,
                action="create",
                summary="Recorded a new person",
                object_type=person_ref,
                object_id=public,
                subjects=[person_id],
                changed="first_name,last_name",
                personal=_json_changes(first_name=first, last_name=last),
            )
        self._event(
            at=opened_at,
            action="create",
            summary="Recorded a new person",
            object_type=person_ref,
            object_id=other_public,
            subjects=[other],
            changed="first_name,last_name",
            personal=_json_changes(first_name="", last_name=last),
        )
        self._event(
            at=opened_at,
            action="create",
            summary="Opened a case",
            object_type="records.case",
            object_id=case_public,
            subjects=[subject],
            changed="category,referral_reason",
            personal=_json_changes(
                category="adult_care" if adult else "child_in_need",
                referral_reason="Referral received.",
            ),
            actor=manager,
        )
        self._event(
            at=opened_at,
            action="permission_grant",
            summary="Allocated a worker to a case",
            object_type="records.allocation",
            object_id=self._uuid(),
            subjects=[subject],
            changed="worker",
            personal=_json_changes(worker=str(self.worker)),
            actor=manager,
        )
        self._items(case, case_public, subject, one, other, opened_at, closed_at, manager)
        self._event(
            at=closed_at,
            action="update",
            summary="Closed a case",
            object_type="records.case",
            object_id=case_public,
            subjects=[subject, one, other],
            changed="closed_on",
            personal=_json_changes(closed_on=closed.isoformat()),
            actor=manager,
        )
        span = max(closed_at - opened_at, DAY)
        for _ in range(4):
            self._event(
                at=opened_at + rng.randrange(span),
                action="read",
                summary="Viewed a person's record",
                object_type=person_ref,
                object_id=subject_public,
                subjects=[subject, one],
            )

    def _items(
        self,
        case: int,
        case_public: str,
        subject: int,
        one: int,
        other: int,
        opened_at: int,
        closed_at: int,
        manager: int,
    ) -> None:
        rng = self.rng
        span = max(closed_at - opened_at - DAY, DAY)
        times = sorted(opened_at + rng.randrange(span) for _ in range(ITEMS_PER_CASE))
        kinds = (
            ["information_received", "assessment"] + ["contact"] * 6 + ["note"] * 3 + ["document"]
        )
        last_contact = opened_at
        for number, (kind, at) in enumerate(zip(kinds, times, strict=True)):
            item = self.next_item
            self.next_item += 1
            public = self._uuid()
            when = _moment(at)
            body = self.texts.body()
            restricted = kind == "note" and number == 8
            amended = number in (2, 9)
            data: dict[str, Any] = {}
            if kind == "contact":
                title = "Home visit"
                self.tables["contact"].add(
                    item_ptr_id=item,
                    contact_type="home_visit",
                    location="Family home",
                    seen_alone=True,
                )
                data = {"contact_type": "home_visit", "location": "Family home", "seen_alone": True}
                for person_id in (subject, one):
                    self.tables["link"].add(item_id=item, person_id=person_id, role="participant")
                last_contact = max(last_contact, at)
            elif kind == "note":
                title = "Case note"
                self.tables["note"].add(item_ptr_id=item, note_type="case_note")
                data = {"note_type": "case_note"}
                if number == 9:
                    self.tables["link"].add(item_id=item, person_id=other, role="mentioned")
                if restricted:
                    self.tables["item_grant"].add(
                        permission_id=self.view_restricted_item,
                        user_id=self.worker,
                        content_object_id=item,
                        granted_by_id=manager,
                        granted_at=when,
                    )
            elif kind == "assessment":
                title = "Assessment"
                sections = [{"heading": "Analysis", "text": body}]
                self.tables["assessment"].add(
                    item_ptr_id=item,
                    assessment_type="child_and_family",
                    status="authorised",
                    sections=json.dumps(sections),
                    submitted_at=when,
                    authorised_at=when,
                    authorised_by_id=manager,
                )
                data = {"assessment_type": "child_and_family", "sections": sections}
            elif kind == "document":
                title = "Letter to the family"
                name = f"bench-retention/{item}.pdf"
                (self.folder / name).write_bytes(self.pdf)
                self.tables["document"].add(
                    item_ptr_id=item,
                    document_type="letter",
                    file=name,
                    original_name="letter.pdf",
                    content_type="application/pdf",
                    size=len(self.pdf),
                    sha256=self.pdf_sha,
                )
                data = {"document_type": "letter"}
            else:
                title = "Information from the school"
                self.tables["information"].add(
                    item_ptr_id=item,
                    source_organisation="Downland Primary School",
                    source_name="",
                    method="email",
                )
                data = {
                    "source_organisation": "Downland Primary School",
                    "source_name": "",
                    "method": "email",
                }
            self.tables["item"].add(
                id=item,
                public_id=public,
                kind=kind,
                case_id=case,
                person_id=subject,
                organisation_id=self.organisation.pk,
                occurred_at=when,
                title=title,
                body=body,
                is_sensitive=False,
                is_restricted=restricted,
                author_id=self.worker,
                created_at=when,
                revision_number=2 if amended else 1,
                entered_in_error_at=None,
                entered_in_error_by_id=None,
                entered_in_error_reason="",
            )
            revision = {"occurred_at": datagen._json_ts(at), "title": title, "body": body, **data}
            self.tables["revision"].add(
                item_id=item,
                number=1,
                data=json.dumps(revision),
                reason="",
                author_id=self.worker,
                created_at=when,
            )
            model = {"information_received": "informationreceived", "note": "casenote"}.get(
                kind, kind
            )
            self._event(
                at=at,
                action="create",
                summary=f"Recorded a {title.lower()}",
                object_type=f"records.{model}",
                object_id=public,
                subjects=[subject, one] if kind == "contact" else [subject],
                changed="body,title",
                personal=_json_changes(title=title, body=body[:300]),
            )
            if amended:
                later = min(at + DAY, closed_at)
                changed_body = body + " The visit lasted about an hour."
                self.tables["revision"].add(
                    item_id=item,
                    number=2,
                    data=json.dumps({**revision, "body": changed_body}),
                    reason="Added how long the visit lasted.",
                    author_id=self.worker,
                    created_at=_moment(later),
                )
                self._event(
                    at=later,
                    action="update",
                    summary="Amended an item",
                    object_type=f"records.{model}",
                    object_id=public,
                    subjects=[subject],
                    changed="body",
                    personal=_json_changes(body=changed_body[:300]),
                )


def _check_hashes(first_event: int) -> None:
    """The first events read back hash as Carefile hashes: COPY kept every sealed value."""
    from audit import canonical
    from audit.models import AuditEvent

    for event in AuditEvent.objects.filter(id__gte=first_event).order_by("id")[:50]:
        values = {column: getattr(event, column) for column in canonical.HASHED_EVENT_COLUMNS}
        if canonical.event_hash(values) != event.event_hash:
            raise UnexpectedStatusError(
                f"retention: generated audit event {event.id} does not hash"
            )


# --- Measuring -------------------------------------------------------------------------------


def _rss_mib() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def _cpu_ticks(pid: int, *, children: bool = False) -> tuple[int, int]:
    """(parent pid, CPU ticks) of a process; with its reaped children's ticks if asked."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return int(fields[1]), ticks


def database_cpu_seconds() -> float | None:
    """CPU time of the whole PostgreSQL server so far, when it runs on this machine (``make
    bench``): the postmaster with the sessions it has reaped, and every live session, so
    side-by-side workers' sessions count too. Separates the database's work from time spent
    waiting for a core on a busy machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    try:
        postmaster, _ = _cpu_ticks(backend)
        for pid in (backend, postmaster):
            # A server elsewhere (another host, a container) has pids that are not ours.
            if not Path(f"/proc/{pid}/comm").read_text().startswith("postgres"):
                return None
        _, ticks = _cpu_ticks(postmaster, children=True)
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent, own = _cpu_ticks(int(entry.name))
                except (OSError, IndexError):
                    continue  # gone meanwhile, or not ours to read
                if parent == postmaster:
                    ticks += own
    except (OSError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def rss_peak() -> Iterator[dict[str, float]]:
    """The resident set before, and its peak while the block runs (sampled every 20 ms)."""
    found = {"before": _rss_mib(), "peak": 0.0}
    found["peak"] = found["before"]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            found["peak"] = max(found["peak"], _rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        stop.set()
        sampler.join()
        found["peak"] = max(found["peak"], _rss_mib())


STATEMENT = re.compile(r"^\s*(\w+)")
TABLE = re.compile(r'\b(?:FROM|UPDATE|INTO)\s+"?(\w+)"?', re.IGNORECASE)


class Profile:
    """Time spent in SQL by statement kind and table, in commits, and in named steps."""

    def __init__(self) -> None:
        self.sql: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.steps: dict[str, float] = defaultdict(float)
        self.step_calls: Counter[str] = Counter()
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            verb = STATEMENT.match(sql)
            table = TABLE.search(sql)
            key = f"{verb.group(1).upper() if verb else '?'} {table.group(1) if table else ''}"
            if "FOR UPDATE" in sql:
                key += " FOR UPDATE"
            self.sql[key.strip()] += time.perf_counter() - started
            self.calls[key.strip()] += 1
            self.queries += 1

    def timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.steps[label] += time.perf_counter() - started
                self.step_calls[label] += 1

        return wrapper

    def report(self, wall: float) -> list[str]:
        lines = [
            f"wall {wall:.2f}s; SQL {sum(self.sql.values()):.2f}s in {self.queries:,} statements"
        ]
        lines.append("steps (nested: destroy includes people, scrub and files):")
        for label, seconds in sorted(self.steps.items(), key=lambda kv: -kv[1]):
            lines.append(
                f"  {seconds:8.2f}s {seconds / wall:6.1%} {self.step_calls[label]:>6} x {label}"
            )
        lines.append("SQL by statement and table:")
        for key, seconds in sorted(self.sql.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {seconds:8.2f}s {seconds / wall:6.1%} {self.calls[key]:>6} x {key}")
        return lines


@contextmanager
def profiled(profile: Profile) -> Iterator[None]:
    """Count SQL and time the main steps of a batch run, in this process only."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from retention import destruction, selectors, services

    with ExitStack() as stack:
        stack.enter_context(connection.execute_wrapper(profile))
        for module, name, label in (
            (selectors, "holds_in_force", "hold check (holds_in_force)"),
            (destruction, "records_destroy", "destroy (records_destroy)"),
            (destruction, "_candidates", "destroy: people the cases name"),
            (destruction, "_still_named", "destroy: people still named elsewhere"),
            (destruction, "_items_delete", "destroy: items and what hangs off them"),
            (destruction, "people_destroy", "destroy: people and what is only about them"),
            (destruction, "events_scrub_objects", "audit scrub: events about the cases"),
            (destruction, "events_scrub_personal", "audit scrub: events about the people"),
            (destruction, "files_queue", "files queued"),
            (destruction, "files_sweep", "files deleted"),
            (services, "event_record", "the chunk's own audit event"),
        ):
            stack.enter_context(
                mock.patch.object(module, name, profile.timed(label, getattr(module, name)))
            )
        # Each chunk's transaction commits here (references into people, cases and items
        # are checked as each row is deleted, not here).
        database = connections[DEFAULT_DB_ALIAS]
        commit = profile.timed("COMMIT", database.commit)
        stack.enter_context(mock.patch.object(database, "commit", commit))
        yield


def _figures(
    name: str, description: str, seconds: list[float], rate: float, queries: int, notes: list[str]
) -> Figures:
    ms = sorted(s * 1000 for s in seconds)
    return Figures(
        name=name,
        description=description,
        status=0,
        iterations=len(ms),
        requests_per_second=rate,
        p50_ms=percentile(ms, 0.5),
        p95_ms=percentile(ms, 0.95),
        max_ms=ms[-1],
        mean_ms=sum(ms) / len(ms),
        queries=queries,
        response_bytes=0,
        notes=notes,
    )


# Workers carrying out the same batch side by side (each claims its own chunks with SKIP
# LOCKED), as several Celery workers would: BENCH_RETENTION_WORKERS, 1 by default.
WORKERS = int(os.environ.get("BENCH_RETENTION_WORKERS", "1"))


def _run_side_by_side(batch_id: int, workers: int) -> None:
    from django.db import connection

    from retention import services

    if workers <= 1:
        services.batch_run(batch_id=batch_id)
        return

    def one() -> None:
        try:
            services.batch_run(batch_id=batch_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _check_after(council: Council, batch_ids: list[int]) -> list[str]:
    """Everything of the council gone but the register; the trail still verifies."""
    from audit.integrity import audit_verify
    from audit.models import AuditEvent
    from records.models import Case, Item, Person
    from retention.models import BatchStatus, DisposalBatch, DisposalItem, ItemStatus

    org = council.organisation
    problems = []
    register = DisposalItem.objects.filter(batch_id__in=batch_ids, status=ItemStatus.DISPOSED)
    stubs = register.count()
    if stubs != council.cases:
        problems.append(f"{stubs:,} register stubs for {council.cases:,} cases")
    if register.exclude(case=None, person=None).exists():
        problems.append("a register stub still points at a case or person")
    if DisposalBatch.objects.filter(pk__in=batch_ids).exclude(status=BatchStatus.DONE).exists():
        problems.append("a batch did not finish")
    for label, queryset in (
        ("cases", Case.objects.filter(organisation=org)),
        ("people", Person.objects.filter(organisation=org)),
        ("items", Item.objects.filter(organisation=org)),
    ):
        left = queryset.count()
        if left:
            problems.append(f"{left:,} {label} remain")
    files = [p for p in council.folder.rglob("*") if p.is_file()]
    if files:
        problems.append(f"{len(files):,} files remain")
    personal = AuditEvent.objects.filter(
        id__gte=council.first_event, id__lte=council.last_event, personal_text__isnull=False
    ).count()
    if personal:
        problems.append(f"{personal:,} of its audit events keep their personal part")
    if problems:
        raise UnexpectedStatusError("retention: after the run, " + "; ".join(problems))
    events = AuditEvent.objects.count()
    if events > VERIFY_UP_TO:
        return [
            f"register {stubs:,} stubs; no case, person, item or file left; audit_verify "
            f"skipped ({events:,} events, over {VERIFY_UP_TO:,})"
        ]
    report = audit_verify()
    if not report.ok:
        raise UnexpectedStatusError(f"retention: audit_verify after the run: {report.problems[0]}")
    return [
        f"register {stubs:,} stubs; no case, person, item or file left; audit_verify ok over "
        f"{report.events:,} events in {report.seconds:.1f}s"
    ]


@benchmark("retention")
def retention(run: Run) -> list[Figures]:
    """Generate, propose, approve, then carry out (once: ``--iterations`` does not apply)."""
    from retention import services
    from retention.models import ClassKind, DisposalBatch

    scale = scale_name()
    count = case_count(scale)
    with (
        tempfile.TemporaryDirectory(prefix="carefile-bench-retention-") as folder,
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "documents": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": folder},
                },
            }
        ),
    ):
        print(f"generating {count:,} due cases for retention…", flush=True)
        council = Generator(count, Path(folder)).run()
        print(f"generated and sealed in {council.seconds:.1f}s", flush=True)

        started = time.perf_counter()
        proposed = services.disposal_propose()
        propose_seconds = time.perf_counter() - started
        # Its cases' batches. Its audit events, dated when the cases were worked, fall due
        # under the audit class too; that batch is not this benchmark's.
        ours = [
            b
            for b in proposed
            if b.organisation_id == council.organisation.pk
            and b.record_class.kind == ClassKind.CASE
        ]
        included = sum(b.items.filter(status="included").count() for b in ours)
        if included != council.cases:
            raise UnexpectedStatusError(
                f"retention: the proposal included {included:,} of {council.cases:,} due cases"
            )
        first, second = council.approvers or (None, None)
        # This process carries the batches out, to time them: nothing is queued for a worker.
        with mock.patch.object(services, "_queue_run", return_value=None):
            for batch in ours:
                services.batch_approve(actor=first, batch=batch)
                services.batch_approve(actor=second, batch=batch)

        profile = Profile()
        chunks: list[float] = []
        run_chunk = services._run_chunk

        def timed_chunk(*args: Any, **kwargs: Any) -> bool:
            began = time.perf_counter()
            worked = run_chunk(*args, **kwargs)
            if worked:
                chunks.append(time.perf_counter() - began)
            return worked

        per_batch = []
        with (
            rss_peak() as memory,
            profiled(profile),
            mock.patch.object(services, "_run_chunk", timed_chunk),
        ):
            database_cpu = database_cpu_seconds()
            started, cpu = time.perf_counter(), time.process_time()
            for batch in ours:
                began = time.perf_counter()
                _run_side_by_side(batch.pk, WORKERS)
                per_batch.append(
                    (batch.record_class.name, batch.items.count(), time.perf_counter() - began)
                )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            after = database_cpu_seconds()
            database_cpu = (
                after - database_cpu if after is not None and database_cpu is not None else None
            )
        checks = _check_after(council, [b.pk for b in ours])

    rate = council.cases / seconds
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    lines = profile.report(seconds)
    path = Path(settings.VAR_DIR) / "bench" / "retention-profile.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"retention: {council.cases:,} cases, {council.items:,} items at {scale} scale\n"
        + "\n".join(lines)
        + "\n"
    )
    top = sorted(profile.sql.items(), key=lambda kv: -kv[1])[:4]
    notes = [
        f"scale {scale}: {council.cases:,} cases, {council.items:,} items, "
        f"{council.people:,} people, {council.files:,} files, "
        f"{council.last_event - council.first_event + 1:,} audit events",
        f"{rate:,.0f} cases/s (target >= {TARGET_PER_SECOND}: {verdict}, "
        f"{rate / TARGET_PER_SECOND:.2f}x the target); {council.items / seconds:,.0f} items/s; "
        f"{seconds:.1f}s in all",
        "req/s column: cases per second; latency columns: one chunk of "
        f"{settings.CAREFILE_DISPOSAL_CHUNK} cases (CAREFILE_DISPOSAL_CHUNK)",
        "; ".join(f"{name}: {n:,} in {s:.1f}s" for name, n, s in per_batch),
        f"CPU per case: this process {cpu / council.cases * 1000:.1f} ms, PostgreSQL "
        + (
            f"{database_cpu / council.cases * 1000:.1f} ms"
            if database_cpu is not None
            else "not measured (server on another machine)"
        )
        + f"; wall {seconds / council.cases * 1000:.1f} ms (1-minute load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end)",
        f"resident set {memory['before']:,.0f} MiB before, peak {memory['peak']:,.0f} MiB "
        f"(+{memory['peak'] - memory['before']:,.0f} MiB while running)",
        "time: "
        + ", ".join(
            f"{label.split(' (')[0]} {profile.steps[label] / seconds:.0%}"
            for label in (
                "hold check (holds_in_force)",
                "audit scrub: events about the cases",
                "audit scrub: events about the people",
                "COMMIT",
                "files queued",
                "files deleted",
            )
        ),
        "slowest SQL: " + ", ".join(f"{key} {s:.1f}s" for key, s in top) + f"; full profile {path}",
        *checks,
    ]
    figures = [
        _figures(
            "disposal-run",
            "retention.services.batch_run over the approved batches (hold re-check, destruction, "
            "audit scrub, files, register)",
            chunks,
            rate,
            round(profile.queries / max(len(chunks), 1)),
            notes,
        ),
        _figures(
            "disposal-propose",
            "retention.services.disposal_propose, the nightly proposal over every council "
            "(once; req/s column: records proposed per second)",
            [propose_seconds],
            sum(b.items.count() for b in proposed) / propose_seconds,
            0,
            [
                f"{len(proposed)} batches, {sum(b.items.count() for b in proposed):,} records, "
                f"{len(ours)} of them this council's ({included:,} records)",
                f"{DisposalBatch.objects.count()} batches in the database",
            ],
        ),
    ]
    return figures
