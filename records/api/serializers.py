"""What the case-records API reads and returns. Every id is a public UUID, never a primary key.

Input serializers only parse and type the request: the domain rules (identifier checks, dates
in the future, empty notes, who may do what) live in ``records.services``, whose
``ValidationError`` and ``ApplicationError`` become 400s with field errors.

Output serializers render stored choices as their plain value and list the values in the
schema's description; the enums in the schema belong to the input serializers, where a client
must choose one (this also keeps one field name, such as ``kind``, from naming several
unrelated enums).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts.models import User
from core.api.serializers import ChoiceValueField, OutputSerializer
from records import selectors
from records.models import (
    Address,
    Allocation,
    Assessment,
    AssessmentType,
    Case,
    CaseCategory,
    CaseNote,
    Contact,
    ContactType,
    DisagreementStatement,
    Document,
    DocumentType,
    EmailAddress,
    Ethnicity,
    Gender,
    InformationReceived,
    Item,
    ItemKind,
    ItemRevision,
    NoteType,
    Person,
    PersonAlert,
    PersonName,
    PhoneNumber,
    Plan,
    PlanType,
    RelationshipKind,
    Review,
)
from records.selectors import RelatedPerson

# --- Fields ----------------------------------------------------------------------------------


def _text(**kwargs: Any) -> serializers.CharField:
    """Free text as typed: never trimmed, so what was written is what is kept."""
    return serializers.CharField(trim_whitespace=False, **kwargs)


def _optional_text(max_length: int) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True)


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, **kwargs)


# --- Small references ------------------------------------------------------------------------


class StaffRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "full_name"]


class PersonRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name"]


class CaseRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference"]


class TeamRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


# --- People ----------------------------------------------------------------------------------


class PersonNameSerializer(OutputSerializer):
    class Meta:
        model = PersonName
        fields = ["kind", "first_name", "last_name", "used_from", "used_to"]


class AddressSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Address
        fields = [
            "id",
            "line_1",
            "line_2",
            "town",
            "postcode",
            "lived_from",
            "lived_to",
            "is_current",
            "is_confidential",
        ]


class PhoneNumberSerializer(OutputSerializer):
    class Meta:
        model = PhoneNumber
        fields = ["number", "label"]


class EmailAddressSerializer(OutputSerializer):
    class Meta:
        model = EmailAddress
        fields = ["email", "label"]


class PersonAlertSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PersonAlert
        fields = ["id", "kind", "description", "starts_on", "ends_on"]


PERSON_SUMMARY_FIELDS = [
    "id",
    "full_name",
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "date_of_death",
    "gender",
    "nhs_number",
    "is_restricted",
]


class PersonSummarySerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Person
        fields = PERSON_SUMMARY_FIELDS


class PersonDetailSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    age = serializers.SerializerMethodField()
    names = PersonNameSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)
    phones = PhoneNumberSerializer(many=True, read_only=True)
    emails = EmailAddressSerializer(many=True, read_only=True)
    alerts = PersonAlertSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            *PERSON_SUMMARY_FIELDS,
            "middle_names",
            "age",
            "ethnicity",
            "first_language",
            "interpreter_needed",
            "disability",
            "ni_number",
            "upn",
            "restriction_reason",
            "organisation",
            "names",
            "addresses",
            "phones",
            "emails",
            "alerts",
            "created_at",
            "updated_at",
        ]

    def get_age(self, person: Person) -> int | None:
        return person.age_on()


class PersonDetailsSerializer(serializers.Serializer):
    """A person's own details: the fields ``services.person_update`` may change."""

    first_name = serializers.CharField(max_length=100)
    middle_names = _optional_text(150)
    last_name = serializers.CharField(max_length=100)
    preferred_name = _optional_text(100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    date_of_death = serializers.DateField(required=False, allow_null=True)
    gender = _choice(Gender.choices, required=False)
    ethnicity = _choice(Ethnicity.choices, required=False)
    first_language = _optional_text(60)
    interpreter_needed = serializers.BooleanField(required=False)
    disability = _optional_text(300)
    # Longer than stored: people type spaces and dashes, which the service takes out.
    nhs_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="10 digits, like 943 476 5919."
    )
    ni_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Like QQ 12 34 56 C."
    )
    upn = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Unique Pupil Number."
    )


class PersonCreateSerializer(PersonDetailsSerializer):
    """A new person and their first case, held by one of the caller's teams."""

    team = serializers.UUIDField(help_text="A team you work in: it holds the first case.")
    category = _choice(CaseCategory.choices)
    opened_on = serializers.DateField(required=False)
    referral_reason = _optional_text(500)
    allocate = serializers.BooleanField(
        default=True, help_text="Allocate the case to you (false: leave it for allocation)."
    )
    organisation = serializers.UUIDField(
        required=False,
        help_text="The council the record belongs to; needed only for a team working for "
        "several councils.",
    )


class PersonSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A name (spelling mistakes allowed), an NHS or NI number, or a UPN.",
    )
    date_of_birth = serializers.DateField(required=False)


class SearchResultSerializer(serializers.Serializer):
    person = PersonSummarySerializer(read_only=True)
    matched_name = serializers.CharField(read_only=True)
    score = serializers.FloatField(read_only=True)


# --- Relationships ---------------------------------------------------------------------------


class RelatedPersonSerializer(serializers.Serializer):
    """One relationship, seen from the person in the URL. The other person's id is given only
    when the caller may open their record; otherwise just their name."""

    id = serializers.UUIDField(source="relationship.public_id", read_only=True)
    kind = ChoiceValueField(
        source="relationship.kind", choices=RelationshipKind.choices, read_only=True
    )
    # A field called "label" shadows Field.label only for the type checker: DRF's metaclass
    # takes declared fields off the class.
    label = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="What the other person is to this one."
    )
    other_person_id = serializers.SerializerMethodField()
    other_person_name = serializers.CharField(source="other.full_name", read_only=True)
    other_visible = serializers.BooleanField(read_only=True)
    is_parental_responsibility = serializers.BooleanField(
        source="relationship.is_parental_responsibility", read_only=True
    )
    started_on = serializers.DateField(source="relationship.started_on", read_only=True)
    ended_on = serializers.DateField(source="relationship.ended_on", read_only=True)
    notes = serializers.CharField(source="relationship.notes", read_only=True)

    def get_other_person_id(self, related: RelatedPerson) -> uuid.UUID | None:
        return related.other.public_id if related.other_visible else None


class RelationshipCreateSerializer(serializers.Serializer):
    other_person = serializers.UUIDField(help_text="Someone whose record you can open.")
    kind = _choice(
        RelationshipKind.choices,
        help_text="Reads: other_person is the <kind> of this person (see inverse).",
    )
    inverse = serializers.BooleanField(
        default=False, help_text="Read it the other way: this person is the <kind> of the other."
    )
    started_on = serializers.DateField(required=False, allow_null=True)
    notes = _optional_text(300)
    is_parental_responsibility = serializers.BooleanField(default=False)


# --- Cases and allocations -------------------------------------------------------------------


class CaseSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = PersonRefSerializer(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    team = TeamRefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "person",
            "organisation",
            "service",
            "category",
            "team",
            "opened_on",
            "closed_on",
            "closure_reason",
            "referral_reason",
            "is_open",
            "last_contact_at",
            "next_review_on",
            "created_at",
        ]


class PersonCreatedSerializer(serializers.Serializer):
    person = PersonDetailSerializer(read_only=True)
    case = CaseSerializer(read_only=True)


class CaseOpenSerializer(serializers.Serializer):
    person = serializers.UUIDField(help_text="Someone whose record you can open.")
    team = serializers.UUIDField(help_text="A team you work in: it holds the case.")
    category = _choice(CaseCategory.choices)
    opened_on = serializers.DateField(required=False)
    referral_reason = _optional_text(500)


class AllocationSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = CaseRefSerializer(read_only=True)
    worker = StaffRefSerializer(read_only=True)
    allocated_by = StaffRefSerializer(read_only=True, allow_null=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Allocation
        fields = [
            "id",
            "case",
            "worker",
            "role",
            "starts_on",
            "ends_on",
            "allocated_by",
            "is_current",
        ]

    def get_is_current(self, allocation: Allocation) -> bool:
        today = timezone.localdate()
        return allocation.starts_on <= today and (
            allocation.ends_on is None or allocation.ends_on >= today
        )


class AllocationCreateSerializer(serializers.Serializer):
    worker = serializers.UUIDField(help_text="The member of staff's id (from /api/v1/me/).")
    role = _choice(Allocation.Role.choices, default=Allocation.Role.LEAD)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)


class AllocationEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(
        required=False, allow_null=True, help_text="Today if not given."
    )


# --- Items -----------------------------------------------------------------------------------


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField(max_length=200)
    text = _text(allow_blank=True)


class LinkedPersonSerializer(serializers.Serializer):
    person = PersonRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True, help_text="`participant` or `mentioned`.")


class RevisionSerializer(OutputSerializer):
    author = StaffRefSerializer(read_only=True)

    class Meta:
        model = ItemRevision
        fields = ["number", "data", "reason", "author", "created_at"]


class DisagreementSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    recorded_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = DisagreementStatement
        fields = ["id", "statement", "made_by", "received_on", "recorded_by", "recorded_at"]


