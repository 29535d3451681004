"""Rights requests (DOMAIN.md §3): who asked, about whom, what was verified, the clock, what
was collected and how each item was reviewed, and what was sent.

A request is worked by the records-access team of the controller that holds the records. The
clock's inputs live on the request (start events, pauses, extension) and its output
(``due_on`` with the explanation) is stored, so lists sort and filter by it and reminders find
it; services recompute it whenever an input changes or an admin adds a bank holiday.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ClockRegime, Nation, Organisation


class RequestType(models.TextChoices):
    ACCESS = "access", "Subject access (Article 15)"
    CORRECTION = "correction", "Correction (Article 16)"
    ERASURE = "erasure", "Erasure (Article 17)"
    RESTRICTION = "restriction", "Restriction (Article 18)"
    PORTABILITY = "portability", "Portability (Article 20)"
    OBJECTION = "objection", "Objection (Article 21)"
    FURTHER_COPY = "further_copy", "Further copy of files already disclosed"


# Request types that end in a copy of the records being sent.
DISCLOSING_TYPES = frozenset(
    {RequestType.ACCESS, RequestType.PORTABILITY, RequestType.FURTHER_COPY}
)


class Channel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    WEB_FORM = "web_form", "Web form"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone (confirmed in writing)"


class Relationship(models.TextChoices):
    SELF = "self", "The person themselves"
    PARENT = "parent", "Parent or person with parental responsibility"
    REPRESENTATIVE = "representative", "Representative with written authority"
    SOLICITOR = "solicitor", "Solicitor"
    AGENCY = "agency", "Other agency (for example DWP or police)"


class ChildBasis(models.TextChoices):
    """Why a parent may act for a child (DOMAIN.md §3: a child's information is the child's)."""

    NOT_APPLICABLE = "", "Not a child, or not a parent's request"
    CHILD_AUTHORISED = "child_authorised", "The child has authorised the parent"
    LACKS_UNDERSTANDING = "lacks_understanding", "The child lacks the understanding to decide"
    CHILD_INTERESTS = "child_interests", "Evidently in the child's best interests"


class State(models.TextChoices):
    RECEIVED = "received", "Received"
    AWAITING_VERIFICATION = "awaiting_verification", "Awaiting identity or authority"
    IN_PROGRESS = "in_progress", "In progress (search and collect)"
    REVIEW = "review", "Review (redaction)"
    APPROVAL = "approval", "Awaiting approval"
    READY = "ready", "Ready to send"
    PAUSED = "paused", "Paused for clarification"
    CLOSED = "closed", "Closed"


OPEN_STATES = frozenset(set(State) - {State.CLOSED})


class Outcome(models.TextChoices):
    DISCLOSED = "disclosed", "Disclosed"
    PARTLY_DISCLOSED = "partly_disclosed", "Partly disclosed"
    REFUSED = "refused", "Refused with reasons"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Completed (correction, erasure, restriction or objection)"


class DisclosureMethod(models.TextChoices):
    SECURE_LINK = "secure_link", "Secure download link"
    PRINT = "print", "Printed copy"
    MEETING = "meeting", "Meeting with a social worker"


class VerificationMethod(models.TextChoices):
    PHOTO_ID = "photo_id", "Photo identity document seen"
    DOCUMENTS = "documents", "Two documents with name and address"
    KNOWN_TO_SERVICE = "known_to_service", "Known to the service (confirmed by the worker)"
    SIGNED_AUTHORITY = "signed_authority", "Signed letter of authority"
    COURT_ORDER = "court_order", "Court order or parental responsibility evidence"
    SOLICITOR_LETTER = "solicitor_letter", "Solicitor's letter with client's signed consent"
    OTHER = "other", "Other (see notes)"


class AccessRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="access_requests"
    )
    request_type = models.CharField(max_length=20, choices=RequestType.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_on = models.DateField()
    description = models.TextField(help_text="What the person asked for, in their words.")

    requester_name = models.CharField(max_length=200)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=30, blank=True)
    requester_address = models.TextField(blank=True)
    relationship = models.CharField(
        "Requester's relationship to the person", max_length=20, choices=Relationship.choices
    )
    child_basis = models.CharField(
        "Basis on which a parent acts for a child",
        max_length=30,
        choices=ChildBasis.choices,
        blank=True,
    )
    # The person the request is about, as the requester described them.
    subject_name = models.CharField("Name of the person the records are about", max_length=200)
    subject_other_names = models.CharField("Other names they have used", max_length=300, blank=True)
    subject_date_of_birth = models.DateField(null=True, blank=True)
    subject_address = models.TextField(blank=True)

    state = models.CharField(max_length=30, choices=State.choices, default=State.RECEIVED)
    state_before_pause = models.CharField(max_length=30, choices=State.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_access_requests",
        null=True,
        blank=True,
    )

    # Verification: the clock waits for what was asked for.
    identity_required = models.BooleanField(default=False)
    identity_requested_on = models.DateField(null=True, blank=True)
    identity_received_on = models.DateField(null=True, blank=True)
    identity_method = models.CharField(
        max_length=30, choices=VerificationMethod.choices, blank=True
    )
    identity_notes = models.CharField(max_length=500, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    authority_required = models.BooleanField(default=False)
    authority_requested_on = models.DateField(null=True, blank=True)
    authority_received_on = models.DateField(null=True, blank=True)
    authority_method = models.CharField(
        max_length=30, choices=VerificationMethod.choices, blank=True
    )
    authority_notes = models.CharField(max_length=500, blank=True)
    authority_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    authority_verified_at = models.DateTimeField(null=True, blank=True)

    # Fees: none for a first request (DOMAIN.md §3).
    fee_required = models.BooleanField(default=False)
    fee_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fee_reason = models.CharField(max_length=300, blank=True)
    fee_requested_on = models.DateField(null=True, blank=True)
    fee_received_on = models.DateField(null=True, blank=True)

    # The clock.
    clock_regime = models.CharField(
        max_length=20, choices=ClockRegime.choices, default=ClockRegime.UK_GDPR
    )
    nation = models.CharField(
        max_length=20, choices=Nation.choices, default=Nation.ENGLAND_AND_WALES
    )
    clock_started_on = models.DateField(null=True, blank=True, editable=False)
    due_on = models.DateField(null=True, blank=True, editable=False)
    due_explanation = models.JSONField(default=list, blank=True, editable=False)
    extended = models.BooleanField(default=False)
    extension_reason = models.TextField(blank=True)
    extension_told_on = models.DateField(null=True, blank=True)

    # The reply.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(blank=True)
    reply_text = models.TextField(blank=True)
    disclosure_method = models.CharField(
        max_length=20, choices=DisclosureMethod.choices, blank=True
    )
    meeting_on = models.DateField(null=True, blank=True)
    meeting_notes = models.TextField(blank=True)
    submitted_for_approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    collected_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_on", "received_on"]
        indexes = [
            models.Index(fields=["organisation", "state", "due_on"], name="request_queue"),
            models.Index(fields=["assigned_to", "state"], name="request_assigned"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=State.CLOSED) | Q(outcome=""), name="request_outcome_on_close"
            ),
            models.CheckConstraint(
                condition=~Q(state=State.CLOSED) | ~Q(outcome=""), name="request_closed_outcome"
            ),
            models.CheckConstraint(
                condition=Q(extended=False) | ~Q(extension_reason=""),
                name="request_extension_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="request_closed_after_received",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    @property
    def is_disclosing(self) -> bool:
        return self.request_type in DISCLOSING_TYPES

    @property
    def waiting_for(self) -> list[str]:
        """What the clock is waiting for before it can start."""
        waiting = []
        if self.identity_required and not self.identity_received_on:
            waiting.append("proof of identity")
        if self.authority_required and not self.authority_received_on:
            waiting.append("proof of authority")
        if self.fee_required and not self.fee_received_on:
            waiting.append("the fee")
        return waiting


class RequestSubject(models.Model):
    """A person in Carefile, or an entry in the historic paper index, the request is about."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(
        "records.Person",
        on_delete=models.PROTECT,
        related_name="access_request_links",
        null=True,
        blank=True,
    )
    historic_record = models.ForeignKey(
        "records.HistoricRecord",
        on_delete=models.PROTECT,
        related_name="access_request_links",
        null=True,
        blank=True,
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, historic_record__isnull=True)
                | Q(person__isnull=True, historic_record__isnull=False),
                name="request_subject_one_kind",
            ),
            models.UniqueConstraint(
                fields=["request", "person"],
                condition=Q(person__isnull=False),
                name="request_subject_person_once",
            ),
            models.UniqueConstraint(
                fields=["request", "historic_record"],
                condition=Q(historic_record__isnull=False),
                name="request_subject_historic_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.person_id or self.historic_record_id}"


class Pause(models.Model):
    """Clarification asked for: the days from asking to receiving do not count (Art 12A)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="pauses")
    asked_on = models.DateField()
    question = models.TextField()
    received_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["asked_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("asked_on")),
                name="pause_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Paused {self.asked_on:%-d %b %Y}"


class RequestNote(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Note {self.created_at:%-d %b %Y}"


def _documents_storage() -> Any:
    """Evidence and bundles live beside case documents: outside the web root, served only
    through permission-checked views (resolved when used, so tests can move it)."""
    from django.core.files.storage import storages

    return storages["documents"]


def _evidence_path(instance: RequestDocument, filename: str) -> str:
    return f"requests/{instance.request.public_id}/{uuid.uuid4()}"


class RequestDocument(models.Model):
    class Kind(models.TextChoices):
        IDENTITY = "identity", "Proof of identity"
        AUTHORITY = "authority", "Proof of authority"
        CORRESPONDENCE = "correspondence", "Correspondence"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(storage=_documents_storage, upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


class AdditionalBankHoliday(models.Model):
    """A one-off bank holiday declared after the ``holidays`` package was released."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    day = models.DateField()
    name = models.CharField(max_length=100)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "day"], name="extra_holiday_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.day:%-d %b %Y}, {self.get_nation_display()})"


