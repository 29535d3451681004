"""Case records: people, their relationships, cases, and the items in each case's chronology.

Every person, case and item has a controlling organisation (the data controller). Items are
never edited in place: each change is a numbered revision with a reason, and the item's own
fields always equal its latest revision. Who may see what is decided in ``records.policies``
from the object-permission tables at the end of this module.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import pgtrigger
from django.conf import settings
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import Organisation, Service, Team
from records.identifiers import format_nhs_number, format_ni_number

# --- Choices ---------------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other (self-described)"
    NOT_KNOWN = "not_known", "Not known"
    NOT_STATED = "not_stated", "Prefers not to say"


class Ethnicity(models.TextChoices):
    """The 2021 Census categories for England and Wales."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_OTHER = "mixed_other", "Mixed or multiple: any other background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY = "white_gypsy", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER = "other", "Other ethnic group: any other"
    NOT_KNOWN = "not_known", "Not known"
    NOT_STATED = "not_stated", "Prefers not to say"


class RestrictionReason(models.TextChoices):
    STAFF = "staff", "Member of staff"
    STAFF_RELATIVE = "staff_relative", "Relative of a member of staff"
    HIGH_PROFILE = "high_profile", "High-profile person"
    ADOPTION = "adoption", "Adoption"
    SERIOUS_CASE_REVIEW = "serious_case_review", "Serious case review"


class CaseCategory(models.TextChoices):
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    LOOKED_AFTER = "looked_after", "Looked-after child"
    CARE_LEAVER = "care_leaver", "Care leaver"
    EARLY_HELP = "early_help", "Early help / family hub"
    YJ_OUT_OF_COURT = "yj_out_of_court", "Youth justice: out-of-court disposal"
    YJ_REFERRAL_ORDER = "yj_referral_order", "Youth justice: referral order"
    YJ_COURT_ORDER = "yj_court_order", "Youth justice: court order"
    ADOPTION = "adoption", "Adoption"
    FOSTER_CARER = "foster_carer", "Foster carer"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    ADULT_CARE = "adult_care", "Adult care and support"
    ADULT_SAFEGUARDING = "adult_safeguarding", "Adult safeguarding enquiry (Care Act s42)"
    CARER = "carer", "Carer's support"
    FINANCE = "finance", "Financial assessment / direct payments"


# Which service each category belongs to: a case's category must match its service.
CATEGORY_SERVICE: dict[str, str] = {
    CaseCategory.CHILD_IN_NEED: Service.CHILDRENS_SOCIAL_CARE,
    CaseCategory.CHILD_PROTECTION: Service.CHILDRENS_SOCIAL_CARE,
    CaseCategory.LOOKED_AFTER: Service.CHILDRENS_SOCIAL_CARE,
    CaseCategory.CARE_LEAVER: Service.CHILDRENS_SOCIAL_CARE,
    CaseCategory.EARLY_HELP: Service.EARLY_HELP,
    CaseCategory.YJ_OUT_OF_COURT: Service.YOUTH_JUSTICE,
    CaseCategory.YJ_REFERRAL_ORDER: Service.YOUTH_JUSTICE,
    CaseCategory.YJ_COURT_ORDER: Service.YOUTH_JUSTICE,
    CaseCategory.ADOPTION: Service.ADOPTION,
    CaseCategory.FOSTER_CARER: Service.FOSTERING,
    CaseCategory.OCCUPATIONAL_THERAPY: Service.OCCUPATIONAL_THERAPY,
    CaseCategory.HEALTH_VISITING: Service.HEALTH_VISITING,
    CaseCategory.SCHOOL_NURSING: Service.SCHOOL_NURSING,
    CaseCategory.ADULT_CARE: Service.ADULT_SOCIAL_CARE,
    CaseCategory.ADULT_SAFEGUARDING: Service.ADULT_SOCIAL_CARE,
    CaseCategory.CARER: Service.CARERS,
    CaseCategory.FINANCE: Service.FINANCE,
}


