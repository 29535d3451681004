"""Factories for staff, teams and organisations. All names are synthetic (Faker)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organisation, Service, Team, User
from accounts.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Borough Council {n}")
    kind = Organisation.Kind.COUNCIL


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    service = Service.CHILDRENS_SOCIAL_CARE
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    job_title = "Social worker"

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


def staff_member(*, role: Role, team: Team, **kwargs: object) -> User:
    """A user holding `role` in `team`, with groups synced as the services would."""
    from accounts.services import membership_add

    user = UserFactory(**kwargs)
    membership_add(actor=None, user=user, team=team, role=role)
    user.refresh_from_db()
    return user


__all__ = ["Membership", "OrganisationFactory", "TeamFactory", "UserFactory", "staff_member"]
