"""What the retention API reads and returns. Record classes are named by their ``code``;
everything else by its public UUID, never a primary key.

Input serializers only parse and type the request: the rules of DOMAIN.md §5 (a period unless
the records are kept for ever, a reason for every change, two different approvers) live in
``retention.services``, whose refusals become 400s with field errors.

Only a batch's records still to be decided (included or kept) carry the person's name: the
register, the forecast and the dry run never name anyone.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import OutputSerializer
from records.api.serializers import CaseRefSerializer, PersonRefSerializer, StaffRefSerializer
from retention.models import (
    Action,
    BatchStatus,
    DisposalBatch,
    DisposalItem,
    Hold,
    HoldScope,
    ItemStatus,
    RecordClass,
    RetentionRule,
    Trigger,
)
from retention.policies import item_named

# --- References ------------------------------------------------------------------------------


class CouncilRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class RecordClassRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class RuleRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.IntegerField(read_only=True)


class BatchRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True)


# --- The schedule ----------------------------------------------------------------------------


class RuleSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    period = serializers.CharField(
        source="period_display", read_only=True, help_text="The period in words."
    )
    created_by = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RetentionRule
        fields = [
            "id",
            "version",
            "trigger",
            "period_years",
            "period_months",
            "period_days",
            "period",
            "death_under_18_years",
            "action",
            "then_action",
            "legal_authority",
            "reason",
            "is_active",
            "created_by",
            "created_at",
            "superseded_at",
        ]


class RecordClassSerializer(OutputSerializer):
    rule = serializers.SerializerMethodField(help_text="The rule in force, if the class has one.")

    class Meta:
        model = RecordClass
        fields = ["code", "name", "kind", "case_categories", "description", "rule"]

    @extend_schema_field(RuleSerializer(allow_null=True))
    def get_rule(self, record_class: RecordClass) -> Any:
        # The list prefetches the rule in force; the detail view passes it in the context.
        rules = getattr(record_class, "rules_in_force", None)
        rule = rules[0] if rules else self.context.get("rule")
        return RuleSerializer(rule).data if rule is not None else None


class RecordClassDetailSerializer(RecordClassSerializer):
    history = serializers.SerializerMethodField(
        help_text="Every version of the class's rule, newest first."
    )

    class Meta(RecordClassSerializer.Meta):
        fields = [*RecordClassSerializer.Meta.fields, "history"]

    @extend_schema_field(RuleSerializer(many=True))
    def get_history(self, record_class: RecordClass) -> Any:
        return RuleSerializer(self.context["history"], many=True).data


class RuleChangeSerializer(serializers.Serializer):
    """A new version of a class's rule: the fields ``services.rule_change`` takes."""

    trigger = serializers.ChoiceField(choices=Trigger.choices, help_text="What starts the clock.")
    period_years = serializers.IntegerField(min_value=0, max_value=200, default=0)
    period_months = serializers.IntegerField(min_value=0, max_value=200, default=0)
    period_days = serializers.IntegerField(min_value=0, max_value=200, default=0)
    death_under_18_years = serializers.IntegerField(
        min_value=0,
        max_value=200,
        required=False,
        allow_null=True,
        default=None,
        help_text="If the person died before 18: this many years after death instead.",
    )
    action = serializers.ChoiceField(
        choices=Action.choices, help_text="What happens at the end of the period."
    )
    then_action = serializers.ChoiceField(
        choices=[(a.value, a.label) for a in (Action.DESTROY, Action.ANONYMISE, Action.KEEP)],
        required=False,
        allow_blank=True,
        default="",
        help_text="After a review: what normally follows.",
    )
    legal_authority = serializers.CharField(
        max_length=500, help_text="The law or guidance the rule follows."
    )
    reason = serializers.CharField(max_length=500, help_text="Why the rule is changing.")


# --- Holds -----------------------------------------------------------------------------------


class HoldSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = CouncilRefSerializer(read_only=True)
    person = PersonRefSerializer(
        read_only=True, allow_null=True, help_text="For a hold on a person's records."
    )
    case = CaseRefSerializer(read_only=True, allow_null=True, help_text="For a hold on one case.")
    record_class = RecordClassRefSerializer(read_only=True, allow_null=True)
    placed_by = StaffRefSerializer(read_only=True)
    lifted_by = StaffRefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True, help_text="Not lifted: it stops disposal.")

    class Meta:
        model = Hold
        fields = [
            "id",
            "organisation",
            "scope",
            "person",
            "case",
            "record_class",
            "from_date",
            "to_date",
            "reason",
            "is_active",
            "placed_by",
            "placed_at",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]


class HoldQuerySerializer(serializers.Serializer):
    lifted = serializers.BooleanField(
        required=False, default=False, help_text="Include holds already lifted."
    )


class HoldPlaceSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=HoldScope.choices, help_text="What the hold covers.")
    reason = serializers.CharField(
        max_length=500, help_text="Why disposal must stop: the inquiry, claim or complaint."
    )
    case_reference = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "For `case`: the case held. For `person`: a case of the person whose records are "
            "all held."
        ),
    )
    record_class = serializers.SlugField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="For `record_class` and `class_and_dates`: the class's code.",
    )
    from_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="For `class_and_dates`."
    )
    to_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="For `class_and_dates`."
    )
    organisation = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "For a hold on a record class: the council it holds, needed only if you keep "
            "several. A hold on a case or person is the case's council's."
        ),
    )


class HoldLiftSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, allow_blank=True, help_text="Why the hold can be lifted."
    )


class BatchCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, allow_blank=True, help_text="Why the batch is cancelled."
    )


# --- Disposal batches ------------------------------------------------------------------------


class ItemCountsSerializer(serializers.Serializer):
    included = serializers.IntegerField(read_only=True, source="n_included")
    kept = serializers.IntegerField(read_only=True, source="n_kept")
    held = serializers.IntegerField(read_only=True, source="n_held")
    unknown = serializers.IntegerField(read_only=True, source="n_unknown")
    disposed = serializers.IntegerField(read_only=True, source="n_disposed")
    skipped = serializers.IntegerField(read_only=True, source="n_skipped")


class BatchSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = CouncilRefSerializer(read_only=True)
    record_class = RecordClassRefSerializer(read_only=True)
    rule = RuleRefSerializer(read_only=True)
    first_approver = StaffRefSerializer(read_only=True, allow_null=True)
    second_approver = StaffRefSerializer(read_only=True, allow_null=True)
    cancelled_by = StaffRefSerializer(read_only=True, allow_null=True)
    counts = ItemCountsSerializer(source="*", read_only=True, help_text="Its records by status.")

    class Meta:
        model = DisposalBatch
        fields = [
            "id",
            "reference",
            "organisation",
            "record_class",
            "rule",
            "action",
            "status",
            "proposed_on",
            "proposed_at",
            "first_approver",
            "first_approved_at",
            "second_approver",
            "second_approved_at",
            "started_at",
            "finished_at",
            "cancelled_by",
            "cancelled_at",
            "cancel_reason",
            "counts",
        ]


class BatchItemSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(source="record_reference", read_only=True)
    person = serializers.SerializerMethodField(
        help_text="Whose record it is: only while it is to be disposed of or kept longer."
    )
    decided_by = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DisposalItem
        fields = [
            "id",
            "reference",
            "person",
            "trigger_date",
            "due_on",
            "status",
            "reason",
            "keep_until",
            "decided_by",
            "disposed_at",
        ]

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_person(self, item: DisposalItem) -> Any:
        if not item_named(item):  # and so the read audit names them too
            return None
        return PersonRefSerializer(item.person).data


class BatchQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=BatchStatus.choices, required=False, help_text="Only batches in this state."
    )


class BatchItemQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ItemStatus.choices, required=False, help_text="Only records in this state."
    )


class KeepSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, allow_blank=True, help_text="Why the record is kept longer."
    )
    keep_until = serializers.DateField(
        allow_null=True, help_text="The day it is next reviewed, after today."
    )


# --- The register ----------------------------------------------------------------------------


class RegisterEntrySerializer(OutputSerializer):
    """A disposed record's stub: no personal data."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(source="record_reference", read_only=True)
    record_class = RecordClassRefSerializer(source="batch.record_class", read_only=True)
    rule = RuleRefSerializer(source="batch.rule", read_only=True)
    legal_authority = serializers.CharField(source="batch.rule.legal_authority", read_only=True)
    action = serializers.CharField(
        source="batch.action", read_only=True, help_text="`destroy` or `anonymise`."
    )
    batch = BatchRefSerializer(read_only=True)
    first_approver = StaffRefSerializer(source="batch.first_approver", read_only=True)
    second_approver = StaffRefSerializer(source="batch.second_approver", read_only=True)

    class Meta:
        model = DisposalItem
        fields = [
            "id",
            "reference",
            "record_class",
            "trigger_date",
            "due_on",
            "rule",
            "legal_authority",
            "action",
            "batch",
            "first_approver",
            "second_approver",
            "disposed_at",
        ]


class RegisterQuerySerializer(serializers.Serializer):
    record_class = serializers.SlugField(
        max_length=40, required=False, help_text="Only records of this class (its code)."
    )
    batch = serializers.UUIDField(required=False, help_text="Only records of this batch.")


# --- Forecast and dry run --------------------------------------------------------------------


class ForecastQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(
        min_value=1, max_value=60, default=24, help_text="How many months ahead, this one first."
    )


class ForecastRowSerializer(serializers.Serializer):
    record_class = RecordClassRefSerializer(read_only=True)
    counts = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="One count per month."
    )
    total = serializers.IntegerField(read_only=True)
    unknown = serializers.IntegerField(
        read_only=True, help_text="Closed records whose trigger date is not known."
    )


class ForecastSerializer(serializers.Serializer):
    """Closed records falling due in each coming month, by the rules in force: counts only."""

    months = serializers.ListField(
        child=serializers.DateField(), read_only=True, help_text="The first day of each month."
    )
    rows = ForecastRowSerializer(many=True, read_only=True)
    totals = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="One count per month."
    )


class ReasonCountSerializer(serializers.Serializer):
    reason = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)


class DryRunRowSerializer(serializers.Serializer):
    record_class = RecordClassRefSerializer(read_only=True)
    organisation = CouncilRefSerializer(read_only=True, allow_null=True)
    rule = RuleRefSerializer(read_only=True)
    action = serializers.CharField(read_only=True, help_text="What approving it would do.")
    included = serializers.IntegerField(read_only=True)
    held = serializers.IntegerField(read_only=True)
    unknown = serializers.IntegerField(read_only=True)
    reasons = ReasonCountSerializer(
        many=True, read_only=True, help_text="Why records are left out, most common first."
    )


class DryRunSerializer(serializers.Serializer):
    """What the nightly proposal would propose now: counts and reasons only, never names."""

    on = serializers.DateField(read_only=True)
    rows = DryRunRowSerializer(many=True, read_only=True)