# --- Collection and review -------------------------------------------------------------------


class Source(models.TextChoices):
    CASE_ITEM = "case_item", "The person's own case record"
    LINKED_ITEM = "linked_item", "Another person's record that mentions them"
    PERSON_DETAILS = "person_details", "Personal details held"
    CONSENT = "consent", "Consents"
    SHARING = "sharing", "Sharing with other organisations"
    HISTORIC = "historic", "Historic paper records index"


class Decision(models.TextChoices):
    PENDING = "pending", "Not reviewed"
    DISCLOSE = "disclose", "Disclose"
    REDACT = "redact", "Disclose with redactions"
    WITHHOLD = "withhold", "Withhold"


class Exemption(models.TextChoices):
    """DOMAIN.md §3; S2P3-17 is listed so a reviewer can record why a name stays in."""

    THIRD_PARTY = "S2P3-16", "S2P3-16 Third party information"
    PRACTITIONER = "S2P3-17", "S2P3-17 Practitioner acting in their role"
    COURT = "S3P3-9", "S3P3-9 Social work data processed by a court"
    PARENT_CONFIDENCE = "S3P3-10", "S3P3-10 Given in confidence on a parent's request"
    SERIOUS_HARM = "S3P3-11", "S3P3-11 Serious harm"
    CHILD_ABUSE = "S3P5-21", "S3P5-21 Child abuse data on a parent's request"
    HEALTH_SERIOUS_HARM = "S3P2", "S3P2 Health data: serious harm (health professional)"
    LEGAL_PRIVILEGE = "S2P4-19", "S2P4-19 Legal professional privilege"
    CRIME = "S2P1-2", "S2P1-2 Crime prevention or detection"
    REFERENCES = "S2P4-24", "S2P4-24 Confidential references"


