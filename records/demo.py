"""Demo people, families, cases and chronologies for the embedded default. Never in production.

Everyone here is invented: names and streets come from Faker (en_GB) seeded with a fixed number,
so every load makes the same people; NHS numbers are in the 999 range, which the NHS never
issues; Unique Pupil Numbers carry local-authority code 999, which no council has; phone numbers
are in the range Ofcom keeps for drama (07700 900xxx); e-mail addresses end in example.com.

Every write goes through ``records.services`` acting as the demo staff, so the need-to-know
grants are exactly those the pages would have made:

- Children's Team North (amy, managed by cara) and Children's Team South (ben) hold different
  families, so amy and ben see different people;
- one North child is a relative of a member of staff: cara works the case herself and restricts
  the record, so amy, in the same team, sees nothing of that family;
- the eldest child of the first North family also has a Youth Justice case (gus): amy sees the
  young person but not the youth justice chronology, and gus sees none of the family;
- an older woman in Brambley has an Adult Social Care case (hal) and a daughter who cares;
- dan (records access) indexes historic paper files, some of them about today's parents.

Dates are relative to today: cases opened months or years ago carry a chronology up to
yesterday (contacts with the family taking part, notes, assessments at each status, plans and
their reviews, information from schools, the police and GPs, a few amendments with reasons, one
item entered in error, one statement of disagreement and two small PDF letters).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Service, Team, User
from core.errors import ApplicationError
from records import policies, services
from records.identifiers import nhs_check_digit, upn_check_letter
from records.models import (
    AlertKind,
    Allocation,
    AssessmentStatus,
    AssessmentType,
    Case,
    CaseCategory,
    CaseParticipant,
    ClosureReason,
    ContactType,
    DocumentType,
    Ethnicity,
    Gender,
    InformationReceived,
    Item,
    NoteType,
    ParticipantRole,
    Person,
    PersonName,
    Plan,
    PlanType,
    RelationshipKind,
    RestrictionReason,
)

if TYPE_CHECKING:
    from faker import Faker

DEFAULT_PEOPLE = 60
SEED = 1989  # the year of the Children Act

ASHDOWN = "Ashdown Borough Council"
BRAMBLEY = "Brambley Borough Council"
NORTH = "Children's Team North"
SOUTH = "Children's Team South"
YOUTH_JUSTICE = "Youth Justice"
ADULTS = "Adult Social Care"
# The staff who write the demo records; accounts.demo creates them first.
AUTHORS = ("amy", "ben", "cara", "gus", "hal", "dan")

SCHOOLS = (
    "Ashdown Park Primary School",
    "St Aidan's CofE Primary School",
    "Millbrook Infant and Nursery School",
    "Ashdown Academy",
    "Harrow Lane Secondary School",
)
SURGERIES = ("Ashdown Road Surgery", "The Willows Medical Practice", "Castle Street Health Centre")
TOWNS = {ASHDOWN: "Ashdown", BRAMBLEY: "Brambley"}
POSTCODE_AREAS = {ASHDOWN: ("AS1", "AS2", "AS3", "AS4"), BRAMBLEY: ("BR1", "BR2", "BR7")}


# --- Identifiers that can never belong to anyone ---------------------------------------------


def synthetic_nhs_number(rng: random.Random) -> str:
    """A number in the 999 range (never issued to patients) with a valid check digit."""
    while True:
        first_nine = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


def synthetic_upn(rng: random.Random) -> str:
    """A Unique Pupil Number with a valid check letter under local-authority code 999."""
    twelve = "999" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return upn_check_letter(twelve) + twelve


def synthetic_phone(rng: random.Random) -> str:
    return f"07700 900{rng.randint(0, 999):03d}"


def tiny_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF of a few lines in Helvetica, built in memory with a correct xref table."""

    def escape(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "15 TL", "72 770 Td"]
    ops.extend(f"({escape(line)}) Tj T*" for line in lines)
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- What the records say, service by service ------------------------------------------------
# Placeholders: {name} the case's subject, {carer} their parent or carer, {school}, {worker}
# the author, {source} who referred.


@dataclass(frozen=True)
class Voice:
    """How one service writes: its contacts, notes, information received, plan and reviews."""

    contacts: dict[str, tuple[str, ...]]
    contact_weights: tuple[int, ...]
    notes: tuple[tuple[str, str], ...]
    information: tuple[tuple[str, str, str], ...]  # (source kind, method, text)
    sources: dict[str, tuple[str, ...]]
    plan: str
    reviews: tuple[str, ...]
    assessment_type: str
    sections: tuple[tuple[str, str], ...]
    oversight: tuple[str, ...] = ()
    locations: dict[str, str] = field(default_factory=dict)


