"""What the audit API reads and returns.

Events are identified by their sequence number (``id``): it is what a seal covers and what
``audit_verify`` reports, and it never appears in a URL. People and staff are given by their
public ids. An event's personal part (field changes, a break-glass reason, a search) is given
unless retention has erased it (``scrubbed``) or it names another council's people
(``withheld``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.alerts import DEFAULT_PARAMETERS
from audit.models import Action, AlertOutcome, AlertRuleCode, Purpose
from audit.selectors import MAX_PAGE_SIZE, PAGE_SIZE, AlertStatus, EventRow

DATE_ORDER = "The end date must be the same as or after the start date."


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _ in choices)


# --- Queries ------------------------------------------------------------------------------------


class EventQuerySerializer(serializers.Serializer):
    subject = serializers.UUIDField(required=False, help_text="A person's record id.")
    actor = serializers.CharField(
        required=False, max_length=150, help_text="A member of staff's id or username."
    )
    team = serializers.UUIDField(required=False, help_text="Events by this team's members.")
    action = serializers.ChoiceField(choices=Action.choices, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    cursor = serializers.CharField(
        required=False, max_length=60, help_text="From the `next` link of the previous page."
    )
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # ``from`` is a Python keyword, so these cannot be declared as attributes.
        fields["from"] = serializers.DateField(
            required=False, help_text="From this day (Europe/London), inclusive."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="To this day (Europe/London), inclusive."
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"to": [DATE_ORDER]})
        return attrs


class AlertQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=AlertStatus.CHOICES, required=False, help_text="Leave out for both."
    )
    rule = serializers.ChoiceField(choices=AlertRuleCode.choices, required=False)


# --- Events -------------------------------------------------------------------------------------


class AuditStaffRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True, help_text="Null for a name no account matched.")
    username = serializers.CharField()


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="event.pk", help_text="The event's sequence number.")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    action = serializers.CharField(
        source="event.action", help_text=f"One of {_values(Action.choices)}."
    )
    purpose = serializers.CharField(
        source="event.purpose", help_text=f"One of {_values(Purpose.choices)}."
    )
    actor = serializers.SerializerMethodField()
    summary = serializers.CharField(source="event.summary")
    object_type = serializers.CharField(source="event.object_type")
    object_id = serializers.CharField(source="event.object_id")
    subjects = serializers.SerializerMethodField()
    other_subjects = serializers.IntegerField(
        help_text="People of other councils the event names (not identified here)."
    )
    changed_fields = serializers.SerializerMethodField()
    request_id = serializers.CharField(source="event.request_id")
    ip_address = serializers.CharField(source="event.ip_address")
    changes = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    query = serializers.SerializerMethodField()
    scrubbed = serializers.BooleanField(
        help_text="The personal part was erased when the record was destroyed."
    )
    withheld = serializers.BooleanField(
        help_text="The personal part names another council's people and is not shown."
    )

    @extend_schema_field(AuditStaffRefSerializer(allow_null=True))
    def get_actor(self, row: EventRow) -> dict[str, Any] | None:
        if row.actor is None and not row.event.actor_username:
            return None
        return {
            "id": row.actor.public_id if row.actor else None,
            "username": row.actor.username if row.actor else row.event.actor_username,
        }

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_subjects(self, row: EventRow) -> list[Any]:
        return [person.public_id for person in row.subjects]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_changed_fields(self, row: EventRow) -> list[str]:
        return [name for name in row.event.changed_fields.split(",") if name]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_changes(self, row: EventRow) -> dict[str, Any] | None:
        """Field name → [old, new]."""
        changes = row.personal.get("changes")
        return changes if isinstance(changes, dict) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, row: EventRow) -> str | None:
        value = row.personal.get("reason")
        return None if value is None else str(value)

    @extend_schema_field(OpenApiTypes.ANY)
    def get_query(self, row: EventRow) -> Any:
        return row.personal.get("query")


class AuditEventPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next (older) page, or null on the last."
    )
    results = AuditEventSerializer(many=True)


# --- Alerts -------------------------------------------------------------------------------------


class PrivacyAlertSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="alert.public_id")
    rule = serializers.CharField(
        source="alert.rule", help_text=f"One of {_values(AlertRuleCode.choices)}."
    )
    rule_label = serializers.CharField(source="alert.get_rule_display")
    user = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField()
    other_person = serializers.BooleanField(
        help_text="The alert is about a person of another council (not identified here)."
    )
    day = serializers.DateField(source="alert.day")
    detail = serializers.SerializerMethodField()
    raised_at = serializers.DateTimeField(source="alert.raised_at")
    status = serializers.SerializerMethodField()
    outcome = serializers.CharField(
        source="alert.outcome", help_text=f"Empty, or one of {_values(AlertOutcome.choices)}."
    )
    review_note = serializers.CharField(source="alert.review_note")
    reviewed_by = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(source="alert.reviewed_at", allow_null=True)

    @extend_schema_field(AuditStaffRefSerializer)
    def get_user(self, row: Any) -> dict[str, Any]:
        return {"id": row.alert.user.public_id, "username": row.alert.user.username}

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_person(self, row: Any) -> Any:
        return row.person.public_id if row.person else None

    @extend_schema_field(serializers.CharField())
    def get_detail(self, row: Any) -> str:
        return "" if row.other_person else row.alert.detail

    @extend_schema_field(serializers.CharField(help_text="`open` or `reviewed`."))
    def get_status(self, row: Any) -> str:
        return AlertStatus.OPEN if row.alert.is_open else AlertStatus.REVIEWED

    @extend_schema_field(AuditStaffRefSerializer(allow_null=True))
    def get_reviewed_by(self, row: Any) -> dict[str, Any] | None:
        reviewer = row.alert.reviewed_by
        if reviewer is None:
            return None
        return {"id": reviewer.public_id, "username": reviewer.username}


class PrivacyAlertDetailSerializer(PrivacyAlertSerializer):
    events = serializers.SerializerMethodField()
    events_total = serializers.SerializerMethodField()

    @extend_schema_field(AuditEventSerializer(many=True))
    def get_events(self, row: Any) -> list[dict[str, Any]]:
        events = self.context.get("events")
        return AuditEventSerializer(events.rows if events else [], many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.IntegerField())
    def get_events_total(self, row: Any) -> int:
        events = self.context.get("events")
        return events.total if events else 0


class AlertReviewSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AlertOutcome.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Needed unless the outcome is `appropriate`.",
    )


# --- Rules --------------------------------------------------------------------------------------


class AlertRuleSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=f"One of {_values(AlertRuleCode.choices)}.")
    name = serializers.CharField(source="get_code_display")
    enabled = serializers.BooleanField()
    parameters = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()
    updated_by = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_parameters(self, rule: Any) -> dict[str, Any]:
        return {**DEFAULT_PARAMETERS.get(rule.code, {}), **rule.parameters}

    @extend_schema_field(AuditStaffRefSerializer(allow_null=True))
    def get_updated_by(self, rule: Any) -> dict[str, Any] | None:
        if rule.updated_by is None:
            return None
        return {"id": rule.updated_by.public_id, "username": rule.updated_by.username}


class AlertRuleUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    parameters = serializers.DictField(
        required=False,
        help_text="Settings to change; the others keep their values. Each rule's settings and "
        "their ranges are in its `parameters`.",
    )
