"""The audit trail: one row per read or write, sealed into a hash chain, and privacy alerts.

Carefile keeps its own event model rather than django-auditlog's ``LogEntry``. LogEntry keeps
personal values (``changes``, ``object_repr``, ``serialized_data``) in the same columns as the
facts a seal must cover, cascades on content-type deletion and nulls the actor on user deletion
(both updates an append-only table must refuse), has no purpose and no data subjects, and
indexes five single columns that a table taking 400,000 reads a day does not need. Most events
here are reads, which are not model changes at all; writes are recorded explicitly by each
service, in its transaction.

Each event has two parts:

- the **sealed part**: every column except ``personal_text``, ``personal_salt`` and
  ``scrubbed_at``. ``event_hash`` is the SHA-256 of its canonical form (audit.canonical) and
  seals chain those hashes.
- the **personal part**: names, field values, search terms and reasons, as canonical JSON text
  with a random salt. The sealed part holds ``personal_digest`` = SHA-256(salt ‖ text), so
  verification checks the personal part while it exists, and retention can erase it (salt and
  all, so the digest no longer confirms a guess) without breaking any seal.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.canonical import HASHED_EVENT_COLUMNS


class Action(models.TextChoices):
    READ = "read", "Read"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    LOCKOUT = "lockout", "Account locked"
    MFA_CHANGE = "mfa_change", "Two-step verification changed"
    PERMISSION_GRANT = "permission_grant", "Permission granted"
    PERMISSION_REVOKE = "permission_revoke", "Permission revoked"
    SETTING_CHANGE = "setting_change", "Setting changed"
    SEAL = "seal", "Audit sealed"


class Purpose(models.TextChoices):
    NORMAL = "normal", "Normal work"
    BREAK_GLASS = "break_glass", "Break-glass"
    ACCESS_REQUEST = "access_request", "Access request"
    AUDIT_REVIEW = "audit_review", "Audit review"
    SYSTEM = "system", "System"


PERSONAL_COLUMNS = ("personal_text", "personal_salt", "scrubbed_at")
# Everything but the personal part is sealed: the hashed columns, the id (bound by the seal's
# digest) and the hash itself.
SEALED_COLUMNS = ("id", *HASHED_EVENT_COLUMNS, "event_hash")


def _row(alias: str) -> str:
    return ", ".join(f"{alias}.{column}" for column in SEALED_COLUMNS)


class AuditEvent(models.Model):
    """One read or write. Append-only: the database refuses UPDATE and DELETE, except erasing
    the personal part (retention's scrub)."""

    # --- sealed part ---
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=Action.choices)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.NORMAL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(max_length=150, blank=True)
    summary = models.CharField(max_length=200, help_text="What happened, with no personal data.")
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    subject_ids = models.TextField(
        blank=True, help_text="The people whose data this is: sorted person ids, comma-separated."
    )
    changed_fields = models.TextField(blank=True)
    path = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    personal_digest = models.CharField(max_length=64, blank=True)
    event_hash = models.CharField(max_length=64)
    # --- personal part (erasable) ---
    personal_text = models.TextField(null=True, blank=True)
    personal_salt = models.CharField(max_length=32, blank=True)
    scrubbed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The guardian's "what has this user looked at", newest first.
            models.Index(fields=["actor", "-occurred_at"], name="audit_event_actor_time"),
            models.Index(fields=["occurred_at"], name="audit_event_time"),
            # Retention's scrub of a destroyed record's events, found by the record: only the
            # events with a personal part left to erase (writes, mostly; reads rarely carry
            # one), so the index stays a small fraction of the trail.
            models.Index(
                fields=["object_id"],
                name="audit_event_erasable_object",
                condition=models.Q(personal_text__isnull=False),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="audit_event_no_delete", operation=pgtrigger.Delete),
            # The one permitted UPDATE erases the personal part and touches nothing sealed.
            pgtrigger.Protect(
                name="audit_event_only_scrub",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "NOT (NEW.personal_text IS NULL AND NEW.personal_salt = '' "
                    "AND NEW.scrubbed_at IS NOT NULL "
                    f"AND ROW({_row('OLD')}) IS NOT DISTINCT FROM ROW({_row('NEW')}))"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.summary}"

    @property
    def subject_id_list(self) -> list[int]:
        return [int(part) for part in self.subject_ids.split(",") if part]

    @property
    def personal(self) -> dict[str, Any]:
        if not self.personal_text:
            return {}
        value = json.loads(self.personal_text)
        return value if isinstance(value, dict) else {}


