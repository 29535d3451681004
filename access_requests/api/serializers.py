"""What the rights-request API reads and returns. Ids are public UUIDs. Input serializers only
parse; the rules live in ``access_requests.services``, whose refusals become 400s with field
errors."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from access_requests import selectors
from access_requests.models import (
    AccessRequest,
    Channel,
    ChildBasis,
    CollectedItem,
    Complaint,
    ComplaintOutcome,
    Decision,
    DisclosureBundle,
    DisclosureMethod,
    Exemption,
    Outcome,
    Pause,
    Redaction,
    Relationship,
    RequestNote,
    RequestSubject,
    RequestType,
    Source,
    State,
    VerificationMethod,
)
from accounts.models import Nation
from core.api.serializers import OutputSerializer

# --- Output ----------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="get_full_name")


class DueSerializer(serializers.Serializer):
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(
        allow_null=True, help_text="Working days left; negative: calendar days overdue."
    )
    urgency = serializers.CharField(
        help_text="green, amber, red, overdue, paused, waiting (clock not started) or closed."
    )
    # Declared fields leave the class attributes, so the name is free for the output.
    label = serializers.CharField()  # type: ignore[assignment]


class AccessRequestSummarySerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    assigned_to = UserRefSerializer(allow_null=True, read_only=True)
    due = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "reference",
            "organisation",
            "request_type",
            "channel",
            "received_on",
            "requester_name",
            "subject_name",
            "state",
            "assigned_to",
            "clock_started_on",
            "due_on",
            "due",
            "extended",
            "outcome",
        ]
        read_only_fields = fields

    def get_due(self, request: AccessRequest) -> dict[str, Any]:
        status = selectors.due_status(request)
        return DueSerializer(status).data


class PauseSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Pause
        fields = ["id", "asked_on", "question", "received_on"]
        read_only_fields = fields


class NoteSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = RequestNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = fields


class SubjectSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.SerializerMethodField()
    historic_record = serializers.SerializerMethodField()

    class Meta:
        model = RequestSubject
        fields = ["id", "person", "historic_record", "linked_at"]
        read_only_fields = fields

    def get_person(self, link: RequestSubject) -> dict[str, Any] | None:
        if link.person is None:
            return None
        person = link.person
        return {
            "id": str(person.public_id),
            "name": person.full_name,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        }

    def get_historic_record(self, link: RequestSubject) -> dict[str, Any] | None:
        record = link.historic_record
        if record is None:
            return None
        return {
            "id": str(record.public_id),
            "name": f"{record.first_name} {record.last_name}".strip(),
            "service": record.service,
            "box_reference": record.box_reference,
        }


class AccessRequestSerializer(AccessRequestSummarySerializer):
    due_explanation = serializers.ListField(child=serializers.CharField(), read_only=True)
    waiting_for = serializers.ListField(child=serializers.CharField(), read_only=True)
    pauses = PauseSerializer(many=True, read_only=True)
    notes = NoteSerializer(many=True, read_only=True)
    subjects = SubjectSerializer(many=True, read_only=True)
    approved_by = UserRefSerializer(allow_null=True, read_only=True)
    identity_verified_by = UserRefSerializer(allow_null=True, read_only=True)
    authority_verified_by = UserRefSerializer(allow_null=True, read_only=True)

    class Meta(AccessRequestSummarySerializer.Meta):
        fields = [
            *AccessRequestSummarySerializer.Meta.fields,
            "description",
            "requester_email",
            "requester_phone",
            "requester_address",
            "relationship",
            "child_basis",
            "subject_other_names",
            "subject_date_of_birth",
            "subject_address",
            "state_before_pause",
            "waiting_for",
            "identity_required",
            "identity_requested_on",
            "identity_received_on",
            "identity_method",
            "identity_verified_by",
            "authority_required",
            "authority_requested_on",
            "authority_received_on",
            "authority_method",
            "authority_verified_by",
            "fee_required",
            "fee_amount",
            "fee_reason",
            "fee_requested_on",
            "fee_received_on",
            "clock_regime",
            "nation",
            "due_explanation",
            "extension_reason",
            "extension_told_on",
            "outcome_reasons",
            "disclosure_method",
            "meeting_on",
            "approved_by",
            "approved_at",
            "sent_on",
            "closed_on",
            "collected_at",
            "pauses",
            "notes",
            "subjects",
        ]
        read_only_fields = fields


class RedactionSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Redaction
        fields = ["id", "start", "end", "exemption", "note", "status", "proposed", "reason"]
        read_only_fields = fields


class CollectedItemSummarySerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    proposals = serializers.IntegerField(read_only=True, help_text="Open proposals.")
    redacted = serializers.IntegerField(read_only=True, help_text="Accepted redactions.")

    class Meta:
        model = CollectedItem
        fields = [
            "id",
            "source",
            "source_label",
            "occurred_at",
            "title",
            "decision",
            "exemption",
            "is_sensitive",
            "is_restricted",
            "proposals",
            "redacted",
        ]
        read_only_fields = fields


class CollectedItemSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    redactions = RedactionSerializer(many=True, read_only=True)
    reviewed_by = UserRefSerializer(allow_null=True, read_only=True)

    class Meta:
        model = CollectedItem
        fields = [
            "id",
            "source",
            "source_label",
            "occurred_at",
            "title",
            "text",
            "is_sensitive",
            "is_restricted",
            "decision",
            "exemption",
            "review_note",
            "reviewed_by",
            "reviewed_at",
            "consulted_name",
            "consulted_role",
            "consulted_on",
            "consulted_opinion",
            "redactions",
        ]
        read_only_fields = fields


class BundleSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = DisclosureBundle
        fields = [
            "id",
            "status",
            "items_total",
            "items_done",
            "percent",
            "pages",
            "size",
            "sha256",
            "error",
            "requested_at",
            "finished_at",
        ]
        read_only_fields = fields


class ComplaintSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", allow_null=True, read_only=True)
    access_request = serializers.UUIDField(
        source="access_request.public_id", allow_null=True, read_only=True
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "channel",
            "received_on",
            "complainant_name",
            "complainant_email",
            "complainant_address",
            "description",
            "person",
            "access_request",
            "state",
            "acknowledge_by",
            "acknowledged_on",
            "responded_on",
            "outcome",
            "response",
        ]
        read_only_fields = fields


class IdentityMatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="person.public_id")
    name = serializers.CharField(source="person.full_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth", allow_null=True)
    other_names = serializers.ListField(child=serializers.CharField())
    services = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField()


class HistoricMatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="0.public_id")
    name = serializers.SerializerMethodField()
    other_names = serializers.CharField(source="0.other_names")
    date_of_birth = serializers.DateField(source="0.date_of_birth", allow_null=True)
    service = serializers.CharField(source="0.service")
    involvement_from = serializers.DateField(source="0.involvement_from", allow_null=True)
    involvement_to = serializers.DateField(source="0.involvement_to", allow_null=True)
    score = serializers.FloatField(source="1")

    def get_name(self, row: Any) -> str:
        return f"{row[0].first_name} {row[0].last_name}".strip()


class IdentityResultsSerializer(serializers.Serializer):
    people = IdentityMatchSerializer(many=True)
    historic_records = HistoricMatchSerializer(many=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    closed = serializers.IntegerField()
    in_time = serializers.IntegerField()
    late = serializers.IntegerField()
    extended = serializers.IntegerField()
    paused = serializers.IntegerField()
    percent_in_time = serializers.IntegerField(allow_null=True)


# --- Input -----------------------------------------------------------------------------------


class RequestQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)
    assigned = serializers.ChoiceField(choices=[("me", "me"), ("none", "none")], required=False)
    q = serializers.CharField(required=False, max_length=200)
    include_closed = serializers.BooleanField(required=False, default=False)


class RequestLogSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(
        required=False, help_text="Needed only by an officer serving several councils."
    )
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    channel = serializers.ChoiceField(choices=[c for c in Channel.choices if c[0] != "web_form"])
    received_on = serializers.DateField()
    description = serializers.CharField()
    requester_name = serializers.CharField(max_length=200)
    requester_email = serializers.EmailField(required=False, allow_blank=True, default="")
    requester_phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=30
    )
    requester_address = serializers.CharField(required=False, allow_blank=True, default="")
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    child_basis = serializers.ChoiceField(
        choices=ChildBasis.choices, required=False, allow_blank=True, default=""
    )
    subject_name = serializers.CharField(max_length=200)
    subject_other_names = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    subject_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    subject_address = serializers.CharField(required=False, allow_blank=True, default="")
    identity_required = serializers.BooleanField(required=False, default=False)
    authority_required = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Defaults to yes unless the requester is the person themselves.",
    )
    fee_required = serializers.BooleanField(required=False, default=False)
    fee_amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, default=None
    )
    fee_reason = serializers.CharField(required=False, allow_blank=True, default="")
    assigned_to = serializers.UUIDField(required=False, allow_null=True, default=None)


class RequirementsSerializer(serializers.Serializer):
    identity_required = serializers.BooleanField()
    authority_required = serializers.BooleanField()
    requested_on = serializers.DateField(required=False, allow_null=True, default=None)
    fee_required = serializers.BooleanField(required=False, default=False)
    fee_amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, default=None
    )
    fee_reason = serializers.CharField(required=False, allow_blank=True, default="")


class VerifySerializer(serializers.Serializer):
    received_on = serializers.DateField()
    method = serializers.ChoiceField(choices=VerificationMethod.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class DateReceivedSerializer(serializers.Serializer):
    received_on = serializers.DateField()


class AssignSerializer(serializers.Serializer):
    officer = serializers.UUIDField()


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField()


class PauseInputSerializer(serializers.Serializer):
    asked_on = serializers.DateField()
    question = serializers.CharField()


class ExtendSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    told_on = serializers.DateField()


class SubjectLinkSerializer(serializers.Serializer):
    person = serializers.UUIDField(required=False, allow_null=True, default=None)
    historic_record = serializers.UUIDField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("person") is None) == (attrs.get("historic_record") is None):
            raise serializers.ValidationError(
                {"person": ["Give one person or one historic record."]}
            )
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")
    sent_on = serializers.DateField(required=False, allow_null=True, default=None)
    disclosure_method = serializers.ChoiceField(
        choices=DisclosureMethod.choices, required=False, allow_blank=True, default=""
    )
    meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    meeting_notes = serializers.CharField(required=False, allow_blank=True, default="")


class ItemQuerySerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, required=False)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Source.choices, required=False
    )


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING]
    )
    exemption = serializers.ChoiceField(
        choices=Exemption.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RedactionInputSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    exemption = serializers.ChoiceField(choices=Exemption.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RedactionDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    exemption = serializers.ChoiceField(
        choices=Exemption.choices, required=False, allow_blank=True, default=""
    )


class ConsultationSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=200)
    role = serializers.CharField(allow_blank=True, max_length=200)
    consulted_on = serializers.DateField()
    opinion = serializers.CharField(allow_blank=True)


class LinkInputSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(allow_blank=True, max_length=200)
    recipient_email = serializers.EmailField()
    days = serializers.IntegerField(required=False, min_value=1, max_value=90, allow_null=True)


class LinkCreatedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField(help_text="Shown once: only a hash of the token is kept.")
    expires_at = serializers.DateTimeField()


class ComplaintLogSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(required=False)
    channel = serializers.ChoiceField(choices=[c for c in Channel.choices if c[0] != "web_form"])
    received_on = serializers.DateField()
    complainant_name = serializers.CharField(max_length=200)
    complainant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    complainant_address = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField()
    person = serializers.UUIDField(required=False, allow_null=True, default=None)
    access_request = serializers.UUIDField(required=False, allow_null=True, default=None)


class ComplaintAcknowledgeSerializer(serializers.Serializer):
    acknowledged_on = serializers.DateField()


class ComplaintRespondSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ComplaintOutcome.choices)
    response = serializers.CharField(allow_blank=True)
    responded_on = serializers.DateField()


class ComplaintWithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class PersonRefSerializer(serializers.Serializer):
    person = serializers.UUIDField()


class IdentityQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("q") and not attrs.get("date_of_birth"):
            raise serializers.ValidationError({"q": ["Give a name, an identifier or a date."]})
        return attrs


class BankHolidaySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    nation = serializers.ChoiceField(choices=Nation.choices)
    day = serializers.DateField()
    name = serializers.CharField(max_length=100, allow_blank=True)


class CorrectionSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    details = serializers.DictField(
        help_text=(
            'The corrected facts, e.g. `{"date_of_birth": "2014-05-20"}`: first_name, '
            "middle_names, last_name, preferred_name, date_of_birth, first_language, "
            "nhs_number, ni_number, upn."
        )
    )

    def validate_details(self, value: dict[str, Any]) -> dict[str, Any]:
        allowed = {
            "first_name",
            "middle_names",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "first_language",
            "nhs_number",
            "ni_number",
            "upn",
        }
        unknown = set(value) - allowed
        if unknown:
            raise serializers.ValidationError(
                f"Not correctable here: {', '.join(sorted(unknown))}."
            )
        if not value:
            raise serializers.ValidationError("Say what to correct.")
        if "date_of_birth" in value:
            value = {
                **value,
                "date_of_birth": serializers.DateField().to_internal_value(value["date_of_birth"]),
            }
        return value


class DisagreementInputSerializer(serializers.Serializer):
    item = serializers.UUIDField(help_text="An item in the linked person's own record.")
    statement = serializers.CharField(allow_blank=True)
    made_by = serializers.CharField(allow_blank=True, max_length=200)
    received_on = serializers.DateField()
