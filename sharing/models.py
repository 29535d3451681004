"""Lawful sharing with partner agencies (DOMAIN.md §4): the register of agencies and the
agreements made with them, the consents people give, and the log of every sharing — what went
to whom, when, why and on what legal footing.

The rules on what a sharing needs live in ``sharing.services``; the choices here are the law's
own vocabulary, so a log entry reads the same to a practitioner, a manager and an auditor.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation
from records.models import Item, Person

# --- The law's vocabulary --------------------------------------------------------------------


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    NHS_TRUST = "nhs_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    AMBULANCE = "ambulance", "Ambulance service or NHS 111"
    SCHOOL = "school", "School or education provider"
    COURT = "court", "Court"
    PROBATION = "probation", "Probation service"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    OTHER_COUNCIL = "other_council", "Other council"
    HOUSING = "housing", "Housing provider"
    FIRE = "fire", "Fire and rescue service"
    DWP = "dwp", "DWP or benefits contractor"
    DFE = "dfe", "Department for Education"
    SAFEGUARDING_BOARD = "safeguarding_board", "Safeguarding partnership or board"
    VOLUNTARY = "voluntary", "Voluntary-sector partner"
    PROCESSOR = "processor", "Processor acting for the council"
    OTHER = "other", "Other organisation"


class Country(models.TextChoices):
    """Where an agency holds what it receives. Only the United Kingdom may receive
    identifiable data (DOMAIN.md §4: information stays in the UK)."""

    UNITED_KINGDOM = "GB", "United Kingdom"
    ISLE_OF_MAN = "IM", "Isle of Man"
    JERSEY = "JE", "Jersey"
    GUERNSEY = "GG", "Guernsey"
    IRELAND = "IE", "Ireland"
    FRANCE = "FR", "France"
    GERMANY = "DE", "Germany"
    NETHERLANDS = "NL", "Netherlands"
    SPAIN = "ES", "Spain"
    PORTUGAL = "PT", "Portugal"
    ITALY = "IT", "Italy"
    POLAND = "PL", "Poland"
    ROMANIA = "RO", "Romania"
    UNITED_STATES = "US", "United States"
    CANADA = "CA", "Canada"
    AUSTRALIA = "AU", "Australia"
    INDIA = "IN", "India"
    PAKISTAN = "PK", "Pakistan"
    NIGERIA = "NG", "Nigeria"
    OTHER = "ZZ", "Another country"


UK = Country.UNITED_KINGDOM


class Purpose(models.TextChoices):
    DIRECT_CARE = "direct_care", "Direct care"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    CRIME = "crime", "Prevention or detection of crime"
    COURT_ORDER = "court_order", "Court order or proceedings"
    PUBLIC_HEALTH = "public_health", "Public health"
    BENEFITS = "benefits", "Benefits and fraud checks"
    STATUTORY_RETURN = "statutory_return", "Statutory return"
    RESEARCH = "research", "Research"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1)."""

    CONSENT = "consent", "6(1)(a) Consent"
    CONTRACT = "contract", "6(1)(b) Contract"
    LEGAL_OBLIGATION = "legal_obligation", "6(1)(c) Legal obligation"
    VITAL_INTERESTS = "vital_interests", "6(1)(d) Vital interests"
    PUBLIC_TASK = "public_task", "6(1)(e) Public task"
    LEGITIMATE_INTERESTS = "legitimate_interests", "6(1)(f) Legitimate interests"


class Article9Condition(models.TextChoices):
    """UK GDPR Article 9(2): the condition for processing special-category data."""

    EXPLICIT_CONSENT = "9_2_a", "9(2)(a) Explicit consent"
    SOCIAL_PROTECTION = "9_2_b", "9(2)(b) Employment, social security and social protection"
    VITAL_INTERESTS = "9_2_c", "9(2)(c) Vital interests"
    LEGAL_CLAIMS = "9_2_f", "9(2)(f) Legal claims or courts"
    SUBSTANTIAL_PUBLIC_INTEREST = "9_2_g", "9(2)(g) Substantial public interest"
    HEALTH_OR_SOCIAL_CARE = "9_2_h", "9(2)(h) Health or social care"
    PUBLIC_HEALTH = "9_2_i", "9(2)(i) Public health"