class AuditEventSubject(models.Model):
    """Index of events by data subject, for "who has accessed this person's record".

    No foreign keys: a destroyed person's events keep their (meaningless) id, and the table is
    written at the rate of reads. Covered by the seal through ``AuditEvent.subject_ids``; the
    event's actor and purpose are repeated here so that the per-person index answers "who, how
    often, when and why" by itself, without visiting one event row per access."""

    event_id = models.BigIntegerField()
    person_id = models.BigIntegerField()
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    purpose = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["person_id", "-occurred_at"],
                include=["actor_id", "purpose", "event_id"],
                name="audit_subject_person_time",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "person_id"], name="audit_subject_once")
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_subject_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"event #{self.event_id} → person {self.person_id}"


class AuditSeal(models.Model):
    """Seals a run of events: ``events_digest`` = SHA-256 of their hashes in id order, and
    ``seal_hash`` chains it to the previous seal. Ids the sequence skipped (rolled-back
    transactions) are listed, so a later deletion shows as a gap."""

    id = models.BigAutoField(primary_key=True)
    sealed_at = models.DateTimeField(default=timezone.now)
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    skipped_ids = models.TextField(blank=True)
    events_digest = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64, blank=True)
    seal_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["first_event_id"], name="audit_seal_unique_start"),
            models.CheckConstraint(
                condition=models.Q(last_event_id__gte=models.F("first_event_id")),
                name="audit_seal_range",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="audit_seal_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"Seal {self.id}: events {self.first_event_id}–{self.last_event_id}"


class AlertRuleCode(models.TextChoices):
    BREAK_GLASS = "break_glass", "Break-glass access"
    RESTRICTED = "restricted", "Restricted or high-profile record"
    OWN_RECORD = "own_record", "The user's own record"
    COLLEAGUE = "colleague", "A colleague's record"
    SAME_SURNAME = "same_surname", "Same surname as the user"
    SAME_ADDRESS = "same_address", "Same address as the user"
    DECEASED = "deceased", "Deceased person"
    VOLUME = "volume", "Volume above the user's own baseline"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours access"
    AFTER_ALLOCATION = "after_allocation", "Access after the user's allocation ended"
    DISABLED_ACCOUNT = "disabled_account", "Access by a disabled account or leaver"


class AlertRule(models.Model):
    """One privacy-monitoring rule the guardian can switch and tune."""

    code = models.CharField(max_length=30, choices=AlertRuleCode.choices, unique=True)
    enabled = models.BooleanField(default=True)
    parameters = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class AlertOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate — escalated"
    NEEDS_EXPLANATION = "needs_explanation", "Needs explanation"


class PrivacyAlert(models.Model):
    """A pattern worth a look: reviewed by the guardian, never a verdict."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule = models.CharField(max_length=30, choices=AlertRuleCode.choices)
    # One alert per rule, user, person (if any) and day: the detection task may run again.
    dedupe_key = models.CharField(max_length=120, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privacy_alerts"
    )
    person_id = models.BigIntegerField(null=True, blank=True)
    day = models.DateField()
    detail = models.CharField(max_length=300, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    events: models.ManyToManyField[AuditEvent, PrivacyAlertEvent] = models.ManyToManyField(
        AuditEvent, through="PrivacyAlertEvent", related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=AlertOutcome.choices, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["reviewed_at", "rule"], name="privacy_alert_queue")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} — {self.user} on {self.day}"

    @property
    def is_open(self) -> bool:
        return self.reviewed_at is None


class PrivacyAlertEvent(models.Model):
    alert = models.ForeignKey(PrivacyAlert, on_delete=models.CASCADE)
    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, db_constraint=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "event"], name="privacy_alert_event_once")
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} ← event #{self.event_id}"


class AlertScan(models.Model):
    """How far privacy monitoring has read the trail: a single row, moved in the same
    transaction as the alerts it found."""

    name = models.CharField(max_length=30, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} up to #{self.last_event_id}"