CHILDREN = Voice(
    contacts={
        ContactType.HOME_VISIT: (
            "Visit to see {name} and {carer} at home. {name} showed me their bedroom, which was "
            "clean and warm, with new bedding since my last visit. There was food in the fridge "
            "and cupboards. {carer} said the week had been calmer and the morning routine chart "
            "is helping.",
            "Statutory visit. {name} was seen alone in their room and talked about school, a "
            "friend called Jordan and wanting to go swimming again. No worries shared. {carer} "
            "was tired; the electricity key was low and we agreed I would ask the family hub "
            "about a fuel voucher.",
            "Unannounced visit after the school's call. {carer} let me in straight away. The "
            "kitchen was untidy but there was food in. {name} had a small bruise on the shin and "
            "said it happened at football, which matches what the school was told. I will check "
            "with the PE teacher.",
            "Home visit with the family support worker. We went through the plan with {carer}: "
            "school attendance is up, the GP appointment was kept, the rent arrears plan has "
            "started. {name} drew a picture of the family and put everyone in it, even the dog.",
            "Visit. Nobody answered at first; {carer} came back from the shop ten minutes later "
            "with {name}. Home conditions were acceptable. {carer} spoke about feeling low and "
            "agreed to a referral to talking therapies; I gave her the self-referral number.",
            "Visit for direct work with {name} using the 'three houses'. House of worries: "
            "arguments at night and the landlord shouting. House of good things: Nan's, school "
            "dinners, the trampoline. House of dreams: a bedroom of their own.",
        ),
        ContactType.PHONE: (
            "Phone call with {carer} to confirm the core group meeting next week. {carer} said "
            "{name} has had a good week and is sleeping better since the new bedtime routine.",
            "{carer} rang, upset, because the housing officer had visited about the damp. I "
            "agreed to write to the housing association in support of repairs and to call back "
            "on Friday.",
            "Tried to call {carer} twice, no answer; left a voicemail and sent a text asking her "
            "to ring me back about Thursday's appointment.",
        ),
        ContactType.SCHOOL_VISIT: (
            "Saw {name} at {school} in the quiet room, with the designated safeguarding lead's "
            "agreement. {name} talked about their new teacher and said things at home are "
            "'alright, better than before'. No new worries raised.",
            "Saw {name} at {school} at lunchtime. {name} was chatty and proud of a certificate "
            "for reading. Said Mum and her boyfriend 'don't shout as much now'.",
        ),
        ContactType.MEETING: (
            "Core group meeting at the family hub with {carer}, {school}, the health visitor and "
            "myself. Progress against the plan was reviewed: most actions are on track. The "
            "housing action is behind; I will chase. Next core group in six weeks.",
            "Network meeting with {carer} and the family's supporters to agree a safety plan for "
            "weekends. Nan will have {name} on Saturday nights; {carer} will ring her by 10am.",
        ),
        ContactType.TEXT: ("Text to {carer} confirming Tuesday's visit at 4pm. She replied OK.",),
        ContactType.EMAIL: (
            "Email to {carer} with the leaflet about the parenting course and the dates of the "
            "next group at the family hub.",
        ),
        ContactType.LETTER: (
            "Letter to {carer} confirming the outcome of the review and the date of the next.",
        ),
        ContactType.VIDEO: (
            "Video call with {carer} as {name} was off school with a cold. {name} waved and "
            "showed me a new game. {carer} said the GP had seen them yesterday.",
        ),
        ContactType.OFFICE_VISIT: (
            "Office visit: {carer} came in with {name} to sign the consent forms and talk "
            "through the plan. {name} played in the family room while we talked.",
        ),
    },
    contact_weights=(40, 20, 10, 8, 6, 4, 3, 3, 3),
    notes=(
        (
            "Discussion with the health visitor",
            "Spoke to the health visitor, who has seen {name} at clinic: growth and development "
            "are on track and immunisations are up to date.",
        ),
        (
            "Call from the housing officer",
            "The housing officer called to say the damp repairs are booked for next month and "
            "the family's rent account is now up to date.",
        ),
        (
            "Missed appointment",
            "{carer} did not bring {name} to the dentist. I called and rebooked it for next "
            "week; I will go with them if {carer} would like me to.",
        ),
        (
            "Case summary",
            "{name} lives with {carer}. The case opened after concerns about neglect and the "
            "home conditions. Things have improved steadily: attendance is good, the home is "
            "warm, {carer} is engaging with support. Remaining worry: low mood at night.",
        ),
        (
            "Referral to the family hub",
            "Referred {carer} to the family hub for the parenting group and debt advice. She "
            "agreed to the referral and signed the consent form.",
        ),
    ),
    information=(
        (
            "school",
            "letter",
            "The designated safeguarding lead writes that {name} has come to school hungry three "
            "times this month and was in the same clothes all week. Breakfast club offered.",
        ),
        (
            "school",
            "email",
            "Attendance for the half-term: {name} 94%. The class teacher says {name} is doing "
            "well in reading and has made a good group of friends.",
        ),
        (
            "police",
            "portal",
            "Police attended the address at 23:40 after a neighbour reported shouting. {carer} "
            "and her partner were spoken to; no offences disclosed. {name} was asleep and was "
            "seen by officers, safe and well.",
        ),
        (
            "gp",
            "letter",
            "The GP confirms {carer} is being treated for depression and is engaging well. "
            "{name} was seen for an asthma review; inhaler technique is good.",
        ),
        (
            "health",
            "email",
            "Health visitor update: {name} is meeting developmental milestones. {carer} was "
            "tearful at the visit; she has been offered a listening visit.",
        ),
    ),
    sources={
        "school": SCHOOLS,
        "police": ("Ashdown Police, Public Protection Unit",),
        "gp": SURGERIES,
        "health": ("Ashdown Health Visiting Service",),
    },
    plan="Outcomes for {name}: to be safe and well cared for at home; to go to school every "
    "day; for {carer} to get support with her mood and with money. Actions, owners and dates "
    "are agreed with the family and the school.",
    reviews=(
        "Review with {carer}, {school} and the health visitor. Good progress on attendance and "
        "home conditions; the housing action is still open. The plan continues, actions updated.",
        "Review at the family hub. {name}'s views were shared through the worksheet done at "
        "school. All agencies agree progress is steady; the plan continues.",
        "Review. Some slippage since the last meeting: missed health appointments and two late "
        "arrivals at school. Actions tightened and dates added; the plan continues.",
    ),
    assessment_type=AssessmentType.CHILD_AND_FAMILY,
    sections=(
        ("Reason for the assessment", "Referral from {source} about {name}'s care at home."),
        (
            "The child's developmental needs",
            "{name} is healthy and meeting most milestones. School report good progress in "
            "reading; speech is a little behind.",
        ),
        (
            "Parenting capacity",
            "{carer} loves {name} and wants things to be better. Routines slip when her mood is "
            "low; she accepts help when it is offered.",
        ),
        (
            "Family and environment",
            "Private rented flat with damp in the back bedroom. Rent arrears of about two "
            "months. Nan lives nearby and helps most weekends.",
        ),
        (
            "The child's views",
            "{name} said: 'I like it when Mum reads to me. I don't like it when there's shouting.'",
        ),
        (
            "Analysis",
            "{name}'s needs are not being met consistently. With support the family can make "
            "the changes needed.",
        ),
        ("Recommendation", "A plan, reviewed every three months."),
    ),
    oversight=(
        "Management oversight. Case discussed in supervision with {worker}. Visits are within "
        "timescales and {name} is seen alone. The plan remains right. Actions: chase the "
        "housing referral; update the case summary before the review.",
        "Management oversight. I have read the recent visits and the school's update. Risk is "
        "reducing. Consider at the next review whether the plan is still needed.",
        "Management oversight. Missed appointments noted. {worker} to visit unannounced within "
        "five working days and to speak to the GP. I will look at this again in two weeks.",
    ),
    locations={
        ContactType.HOME_VISIT: "Family home",
        ContactType.MEETING: "Ashdown Family Hub",
        ContactType.OFFICE_VISIT: "Ashdown Town Hall",
    },
)

