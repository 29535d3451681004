"""Demo retention for Ashdown: old closed cases that have fallen due, the holds that keep some
of them, last night's proposals waiting for review, and one earlier batch already carried out,
so the records manager ``fay`` and her colleague ``rosa`` can walk the whole disposal round.
Never in production.

The cases are Children's Team North's, the one Ashdown team with a manager who can close a
case (cara), so the classes due are:

- **children in need** (destroyed at the 25th birthday): young adults whose cases closed in
  their teens, several with a mother taking part, home visits, notes, an authorised
  assessment and a letter kept as a PDF, so destroying them removes real rows and files;
- **child protection** (destroyed 35 years after closure): cases from the late 1980s brought
  across from the council's earlier system.

What each proposal finds, and why:

- six young adults' cases are included; one more is held by a hold on the person (a civil
  claim), one by a public inquiry's moratorium on children in need records from a five-year
  range, and one whose file never recorded a date of birth is left out as unknown;
- of the three child protection cases, fay kept one longer at review (a sibling's adoption
  file refers to it);
- fay has given the children in need batch its first approval: it waits for a second,
  different approver (rosa);
- six weeks ago an earlier night proposed four other children in need cases; fay and rosa
  approved that batch and it was carried out, so the disposal register and the certificate
  of destruction have content.

Every write goes through the records and retention services as the demo staff. The one
exception: the earlier batch's timestamps (proposed, approved, carried out, and each register
entry's date of disposal) are moved back to the weeks they belong to, so the register reads as
it would have. Their audit events keep the moment the demo loads, as the other demos' do.

People's names come from Faker (en_GB) seeded with a fixed number; NHS numbers are in the 999
range, which the NHS never issues; every date is relative to today, so the same cases fall due
whenever the demo is loaded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organisation, Team, User
from core.errors import ApplicationError
from records import services as record_services
from records.demo import CHILDREN, SCHOOLS, synthetic_nhs_number, tiny_pdf
from records.models import (
    AssessmentType,
    Case,
    CaseCategory,
    ClosureReason,
    ContactType,
    DocumentType,
    Ethnicity,
    Gender,
    Person,
    RelationshipKind,
)
from retention import services
from retention.models import (
    BatchStatus,
    DisposalBatch,
    HoldScope,
    ItemStatus,
    RecordClass,
)

if TYPE_CHECKING:
    from faker import Faker

SEED = 1958  # the year of the Public Records Act

ASHDOWN = "Ashdown Borough Council"
NORTH = "Children's Team North"
STAFF = ("amy", "cara", "fay", "rosa")
EARLIER_DAYS = 42  # how long ago the carried-out batch was proposed

CIVIL_CLAIM = (
    "Civil claim: solicitors acting for this person have written about a claim against the "
    "council for its care of them as a child. Keep every record until the claim is settled."
)
INQUIRY = (
    "Ashdown Children's Services Inquiry: the inquiry has asked the council not to destroy any "
    "children in need record from the years it is examining."
)
KEPT = (
    "Her younger brother's adoption file refers to this record. Review it with the adoption "
    "service before anything is destroyed."
)


@dataclass(frozen=True)
class Story:
    """One closed case: who, when, and how much its chronology holds."""

    category: str
    born: date | None
    opened_on: date
    closed_on: date
    mother: bool = False
    contacts: int = 2
    notes: int = 1
    assessment: bool = False
    letter: bool = False


@dataclass
class Made:
    person: Person
    case: Case


class RetentionDemo:
    def __init__(self, *, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)  # noqa: S311 - invented records, not security
        self.fake: Faker = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        users = {u.username: u for u in User.objects.filter(username__in=STAFF)}
        missing = sorted(set(STAFF) - set(users))
        if missing:
            raise ApplicationError(f"Load the demo staff first: missing {', '.join(missing)}.")
        self.amy, self.cara, self.fay, self.rosa = (users[name] for name in STAFF)
        self.ashdown = Organisation.objects.get(name=ASHDOWN)
        self.north = Team.objects.get(organisation=self.ashdown, name=NORTH)
        self.classes = {c.code: c for c in RecordClass.objects.all()}
        self.counts = {"cases": 0, "items": 0, "people": 0}

    # -- dates --------------------------------------------------------------------------------

    def years_ago(self, years: int, *, spread: int = 300) -> date:
        """About ``years`` years before today, never later: a day up to ``spread`` days
        earlier, on the 1st to the 28th so no 29 February is needed."""
        day = date(self.today.year - years, self.today.month, min(self.today.day, 28))
        return day - timedelta(days=self.rng.randint(0, spread))

    def at(self, day: date) -> datetime:
        clock = time(self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
        return timezone.make_aware(datetime.combine(day, clock))

    def teenager(self, *, age_now: int, age_at_opening: int, open_days: int) -> Story:
        """A children in need case opened in the child's teens and closed ``open_days``
        later; the child is now ``age_now``, so past the 25th birthday."""
        born = self.years_ago(age_now)
        opened = born + timedelta(days=age_at_opening * 365 + self.rng.randint(20, 300))
        return Story(
            category=CaseCategory.CHILD_IN_NEED,
            born=born,
            opened_on=opened,
            closed_on=opened + timedelta(days=open_days),
        )

    # -- people and cases ---------------------------------------------------------------------

    def nhs_number(self) -> str:
        while True:
            number = synthetic_nhs_number(self.rng)
            if not Person.objects.filter(nhs_number=number).exists():
                return number

    def details(self, *, female: bool, born: date | None, last_name: str) -> dict[str, Any]:
        first = self.fake.first_name_female() if female else self.fake.first_name_male()
        details: dict[str, Any] = {
            "first_name": first,
            "last_name": last_name,
            "gender": Gender.FEMALE if female else Gender.MALE,
            "ethnicity": Ethnicity.WHITE_BRITISH,
            "first_language": "English",
            "nhs_number": self.nhs_number(),
        }
        if born is not None:
            details["date_of_birth"] = born
        return details

    def words(self, template: str, child: Person, mother: Person | None) -> str:
        return template.format(
            name=child.first_name,
            carer=mother.first_name if mother else "the family",
            school=self.rng.choice(SCHOOLS),
            worker=self.amy.first_name,
            source="the school",
        )

    def case(self, story: Story, why: str) -> Made:
        """The child and their case, its chronology while it was open, then its closure."""
        surname = self.fake.last_name()
        details = self.details(female=self.rng.random() < 0.5, born=story.born, last_name=surname)
        person, case = record_services.person_create(
            actor=self.cara,
            details=details,
            team=self.north,
            category=story.category,
            opened_on=story.opened_on,
            referral_reason=why,
            allocate=False,
        )
        record_services.case_allocate(
            actor=self.cara, case=case, worker=self.amy, starts_on=story.opened_on
        )
        self.counts["cases"] += 1
        self.counts["people"] += 1
        mother = None
        if story.mother:
            mother_born = (story.born or story.opened_on - timedelta(days=3650)) - timedelta(
                days=self.rng.randint(20, 32) * 365
            )
            mother, _ = record_services.related_person_create(
                actor=self.amy,
                case=case,
                details=self.details(female=True, born=mother_born, last_name=surname),
                kind=RelationshipKind.MOTHER,
                is_parental_responsibility=True,
            )
            self.counts["people"] += 1
        self.chronology(story, case, person, mother)
        record_services.case_close(
            actor=self.cara,
            case=case,
            closed_on=story.closed_on,
            reason=ClosureReason.NEEDS_MET,
        )
        return Made(person, case)

    def chronology(self, story: Story, case: Case, child: Person, mother: Person | None) -> None:
        span = max((story.closed_on - story.opened_on).days - 2, 1)
        days = sorted(
            story.opened_on + timedelta(days=1 + self.rng.randrange(span))
            for _ in range(story.contacts + story.notes)
        )
        present = [child, mother] if mother else [child]
        kinds = (ContactType.HOME_VISIT, ContactType.SCHOOL_VISIT, ContactType.PHONE)
        for n, day in enumerate(days):
            if n < story.contacts:
                kind = kinds[n % len(kinds)]
                record_services.contact_record(
                    actor=self.amy,
                    case=case,
                    contact_type=kind,
                    occurred_at=self.at(day),
                    body=self.words(self.rng.choice(CHILDREN.contacts[kind]), child, mother),
                    participants=present if kind != ContactType.SCHOOL_VISIT else [child],
                    seen_alone=True if kind == ContactType.HOME_VISIT else None,
                )
            else:
                title, text = self.rng.choice(CHILDREN.notes)
                record_services.note_record(
                    actor=self.amy,
                    case=case,
                    title=title,
                    body=self.words(text, child, mother),
                    occurred_at=self.at(day),
                )
            self.counts["items"] += 1
        if story.assessment:
            assessment = record_services.assessment_start(
                actor=self.amy,
                case=case,
                assessment_type=AssessmentType.CHILD_AND_FAMILY,
                sections=[
                    {"heading": heading, "text": self.words(text, child, mother)}
                    for heading, text in CHILDREN.sections
                ],
                occurred_at=self.at(story.opened_on + timedelta(days=2)),
            )
            assessment = record_services.assessment_submit(actor=self.amy, assessment=assessment)
            record_services.assessment_authorise(actor=self.cara, assessment=assessment)
            self.counts["items"] += 1
        if story.letter:
            carer = mother.first_name if mother else "Parent"
            pdf = tiny_pdf(
                [
                    "Ashdown Borough Council - Children's Services",
                    "",
                    f"Dear {carer},",
                    "",
                    f"Our work with you and {child.first_name} has now finished and I am",
                    "closing the case. Please contact the family hub if you need us again.",
                    "",
                    "Yours sincerely,",
                    f"{self.amy.get_full_name()}, Social worker",
                ]
            )
            record_services.document_upload(
                actor=self.amy,
                case=case,
                file=SimpleUploadedFile("closing-letter.pdf", pdf, content_type="application/pdf"),
                document_type=DocumentType.LETTER,
                title="Letter closing the case",
                occurred_at=self.at(story.closed_on - timedelta(days=1)),
            )
            self.counts["items"] += 1

    def young_adults(self, count: int, *, older_than: int) -> list[Made]:
        """Children in need cases of people at least ``older_than``, opened in their teens
        within the last 17 years (after the inquiry's years)."""
        made = []
        for n in range(count):
            age_at_opening = self.rng.randint(13, 16)
            story = self.teenager(
                age_now=self.rng.randint(older_than, age_at_opening + 17),
                age_at_opening=age_at_opening,
                open_days=self.rng.randint(200, 700),
            )
            story = Story(
                category=story.category,
                born=story.born,
                opened_on=story.opened_on,
                closed_on=story.closed_on,
                mother=n % 2 == 0,
                contacts=self.rng.randint(1, 3),
                notes=self.rng.randint(0, 1),
                assessment=n % 3 == 0,
                letter=n % 4 == 1,
            )
            made.append(self.case(story, "Referral from school: worries about care at home."))
        return made

    # -- the disposal round --------------------------------------------------------------------

    def ashdown_batch(self, batches: list[DisposalBatch], code: str) -> DisposalBatch:
        for batch in batches:
            if batch.organisation_id == self.ashdown.pk and batch.record_class.code == code:
                return batch
        raise ApplicationError(f"The demo expected a proposed batch of {code} records.")

    def earlier_batch(self) -> DisposalBatch:
        """Four cases due six weeks ago: proposed that night, approved by fay and then rosa,
        carried out."""
        self.young_adults(4, older_than=27)
        proposed_on = self.today - timedelta(days=EARLIER_DAYS)
        batch = self.ashdown_batch(services.disposal_propose(on=proposed_on), "children_in_need")
        services.batch_approve(actor=self.fay, batch=batch)
        services.batch_approve(actor=self.rosa, batch=batch)
        batch = services.batch_run(batch_id=batch.pk) or batch
        if batch.status != BatchStatus.DONE:
            raise ApplicationError(f"The demo's earlier batch did not finish ({batch.status}).")
        # The register as it stands after that round: proposed at two in the morning, reviewed
        # over the next fortnight, carried out the evening of the second approval.
        night = timezone.make_aware(datetime.combine(proposed_on, time(2, 0)))
        first = timezone.make_aware(datetime.combine(proposed_on + timedelta(days=8), time(10, 5)))
        second = timezone.make_aware(
            datetime.combine(proposed_on + timedelta(days=13), time(15, 40))
        )
        finished = second + timedelta(minutes=2)
        DisposalBatch.objects.filter(pk=batch.pk).update(  # write-ok: the demo's earlier round
            proposed_at=night,
            first_approved_at=first,
            second_approved_at=second,
            started_at=second + timedelta(seconds=20),
            finished_at=finished,
        )
        disposed = batch.items.filter(status=ItemStatus.DISPOSED)
        disposed.update(disposed_at=finished)  # write-ok: dated with its round
        return batch

    def build(self) -> dict[str, int]:
        earlier = self.earlier_batch()
        # Last night's round: cases due now, some held, one whose trigger is not known.
        self.young_adults(6, older_than=26)
        claimant = self.case(
            self.teenager(age_now=28, age_at_opening=14, open_days=400),
            "Referral from the police after a neighbour reported shouting.",
        )
        inquiry_from = date(self.today.year - 23, 1, 1)
        inquiry_to = date(self.today.year - 19, 12, 31)
        during = inquiry_from + timedelta(days=700 + self.rng.randint(0, 200))
        self.case(
            Story(
                category=CaseCategory.CHILD_IN_NEED,
                born=during - timedelta(days=12 * 365 + 100),
                opened_on=during,
                closed_on=during + timedelta(days=450),
                mother=True,
            ),
            "Referral from the GP: a young carer for her mother.",
        )
        opened = self.years_ago(15)
        self.case(
            Story(
                category=CaseCategory.CHILD_IN_NEED,
                born=None,
                opened_on=opened,
                closed_on=opened + timedelta(days=300),
                contacts=1,
                notes=1,
            ),
            "Brought across from the earlier system: no date of birth on the file.",
        )
        for _ in range(3):
            closed = self.years_ago(self.rng.randint(36, 39))
            opened = closed - timedelta(days=self.rng.randint(200, 600))
            self.case(
                Story(
                    category=CaseCategory.CHILD_PROTECTION,
                    born=opened - timedelta(days=self.rng.randint(3, 12) * 365),
                    opened_on=opened,
                    closed_on=closed,
                    mother=True,
                    contacts=1,
                    notes=0,
                ),
                "Brought across from the earlier system: child protection registration.",
            )
        services.hold_place(
            actor=self.fay,
            organisation=self.ashdown,
            scope=HoldScope.PERSON,
            person=claimant.person,
            reason=CIVIL_CLAIM,
        )
        services.hold_place(
            actor=self.fay,
            organisation=self.ashdown,
            scope=HoldScope.CLASS_AND_DATES,
            record_class=self.classes["children_in_need"],
            from_date=inquiry_from,
            to_date=inquiry_to,
            reason=INQUIRY,
        )
        batches = services.disposal_propose()
        children = self.ashdown_batch(batches, "children_in_need")
        protection = self.ashdown_batch(batches, "child_protection")
        kept = protection.items.filter(status=ItemStatus.INCLUDED).order_by("due_on").first()
        if kept is not None:
            services.batch_item_keep(
                actor=self.fay,
                item=kept,
                reason=KEPT,
                keep_until=self.today + timedelta(days=365),
            )
        services.batch_approve(actor=self.fay, batch=children)
        return {
            **self.counts,
            "batches": DisposalBatch.objects.filter(organisation=self.ashdown).count(),
            "disposed": earlier.items.filter(status=ItemStatus.DISPOSED).count(),
        }


def load_demo_retention(*, seed: int = SEED) -> dict[str, int]:
    """Load Ashdown's retention demo once; returns what it made (``batches`` 0 when Ashdown
    already had disposal batches, and nothing was added)."""
    if settings.PRODUCTION:
        raise ApplicationError("Demo data cannot be loaded in production.")
    ashdown = Organisation.objects.filter(name=ASHDOWN).first()
    if ashdown is None or DisposalBatch.objects.filter(organisation=ashdown).exists():
        return {"cases": 0, "items": 0, "people": 0, "batches": 0, "disposed": 0}
    return RetentionDemo(seed=seed).build()