SERIOUS_HARM_CODES = frozenset({Exemption.SERIOUS_HARM, Exemption.HEALTH_SERIOUS_HARM})


class CollectedItem(models.Model):
    """One thing found for the request, as it stood when collected, with its review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="collected_items"
    )
    subject = models.ForeignKey(
        "records.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    source_label = models.CharField(max_length=300)
    # The record it came from; kept as a reference only (the text below is what is reviewed).
    item = models.ForeignKey(
        "records.Item", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    source_key = models.CharField(max_length=80, help_text="Identifies the source row.")
    occurred_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    is_sensitive = models.BooleanField(default=False)
    is_restricted = models.BooleanField(default=False)

    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    exemption = models.CharField(max_length=10, choices=Exemption.choices, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Serious harm: who was consulted, when, and what they said.
    consulted_name = models.CharField(max_length=200, blank=True)
    consulted_role = models.CharField(max_length=200, blank=True)
    consulted_on = models.DateField(null=True, blank=True)
    consulted_opinion = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["request", "decision"], name="collected_decision")]
        constraints = [
            models.UniqueConstraint(fields=["request", "source_key"], name="collected_once"),
            models.CheckConstraint(
                condition=~Q(decision=Decision.WITHHOLD) | ~Q(exemption=""),
                name="withheld_has_exemption",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Redaction(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Redacted"
        REJECTED = "rejected", "Not redacted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collected_item = models.ForeignKey(
        CollectedItem, on_delete=models.CASCADE, related_name="redactions"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exemption = models.CharField(max_length=10, choices=Exemption.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    proposed = models.BooleanField(default=False, help_text="Proposed by Carefile.")
    reason = models.CharField(max_length=200, blank=True, help_text="Why Carefile proposed it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "end"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="redaction_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.exemption} {self.start}-{self.end}"


# --- Disclosure ------------------------------------------------------------------------------


def _bundle_path(instance: DisclosureBundle, filename: str) -> str:
    return f"bundles/{instance.request.public_id}/{instance.public_id}.pdf"


class DisclosureBundle(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="bundles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    file = models.FileField(
        storage=_documents_storage, upload_to=_bundle_path, max_length=200, blank=True
    )
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Bundle {self.public_id}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.items_total:
            return 0
        return min(99, round(100 * self.items_done / self.items_total))


class DownloadLink(models.Model):
    """A secure link to the bundle for one named recipient, expiring, revocable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bundle = models.ForeignKey(DisclosureBundle, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Link for {self.recipient_name}"


class ReminderSent(models.Model):
    """One reminder, sent once: the unique key makes re-running the daily task harmless."""

    class Kind(models.TextChoices):
        DAYS_10 = "days_10", "10 working days left"
        DAYS_5 = "days_5", "5 working days left"
        DAYS_1 = "days_1", "1 working day left"
        DUE_TODAY = "due_today", "Due today"
        OVERDUE = "overdue", "Overdue (escalated)"
        ACKNOWLEDGE = "acknowledge", "Complaint acknowledgement due"

    request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True
    )
    complaint = models.ForeignKey(
        "access_requests.Complaint",
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "due_on"],
                condition=Q(request__isnull=False),
                name="request_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["complaint", "kind", "due_on"],
                condition=Q(complaint__isnull=False),
                name="complaint_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}"


# --- Data protection complaints --------------------------------------------------------------


class ComplaintState(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESPONDED = "responded", "Responded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Complaint(models.Model):
    """A data protection complaint (DPA s164A): acknowledged within 30 days, answered without
    undue delay; the records it concerns are held while it is open."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_on = models.DateField()
    complainant_name = models.CharField(max_length=200)
    complainant_email = models.EmailField(blank=True)
    complainant_address = models.TextField(blank=True)
    description = models.TextField()
    person = models.ForeignKey(
        "records.Person",
        on_delete=models.PROTECT,
        related_name="complaints",
        null=True,
        blank=True,
        help_text="The person whose records the complaint concerns, once identified.",
    )
    access_request = models.ForeignKey(
        AccessRequest, on_delete=models.SET_NULL, related_name="complaints", null=True, blank=True
    )
    state = models.CharField(
        max_length=20, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    acknowledge_by = models.DateField(editable=False)
    acknowledged_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ComplaintOutcome.choices, blank=True)
    response = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["acknowledge_by"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=ComplaintState.RESPONDED) | ~Q(outcome=""),
                name="complaint_response_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in (ComplaintState.RECEIVED, ComplaintState.ACKNOWLEDGED)