YOUTH = Voice(
    contacts={
        ContactType.INTERVENTION: (
            "Session on peer influence with {name}. We mapped who he spends time with and when "
            "things go wrong. He named two older boys he wants to avoid and agreed a plan for "
            "the walk home from school.",
            "Victim awareness session. {name} wrote a first draft of his letter of apology; it "
            "was honest and he took care over it. We will finish it next week.",
        ),
        ContactType.OFFICE_VISIT: (
            "Reporting appointment at the youth justice office. {name} was on time and in good "
            "spirits. No new police contact. Talked about the college taster day.",
        ),
        ContactType.GROUP_SESSION: (
            "Reparation at the community garden with two other young people. {name} worked hard "
            "clearing the beds and chatted with the volunteers.",
        ),
        ContactType.HOME_VISIT: (
            "Home visit. {name} and {carer} were both in. {carer} says he is home by curfew most "
            "nights and is helping more with his younger brothers.",
        ),
        ContactType.PHONE: (
            "Call with {name} to move Thursday's session because of a school trip. Agreed "
            "Friday at 4pm.",
        ),
    },
    contact_weights=(35, 25, 15, 15, 10),
    notes=(
        (
            "Referral order panel",
            "Initial panel meeting held with community volunteers. {name} signed the contract: "
            "apology letter, eight reparation hours, sessions on peer influence.",
        ),
        (
            "Education check",
            "Spoke to the school's pastoral lead: attendance 88%, one exclusion for a day last "
            "term; behaviour better since Christmas.",
        ),
    ),
    information=(
        (
            "police",
            "portal",
            "Police intelligence: {name} was stopped with older peers near the retail park; no "
            "offence, words of advice given.",
        ),
        (
            "school",
            "email",
            "The school reports {name} has been on time every day this month and has joined "
            "the football team.",
        ),
    ),
    sources={
        "police": ("Ashdown Police, Youth Justice Liaison",),
        "school": ("Harrow Lane Secondary School", "Ashdown Academy"),
    },
    plan="Intervention plan: letter of apology to the victim; eight hours of reparation; six "
    "sessions on peer influence and consequences; support into the college taster course.",
    reviews=(
        "Progress review: sessions attended, reparation half done, no further offending. The "
        "plan continues unchanged.",
        "Review with {name} and {carer}. He is engaging well; the apology letter has been "
        "passed to the victim. Remaining sessions agreed.",
    ),
    assessment_type=AssessmentType.YOUTH_JUSTICE,
    sections=(
        (
            "Offence and circumstances",
            "Theft from a shop with two older boys. {name} admitted it at the first interview "
            "and said he went along because he was scared of them.",
        ),
        (
            "Personal, family and social factors",
            "Lives at home. Attends school most days. Has started spending evenings with older "
            "peers.",
        ),
        (
            "Foundations for change",
            "Interested in football and cooking. Good relationship with his family. Wants to go "
            "to college.",
        ),
        (
            "Pathways and planning",
            "Victim awareness, peer influence sessions, reparation at the community garden.",
        ),
    ),
    locations={
        ContactType.OFFICE_VISIT: "Youth Justice Service, Mill Street",
        ContactType.GROUP_SESSION: "Ashdown Community Garden",
        ContactType.INTERVENTION: "Youth Justice Service, Mill Street",
        ContactType.HOME_VISIT: "Family home",
    },
)

ADULT = Voice(
    contacts={
        ContactType.HOME_VISIT: (
            "Home visit to {name}. She was dressed and sitting in her chair by the window; the "
            "morning carers had been on time. She says the key safe works well and she feels "
            "safer since the pendant alarm was fitted.",
            "Visit with the occupational therapist to look at the bathroom. A perching stool and "
            "a second stair rail were agreed. {name} was pleased and made us tea.",
        ),
        ContactType.PHONE: (
            "Call with {carer}, who says her mother has been more confused in the evenings. "
            "Agreed to ask the GP for a memory assessment and to visit next week.",
            "Call from the care agency: {name} declined her lunchtime call twice this week. "
            "Agreed they will try later in the day; I will discuss with {name} at the visit.",
        ),
        ContactType.MEETING: (
            "Meeting with {name} and {carer} about a break for {carer}: a week's respite at "
            "Oak House in the spring was agreed.",
        ),
    },
    contact_weights=(50, 35, 15),
    notes=(
        (
            "Care provider update",
            "Spoke to the care agency manager: four calls a day in place, no missed calls this "
            "month. {name} enjoys the afternoon carer's company.",
        ),
        (
            "Financial assessment referral",
            "Referred to the financial assessment team for the contribution to the care costs; "
            "{carer} will bring the bank statements.",
        ),
    ),
    information=(
        (
            "gp",
            "letter",
            "The GP writes that {name}'s medication has been reviewed and simplified to a "
            "blister pack; the pharmacy will deliver weekly.",
        ),
        (
            "hospital",
            "email",
            "Falls clinic: {name} was seen; strength and balance exercises recommended, and a "
            "review of her footwear.",
        ),
    ),
    sources={
        "gp": ("Brambley Green Surgery",),
        "hospital": ("Brambley General Hospital, falls clinic",),
    },
    plan="Care and support plan: four calls a day for personal care and meals; pendant alarm "
    "and key safe; a day centre twice a week; a break for {carer} one weekend a month.",
    reviews=(
        "Annual review with {name} and {carer}. Needs are met by the current plan; {name} wants "
        "to carry on at home. No changes.",
        "Review after a fall. Two extra visits a week added while she recovers; reviewed again "
        "in three months.",
    ),
    assessment_type=AssessmentType.CARE_ACT_NEEDS,
    sections=(
        ("What matters to the person", "To stay in her own home, near her daughter, with her cat."),
        (
            "Eligible outcomes",
            "Needs help with washing, dressing and meals; cannot manage the stairs safely. Two "
            "falls in the last six months.",
        ),
        (
            "The carer's contribution",
            "{carer} visits every day after work and does the shopping. She is tired and would "
            "like a break one weekend a month.",
        ),
        ("Eligibility", "Eligible needs under the Care Act 2014 and the Eligibility Regulations."),
    ),
    locations={ContactType.HOME_VISIT: "Her home", ContactType.MEETING: "Her home"},
)

REFERRALS: dict[str, tuple[str, str]] = {
    CaseCategory.CHILD_IN_NEED: (
        "school",
        "Referral from {school}: {name} is often late and hungry, and has said there is not "
        "always food at home. {carer} has told the school she is struggling with money.",
    ),
    CaseCategory.CHILD_PROTECTION: (
        "police",
        "Police referral after a domestic incident at the home: {name} was present. A strategy "
        "discussion was held the next day and a section 47 enquiry agreed.",
    ),
}
PLAN_TYPES: dict[str, str] = {
    CaseCategory.CHILD_IN_NEED: PlanType.CHILD_IN_NEED,
    CaseCategory.CHILD_PROTECTION: PlanType.CHILD_PROTECTION,
    CaseCategory.YJ_REFERRAL_ORDER: PlanType.YOUTH_JUSTICE,
    CaseCategory.YJ_OUT_OF_COURT: PlanType.YOUTH_JUSTICE,
    CaseCategory.ADULT_CARE: PlanType.CARE_AND_SUPPORT,
}
CARERS_SECTIONS = (
    (
        "The carer's needs",
        "{carer} cares for her mother every day and works part-time. She is not sleeping well.",
    ),
    (
        "Outcomes",
        "A break once a month; a carer's emergency card; information about support groups.",
    ),
)
LETTERS = (
    (
        "Letter after the assessment",
        (
            "Ashdown Borough Council - Children's Services",
            "",
            "Dear {carer},",
            "",
            "Thank you for meeting me to talk about {name}. I have finished the assessment.",
            "It recommends that we carry on working with you under a plan, and that we meet",
            "every three months to see how things are going.",
            "",
            "Yours sincerely,",
            "{worker}, Social worker",
        ),
    ),
    (
        "Invitation to the review meeting",
        (
            "Ashdown Borough Council - Children's Services",
            "",
            "Dear {carer},",
            "",
            "You are invited to the review of {name}'s plan at Ashdown Family Hub.",
            "Please bring anyone who supports you, and tell me if you need an interpreter.",
            "",
            "Yours sincerely,",
            "{worker}, Social worker",
        ),
    ),
)