class Schedule1Condition(models.TextChoices):
    """DPA 2018 Schedule 1: what 9(2)(g) needs (a Part 2 condition) and what criminal offence
    data needs under Article 10 (a condition from any Part)."""

    EMPLOYMENT = "p1_1", "Sch 1 Pt 1 para 1: Employment, social security and social protection"
    HEALTH_OR_SOCIAL_CARE = "p1_2", "Sch 1 Pt 1 para 2: Health or social care purposes"
    PUBLIC_HEALTH = "p1_3", "Sch 1 Pt 1 para 3: Public health"
    STATUTORY = "p2_6", "Sch 1 Pt 2 para 6: Statutory and government purposes"
    UNLAWFUL_ACTS = "p2_10", "Sch 1 Pt 2 para 10: Preventing or detecting unlawful acts"
    SAFEGUARDING = "p2_18", "Sch 1 Pt 2 para 18: Safeguarding of children and individuals at risk"
    ECONOMIC_WELLBEING = (
        "p2_19",
        ("Sch 1 Pt 2 para 19: Safeguarding of economic well-being of certain individuals"),
    )
    CONSENT = "p3_29", "Sch 1 Pt 3 para 29: Consent"
    VITAL_INTERESTS = "p3_30", "Sch 1 Pt 3 para 30: Protecting an individual's vital interests"
    LEGAL_CLAIMS = "p3_33", "Sch 1 Pt 3 para 33: Legal claims"
    JUDICIAL_ACTS = "p3_34", "Sch 1 Pt 3 para 34: Judicial acts"


# The Part 2 (substantial public interest) conditions: the ones 9(2)(g) may rely on.
PART_2_CONDITIONS = frozenset(c for c in Schedule1Condition if c.value.startswith("p2_"))


class Statute(models.TextChoices):
    CHILDREN_ACT_1989_S17 = "ca1989_s17", "Children Act 1989, section 17 (children in need)"
    CHILDREN_ACT_1989_S47 = "ca1989_s47", "Children Act 1989, section 47 (child protection)"
    CHILDREN_ACT_2004 = "ca2004", "Children Act 2004 (sections 10 and 11)"
    CARE_ACT_2014_S42 = "care2014_s42", "Care Act 2014, section 42 (adult safeguarding)"
    CRIME_AND_DISORDER_1998_S115 = "cda1998_s115", "Crime and Disorder Act 1998, section 115"
    CHILDREN_AND_SOCIAL_WORK_2017 = "csw2017", "Children and Social Work Act 2017"
    MENTAL_CAPACITY_2005 = "mca2005", "Mental Capacity Act 2005"
    MENTAL_HEALTH_1983 = "mha1983", "Mental Health Act 1983"
    LOCALISM_2011 = "localism2011", "Localism Act 2011"
    WELFARE_REFORM_2012 = "wra2012", "Welfare Reform Act 2012"
    COURT_ORDER = "court_order", "A court order"
    OTHER = "other", "Another statute (named below)"


