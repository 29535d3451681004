"""Demo rights requests in every state, a year of closed ones for the performance chart, and
a data protection complaint. Everything goes through ``access_requests.services`` as the demo
records-access officers dan and ria; requesters are invented (Faker, en_GB) or the demo people
themselves. Never in production."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from access_requests import services
from access_requests.disclosure import bundle_build
from access_requests.models import AccessRequest, CollectedItem, Decision, Redaction
from accounts.models import Organisation, User
from core.errors import ApplicationError
from records.models import Person

SEED = 2018  # the year the Data Protection Act came into force


def _people(council: Organisation) -> list[Person]:
    """Unrestricted demo children with a children's case: those with the shortest files that
    still hold a few entries, so the demo reviews stay quick to load and to read."""
    return list(
        Person.objects.filter(
            organisation=council,
            is_restricted=False,
            cases__service="childrens_social_care",
        )
        .annotate(entries=Count("cases__items", distinct=True))
        .filter(entries__gte=5)
        .order_by("entries", "pk")[:6]
    )


def _log(
    dan: User, council: Organisation, person: Person | None, days_ago: int, **extra: Any
) -> AccessRequest:
    today = timezone.localdate()
    name = person.full_name if person else extra.pop("subject_name")
    fields: dict[str, Any] = {
        "request_type": "access",
        "channel": "letter",
        "received_on": today - timedelta(days=days_ago),
        "requester_name": name,
        "relationship": "self",
        "subject_name": name,
        "subject_date_of_birth": person.date_of_birth if person else None,
        "description": "Please send me a copy of everything you hold about me.",
        **extra,
    }
    return services.access_request_log(actor=dan, organisation=council, **fields)


def _collect(dan: User, request: AccessRequest, person: Person) -> None:
    services.access_request_assign(actor=dan, request=request, officer=dan)
    services.access_request_subject_link(actor=dan, request=request, person=person)
    services.access_request_collect(actor=dan, request=request)


def _review(dan: User, request: AccessRequest, *, share: float = 1.0) -> None:
    """Review the first ``share`` of the items: accept every proposal; withhold one police
    item under crime prevention."""
    items = list(CollectedItem.objects.filter(request=request).order_by("occurred_at", "pk"))
    for item in items[: round(len(items) * share)]:
        for row in item.redactions.filter(status=Redaction.Status.PROPOSED):
            services.redaction_decide(actor=dan, redaction_row=row, accept=True)
        if "police" in item.source_label.lower() or "Police" in item.text[:200]:
            services.collected_item_review(
                actor=dan,
                item=item,
                decision=Decision.WITHHOLD,
                exemption="S2P1-2",
                note="Information from the police about an ongoing investigation.",
            )
            continue
        redacted = item.redactions.filter(status=Redaction.Status.ACCEPTED).exists()
        services.collected_item_review(
            actor=dan, item=item, decision=Decision.REDACT if redacted else Decision.DISCLOSE
        )


def _closed_history(dan: User, council: Organisation, fake: Faker, rng: random.Random) -> None:
    """About two closed requests a month for the last year: mostly in time, a few late, some
    extended or paused, so the performance chart has something to say."""
    today = timezone.localdate()
    kinds = ("correction", "erasure", "objection", "restriction")
    for n in range(22):
        received = today - timedelta(days=30 + n * 15 + rng.randint(0, 6))
        name = fake.name()
        request = services.access_request_log(
            actor=dan,
            organisation=council,
            request_type=kinds[n % len(kinds)],
            channel=rng.choice(["letter", "email"]),
            received_on=received,
            requester_name=name,
            relationship="self",
            subject_name=name,
            description="Please correct the spelling of my name and my date of birth.",
        )
        if n % 7 == 3:
            services.access_request_pause(
                actor=dan,
                request=request,
                asked_on=received + timedelta(days=3),
                question="Which record do you mean?",
            )
            services.access_request_resume(
                actor=dan, request=request, received_on=received + timedelta(days=8)
            )
        if n % 9 == 5:
            services.access_request_extend(
                actor=dan,
                request=request,
                told_on=received + timedelta(days=10),
                reason="Records held by three services over twenty years.",
            )
        request.refresh_from_db()
        if request.due_on is None:
            raise ApplicationError("A demo request's clock did not start.")
        late = n % 6 == 1
        sent = (
            request.due_on + timedelta(days=rng.randint(1, 9))
            if late
            else (request.due_on - timedelta(days=rng.randint(0, 12)))
        )
        sent = min(max(sent, received), today)
        services.access_request_close(
            actor=dan,
            request=request,
            outcome="completed" if n % 5 else "refused",
            reasons=""
            if n % 5
            else "The record is accurate; a statement of disagreement has been offered.",
            sent_on=sent,
        )


def load_demo_requests(*, seed: int = SEED) -> int:
    """Load once; returns how many requests were made (0 when already there)."""
    if settings.PRODUCTION:
        raise ApplicationError("Demo data cannot be loaded in production.")
    if AccessRequest.objects.exists():
        return 0
    dan = User.objects.get(username="dan")
    ria = User.objects.get(username="ria")
    council = Organisation.objects.get(short_name="Ashdown")
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 - invented data
    people = _people(council)
    if len(people) < 4:
        return 0
    today = timezone.localdate()

    # A web-form request waiting for triage.
    web_name = fake.name()
    services.access_request_submit_public(
        organisation=council,
        request_type="access",
        requester_name=web_name,
        requester_email="requests@example.com",
        relationship="self",
        subject_name=web_name,
        subject_date_of_birth=date(1994, 3, 14),
        description="I was in foster care from 2001 to 2008. Please send me my care records.",
    )
    # A solicitor waiting for the client's signed authority.
    solicitor = _log(
        dan,
        council,
        people[3],
        6,
        requester_name="Harwood & Lane Solicitors",
        requester_email="records@example.com",
        relationship="solicitor",
        channel="email",
        identity_required=True,
    )
    services.access_request_assign(actor=dan, request=solicitor, officer=dan)
    services.access_request_identity_verify(
        actor=dan,
        request=solicitor,
        received_on=today - timedelta(days=4),
        method="solicitor_letter",
    )
    # A parent asking for a young child's file, half reviewed.
    child = people[0]
    parent = _log(
        dan,
        council,
        child,
        18,
        requester_name=fake.name(),
        relationship="parent",
        child_basis="lacks_understanding",
        description="I want to see what social services wrote about my child.",
    )
    services.access_request_authority_verify(
        actor=dan,
        request=parent,
        received_on=today - timedelta(days=16),
        method="court_order",
        notes="Birth certificate naming the parent seen.",
    )
    _collect(dan, parent, child)
    _review(dan, parent, share=0.5)
    # A request paused while the requester says which years they mean.
    paused = _log(dan, council, people[1], 12)
    services.access_request_assign(actor=dan, request=paused, officer=dan)
    services.access_request_pause(
        actor=dan,
        request=paused,
        asked_on=today - timedelta(days=5),
        question="Which years of your records would you like?",
    )
    # Fully reviewed and waiting for a second officer (ria) to approve.
    waiting = _log(dan, council, people[2], 24)
    _collect(dan, waiting, people[2])
    _review(dan, waiting)
    services.access_request_submit_for_approval(actor=dan, request=waiting)
    # Approved by ria, bundle produced: dan sends it.
    ready = _log(dan, council, people[3], 27, channel="email")
    _collect(dan, ready, people[3])
    _review(dan, ready)
    services.access_request_submit_for_approval(actor=dan, request=ready)
    services.access_request_approve(actor=ria, request=ready)
    bundle = services.bundle_request(actor=dan, request=ready)
    bundle_build(bundle_id=bundle.pk)
    # A large request, extended within the first month.
    extended = _log(
        dan,
        council,
        None,
        20,
        subject_name=fake.name(),
        description="Everything from 1990 onwards, including adoption records.",
    )
    services.access_request_assign(actor=ria, request=extended, officer=ria)
    services.access_request_extend(
        actor=ria,
        request=extended,
        told_on=today - timedelta(days=15),
        reason="Paper records from four services need retrieving from the off-site store.",
    )
    _closed_history(dan, council, fake, rng)
    # A complaint about how information was used, not yet acknowledged.
    services.complaint_log(
        actor=dan,
        organisation=council,
        channel="email",
        received_on=today - timedelta(days=24),
        person=people[1],
        complainant_name=people[1].full_name,
        complainant_email="complaints@example.com",
        description="My new address was sent to my former partner's solicitor.",
    )
    return AccessRequest.objects.count()
