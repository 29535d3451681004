"""The retention schedule (DOMAIN.md §5): record classes, the one rule in force for each, and
the holds that stop disposal.

A rule is never edited in place: a change closes the rule in force and adds the next version,
so the schedule as it stood on any day can be shown, and each disposal names the version it
followed.
"""

from __future__ import annotations

import uuid
from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organisation


class ClassKind(models.TextChoices):
    """What a record class is made of."""

    CASE = "case", "Cases (by case category)"
    RIGHTS_REQUEST = "rights_request", "Rights request case files"
    COMPLAINT = "complaint", "Data protection complaints"
    SHARING_LOG = "sharing_log", "Sharing log entries"
    AUDIT = "audit", "Audit events"
    SURVEY = "survey", "User research and survey responses"


class Trigger(models.TextChoices):
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    CASE_CLOSURE = "case_closure", "Case closure"
    DATE_OF_DEATH = "date_of_death", "Date of death"
    CLOSURE_OR_DEATH = "closure_or_death", "Case closure or death, whichever is earlier"
    ADOPTION_ORDER = "adoption_order", "Date of the adoption order"
    LAST_ACTION = "last_action", "Last action on the record"
    FINANCIAL_YEAR_END = "financial_year_end", "End of the financial year"
    REQUEST_CLOSURE = "request_closure", "Closure of the request or complaint"
    STUDY_END = "study_end", "End of the study"


class Action(models.TextChoices):
    REVIEW = "review", "Review"
    DESTROY = "destroy", "Destroy"
    ANONYMISE = "anonymise", "Anonymise"
    KEEP = "keep", "Keep permanently"


class RecordClass(models.Model):
    """A kind of record the schedule gives one rule: looked-after children's cases, rights
    request case files, the sharing log…"""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ClassKind.choices)
    case_categories = models.JSONField(
        default=list, blank=True, help_text="For cases: the case categories the class covers."
    )
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "record classes"

    def __str__(self) -> str:
        return self.name