ITEM_SUMMARY_FIELDS = [
    "id",
    "kind",
    "title",
    "occurred_at",
    "case",
    "author",
    "body",
    "is_sensitive",
    "is_restricted",
    "revision_number",
    "created_at",
]


class ItemSummarySerializer(OutputSerializer):
    """An item as the chronology lists it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    case = CaseRefSerializer(read_only=True)
    author = StaffRefSerializer(read_only=True)
    disagreement_count = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [*ITEM_SUMMARY_FIELDS, "disagreement_count"]

    def get_disagreement_count(self, item: Item) -> int:
        # The chronology selector prefetches them.
        return len(item.disagreements.all())


class ItemDetailSerializer(OutputSerializer):
    """An item with its history: every revision, the people it links and any statements of
    disagreement, with the fields of its kind."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    case = CaseRefSerializer(read_only=True)
    author = StaffRefSerializer(read_only=True)
    entered_in_error_by = StaffRefSerializer(read_only=True, allow_null=True)
    people = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
    disagreements = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            *ITEM_SUMMARY_FIELDS,
            "entered_in_error_at",
            "entered_in_error_by",
            "entered_in_error_reason",
            "people",
            "revisions",
            "disagreements",
        ]

    @extend_schema_field(LinkedPersonSerializer(many=True))
    def get_people(self, item: Item) -> Any:
        links = self.context.get("links")
        if links is None:
            links = selectors.item_linked_people(item=item, user=self.context["user"])
        return LinkedPersonSerializer(links, many=True).data

    @extend_schema_field(RevisionSerializer(many=True))
    def get_revisions(self, item: Item) -> Any:
        return RevisionSerializer(selectors.item_revisions(item=item), many=True).data

    @extend_schema_field(DisagreementSerializer(many=True))
    def get_disagreements(self, item: Item) -> Any:
        return DisagreementSerializer(selectors.item_disagreements(item=item), many=True).data


DETAIL_FIELDS = ItemDetailSerializer.Meta.fields


class ContactDetailSerializer(ItemDetailSerializer):
    class Meta:
        model = Contact
        fields = [*DETAIL_FIELDS, "contact_type", "location", "seen_alone"]


class NoteDetailSerializer(ItemDetailSerializer):
    class Meta:
        model = CaseNote
        fields = [*DETAIL_FIELDS, "note_type"]


class AssessmentDetailSerializer(ItemDetailSerializer):
    sections = SectionSerializer(many=True, read_only=True)
    authorised_by = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            *DETAIL_FIELDS,
            "assessment_type",
            "status",
            "sections",
            "submitted_at",
            "authorised_at",
            "authorised_by",
        ]


class PlanDetailSerializer(ItemDetailSerializer):
    class Meta:
        model = Plan
        fields = [*DETAIL_FIELDS, "plan_type", "starts_on", "next_review_on", "ended_on"]


class ItemRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField(read_only=True)


class ReviewDetailSerializer(ItemDetailSerializer):
    reviewed_plan = ItemRefSerializer(read_only=True)

    class Meta:
        model = Review
        fields = [*DETAIL_FIELDS, "reviewed_plan", "next_review_on"]


class DocumentDetailSerializer(ItemDetailSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            *DETAIL_FIELDS,
            "document_type",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "download_url",
        ]

    def get_download_url(self, document: Document) -> str:
        return reverse("records-api:document-download", kwargs={"item_id": document.public_id})


class InformationReceivedDetailSerializer(ItemDetailSerializer):
    class Meta:
        model = InformationReceived
        fields = [*DETAIL_FIELDS, "source_organisation", "source_name", "method"]


ITEM_DETAIL_SERIALIZERS: dict[str, type[ItemDetailSerializer]] = {
    ItemKind.CONTACT: ContactDetailSerializer,
    ItemKind.NOTE: NoteDetailSerializer,
    ItemKind.ASSESSMENT: AssessmentDetailSerializer,
    ItemKind.PLAN: PlanDetailSerializer,
    ItemKind.REVIEW: ReviewDetailSerializer,
    ItemKind.DOCUMENT: DocumentDetailSerializer,
    ItemKind.INFORMATION_RECEIVED: InformationReceivedDetailSerializer,
}

# For the schema only: one of the above, told apart by ``kind``.
ITEM_DETAIL_SCHEMA = PolymorphicProxySerializer(
    component_name="ItemDetail",
    serializers={str(kind): cls for kind, cls in ITEM_DETAIL_SERIALIZERS.items()},
    resource_type_field_name="kind",
)