class ClosureReason(models.TextChoices):
    NEEDS_MET = "needs_met", "Needs met / case work completed"
    STEPPED_DOWN = "stepped_down", "Stepped down to another service"
    TRANSFERRED_OUT = "transferred_out", "Moved to another local authority"
    ADOPTED = "adopted", "Adoption order made"
    AGE_OUT = "age_out", "Reached the service's age limit"
    DECLINED = "declined", "Support declined"
    ORDER_ENDED = "order_ended", "Order completed"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    """ "<from> is the <kind> of <to>"; each kind names its inverse in RELATIONSHIP_INVERSE."""

    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    PARENT = "parent", "Parent"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    AUNT_UNCLE = "aunt_uncle", "Aunt or uncle"
    PARTNER = "partner", "Partner or spouse"
    FOSTER_CARER = "foster_carer", "Foster carer"
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    CARER = "carer", "Unpaid carer"
    NEXT_OF_KIN = "next_of_kin", "Next of kin"
    HOUSEHOLD_MEMBER = "household_member", "Household member"
    FRIEND = "friend", "Friend or neighbour"
    PROFESSIONAL = "professional", "Professional involved"


RELATIONSHIP_INVERSE: dict[str, str] = {
    RelationshipKind.MOTHER: "Child",
    RelationshipKind.FATHER: "Child",
    RelationshipKind.PARENT: "Child",
    RelationshipKind.STEP_PARENT: "Stepchild",
    RelationshipKind.GRANDPARENT: "Grandchild",
    RelationshipKind.SIBLING: "Sibling",
    RelationshipKind.HALF_SIBLING: "Half-sibling",
    RelationshipKind.AUNT_UNCLE: "Niece or nephew",
    RelationshipKind.PARTNER: "Partner or spouse",
    RelationshipKind.FOSTER_CARER: "Foster child",
    RelationshipKind.KINSHIP_CARER: "Child in kinship care",
    RelationshipKind.CARER: "Cared-for person",
    RelationshipKind.NEXT_OF_KIN: "Has as next of kin",
    RelationshipKind.HOUSEHOLD_MEMBER: "Household member",
    RelationshipKind.FRIEND: "Friend or neighbour",
    RelationshipKind.PROFESSIONAL: "Client of this professional",
}


class ParticipantRole(models.TextChoices):
    FAMILY = "family", "Family member"
    HOUSEHOLD = "household", "Household member"
    CARER = "carer", "Carer"
    PROFESSIONAL = "professional", "Professional involved"
    OTHER = "other", "Other significant person"


class AlertKind(models.TextChoices):
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    COMMUNICATION = "communication", "Communication need"
    HEALTH = "health", "Health need"
    OTHER = "other", "Other"


# --- People ----------------------------------------------------------------------------------


class Person(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", help_text="Controller."
    )
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(
        max_length=40, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN
    )
    first_language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    disability = models.CharField(
        max_length=300, blank=True, help_text="Any disability, in the person's own words."
    )
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    ni_number = models.CharField("National Insurance number", max_length=9, blank=True)
    upn = models.CharField("Unique Pupil Number", max_length=13, blank=True)
    is_restricted = models.BooleanField(
        default=False, help_text="Seen only by staff with a named grant, on top of their case."
    )
    restriction_reason = models.CharField(
        max_length=30, choices=RestrictionReason.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("view_restricted_person", "Named access to a restricted person"),
            ("break_glass_person", "Emergency (break-glass) access to a person"),
            ("disclose_person", "Records-access work on a person's rights request"),
        ]
        indexes = [
            models.Index(fields=["ni_number"], name="person_ni_number"),
            models.Index(fields=["upn"], name="person_upn"),
            models.Index(fields=["date_of_birth"], name="person_dob"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=F("date_of_birth")),
                name="person_death_after_birth",
            ),
            models.CheckConstraint(
                condition=Q(is_restricted=False) | ~Q(restriction_reason=""),
                name="person_restriction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None

    def age_on(self, on: Any = None) -> int | None:
        if self.date_of_birth is None:
            return None
        end = self.date_of_death or on or timezone.localdate()
        born = self.date_of_birth
        return end.year - born.year - ((end.month, end.day) < (born.month, born.day))

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number)

    @property
    def ni_number_display(self) -> str:
        return format_ni_number(self.ni_number)


def search_text(*parts: str) -> str:
    """Lower-case words separated by single spaces: what name search compares against."""
    return " ".join(" ".join(p for p in parts if p).lower().split())