class Method(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    PORTAL = "portal", "Secure portal"
    PHONE = "phone", "Phone call"
    MEETING = "meeting", "Meeting or conference"
    COURT_BUNDLE = "court_bundle", "Court bundle"


class DataCategory(models.TextChoices):
    IDENTITY = "identity", "Identity and contact details"
    FAMILY = "family", "Family, relationships and household"
    SOCIAL_CARE = "social_care", "Social care case records"
    EDUCATION = "education", "Education"
    FINANCIAL = "financial", "Financial and benefits"
    HOUSING = "housing", "Housing"
    THIRD_PARTY = "third_party", "Information about other people"
    HEALTH = "health", "Health (special category)"
    ETHNICITY = "ethnicity", "Racial or ethnic origin (special category)"
    RELIGION = "religion", "Religious or philosophical beliefs (special category)"
    SEX_LIFE = "sex_life", "Sex life or sexual orientation (special category)"
    CRIMINAL = "criminal", "Criminal offence data"


SPECIAL_CATEGORIES = frozenset(
    {DataCategory.HEALTH, DataCategory.ETHNICITY, DataCategory.RELIGION, DataCategory.SEX_LIFE}
)


class ConsentStatus(models.TextChoices):
    ON_FILE = "on_file", "Consent on file"
    REFUSED = "refused", "Consent refused"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class NoConsentReason(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding: seeking consent would put someone at risk"
    RISK_TO_OTHERS = "risk_to_others", "Risk of serious harm to others"
    SERIOUS_CRIME = "serious_crime", "Prevention or detection of serious crime"
    COURT_ORDER = "court_order", "Required by a court order"
    PUBLIC_INTEREST = "public_interest", "Overriding public interest"


def _choice_list(choices: type[models.TextChoices], values: list[str]) -> str:
    labels = dict(choices.choices)
    return ", ".join(str(labels.get(v, v)) for v in values)


# --- The register ----------------------------------------------------------------------------


class PartnerAgency(models.Model):
    """An organisation a council shares with. Each council keeps its own register."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partner_agencies",
        help_text="The council whose register this is.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=300, blank=True)
    secure_email_domain = models.CharField(
        max_length=100,
        blank=True,
        help_text="Secure email goes only to addresses at this domain (for example pnn.police.uk).",
    )
    country = models.CharField(
        max_length=2,
        choices=Country.choices,
        default=UK,
        help_text=(
            "Where it holds what it receives. Only UK agencies may receive identifiable data."
        ),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="agency_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_uk(self) -> bool:
        return self.country == UK


class SharingAgreement(models.Model):
    """An information sharing agreement with one agency: what it covers, and for how long."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=60, blank=True)
    purposes = models.JSONField(default=list, help_text="Purpose values it covers.")
    lawful_bases = models.JSONField(default=list, help_text="Article 6 bases it covers.")
    data_categories = models.JSONField(default=list, help_text="Data categories it covers.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def purposes_display(self) -> str:
        return _choice_list(Purpose, self.purposes)

    @property
    def lawful_bases_display(self) -> str:
        return _choice_list(LawfulBasis, self.lawful_bases)

    @property
    def data_categories_display(self) -> str:
        return _choice_list(DataCategory, self.data_categories)


class AgreementReminder(models.Model):
    """One review reminder, sent once: re-running the daily task sends nothing twice."""

    class Kind(models.TextChoices):
        DAYS_30 = "days_30", "Review due in 30 days"
        DAYS_7 = "days_7", "Review due in 7 days"
        DUE = "due", "Review due today"
        OVERDUE = "overdue", "Review overdue"

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="reminders"
    )
    review_on = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "review_on", "kind"], name="agreement_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for agreement {self.agreement_id}"


# --- Consents --------------------------------------------------------------------------------


def _evidence_storage() -> Any:
    return storages["documents"]


def _evidence_path(instance: Consent, filename: str) -> str:
    return f"consents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Consent(models.Model):
    """A person's consent to share with an agency, or for a named person (a relative, an
    advocate) to see their file. Valid from ``given_on`` until it expires or is withdrawn;
    withdrawal takes effect on the day it is recorded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        PartnerAgency,
        on_delete=models.PROTECT,
        related_name="consents",
        null=True,
        blank=True,
        help_text="The agency it may be shared with…",
    )
    named_person = models.CharField(
        max_length=200, blank=True, help_text="…or the named person who may see it."
    )
    named_person_relationship = models.CharField(max_length=100, blank=True)
    given_by = models.CharField(
        max_length=200,
        help_text="Who gave it: the person, or who gave it for them (a parent for a young child).",
    )
    purposes = models.JSONField(default=list)
    data_categories = models.JSONField(default=list)
    evidence = models.CharField(
        max_length=500, help_text="Where the written consent is: a signed form, a letter, an email."
    )
    evidence_file = models.FileField(
        storage=_evidence_storage, upload_to=_evidence_path, max_length=200, blank=True
    )
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_note = models.CharField(max_length=500, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["person", "given_on"], name="consent_person")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(named_person=""))
                | (Q(agency__isnull=True) & ~Q(named_person="")),
                name="consent_to_agency_or_named_person",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("given_on")),
                name="consent_expires_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent to share with {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        if self.agency is not None:
            return self.agency.name
        relationship = (
            f" ({self.named_person_relationship})" if self.named_person_relationship else ""
        )
        return f"{self.named_person}{relationship}"

    def valid_on(self, day: date) -> bool:
        if day < self.given_on:
            return False
        if self.expires_on is not None and day > self.expires_on:
            return False
        return self.withdrawn_on is None or day < self.withdrawn_on

    def covers(self, *, purpose: str, data_categories: list[str]) -> bool:
        return purpose in self.purposes and set(data_categories) <= set(self.data_categories)

    def status_on(self, day: date) -> str:
        if self.withdrawn_on is not None and self.withdrawn_on <= day:
            return "withdrawn"
        if self.expires_on is not None and day > self.expires_on:
            return "expired"
        if day < self.given_on:
            return "not yet in force"
        return "valid"

    @property
    def purposes_display(self) -> str:
        return _choice_list(Purpose, self.purposes)

    @property
    def data_categories_display(self) -> str:
        return _choice_list(DataCategory, self.data_categories)


# --- The sharing log -------------------------------------------------------------------------


class SharingStatus(models.TextChoices):
    AWAITING_AUTHORISATION = "awaiting", "Awaiting a manager's authorisation"
    SHARED = "shared", "Shared"
    NOT_SHARED = "not_shared", "Not shared (authorisation declined)"


class Authorisation(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed (consent on file)"
    PENDING = "pending", "Waiting for a manager"
    AUTHORISED = "authorised", "Authorised"
    DECLINED = "declined", "Declined"


class SharingRecord(models.Model):
    """One sharing: what went to whom, when, by whom, why, and on what legal footing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Controller."
    )
    people: models.ManyToManyField[Person, SharingSubject] = models.ManyToManyField(
        Person, through="SharingSubject", related_name="sharings"
    )
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="sharings")
    agreement = models.ForeignKey(
        SharingAgreement,
        on_delete=models.PROTECT,
        related_name="sharings",
        null=True,
        blank=True,
    )
    recipient_name = models.CharField(max_length=200)
    recipient_role = models.CharField(max_length=200, blank=True)
    recipient_email = models.EmailField(blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    shared_on = models.DateField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    purpose_detail = models.TextField(help_text="Why, in words: what the recipient needs it for.")
    data_categories = models.JSONField(default=list)
    lawful_basis = models.CharField(max_length=25, choices=LawfulBasis.choices)
    article9_condition = models.CharField(
        max_length=10, choices=Article9Condition.choices, blank=True
    )
    schedule1_condition = models.CharField(
        "Schedule 1 condition for 9(2)(g)",
        max_length=10,
        choices=Schedule1Condition.choices,
        blank=True,
    )
    criminal_condition = models.CharField(
        "Article 10 / Schedule 1 condition",
        max_length=10,
        choices=Schedule1Condition.choices,
        blank=True,
    )
    statute = models.CharField(max_length=20, choices=Statute.choices, blank=True)
    statute_detail = models.CharField(max_length=200, blank=True)
    consent_status = models.CharField(max_length=12, choices=ConsentStatus.choices)
    no_consent_reason = models.CharField(max_length=20, choices=NoConsentReason.choices, blank=True)
    no_consent_detail = models.TextField(blank=True)
    is_urgent = models.BooleanField(
        default=False,
        help_text="Urgent safeguarding: shared at once, authorised afterwards, flagged until then.",
    )
    status = models.CharField(max_length=12, choices=SharingStatus.choices)
    authorisation = models.CharField(max_length=12, choices=Authorisation.choices)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    authorisation_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sharings_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-shared_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "shared_on"], name="sharing_org_day"),
            models.Index(fields=["authorisation", "status"], name="sharing_authorisation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(authorisation="not_needed") | Q(consent_status="on_file"),
                name="sharing_no_consent_needs_authorisation",
            ),
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent") | Q(consent_status="on_file"),
                name="sharing_consent_basis_has_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.agency}"

    @property
    def includes_special_category(self) -> bool:
        return bool(SPECIAL_CATEGORIES & set(self.data_categories))

    @property
    def includes_criminal(self) -> bool:
        return DataCategory.CRIMINAL in self.data_categories

    @property
    def is_done(self) -> bool:
        return self.status == SharingStatus.SHARED

    @property
    def is_flagged(self) -> bool:
        """Shared without the manager's authorisation it needs (urgent, or declined after)."""
        return self.status == SharingStatus.SHARED and self.authorisation in (
            Authorisation.PENDING,
            Authorisation.DECLINED,
        )

    @property
    def data_categories_display(self) -> str:
        return _choice_list(DataCategory, self.data_categories)

    @property
    def statute_display(self) -> str:
        if self.statute == Statute.OTHER:
            return self.statute_detail
        label = self.get_statute_display()
        return f"{label} ({self.statute_detail})" if self.statute_detail else label


