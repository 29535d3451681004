"""Demo organisations, teams and staff for the embedded default. Idempotent; never in production.

Every name here is invented. ``records.demo`` adds the people, their cases and chronologies.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Membership, Organisation, Service, Team, User
from accounts.roles import Role
from accounts.services import membership_add, user_sync_roles
from core.errors import ApplicationError

ASHDOWN = "Ashdown Borough Council"
BRAMBLEY = "Brambley Borough Council"
CARERS_TRUST = "Brambley Carers Together"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple[tuple[str, Role], ...]  # (team name, role)


TEAMS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # name, service, employing organisation, also acts for
    ("Children's Team North", Service.CHILDRENS_SOCIAL_CARE, ASHDOWN, ()),
    ("Children's Team South", Service.CHILDRENS_SOCIAL_CARE, ASHDOWN, ()),
    ("Youth Justice", Service.YOUTH_JUSTICE, ASHDOWN, ()),
    ("Adult Social Care", Service.ADULT_SOCIAL_CARE, BRAMBLEY, ()),
    ("Records Access", Service.RECORDS_ACCESS, ASHDOWN, ()),
    ("Information Governance", Service.INFORMATION_GOVERNANCE, ASHDOWN, ()),
    ("Adoption Together", Service.ADOPTION, ASHDOWN, (ASHDOWN, BRAMBLEY)),
    ("Carers' Assessments", Service.CARERS, CARERS_TRUST, (BRAMBLEY,)),
)

USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "amy", "Amy", "Okafor", "Social worker", (("Children's Team North", Role.PRACTITIONER),)
    ),
    DemoUser(
        "ben", "Ben", "Hartley", "Social worker", (("Children's Team South", Role.PRACTITIONER),)
    ),
    DemoUser(
        "cara", "Cara", "Lindqvist", "Team manager", (("Children's Team North", Role.TEAM_MANAGER),)
    ),
    DemoUser(
        "gus", "Gus", "Mendes", "Youth justice officer", (("Youth Justice", Role.PRACTITIONER),)
    ),
    DemoUser(
        "hal",
        "Hal",
        "Brennan",
        "Social worker (adults)",
        (("Adult Social Care", Role.PRACTITIONER),),
    ),
    DemoUser(
        "dan",
        "Dan",
        "Achebe",
        "Records-access officer",
        (("Records Access", Role.RECORDS_ACCESS_OFFICER),),
    ),
    DemoUser(
        "ria",
        "Ria",
        "Desai",
        "Senior records-access officer",
        (("Records Access", Role.RECORDS_ACCESS_OFFICER),),
    ),
    DemoUser(
        "eve",
        "Eve",
        "Marchetti",
        "Caldicott guardian",
        (("Information Governance", Role.CALDICOTT_GUARDIAN),),
    ),
    DemoUser(
        "fay",
        "Fay",
        "Robertson",
        "Records manager",
        (
            ("Information Governance", Role.RECORDS_MANAGER),
            ("Information Governance", Role.SYSTEM_ADMIN),
        ),
    ),
    # A second records manager: a disposal batch needs two different approvers.
    DemoUser(
        "rosa",
        "Rosa",
        "Whitfield",
        "Records officer",
        (("Information Governance", Role.RECORDS_MANAGER),),
    ),
)


def _organisations() -> dict[str, Organisation]:
    orgs = {}
    for name, short, kind in (
        (ASHDOWN, "Ashdown", Organisation.Kind.COUNCIL),
        (BRAMBLEY, "Brambley", Organisation.Kind.COUNCIL),
        (CARERS_TRUST, "Carers Together", Organisation.Kind.PROCESSOR),
    ):
        org, _ = Organisation.objects.update_or_create(
            name=name, defaults={"short_name": short, "kind": kind}
        )
        orgs[name] = org
    orgs[CARERS_TRUST].acts_for.set([orgs[BRAMBLEY]])
    return orgs


@transaction.atomic
def load_demo(*, people: int | None = None) -> dict[str, int]:
    """Organisations, teams and staff, then about ``people`` demo people (default 60) with
    their cases and chronologies (``records.demo``), a month of audit activity, a year of
    sharing with partner agencies, the rights requests and Ashdown's retention round (records
    due, held and disposed of). Each part is loaded once."""
    from records.demo import DEFAULT_PEOPLE, load_demo_people

    if settings.PRODUCTION:
        raise ApplicationError("Demo data cannot be loaded in production.")
    orgs = _organisations()
    teams: dict[str, Team] = {}
    for name, service, org_name, acts_for in TEAMS:
        team, _ = Team.objects.update_or_create(
            organisation=orgs[org_name], name=name, defaults={"service": service}
        )
        team.acts_for.set([orgs[n] for n in acts_for])
        teams[name] = team
    for spec in USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "job_title": spec.job_title,
                "email": f"{spec.username}@example.invalid",
            },
        )
        if created or not user.check_password(settings.CAREFILE_DEMO_PASSWORD):
            user.set_password(settings.CAREFILE_DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for team_name, role in spec.roles:
            team = teams[team_name]
            if not Membership.objects.current().filter(user=user, team=team, role=role).exists():
                membership_add(actor=None, user=user, team=team, role=role)
        user_sync_roles(user=user)
    records = load_demo_people(people=DEFAULT_PEOPLE if people is None else people)
    if records["created"]:
        from audit.demo import load_demo_activity

        load_demo_activity()
        from sharing.demo import load_demo_sharing

        # Before the requests, so the subject access requests collect consents and sharings.
        load_demo_sharing()
        from access_requests.demo import load_demo_requests

        load_demo_requests()
        from retention.demo import load_demo_retention

        # Last: its disposal destroys records, and its proposals look at everything before.
        load_demo_retention()
    return {
        "organisations": len(orgs),
        "teams": len(teams),
        "users": len(USERS),
        **{f"record_{name}": count for name, count in records.items()},
    }