class PersonName(models.Model):
    """Every name a person is known by, including the current one, for typo-tolerant search."""

    class Kind(models.TextChoices):
        CURRENT = "current", "Current name"
        PREVIOUS = "previous", "Previous name"
        BIRTH = "birth", "Name at birth"
        ALIAS = "alias", "Also known as"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    search_name = models.CharField(max_length=210, editable=False)
    used_from = models.DateField(null=True, blank=True)
    used_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(kind="current"), name="personname_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_text(self.first_name, self.last_name)
        super().save(*args, **kwargs)


class Address(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField("Address line 1", max_length=200)
    line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100)
    postcode = models.CharField(max_length=10)
    lived_from = models.DateField(null=True, blank=True)
    lived_to = models.DateField(null=True, blank=True)
    is_confidential = models.BooleanField(
        default=False, help_text="A refuge or placement address that must not be disclosed."
    )

    class Meta:
        ordering = [F("lived_to").desc(nulls_first=True), "-lived_from"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(lived_to__isnull=True)
                | Q(lived_from__isnull=True)
                | Q(lived_to__gte=F("lived_from")),
                name="address_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)

    @property
    def is_current(self) -> bool:
        return self.lived_to is None or self.lived_to >= timezone.localdate()


class PhoneNumber(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=30)
    label = models.CharField(max_length=40, blank=True, help_text="Mobile, home, work…")

    def __str__(self) -> str:
        return self.number


class EmailAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField()
    label = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.email


class PersonAlert(models.Model):
    """A warning shown at the top of the person page: risk to staff, communication need…"""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    description = models.CharField(max_length=500)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class Relationship(models.Model):
    """``from_person`` is the ``kind`` of ``to_person``: read in both directions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    is_parental_responsibility = models.BooleanField("Has parental responsibility", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")), name="relationship_not_self"
            ),
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"], name="relationship_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} is the {self.get_kind_display().lower()} of {self.to_person}"

    def label_for(self, person: Person) -> str:
        """What the *other* person is to ``person``."""
        if person.pk == self.to_person_id:
            return self.get_kind_display()
        return RELATIONSHIP_INVERSE[self.kind]

    def other(self, person: Person) -> Person:
        return self.from_person if person.pk == self.to_person_id else self.to_person


# --- Cases -----------------------------------------------------------------------------------


class Case(models.Model):
    """One person's involvement with one service, held by one team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", help_text="Controller."
    )
    service = models.CharField(max_length=40, choices=Service.choices)
    category = models.CharField(max_length=30, choices=CaseCategory.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    referral_reason = models.CharField(max_length=500, blank=True)
    # Kept by the services that record contacts and plans, so a caseload of any size costs the
    # same few queries.
    last_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_review_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_on"]
        permissions = [("manage_case", "Allocate, authorise and correct a case's records")]
        indexes = [models.Index(fields=["team", "closed_on"], name="case_team_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(closure_reason=""),
                name="case_closure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class CaseParticipant(models.Model):
    """Someone other than the subject who is part of the case: family, carers, household.

    Practitioners on the case may see their person record; they need not be the subject.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="participant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) in {self.case}"


class AllocationQuerySet(models.QuerySet["Allocation"]):
    def current(self, on: Any = None) -> AllocationQuerySet:
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Allocation(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Allocated worker"
        CO_WORKER = "co_worker", "Co-worker"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEAD)
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["worker", "ends_on"], name="allocation_worker")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="allocation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} on {self.case}"


# --- Items in the chronology -----------------------------------------------------------------


class ItemKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    NOTE = "note", "Case note"
    ASSESSMENT = "assessment", "Assessment"
    PLAN = "plan", "Plan"
    REVIEW = "review", "Review"
    DOCUMENT = "document", "Document"
    INFORMATION_RECEIVED = "information_received", "Information received"


class Item(models.Model):
    """Anything in a case's chronology. Each kind adds its own fields in a child table."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=ItemKind.choices, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="items")
    # The case's subject and controller, copied so a chronology page is one index scan.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="items")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(help_text="When it happened, not when it was typed.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    is_sensitive = models.BooleanField(
        default=False, help_text="Special-category, criminal offence or third-party information."
    )
    is_restricted = models.BooleanField(
        default=False, help_text="Seen only by staff with a named grant, on top of the case."
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revision_number = models.PositiveIntegerField(default=1, editable=False)
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_in_error_reason = models.CharField(max_length=500, blank=True)
    people: models.ManyToManyField[Person, ItemPerson] = models.ManyToManyField(
        Person, through="ItemPerson", related_name="linked_items"
    )

    # The fields an amendment may change, beyond title and body (set by each kind).
    amendable_fields: ClassVar[tuple[str, ...]] = ("occurred_at", "title", "body")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        permissions = [("view_restricted_item", "Named access to a restricted item")]
        indexes = [
            models.Index(
                F("person"),
                F("occurred_at").desc(),
                F("id").desc(),
                name="item_chronology",
                condition=Q(entered_in_error_at__isnull=True),
            ),
            models.Index(fields=["case", "kind", "occurred_at"], name="item_case_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None

    def detail(self) -> Item:
        """The kind-specific row (a Contact, an Assessment…) behind this chronology item."""
        if type(self) is not Item:
            return self
        return getattr(self, ITEM_KIND_RELATED[self.kind])


class ItemPerson(models.Model):
    """A person an item links: someone who took part, or a third party it mentions."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Took part"
        MENTIONED = "mentioned", "Mentioned (third party)"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="item_links")
    role = models.CharField(max_length=15, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "person", "role"], name="itemperson_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class ContactType(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    OFFICE_VISIT = "office_visit", "Office visit"
    SCHOOL_VISIT = "school_visit", "School or nursery visit"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    MEETING = "meeting", "Meeting"
    GROUP_SESSION = "group_session", "Group session"
    INTERVENTION = "intervention", "Intervention session"


class Contact(Item):
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    location = models.CharField(max_length=200, blank=True)
    seen_alone = models.BooleanField(
        null=True, blank=True, help_text="Was the child or adult seen alone?"
    )

    amendable_fields = (*Item.amendable_fields, "contact_type", "location", "seen_alone")


class NoteType(models.TextChoices):
    CASE_NOTE = "case_note", "Case note"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"
    SUPERVISION = "supervision", "Supervision record"
    CASE_SUMMARY = "case_summary", "Case summary"


class CaseNote(Item):
    note_type = models.CharField(
        max_length=30, choices=NoteType.choices, default=NoteType.CASE_NOTE
    )

    amendable_fields = (*Item.amendable_fields, "note_type")


class AssessmentType(models.TextChoices):
    CHILD_AND_FAMILY = "child_and_family", "Single / child and family assessment"
    CARERS = "carers", "Carer's assessment"
    FINANCIAL = "financial", "Financial assessment"
    YOUTH_JUSTICE = "youth_justice", "Youth justice assessment (AssetPlus)"
    CARE_ACT_NEEDS = "care_act_needs", "Care Act needs assessment"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy assessment"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for authorisation"
    AUTHORISED = "authorised", "Authorised"


class Assessment(Item):
    assessment_type = models.CharField(max_length=30, choices=AssessmentType.choices)
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # [{"heading": "...", "text": "..."}, ...] in the order written.
    sections = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    amendable_fields = (*Item.amendable_fields, "assessment_type", "sections")


class PlanType(models.TextChoices):
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    CARE = "care", "Care plan"
    PATHWAY = "pathway", "Pathway plan"
    EARLY_HELP = "early_help", "Early help family plan"
    YOUTH_JUSTICE = "youth_justice", "Youth justice intervention plan"
    CARE_AND_SUPPORT = "care_and_support", "Care and support plan"
    SUPPORT = "support", "Carer's support plan"


class Plan(Item):
    plan_type = models.CharField(max_length=30, choices=PlanType.choices)
    starts_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    amendable_fields = (*Item.amendable_fields, "plan_type", "starts_on", "next_review_on")


class Review(Item):
    """A review of a plan: what was decided, and when the plan is next reviewed."""

    reviewed_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    next_review_on = models.DateField(null=True, blank=True)

    amendable_fields = (*Item.amendable_fields, "next_review_on")


class DocumentType(models.TextChoices):
    LETTER = "letter", "Letter"
    REPORT = "report", "Report"
    COURT = "court", "Court document"
    MINUTES = "minutes", "Meeting minutes"
    PHOTO = "photo", "Photograph or scan"
    OTHER = "other", "Other document"


def _document_storage() -> Any:
    return storages["documents"]


def _document_path(instance: Document, filename: str) -> str:
    # Never the uploaded name: a UUID in a per-month folder.
    now = timezone.now()
    return f"{now:%Y/%m}/{uuid.uuid4().hex}"


class Document(Item):
    document_type = models.CharField(max_length=20, choices=DocumentType.choices)
    file = models.FileField(storage=_document_storage, upload_to=_document_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    amendable_fields = (*Item.amendable_fields, "document_type")


class InformationReceived(Item):
    class Method(models.TextChoices):
        LETTER = "letter", "Letter"
        EMAIL = "email", "Secure email"
        PHONE = "phone", "Phone call"
        MEETING = "meeting", "Meeting"
        PORTAL = "portal", "Portal or referral form"

    source_organisation = models.CharField(max_length=200)
    source_name = models.CharField("Person who gave it", max_length=200, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)

    amendable_fields = (*Item.amendable_fields, "source_organisation", "source_name", "method")

    class Meta:
        verbose_name_plural = "information received"


# Item.kind → the child model and the reverse accessor Django gives the parent row.
ITEM_MODELS: dict[str, type[Item]] = {
    ItemKind.CONTACT: Contact,
    ItemKind.NOTE: CaseNote,
    ItemKind.ASSESSMENT: Assessment,
    ItemKind.PLAN: Plan,
    ItemKind.REVIEW: Review,
    ItemKind.DOCUMENT: Document,
    ItemKind.INFORMATION_RECEIVED: InformationReceived,
}
ITEM_KIND_RELATED: dict[str, str] = {
    kind: model._meta.model_name or "" for kind, model in ITEM_MODELS.items()
}


class ItemRevision(models.Model):
    """One version of an item: number 1 is the original; every amendment adds one."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    data = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text="The amendable fields as they stood in this version.",
    )
    reason = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="revision_unique_number")
        ]
        # Nothing is overwritten: on PostgreSQL the database itself refuses to change a
        # revision. (Disposal may still delete a destroyed record's revisions.)
        triggers = [pgtrigger.Protect(name="revision_never_changes", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class DisagreementStatement(models.Model):
    """The subject's own statement that an item is wrong, shown beside it, never merged in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="disagreements")
    statement = models.TextField()
    made_by = models.CharField(
        max_length=200, help_text="The subject, or who made it on their behalf."
    )
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        # The subject's words stand as given.
        triggers = [
            pgtrigger.Protect(name="disagreement_never_changes", operation=pgtrigger.Update)
        ]

    def __str__(self) -> str:
        return f"Statement by {self.made_by} on {self.received_on}"


# --- Historic paper records ------------------------------------------------------------------


class HistoricRecord(models.Model):
    """An index entry for an older paper file held in storage."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(
        max_length=300, blank=True, help_text="Other names and spellings, separated by commas."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    service = models.CharField(max_length=40, choices=Service.choices)
    involvement_from = models.DateField(null=True, blank=True)
    involvement_to = models.DateField(null=True, blank=True)
    box_reference = models.CharField(max_length=60)
    location = models.CharField(max_length=200, help_text="Store, offsite archive, shelf…")
    notes = models.CharField(max_length=500, blank=True)
    search_name = models.CharField(max_length=520, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(involvement_to__isnull=True)
                | Q(involvement_from__isnull=True)
                | Q(involvement_to__gte=F("involvement_from")),
                name="historic_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.box_reference})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_text(
            self.first_name, self.last_name, self.other_names.replace(",", " ")
        )
        super().save(*args, **kwargs)


# --- Need-to-know grants ---------------------------------------------------------------------
# django-guardian's direct foreign-key permission tables. Rows are written only by the services
# (allocation, team, break-glass, restriction, access requests) and read by records.policies,
# which also honours ``expires_at``: an expired grant never authorises, cleaned up or not.


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="user_grants")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission"], name="case_uop_user")]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_grants")

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission"], name="case_gop_group")]


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="user_grants")
    expires_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission"], name="person_uop_user")]


class ItemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="user_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)


class BreakGlassAccess(models.Model):
    """An emergency opening of a person the user could not otherwise see: kept for review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_glass")
    reason = models.CharField(max_length=1000)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name_plural = "break-glass accesses"

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id} at {self.granted_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