class RetentionRule(models.Model):
    """One version of a class's rule. Exactly one version of each class is in force."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record_class = models.ForeignKey(RecordClass, on_delete=models.PROTECT, related_name="rules")
    version = models.PositiveIntegerField()
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    period_years = models.PositiveIntegerField(default=0)
    period_months = models.PositiveIntegerField(default=0)
    period_days = models.PositiveIntegerField(default=0)
    death_under_18_years = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="If the person died before 18: this many years after death instead.",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    then_action = models.CharField(
        max_length=10,
        choices=Action.choices,
        blank=True,
        help_text="After a review: what normally follows (for example destroy).",
    )
    legal_authority = models.CharField(max_length=500)
    reason = models.CharField(max_length=500, help_text="Why this version was made.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record_class__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_class"],
                condition=Q(is_active=True),
                name="retention_one_active_rule_per_class",
            ),
            models.UniqueConstraint(
                fields=["record_class", "version"], name="retention_rule_version_unique"
            ),
            # A rule keeps a record for some time, unless it keeps it for ever.
            models.CheckConstraint(
                condition=Q(action="keep")
                | Q(period_years__gt=0)
                | Q(period_months__gt=0)
                | Q(period_days__gt=0),
                name="retention_rule_has_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_class} v{self.version}"

    @property
    def period_display(self) -> str:
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in (
                (self.period_years, "year"),
                (self.period_months, "month"),
                (self.period_days, "day"),
            )
            if n
        ]
        return ", ".join(parts) or "no set period"


class HoldScope(models.TextChoices):
    PERSON = "person", "A person's records"
    CASE = "case", "One case"
    RECORD_CLASS = "record_class", "A whole record class"
    CLASS_AND_DATES = "class_and_dates", "A record class, for records from a date range"


class Hold(models.Model):
    """Nothing it covers may be disposed of while it stands: a legal hold, a public inquiry's
    moratorium, a complaint."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=20, choices=HoldScope.choices)
    person = models.ForeignKey(
        "records.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    case = models.ForeignKey(
        "records.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    record_class = models.ForeignKey(
        RecordClass, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="person", person__isnull=False, case__isnull=True)
                    | Q(scope="case", case__isnull=False, person__isnull=True)
                    | Q(
                        scope__in=["record_class", "class_and_dates"],
                        record_class__isnull=False,
                        person__isnull=True,
                        case__isnull=True,
                    )
                ),
                name="hold_names_what_it_holds",
            ),
            models.CheckConstraint(
                condition=~Q(scope="class_and_dates")
                | (Q(from_date__isnull=False) & Q(to_date__isnull=False)),
                name="hold_date_range_has_both_ends",
            ),
            models.CheckConstraint(
                condition=Q(to_date__isnull=True)
                | Q(from_date__isnull=True)
                | Q(to_date__gte=F("from_date")),
                name="hold_range_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""),
                name="hold_lifted_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold on {self.get_scope_display().lower()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


# --- Disposal --------------------------------------------------------------------------------


class BatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed: waiting for review and approval"
    APPROVED = "approved", "Approved by two people: waiting to run"
    RUNNING = "running", "Being carried out"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


def _documents_storage() -> Any:
    """Beside case documents: outside the web root, served only through permission-checked
    views (resolved when used, so tests can move it)."""
    from django.core.files.storage import storages

    return storages["documents"]


def _certificate_path(instance: DisposalBatch, filename: str) -> str:
    return f"retention/certificates/{instance.public_id}/{uuid.uuid4()}.pdf"


class DisposalBatch(models.Model):
    """The records of one class, of one council, that fell due under one version of its rule:
    reviewed, approved by two different people, then carried out."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    record_class = models.ForeignKey(RecordClass, on_delete=models.PROTECT, related_name="batches")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="batches")
    action = models.CharField(max_length=10, choices=Action.choices)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.PROPOSED
    )
    proposed_on = models.DateField()
    proposed_at = models.DateTimeField(default=timezone.now)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    # The certificate of destruction, made once the batch is done (references and dates, no
    # personal value): a county's batch lists tens of thousands of records, too many to lay
    # out again on every download.
    certificate = models.FileField(
        storage=_documents_storage,
        upload_to=_certificate_path,
        max_length=200,
        blank=True,
        editable=False,
    )

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            # The two-person rule, in the database too.
            models.CheckConstraint(
                condition=Q(second_approver__isnull=True) | ~Q(second_approver=F("first_approver")),
                name="disposal_batch_two_different_approvers",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ItemStatus(models.TextChoices):
    INCLUDED = "included", "To be disposed of"
    KEPT = "kept", "Kept longer (taken out at review)"
    HELD = "held", "Left out: held"
    UNKNOWN = "unknown", "Left out: trigger date not known"
    DISPOSED = "disposed", "Disposed of"
    SKIPPED = "skipped", "Left out when carried out: held by then"


class DisposalItem(models.Model):
    """One record in a batch. Its stub outlives the record: the reference and dates only,
    never a personal value."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(DisposalBatch, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        "records.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        "records.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # For classes that are not cases: the primary key of the rights request, complaint or
    # sharing-log entry (for audit events, the last event id the item covers). Cleared when
    # the record is disposed of.
    object_pk = models.BigIntegerField(null=True, blank=True)
    # A record carried out over several transactions (a council's audit events, a window of
    # event ids at a time): the last event id done so far, committed with that window.
    progress = models.BigIntegerField(null=True, blank=True, editable=False)
    record_reference = models.CharField(max_length=40)
    # The record's own span (received to closed, say), for an inquiry's date-range hold: the
    # run re-checks the same span the proposal did.
    record_from = models.DateField(null=True, blank=True)
    record_to = models.DateField(null=True, blank=True)
    trigger_date = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    keep_until = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "record_reference"]
        indexes = [models.Index(fields=["batch", "status"], name="disposal_item_batch_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="kept") | (~Q(reason="") & Q(keep_until__isnull=False)),
                name="disposal_item_kept_with_reason_and_date",
            ),
        ]
        # The disposal register: a disposed record's stub is kept for good.
        triggers = [
            pgtrigger.Protect(
                name="disposal_register_kept",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="disposed"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_reference} in {self.batch_id}"


class FileToDelete(models.Model):
    """A destroyed record's file, deleted from storage once the destruction has committed.
    Written in the destroying transaction: if it rolls back, the row goes and the file stays
    with its record; if the worker dies after the commit, the next sweep deletes the file."""

    storage = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    queued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.storage}:{self.name}"
