"""Synthetic people, cases and items for tests. Every name and number is invented (Faker)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Organisation, Team, User
from records import services
from records.demo import synthetic_nhs_number as demo_nhs_number
from records.models import Case, CaseCategory, Person, PersonName


def synthetic_nhs_number(rng: random.Random | None = None) -> str:
    """A valid-looking NHS number in the 999 range, which the NHS never issues to patients."""
    return demo_nhs_number(rng or random.Random())  # noqa: S311 - test data, not security


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=17)
    gender = "not_known"
    organisation = factory.SubFactory("accounts.tests.factories.OrganisationFactory")

    @factory.post_generation
    def current_name(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            PersonName.objects.create(
                person=self,
                kind=PersonName.Kind.CURRENT,
                first_name=self.first_name,
                last_name=self.last_name,
            )


def open_case(
    *,
    team: Team,
    worker: User | None = None,
    manager: User | None = None,
    person: Person | None = None,
    category: str = CaseCategory.CHILD_IN_NEED,
    opened_on: date | None = None,
    organisation: Organisation | None = None,
    **person_fields: Any,
) -> Case:
    """A case held by ``team`` for a new person (or a person the actor already works with),
    allocated to ``worker`` if given.

    Opened through the services, so the need-to-know grants are exactly what they would be.
    ``manager`` (or ``worker``) must hold a case-working role in ``team``."""
    actor = manager or worker
    assert actor is not None, "open_case needs a worker or a manager of the team"
    opened_on = opened_on or timezone.localdate() - timedelta(days=90)
    if person is None:
        made = PersonFactory.build()
        details = {
            "first_name": made.first_name,
            "last_name": made.last_name,
            "date_of_birth": made.date_of_birth,
            **person_fields,
        }
        _, case = services.person_create(
            actor=actor,
            details=details,
            team=team,
            category=category,
            opened_on=opened_on,
            allocate=False,
            organisation=organisation,
        )
    else:
        case = services.case_open(
            actor=actor, person=person, team=team, category=category, opened_on=opened_on
        )
    if worker is not None:
        services.case_allocate(actor=actor, case=case, worker=worker, starts_on=case.opened_on)
    return case


TINY_PDF = b"%PDF-1.4\n%%EOF\n"


def document_plan_and_assessment(
    *, actor: User, case: Case, body: str = "Weekly visits."
) -> tuple[Any, Any, Any]:
    """A letter, a child-in-need plan and a submitted assessment on the case, recorded by
    ``actor`` through the services: the items most pages and endpoints are tried on."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = services.document_upload(
        actor=actor,
        case=case,
        file=SimpleUploadedFile("letter.pdf", TINY_PDF),
        document_type="letter",
        title="Letter",
    )
    plan = services.plan_record(
        actor=actor,
        case=case,
        plan_type="child_in_need",
        starts_on=case.opened_on,
        next_review_on=None,
        body=body,
    )
    assessment = services.assessment_start(
        actor=actor,
        case=case,
        assessment_type="child_and_family",
        sections=[{"heading": "Needs", "text": "Some."}],
    )
    services.assessment_submit(actor=actor, assessment=assessment)
    return document, plan, assessment
