"""Organisations (data controllers, shared services, processors), teams, staff and their roles."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role


class Nation(models.TextChoices):
    """UK nations whose bank holidays a statutory clock skips."""

    ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class ClockRegime(models.TextChoices):
    UK_GDPR = "uk-gdpr", "UK GDPR (one calendar month)"
    CALENDAR_DAYS_30 = "calendar-days-30", "30 calendar days (local policy)"
    DPA_1998 = "dpa-1998", "Data Protection Act 1998 (40 days, historic)"


class Service(models.TextChoices):
    """The services a case can belong to and a team can provide (DOMAIN.md §1)."""

    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    EARLY_HELP = "early_help", "Early help / family hub"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    ADOPTION = "adoption", "Adoption"
    FOSTERING = "fostering", "Fostering"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    CARERS = "carers", "Carers' support"
    FINANCE = "finance", "Social care finance and direct payments"
    RECORDS_ACCESS = "records_access", "Records access (rights requests)"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"


# Services whose teams hold case records; the others are corporate functions.
CASE_SERVICES = frozenset(
    {
        Service.CHILDRENS_SOCIAL_CARE,
        Service.EARLY_HELP,
        Service.YOUTH_JUSTICE,
        Service.ADOPTION,
        Service.FOSTERING,
        Service.OCCUPATIONAL_THERAPY,
        Service.HEALTH_VISITING,
        Service.SCHOOL_NURSING,
        Service.ADULT_SOCIAL_CARE,
        Service.CARERS,
        Service.FINANCE,
    }
)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council (data controller)"
        SHARED_SERVICE = "shared_service", "Shared service (acts for several councils)"
        PROCESSOR = "processor", "Processor acting for a council"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COUNCIL)
    nation = models.CharField(
        max_length=20,
        choices=Nation.choices,
        default=Nation.ENGLAND_AND_WALES,
        help_text="Whose bank holidays the rights-request clocks skip.",
    )
    clock_regime = models.CharField(
        max_length=20,
        choices=ClockRegime.choices,
        default=ClockRegime.UK_GDPR,
        help_text="How this organisation's rights-request due dates are computed.",
    )
    acts_for = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="served_by",
        help_text="For a shared service or processor: the councils it acts for.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_controller(self) -> bool:
        return self.kind == self.Kind.COUNCIL


class Team(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    service = models.CharField(max_length=40, choices=Service.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text="The organisation that employs the team.",
    )
    acts_for = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="served_by_teams",
        help_text=(
            "Councils whose records this team works on besides its own organisation's: a shared "
            "adoption service acts for each borough it serves; a processor's team for the "
            "council that contracted it."
        ),
    )
    shares_caseload = models.BooleanField(
        default=True,
        help_text="Members may see the cases the team holds, not only the ones allocated to them.",
    )
    is_active = models.BooleanField(default=True)
    caseload_group = models.OneToOneField(
        Group,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="caseload_team",
        help_text="Holds the team's object permissions on the cases it holds.",
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def served_organisation_ids(self) -> set[int]:
        """The controllers whose records this team may work on (policy still decides which)."""
        ids = set(self.acts_for.values_list("id", flat=True))
        if self.organisation.is_controller:
            ids.add(self.organisation_id)
        return ids


class User(AbstractUser):
    """A member of staff. Sign-in name is `username`; people are called by their full name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    job_title = models.CharField(max_length=200, blank=True)
    left_on = models.DateField(
        null=True, blank=True, help_text="Leaving date: the account stops working after it."
    )
    # Privacy monitoring compares these with the records staff open (their own, a relative's,
    # a neighbour's). Kept by HR on the admin site; never shown to other staff.
    date_of_birth = models.DateField(null=True, blank=True)
    home_address_line_1 = models.CharField(max_length=200, blank=True)
    home_postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def has_left(self) -> bool:
        return self.left_on is not None and self.left_on < timezone.localdate()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Membership(models.Model):
    """A user holds a role in a team, from a date, possibly until a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role", "starts_on"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.team}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a digest is stored; the token is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    verified_mfa = models.BooleanField(
        default=False, help_text="Issued after a one-time code was checked."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_usable(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now  # type: ignore[operator]