class SharingSubject(models.Model):
    """A person whose information a sharing includes, with the consent relied on for them."""

    sharing = models.ForeignKey(SharingRecord, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sharing_links")
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sharing", "person"], name="sharing_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.sharing_id}"


class SharedItem(models.Model):
    """An exact record shared, as it stood: the revision number pins the words that went."""

    sharing = models.ForeignKey(SharingRecord, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="sharings")
    revision_number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sharing", "item"], name="shared_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.revision_number} in {self.sharing_id}"


# --- The outbound package --------------------------------------------------------------------


def _package_storage() -> Any:
    return storages["documents"]


def _package_path(instance: SharingPackage, filename: str) -> str:
    return f"sharing/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


class SharingPackage(models.Model):
    """A PDF of the items shared, with a cover sheet naming recipient, purpose and basis."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sharing = models.ForeignKey(SharingRecord, on_delete=models.CASCADE, related_name="packages")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(
        storage=_package_storage, upload_to=_package_path, max_length=200, blank=True
    )
    pages = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Package for {self.sharing_id} ({self.status})"


class PackageLink(models.Model):
    """The package for one named recipient: used once, expiring, revocable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    package = models.ForeignKey(SharingPackage, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # A used link stays unrevoked, so this also means: one download per recipient.
            models.UniqueConstraint(
                fields=["package", "recipient_email"],
                condition=Q(revoked_at__isnull=True),
                name="package_link_once_per_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"Link for {self.recipient_name}"