def item_detail(item: Item, user: User, *, links: list[Any] | None = None) -> Any:
    """The kind-specific rendering of an item fetched by a selector or returned by a service,
    for ``user`` (restricted people they may not see are left out of its linked people).
    ``links``: the item's linked people as ``selectors.item_linked_people`` has just given
    them for this user, to save asking twice."""
    context: dict[str, Any] = {"user": user, "links": links}
    return ITEM_DETAIL_SERIALIZERS[item.kind](item.detail(), context=context).data


# --- Recording items -------------------------------------------------------------------------


class _ItemInputSerializer(serializers.Serializer):
    is_sensitive = serializers.BooleanField(
        default=False, help_text="Special-category, criminal offence or third-party information."
    )
    is_restricted = serializers.BooleanField(
        default=False, help_text="Seen only by staff with a named grant, on top of the case."
    )


def _people(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=100, help_text=help_text
    )


class ContactRecordSerializer(_ItemInputSerializer):
    contact_type = _choice(ContactType.choices)
    occurred_at = serializers.DateTimeField(help_text="When it happened (not in the future).")
    body = _text(allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = _optional_text(200)
    seen_alone = serializers.BooleanField(required=False, allow_null=True)
    participants = _people("People of this case who took part (subject or participants).")
    mentioned = _people("People of this case it mentions (third parties).")


class NoteRecordSerializer(_ItemInputSerializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = _text(allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False)
    note_type = _choice(NoteType.choices, required=False)
    mentioned = _people("People of this case it mentions (third parties).")


class AssessmentStartSerializer(_ItemInputSerializer):
    assessment_type = _choice(AssessmentType.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sections = SectionSerializer(many=True, required=False)
    body = _text(allow_blank=True, required=False)
    occurred_at = serializers.DateTimeField(required=False)


class PlanRecordSerializer(_ItemInputSerializer):
    plan_type = _choice(PlanType.choices)
    starts_on = serializers.DateField()
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)
    body = _text(allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DocumentUploadSerializer(_ItemInputSerializer):
    file = serializers.FileField(
        help_text="A PDF, Word document (.docx), PNG or JPEG; checked by its content."
    )
    document_type = _choice(DocumentType.choices)
    title = serializers.CharField(max_length=200, allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False)
    body = _text(allow_blank=True, required=False)


class InformationReceivedRecordSerializer(_ItemInputSerializer):
    source_organisation = serializers.CharField(max_length=200, allow_blank=True)
    source_name = _optional_text(200)
    method = _choice(InformationReceived.Method.choices)
    occurred_at = serializers.DateTimeField()
    body = _text(allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    mentioned = _people("People of this case it mentions (third parties).")


class ReviewRecordSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    body = _text(allow_blank=True)
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Changing items --------------------------------------------------------------------------


class ItemAmendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the record is being amended.")
    changes = serializers.DictField(
        help_text=(
            "The new values, by field. Every kind may change occurred_at, title and body; "
            "contacts also contact_type, location, seen_alone; notes note_type; assessments "
            "assessment_type, sections; plans plan_type, starts_on, next_review_on; reviews "
            "next_review_on; documents document_type; information received "
            "source_organisation, source_name, method."
        )
    )


def amendment_changes_serializer(item: Item, data: Any) -> serializers.ModelSerializer:
    """Type the ``changes`` of an amendment as the item's own fields (dates, choices…)."""
    model = type(item.detail())
    fields = list(model.amendable_fields)
    extra: dict[str, dict[str, Any]] = {name: {"required": False} for name in fields}
    extra.setdefault("body", {}).update(trim_whitespace=False)
    meta = type("Meta", (), {"model": model, "fields": fields, "extra_kwargs": extra})
    attrs: dict[str, Any] = {"Meta": meta}
    if "sections" in fields:
        attrs["sections"] = SectionSerializer(many=True, required=False)
    changes_class = type("ItemChangesSerializer", (serializers.ModelSerializer,), attrs)
    return changes_class(data=data)


class EnteredInErrorSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DisagreementAttachSerializer(serializers.Serializer):
    statement = _text(allow_blank=True, help_text="In the person's own words.")
    made_by = serializers.CharField(max_length=200, allow_blank=True)
    received_on = serializers.DateField()


# --- Chronology ------------------------------------------------------------------------------


class ChronologyQuerySerializer(serializers.Serializer):
    kind = serializers.ListField(
        child=_choice(ItemKind.choices), required=False, help_text="Repeat to show several kinds."
    )
    case = serializers.UUIDField(required=False, help_text="Only this case's items.")
    page = serializers.IntegerField(min_value=1, default=1)
    page_size = serializers.IntegerField(
        min_value=1, max_value=100, default=settings.CAREFILE_CHRONOLOGY_PAGE_SIZE
    )