# --- The builder -----------------------------------------------------------------------------


@dataclass
class Crew:
    """Who opens, works and oversees a team's demo cases."""

    team: Team
    worker: User
    manager: User | None = None

    @property
    def opener(self) -> User:
        return self.manager or self.worker


@dataclass
class Household:
    """A case, its subject and who is named in its records; only the case's own people (its
    subject and participants) take part in contacts."""

    case: Case
    subject: Person
    carer: Person | None = None
    others: list[Person] = field(default_factory=list)

    def present(self) -> list[Person]:
        in_case = {self.subject.pk} | set(
            CaseParticipant.objects.filter(case=self.case).values_list("person_id", flat=True)
        )
        people = [self.subject, self.carer, *self.others]
        return [p for p in people if p is not None and p.pk in in_case]


class DemoBuilder:
    """Builds the demo, consuming a budget of people; ``counts`` says what it made."""

    def __init__(self, *, people: int, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)  # noqa: S311 - invented records, not security
        self.fake: Faker = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.budget = people
        self.today = timezone.localdate()
        self.yesterday = self.today - timedelta(days=1)
        self.now = timezone.now()
        self.counts = {"people": 0, "cases": 0, "items": 0, "historic_records": 0}
        self._nhs: set[str] = set()
        users = {u.username: u for u in User.objects.filter(username__in=AUTHORS)}
        missing = sorted(set(AUTHORS) - set(users))
        if missing:
            raise ApplicationError(f"Load the demo staff first: missing {', '.join(missing)}.")
        self.staff = users
        teams = {
            t.name: t
            for t in Team.objects.filter(
                name__in=[NORTH, SOUTH, YOUTH_JUSTICE, ADULTS],
                organisation__name__in=[ASHDOWN, BRAMBLEY],
            ).select_related("organisation")
        }
        for team in teams.values():
            # Before any case, so the staff's access (cached per user object) names the groups.
            services.team_caseload_group_ensure(team=team)
        for user in users.values():
            policies.forget_record_access(user)
        self.north = Crew(teams[NORTH], users["amy"], users["cara"])
        self.south = Crew(teams[SOUTH], users["ben"])
        self.youth_justice = Crew(teams[YOUTH_JUSTICE], users["gus"])
        self.adults = Crew(teams[ADULTS], users["hal"])
        # Items kept aside for the amendments, the error and the statement at the end.
        self.worked: dict[str, list[Item]] = {"amy": [], "ben": []}
        self.authorised: list[Item] = []
        self.families: list[tuple[Crew, Household]] = []

    # -- small helpers ----------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def at(self, day: date, start: int = 9, end: int = 17) -> datetime:
        """A working-hours moment on ``day``, and never later than a minute ago."""
        clock = time(self.rng.randint(start, end - 1), self.rng.choice((0, 10, 20, 30, 40, 50)))
        moment = timezone.make_aware(datetime.combine(day, clock))
        return min(moment, self.now - timedelta(minutes=1))

    def born(self, age_from: int, age_to: int) -> date:
        days = self.rng.randint(age_from * 365 + 20, age_to * 365 + 340)
        return self.today - timedelta(days=days)

    def nhs_number(self) -> str:
        while True:
            number = synthetic_nhs_number(self.rng)
            if number not in self._nhs:
                self._nhs.add(number)
                return number

    def details(
        self,
        *,
        female: bool,
        born: date,
        last_name: str,
        ethnicity: str,
        language: str = "English",
        interpreter: bool = False,
    ) -> dict[str, Any]:
        first = self.fake.first_name_female() if female else self.fake.first_name_male()
        age = (self.today - born).days // 365
        details: dict[str, Any] = {
            "first_name": first,
            "last_name": last_name,
            "date_of_birth": born,
            "gender": Gender.FEMALE if female else Gender.MALE,
            "ethnicity": ethnicity,
            "first_language": language,
            "interpreter_needed": interpreter,
            "nhs_number": self.nhs_number(),
        }
        if self.chance(0.3):
            middle = self.fake.first_name_female() if female else self.fake.first_name_male()
            details["middle_names"] = middle
        if 4 <= age <= 16:
            details["upn"] = synthetic_upn(self.rng)
        return details

    def ethnicity(self) -> str:
        choices = [
            Ethnicity.WHITE_BRITISH,
            Ethnicity.WHITE_OTHER,
            Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
            Ethnicity.ASIAN_PAKISTANI,
            Ethnicity.BLACK_AFRICAN,
            Ethnicity.WHITE_IRISH,
        ]
        return str(self.rng.choices(choices, weights=[60, 10, 10, 8, 8, 4])[0])

    def address(self, actor: User, person: Person, council: str, since: date) -> None:
        area = self.rng.choice(POSTCODE_AREAS[council])
        letters = "".join(self.rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
        services.address_add(
            actor=actor,
            person=person,
            line_1=f"{self.rng.randint(1, 140)} {self.fake.street_name()}",
            town=TOWNS[council],
            postcode=f"{area} {self.rng.randint(1, 9)}{letters}",
            lived_from=since,
        )

    def words(self, template: str, household: Household, author: User, source: str = "") -> str:
        carer = household.carer
        return template.format(
            name=household.subject.first_name,
            carer=carer.first_name if carer else "the family",
            school=self.rng.choice(SCHOOLS),
            worker=author.first_name,
            source=source or "the school",
        )

    def may_edit(self, actor: User, person: Person) -> bool:
        """Whether the services let ``actor`` record this person's details. Today that is
        the subject of a case they work on, not a parent or carer taking part in one; the demo
        fills in what the services allow."""
        from records.selectors import case_list_for_person

        cases = case_list_for_person(user=actor, person=person)
        return policies.can_edit_person(policies.record_access(actor), person, cases)

    def counted(self, item: Item, author: User | None = None) -> Item:
        self.counts["items"] += 1
        if author is not None and author.username in self.worked:
            self.worked[author.username].append(item)
        return item

    # -- people and cases -------------------------------------------------------------------

    def open_case(
        self, crew: Crew, details: dict[str, Any], category: str, opened_on: date, why: str
    ) -> tuple[Person, Case]:
        """A new person and their case, held by the crew's team and allocated to its worker
        from the day it opened (a manager logs the referral, then allocates)."""
        person, case = services.person_create(
            actor=crew.opener,
            details=details,
            team=crew.team,
            category=category,
            opened_on=opened_on,
            referral_reason=why[:500],
            allocate=False,
        )
        services.case_allocate(
            actor=crew.opener, case=case, worker=crew.worker, starts_on=opened_on
        )
        self.counts["people"] += 1
        self.counts["cases"] += 1
        self.budget -= 1
        return person, case

    def relative(
        self,
        crew: Crew,
        case: Case,
        details: dict[str, Any],
        kind: str,
        *,
        role: str = ParticipantRole.FAMILY,
        responsibility: bool = False,
    ) -> Person:
        """Someone new in the case's family or network: "<new person> is the <kind> of the
        case's subject", taking part in the case."""
        person, _ = services.related_person_create(
            actor=crew.worker,
            case=case,
            details=details,
            kind=kind,
            participant_role=role,
            is_parental_responsibility=responsibility,
        )
        self.counts["people"] += 1
        self.budget -= 1
        return person

    def family(
        self,
        crew: Crew,
        *,
        teenager: bool = False,
        closed: bool = False,
        children: int | None = None,
        years: float | None = None,
    ) -> Household:
        """Children, each with a case of their own, their mother, and sometimes a father or
        stepfather and a grandmother; a full chronology on the eldest child's case and a
        thinner one on each sibling's."""
        actor = crew.worker
        surname = self.fake.last_name()
        ethnicity = self.ethnicity()
        polish = ethnicity == Ethnicity.WHITE_OTHER and self.chance(0.6)
        language = "Polish" if polish else "English"
        children = min(children or self.rng.choice((1, 1, 2, 2, 3)), max(1, self.budget - 1))
        category = str(
            self.rng.choices(
                [CaseCategory.CHILD_IN_NEED, CaseCategory.CHILD_PROTECTION],
                weights=[60, 40],
            )[0]
        )
        closed_on: date | None = None
        if closed:
            closed_on = self.today - timedelta(days=self.rng.randint(60, 400))
            opened_on = closed_on - timedelta(days=self.rng.randint(300, 800))
        else:
            back = self.rng.choice((90, 180, 270, 400, 550, 800)) + self.rng.randint(0, 60)
            if years is not None:
                back = int(years * 365)
            opened_on = self.today - timedelta(days=back)
        eldest_age = self.rng.randint(14, 16) if teenager else self.rng.randint(3, 15)
        source, referral = REFERRALS[category]
        first = self.details(
            female=not teenager and self.chance(0.5),
            born=self.born(eldest_age, eldest_age),
            last_name=surname,
            ethnicity=ethnicity,
            language=language,
        )
        eldest, case = self.open_case(
            crew,
            first,
            category,
            opened_on,
            referral.format(name=first["first_name"], carer="his or her mother", school="school"),
        )
        mother = self.relative(
            crew,
            case,
            self.details(
                female=True,
                born=self.born(eldest_age + 19, eldest_age + 32),
                last_name=surname,
                ethnicity=ethnicity,
                language=language,
                interpreter=polish,
            ),
            RelationshipKind.MOTHER,
            responsibility=True,
        )
        household = Household(case=case, subject=eldest, carer=mother)
        moved_in = opened_on - timedelta(days=self.rng.randint(300, 1500))
        self.address(actor, eldest, ASHDOWN, moved_in)
        if polish:
            services.alert_add(
                actor=actor,
                person=eldest,
                kind=AlertKind.COMMUNICATION,
                description="Mother needs a Polish interpreter for every meeting; never a "
                "family member.",
            )
        if self.may_edit(actor, mother):
            self.address(actor, mother, ASHDOWN, moved_in)
            services.phone_add(
                actor=actor, person=mother, number=synthetic_phone(self.rng), label="Mobile"
            )
            if self.chance(0.4):
                email = f"{mother.first_name}.{surname}{self.rng.randint(1, 99)}@example.com"
                services.email_add(actor=actor, person=mother, email=email.lower(), label="Home")
        if self.chance(0.5):
            maiden = self.fake.last_name()
            if self.may_edit(actor, mother):
                services.person_name_add(
                    actor=actor,
                    person=mother,
                    kind=PersonName.Kind.BIRTH,
                    first_name=mother.first_name,
                    last_name=maiden,
                    used_to=opened_on - timedelta(days=self.rng.randint(800, 4000)),
                )
            if self.chance(0.6):
                self.historic(mother, maiden)
        if self.budget > children and self.chance(0.6):
            stepdad = self.chance(0.4)
            father = self.relative(
                crew,
                case,
                self.details(
                    female=False,
                    born=self.born(eldest_age + 20, eldest_age + 38),
                    last_name=self.fake.last_name() if stepdad else surname,
                    ethnicity=self.ethnicity() if stepdad else ethnicity,
                ),
                RelationshipKind.STEP_PARENT if stepdad else RelationshipKind.FATHER,
                role=ParticipantRole.HOUSEHOLD if stepdad else ParticipantRole.FAMILY,
                responsibility=not stepdad,
            )
            household.others.append(father)
            if self.may_edit(actor, father):
                self.address(actor, father, ASHDOWN, opened_on - timedelta(days=300))
            if self.chance(0.3):
                services.alert_add(
                    actor=actor,
                    person=eldest,
                    kind=AlertKind.RISK_TO_STAFF,
                    description=f"{father.first_name} {father.last_name} has been verbally "
                    "aggressive to staff at the home: visit in pairs and tell the duty desk "
                    "where you are.",
                )
        if self.budget > children and self.chance(0.3):
            nan = self.relative(
                crew,
                case,
                self.details(
                    female=True,
                    born=self.born(eldest_age + 45, eldest_age + 60),
                    last_name=self.fake.last_name(),
                    ethnicity=ethnicity,
                ),
                RelationshipKind.GRANDPARENT,
                role=ParticipantRole.OTHER,
            )
            household.others.append(nan)
        siblings: list[Household] = []
        for n in range(1, children):
            if self.budget <= 0:
                break
            age = max(0, eldest_age - 2 * n - self.rng.randint(0, 2))
            sibling, sibling_case = self.open_case(
                crew,
                self.details(
                    female=self.chance(0.5),
                    born=self.born(age, age),
                    last_name=surname,
                    ethnicity=ethnicity,
                    language=language,
                ),
                category,
                opened_on,
                f"Sibling of {eldest.first_name}: the same concerns.",
            )
            self.address(actor, sibling, ASHDOWN, max(moved_in, sibling.date_of_birth or moved_in))
            services.relationship_add(
                actor=actor, from_person=sibling, to_person=eldest, kind=RelationshipKind.SIBLING
            )
            services.relationship_add(
                actor=actor,
                from_person=mother,
                to_person=sibling,
                kind=RelationshipKind.MOTHER,
                is_parental_responsibility=True,
            )
            for relation in (eldest, mother, *household.others):
                services.case_participant_add(actor=actor, case=sibling_case, person=relation)
            services.case_participant_add(actor=actor, case=case, person=sibling)
            siblings.append(
                Household(case=sibling_case, subject=sibling, carer=mother, others=[eldest])
            )
            household.others.append(sibling)
        end = (closed_on - timedelta(days=1)) if closed_on else self.yesterday
        self.chronology(
            crew, household, CHILDREN, category, opened_on, end, depth=1.0, source=source
        )
        for sibling_household in siblings:
            self.chronology(
                crew,
                sibling_household,
                CHILDREN,
                category,
                opened_on,
                end,
                depth=0.12,
                source=source,
            )
        if closed_on and crew.manager:
            for closing in (case, *(s.case for s in siblings)):
                services.case_close(
                    actor=crew.manager,
                    case=closing,
                    closed_on=closed_on,
                    reason=ClosureReason.NEEDS_MET,
                )
        self.families.append((crew, household))
        return household

    # -- the chronology ---------------------------------------------------------------------

    def chronology(
        self,
        crew: Crew,
        household: Household,
        voice: Voice,
        category: str,
        start: date,
        end: date,
        *,
        depth: float,
        source: str,
        review_every: int = 91,
    ) -> None:
        """Items from the referral to ``end``, thinned by ``depth`` (1.0 for a main case)."""
        worker, manager = crew.worker, crew.manager
        case = household.case
        present = household.present()
        events: list[tuple[date, int, Callable[[date], None]]] = []

        def add(day: date, action: Callable[[date], None]) -> None:
            if start <= day <= end:
                events.append((day, len(events), action))

        def source_name(kind: str) -> str:
            return self.rng.choice(voice.sources.get(kind, (kind,)))

        def say(template: str) -> str:
            return self.words(template, household, worker, source=source_name(source))

        if category in REFERRALS:

            def referral(day: date) -> None:
                kind, text = REFERRALS[category]
                self.counted(
                    services.information_received_record(
                        actor=worker,
                        case=case,
                        source_organisation=source_name(kind),
                        method=InformationReceived.Method.PORTAL,
                        occurred_at=self.at(day),
                        title="Referral",
                        body=say(text),
                        is_sensitive=kind == "police",
                    )
                )

            add(start, referral)

        # Assessments: the first, a re-assessment each year, the latest one still in hand.
        def assess(status: str) -> Callable[[date], None]:
            def action(day: date) -> None:
                assessment = services.assessment_start(
                    actor=worker,
                    case=case,
                    assessment_type=voice.assessment_type,
                    sections=[{"heading": h, "text": say(t)} for h, t in voice.sections],
                    occurred_at=self.at(day),
                )
                self.counted(assessment)
                if status != AssessmentStatus.DRAFT:
                    assessment = services.assessment_submit(actor=worker, assessment=assessment)
                if status == AssessmentStatus.AUTHORISED and manager is not None:
                    assessment = services.assessment_authorise(actor=manager, assessment=assessment)
                    self.authorised.append(assessment)

            return action

        done = AssessmentStatus.AUTHORISED if manager else AssessmentStatus.SUBMITTED
        add(start + timedelta(days=2), assess(done))
        again = start + timedelta(days=365)
        while again < end - timedelta(days=60):
            add(again, assess(done))
            again += timedelta(days=365)
        if depth >= 1 and end >= self.yesterday and (end - start).days > 120:
            latest = self.rng.choice((AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED))
            add(end - timedelta(days=self.rng.randint(3, 20)), assess(latest))

        # The plan a month or so in, then its reviews.
        plan_start = start + timedelta(days=self.rng.randint(25, 45))
        plans: list[Plan] = []

        def plan(day: date) -> None:
            created = services.plan_record(
                actor=worker,
                case=case,
                plan_type=PLAN_TYPES.get(category, PlanType.CHILD_IN_NEED),
                starts_on=day,
                next_review_on=day + timedelta(days=review_every),
                body=say(voice.plan),
            )
            plans.append(created)
            self.counted(created)

        def review(day: date) -> None:
            if plans:
                self.counted(
                    services.review_record(
                        actor=manager or worker,
                        plan=plans[0],
                        occurred_at=self.at(day),
                        body=say(self.rng.choice(voice.reviews)),
                        next_review_on=day + timedelta(days=review_every),
                    )
                )

        add(plan_start, plan)
        day = plan_start + timedelta(days=review_every)
        while day <= end:
            add(day, review)
            day += timedelta(days=review_every)

        # Contacts, notes, information received and oversight, each at its own rhythm.
        kinds = list(voice.contacts)

        def contact(day: date) -> None:
            kind = self.rng.choices(kinds, weights=voice.contact_weights)[0]
            text = self.rng.choice(voice.contacts[kind])
            together = kind in {ContactType.HOME_VISIT, ContactType.MEETING}
            if kind in {ContactType.SCHOOL_VISIT, ContactType.INTERVENTION}:
                taking_part = [household.subject]
            elif together:
                taking_part = present
            else:
                taking_part = present[:2]
            seen_alone = None
            if kind == ContactType.SCHOOL_VISIT:
                seen_alone = True
            elif kind == ContactType.HOME_VISIT:
                seen_alone = "seen alone" in text or self.chance(0.5)
            self.counted(
                services.contact_record(
                    actor=worker,
                    case=case,
                    contact_type=kind,
                    occurred_at=self.at(day, 9, 19 if together else 17),
                    body=say(text),
                    title="Unannounced visit" if "Unannounced" in text else "",
                    location=voice.locations.get(kind, ""),
                    seen_alone=seen_alone,
                    participants=taking_part,
                ),
                worker,
            )

        def note(day: date) -> None:
            title, text = self.rng.choice(voice.notes)
            self.counted(
                services.note_record(
                    actor=worker,
                    case=case,
                    title=title,
                    body=say(text),
                    occurred_at=self.at(day),
                    note_type=NoteType.CASE_SUMMARY
                    if title == "Case summary"
                    else NoteType.CASE_NOTE,
                ),
                worker,
            )

        def oversight(day: date) -> None:
            if manager is not None:
                self.counted(
                    services.note_record(
                        actor=manager,
                        case=case,
                        title="Management oversight",
                        body=say(self.rng.choice(voice.oversight)),
                        occurred_at=self.at(day),
                        note_type=NoteType.MANAGEMENT_OVERSIGHT,
                    )
                )

        def information(day: date) -> None:
            kind, method, text = self.rng.choice(voice.information)
            # A police report names the adults at the address: third parties to the child.
            mentioned = [p for p in present[1:3] if kind == "police"]
            self.counted(
                services.information_received_record(
                    actor=worker,
                    case=case,
                    source_organisation=source_name(kind),
                    source_name=self.fake.name() if kind in {"school", "health"} else "",
                    method=method,
                    occurred_at=self.at(day),
                    body=say(text),
                    mentioned=mentioned,
                    is_sensitive=kind in {"police", "gp", "hospital"},
                )
            )

        def every(low: int, high: int, action: Callable[[date], None], first: int) -> None:
            stretch = 1 / max(depth, 0.05)
            day = start + timedelta(days=first)
            while day <= end:
                add(day, action)
                day += timedelta(days=max(1, int(self.rng.randint(low, high) * stretch)))

        every(20, 50, contact, self.rng.randint(3, 8))
        every(60, 120, note, self.rng.randint(10, 30))
        every(90, 180, information, self.rng.randint(20, 60))
        if manager is not None and voice.oversight and depth >= 1:
            every(80, 120, oversight, self.rng.randint(30, 60))

        for day, _, action in sorted(events, key=lambda e: (e[0], e[1])):
            action(day)

    # -- the particular people --------------------------------------------------------------

    def youth_justice_case(self, household: Household) -> None:
        """A referral order for a teenager the North team already knows. The youth justice
        case has no participants: gus sees the young person, not the family."""
        gus = self.youth_justice.worker
        young_person = household.subject
        opened_on = self.today - timedelta(days=self.rng.randint(150, 260))
        # The North worker, who knows the young person, refers them to youth justice: gus
        # cannot see the North case, and opening a case never widens what anyone sees.
        referrer = (
            Allocation.objects.current().filter(case=household.case).earliest("starts_on").worker
        )
        case = services.case_open(
            actor=referrer,
            person=young_person,
            team=self.youth_justice.team,
            category=CaseCategory.YJ_REFERRAL_ORDER,
            opened_on=opened_on,
            referral_reason="Referral order (nine months) made by the youth court for theft.",
        )
        services.case_allocate(actor=gus, case=case, worker=gus, starts_on=opened_on)
        self.counts["cases"] += 1
        self.counted(
            services.information_received_record(
                actor=gus,
                case=case,
                source_organisation="Ashdown Youth Court",
                method=InformationReceived.Method.EMAIL,
                occurred_at=self.at(opened_on),
                title="Referral order and court record",
                body="Referral order of nine months for theft from a shop (goods worth £48). "
                "Pre-sentence report accepted. Previous: a community resolution last year.",
                is_sensitive=True,
            )
        )
        self.counted(
            services.information_received_record(
                actor=gus,
                case=case,
                source_organisation="Ashdown Police, Youth Justice Liaison",
                method=InformationReceived.Method.PORTAL,
                occurred_at=self.at(opened_on + timedelta(days=2)),
                title="Victim's details and wishes",
                body="The victim (the shop's manager) would like a letter of apology and does "
                "not want to meet. Contact only through the restorative justice worker.",
                is_sensitive=True,
            )
        )
        self.chronology(
            self.youth_justice,
            Household(case=case, subject=young_person, carer=household.carer),
            YOUTH,
            CaseCategory.YJ_REFERRAL_ORDER,
            opened_on + timedelta(days=3),
            self.yesterday,
            depth=0.8,
            source="police",
            review_every=90,
        )

    def youth_justice_only(self) -> None:
        """A young person known only to Youth Justice, and his father."""
        if self.budget < 2:
            return
        crew = self.youth_justice
        surname = self.fake.last_name()
        ethnicity = self.ethnicity()
        opened_on = self.today - timedelta(days=self.rng.randint(60, 150))
        person, case = self.open_case(
            crew,
            self.details(
                female=False, born=self.born(16, 16), last_name=surname, ethnicity=ethnicity
            ),
            CaseCategory.YJ_OUT_OF_COURT,
            opened_on,
            "Youth conditional caution for possession of cannabis.",
        )
        father = self.relative(
            crew,
            case,
            self.details(
                female=False, born=self.born(42, 50), last_name=surname, ethnicity=ethnicity
            ),
            RelationshipKind.FATHER,
            responsibility=True,
        )
        for someone in (person, father):
            if self.may_edit(crew.worker, someone):
                self.address(crew.worker, someone, ASHDOWN, opened_on - timedelta(days=2000))
        self.chronology(
            crew,
            Household(case=case, subject=person, carer=father),
            YOUTH,
            CaseCategory.YJ_OUT_OF_COURT,
            opened_on,
            self.yesterday,
            depth=0.7,
            source="police",
            review_every=60,
        )

    def adult(self) -> None:
        """An older woman in Brambley with care and support needs, and the daughter who cares."""
        if self.budget < 1:
            return
        crew = self.adults
        hal = crew.worker
        opened_on = self.today - timedelta(days=self.rng.randint(500, 900))
        person, case = self.open_case(
            crew,
            self.details(
                female=True,
                born=self.born(82, 90),
                last_name=self.fake.last_name(),
                ethnicity=Ethnicity.WHITE_BRITISH,
            ),
            CaseCategory.ADULT_CARE,
            opened_on,
            "Hospital discharge after a fall at home; lives alone.",
        )
        self.address(hal, person, BRAMBLEY, opened_on - timedelta(days=15000))
        services.alert_add(
            actor=hal,
            person=person,
            kind=AlertKind.COMMUNICATION,
            description="Hard of hearing: face her and speak clearly; hearing aid in the left ear.",
        )
        carer = None
        if self.budget >= 1:
            carer = self.relative(
                crew,
                case,
                self.details(
                    female=True,
                    born=self.born(52, 58),
                    last_name=self.fake.last_name(),
                    ethnicity=Ethnicity.WHITE_BRITISH,
                ),
                RelationshipKind.CARER,
                role=ParticipantRole.CARER,
            )
            if self.may_edit(hal, carer):
                self.address(hal, carer, BRAMBLEY, opened_on - timedelta(days=4000))
                services.phone_add(
                    actor=hal, person=carer, number=synthetic_phone(self.rng), label="Mobile"
                )
        household = Household(case=case, subject=person, carer=carer)
        self.counted(
            services.information_received_record(
                actor=hal,
                case=case,
                source_organisation="Brambley General Hospital, discharge team",
                method=InformationReceived.Method.EMAIL,
                occurred_at=self.at(opened_on),
                title="Hospital discharge summary",
                body="Admitted after a fall at home (fractured wrist). Mobility reduced; needs "
                "help with personal care on discharge. Lives alone; her daughter lives nearby.",
                is_sensitive=True,
            )
        )
        self.chronology(
            crew,
            household,
            ADULT,
            CaseCategory.ADULT_CARE,
            opened_on + timedelta(days=1),
            self.yesterday,
            depth=0.5,
            source="gp",
            review_every=182,
        )
        if carer is not None:
            self.counted(
                services.assessment_start(
                    actor=hal,
                    case=case,
                    assessment_type=AssessmentType.CARERS,
                    title=f"Carer's assessment: {carer.first_name} {carer.last_name}",
                    sections=[
                        {"heading": h, "text": self.words(t, household, hal)}
                        for h, t in CARERS_SECTIONS
                    ],
                    occurred_at=self.at(opened_on + timedelta(days=60)),
                )
            )

    def restricted_family(self) -> None:
        """A North child who is a relative of a member of staff: cara works the case herself
        and restricts the record, so the rest of her team sees nothing of the family."""
        cara = self.north.manager
        if self.budget < 1 or cara is None:
            return
        crew = Crew(self.north.team, worker=cara)
        surname = self.fake.last_name()
        opened_on = self.today - timedelta(days=self.rng.randint(200, 400))
        child, case = self.open_case(
            crew,
            self.details(
                female=True,
                born=self.born(11, 12),
                last_name=surname,
                ethnicity=Ethnicity.WHITE_BRITISH,
            ),
            CaseCategory.CHILD_IN_NEED,
            opened_on,
            "Referral from school about self-harm. A parent works for the council.",
        )
        mother = None
        if self.budget >= 1:
            mother = self.relative(
                crew,
                case,
                self.details(
                    female=True,
                    born=self.born(38, 44),
                    last_name=surname,
                    ethnicity=Ethnicity.WHITE_BRITISH,
                ),
                RelationshipKind.MOTHER,
                responsibility=True,
            )
        services.person_restrict(actor=cara, person=child, reason=RestrictionReason.STAFF_RELATIVE)
        self.chronology(
            crew,
            Household(case=case, subject=child, carer=mother),
            CHILDREN,
            CaseCategory.CHILD_IN_NEED,
            opened_on,
            self.yesterday,
            depth=0.4,
            source="school",
        )

    def shelf(self) -> str:
        return f"Offsite store, bay {self.rng.randint(1, 40)}, shelf {self.rng.choice('ABCDEF')}"

    def historic(self, person: Person, last_name: str) -> None:
        """An index card for an older paper file: a parent who was looked after as a child,
        filed under her birth name, with the name she uses now noted."""
        born = person.date_of_birth or self.born(30, 40)
        start = born + timedelta(days=self.rng.randint(4 * 365, 12 * 365))
        start = min(start, self.today - timedelta(days=3650))
        services.historic_record_add(
            actor=self.staff["dan"],
            first_name=person.first_name,
            last_name=last_name,
            other_names=person.last_name if person.last_name != last_name else "",
            date_of_birth=born,
            service=Service.CHILDRENS_SOCIAL_CARE,
            involvement_from=start,
            involvement_to=start + timedelta(days=self.rng.randint(200, 2000)),
            box_reference=f"ASH-CSC-{start.year}-{self.rng.randint(1, 999):04d}",
            location=self.shelf(),
            notes="Looked-after child. Paper file, not scanned.",
        )
        self.counts["historic_records"] += 1

    def historic_strangers(self, count: int) -> None:
        """Index cards for people with no current record: old files nobody has asked for."""
        for _ in range(count):
            female = self.chance(0.5)
            first = self.fake.first_name_female() if female else self.fake.first_name_male()
            born = self.born(25, 70)
            start = born + timedelta(days=self.rng.randint(2 * 365, 14 * 365))
            start = min(start, self.today - timedelta(days=4000))
            adoption = self.chance(0.3)
            services.historic_record_add(
                actor=self.staff["dan"],
                first_name=first,
                last_name=self.fake.last_name(),
                other_names=self.fake.last_name() if self.chance(0.3) else "",
                date_of_birth=born,
                service=Service.ADOPTION if adoption else Service.CHILDRENS_SOCIAL_CARE,
                involvement_from=start,
                involvement_to=start + timedelta(days=self.rng.randint(100, 3000)),
                box_reference=f"ASH-{'ADP' if adoption else 'CSC'}-{start.year}-"
                f"{self.rng.randint(1, 999):04d}",
                location=self.shelf(),
            )
            self.counts["historic_records"] += 1

    # -- corrections and letters ------------------------------------------------------------

    def corrections(self) -> None:
        """Amendments with reasons, an item entered in error, a statement of disagreement and
        two letters kept as PDF documents."""
        amy, ben, cara = self.staff["amy"], self.staff["ben"], self.staff["cara"]
        amys, bens = self.worked["amy"], self.worked["ben"]
        for actor, target in ((amy, amys[0:1]), (amy, amys[6:7]), (ben, bens[0:1])):
            for item in target:
                services.item_amend(
                    actor=actor,
                    item=item,
                    changes={"body": item.body + " The visit lasted about an hour."},
                    reason="Added how long the visit lasted, which I had left out.",
                )
        for item in amys[12:13]:
            services.item_amend(
                actor=cara,
                item=item,
                changes={"occurred_at": item.occurred_at - timedelta(days=1)},
                reason="Recorded against the wrong day: this happened the day before.",
            )
        for item in amys[3:4]:
            services.item_mark_entered_in_error(
                actor=cara,
                item=item,
                reason="Recorded on the wrong child's file; re-recorded on the sibling's record.",
            )
        north = [a for a in self.authorised if a.case.team_id == self.north.team.pk]
        for assessment in north[:1]:
            mother = (
                CaseParticipant.objects.filter(case_id=assessment.case_id, role="family")
                .select_related("person")
                .first()
            )
            who = mother.person.full_name if mother else "The child's mother"
            services.disagreement_attach(
                actor=amy,
                item=assessment,
                statement="I do not agree that the house was dirty. I had been in hospital that "
                "week and my sister was looking after the children. The flat was cleaned the "
                "day after the visit, and I asked for another visit, which did not happen.",
                made_by=f"{who} (the child's mother)",
                received_on=min(
                    timezone.localtime(assessment.occurred_at).date() + timedelta(days=30),
                    self.yesterday,
                ),
            )
        open_families = [(c, h) for c, h in self.families if h.case.closed_on is None]
        for (crew, household), (title, lines) in zip(open_families, LETTERS, strict=False):
            carer = household.carer.first_name if household.carer else "Parent"
            pdf = tiny_pdf(
                [
                    line.format(
                        carer=carer,
                        name=household.subject.first_name,
                        worker=crew.worker.get_full_name(),
                    )
                    for line in lines
                ]
            )
            upload = SimpleUploadedFile(
                f"{title.lower().replace(' ', '-')}.pdf", pdf, content_type="application/pdf"
            )
            self.counted(
                services.document_upload(
                    actor=crew.worker,
                    case=household.case,
                    file=upload,
                    document_type=DocumentType.LETTER,
                    title=title,
                    occurred_at=self.at(self.today - timedelta(days=self.rng.randint(5, 40))),
                )
            )

    def build(self) -> dict[str, int]:
        # The two families a demo opens first: the longest chronologies, with siblings.
        first_north = self.family(self.north, teenager=True, children=3, years=4.5)
        self.youth_justice_case(first_north)
        self.family(self.south, children=2, years=3.2)
        self.restricted_family()
        self.adult()
        self.youth_justice_only()
        turn = 0
        while self.budget >= 2:
            crew = self.north if turn % 2 == 0 else self.south
            self.family(crew, closed=crew is self.north and turn % 6 == 4)
            turn += 1
        self.corrections()
        self.historic_strangers(max(3, self.counts["people"] // 8))
        return self.counts


def demo_people() -> QuerySet[Person]:
    """The people the demo staff recorded: what a second load finds and leaves alone."""
    return Person.objects.filter(created_by__username__in=AUTHORS)


def load_demo_people(*, people: int = DEFAULT_PEOPLE, seed: int = SEED) -> dict[str, int]:
    """Create about ``people`` demo people with their cases and chronologies, once.

    When demo people already exist nothing is added (``created`` is 0), so loading the demo
    twice does not duplicate anyone."""
    if settings.PRODUCTION:
        raise ApplicationError("Demo data cannot be loaded in production.")
    existing = demo_people()
    if people <= 0 or existing.exists():
        return {
            "people": existing.count(),
            "cases": Case.objects.filter(person__in=existing).count(),
            "items": Item.objects.filter(person__in=existing).count(),
            "historic_records": 0,
            "created": 0,
        }
    counts = DemoBuilder(people=people, seed=seed).build()
    return {**counts, "created": 1}
