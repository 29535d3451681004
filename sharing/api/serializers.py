"""What the sharing API reads and returns. Every id is a public UUID, never a primary key.

Input serializers only parse and type the request: the rules of DOMAIN.md §4 (a consent that
covers the sharing, an Article 9 condition for health data, an agency in the UK, an agreement
in force) live in ``sharing.services``, whose refusals become 400s with field errors. So the
fields of a sharing are optional here: whatever is missing or wrong, the service names it with
the same words the page uses.

Output serializers render stored choices as their plain value (``ChoiceValueField``); the
enums in the schema belong to the input serializers.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import OutputSerializer
from records.api.serializers import CaseRefSerializer, PersonRefSerializer, StaffRefSerializer
from sharing.models import (
    AgencyKind,
    Article9Condition,
    Consent,
    ConsentStatus,
    Country,
    DataCategory,
    LawfulBasis,
    Method,
    NoConsentReason,
    PartnerAgency,
    Purpose,
    Schedule1Condition,
    SharingAgreement,
    SharingRecord,
    Statute,
)
from sharing.selectors import report_day_validators
from sharing.services import STEPS

# --- Fields ----------------------------------------------------------------------------------


def _optional_text(max_length: int | None = None, **kwargs: Any) -> serializers.CharField:
    if max_length is not None:
        kwargs["max_length"] = max_length
    return serializers.CharField(required=False, allow_blank=True, default="", **kwargs)


def _choices(choices: Any, help_text: str, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices), max_length=30, help_text=help_text, **kwargs
    )


def _optional_choice(choices: Any, help_text: str = "") -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, required=False, allow_blank=True, default="", help_text=help_text
    )


def _values(choices: Any, help_text: str) -> serializers.ListField:
    """A stored list of choice values, for output."""
    values = ", ".join(f"`{value}`" for value in choices.values)
    return serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=f"{help_text} Each one of {values}.",
    )


# --- The register ----------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class AgreementRefSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    purposes = _values(Purpose, "Purposes it covers.")
    lawful_bases = _values(LawfulBasis, "Article 6 bases it covers.")
    data_categories = _values(DataCategory, "Kinds of information it covers.")

    class Meta:
        model = SharingAgreement
        fields = [
            "id",
            "title",
            "reference",
            "purposes",
            "lawful_bases",
            "data_categories",
            "starts_on",
            "ends_on",
            "review_on",
        ]


class AgencySerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    in_uk = serializers.BooleanField(
        read_only=True, help_text="Only agencies holding data in the UK may receive it."
    )
    agreements_in_force = serializers.SerializerMethodField(
        help_text="Its agreements in force today, newest first: the ones a sharing may cite."
    )

    class Meta:
        model = PartnerAgency
        fields = [
            "id",
            "organisation",
            "name",
            "kind",
            "contact_name",
            "contact_email",
            "contact_phone",
            "address",
            "secure_email_domain",
            "country",
            "in_uk",
            "is_active",
            "agreements_in_force",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(AgreementRefSerializer(many=True))
    def get_agreements_in_force(self, agency: PartnerAgency) -> Any:
        # The views prefetch the agency's agreements.
        today = timezone.localdate()
        agreements = sorted(
            (a for a in agency.agreements.all() if a.in_force_on(today)),
            key=lambda a: a.starts_on,
            reverse=True,
        )
        return AgreementRefSerializer(agreements, many=True).data


class AgencyRefSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PartnerAgency
        fields = ["id", "name", "kind", "country", "is_active"]


class AgencyInputSerializer(serializers.Serializer):
    """A partner agency's details: the fields ``services.agency_create`` and ``agency_update``
    take."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=AgencyKind.choices)
    contact_name = _optional_text(200)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = _optional_text(30)
    address = _optional_text(300)
    secure_email_domain = _optional_text(
        100, help_text="Secure email goes only to addresses at this domain, like pnn.police.uk."
    )
    country = serializers.ChoiceField(
        choices=Country.choices,
        default=Country.UNITED_KINGDOM,
        help_text="Where it holds what it receives: only the UK may receive identifiable data.",
    )
    is_active = serializers.BooleanField(default=True)


class AgencyCreateSerializer(AgencyInputSerializer):
    organisation = serializers.UUIDField(
        required=False,
        help_text="The council whose register it joins; needed only if you keep several.",
    )


class AgreementSerializer(AgreementRefSerializer):
    agency = AgencyRefSerializer(read_only=True)
    created_by = StaffRefSerializer(read_only=True)

    class Meta(AgreementRefSerializer.Meta):
        fields = [
            *AgreementRefSerializer.Meta.fields,
            "agency",
            "notes",
            "created_by",
            "created_at",
            "updated_at",
        ]


class AgreementInputSerializer(serializers.Serializer):
    agency = serializers.UUIDField(help_text="One of the agencies of a register you keep.")
    title = serializers.CharField(max_length=200)
    reference = _optional_text(60)
    purposes = _choices(Purpose.choices, "Purposes it covers.")
    lawful_bases = _choices(LawfulBasis.choices, "Article 6 bases it covers.")
    data_categories = _choices(DataCategory.choices, "Kinds of information it covers.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    review_on = serializers.DateField()
    notes = _optional_text()


# --- Consents --------------------------------------------------------------------------------


class ConsentSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    person = PersonRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True, allow_null=True)
    recipient = serializers.CharField(source="recipient_label", read_only=True)
    purposes = _values(Purpose, "Purposes it covers.")
    data_categories = _values(DataCategory, "Kinds of information it covers.")
    status = serializers.SerializerMethodField(
        help_text="Today: `valid`, `expired`, `withdrawn` or `not yet in force`."
    )
    recorded_by = StaffRefSerializer(read_only=True)
    withdrawn_by = StaffRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "agency",
            "named_person",
            "named_person_relationship",
            "recipient",
            "given_by",
            "purposes",
            "data_categories",
            "evidence",
            "evidence_name",
            "given_on",
            "expires_on",
            "status",
            "withdrawn_on",
            "withdrawal_note",
            "withdrawn_by",
            "recorded_by",
            "recorded_at",
        ]

    def get_status(self, consent: Consent) -> str:
        return consent.status_on(timezone.localdate())


class ConsentRecordSerializer(serializers.Serializer):
    agency = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="The agency it may go to…"
    )
    named_person = _optional_text(200, help_text="…or the person who may see it.")
    named_person_relationship = _optional_text(100)
    given_by = serializers.CharField(
        max_length=200, help_text="Who gave it: the person, or who gave it for them."
    )
    purposes = _choices(Purpose.choices, "Purposes it covers.")
    data_categories = _choices(DataCategory.choices, "Kinds of information it covers.")
    evidence = serializers.CharField(
        max_length=500, help_text="Where the written consent is: a signed form, a letter…"
    )
    given_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class ConsentWithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=500, allow_blank=True, help_text="How the person withdrew their consent."
    )
    withdrawn_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today if not given."
    )


# --- The sharing log -------------------------------------------------------------------------


class SharingSummarySerializer(OutputSerializer):
    """A sharing as a list shows it: never the people in it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    recorded_by = StaffRefSerializer(read_only=True)
    is_flagged = serializers.BooleanField(
        read_only=True, help_text="Shared without the manager's authorisation it needs."
    )

    class Meta:
        model = SharingRecord
        fields = [
            "id",
            "reference",
            "agency",
            "recipient_name",
            "shared_on",
            "purpose",
            "lawful_basis",
            "consent_status",
            "is_urgent",
            "status",
            "authorisation",
            "is_flagged",
            "recorded_by",
            "recorded_at",
        ]


class ConsentRefSerializer(OutputSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "given_by", "given_on", "expires_on", "withdrawn_on"]


class SharedPersonSerializer(serializers.Serializer):
    person = PersonRefSerializer(read_only=True)
    consent = ConsentRefSerializer(
        read_only=True, allow_null=True, help_text="The consent relied on, when consent is on file."
    )


class SharedItemSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="item.public_id", read_only=True)
    kind = serializers.CharField(source="item.kind", read_only=True)
    title = serializers.CharField(source="item.title", read_only=True)
    occurred_at = serializers.DateTimeField(source="item.occurred_at", read_only=True)
    case = CaseRefSerializer(source="item.case", read_only=True)
    revision_number = serializers.IntegerField(
        source="shared.revision_number", read_only=True, help_text="The revision that was shared."
    )
    current_revision = serializers.IntegerField(source="item.revision_number", read_only=True)


class SharingSerializer(SharingSummarySerializer):
    """One sharing in full, for one user: only the people and records they may see, with how
    many others it includes. Its free text is empty for a reader who may not see everyone in
    it, as it may name them."""

    organisation = OrganisationRefSerializer(read_only=True)
    agreement = AgreementRefSerializer(read_only=True, allow_null=True)
    data_categories = _values(DataCategory, "Kinds of information shared.")
    authorised_by = StaffRefSerializer(read_only=True, allow_null=True)
    people = serializers.SerializerMethodField()
    hidden_people = serializers.SerializerMethodField(
        help_text="People it includes whom you may not see."
    )
    items = serializers.SerializerMethodField()
    hidden_items = serializers.SerializerMethodField(
        help_text="Records it includes that you may not see."
    )
    can_authorise = serializers.SerializerMethodField(
        help_text="You may authorise or decline it now."
    )

    class Meta(SharingSummarySerializer.Meta):
        fields = [
            *SharingSummarySerializer.Meta.fields,
            "organisation",
            "agreement",
            "recipient_role",
            "recipient_email",
            "method",
            "purpose_detail",
            "data_categories",
            "article9_condition",
            "schedule1_condition",
            "criminal_condition",
            "statute",
            "statute_detail",
            "no_consent_reason",
            "no_consent_detail",
            "authorised_by",
            "authorised_at",
            "authorisation_note",
            "people",
            "hidden_people",
            "items",
            "hidden_items",
            "can_authorise",
        ]

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        view = self.context["view"]
        if view.free_text_withheld:
            for name in view.FREE_TEXT:
                data[name] = ""
        return data

    @extend_schema_field(SharedPersonSerializer(many=True))
    def get_people(self, sharing: SharingRecord) -> Any:
        view = self.context["view"]
        rows = [{"person": p, "consent": view.consents.get(p.pk)} for p in view.people]
        return SharedPersonSerializer(rows, many=True).data

    def get_hidden_people(self, sharing: SharingRecord) -> int:
        return int(self.context["view"].hidden_people)

    @extend_schema_field(SharedItemSerializer(many=True))
    def get_items(self, sharing: SharingRecord) -> Any:
        rows = [{"shared": shared, "item": item} for shared, item in self.context["view"].items]
        return SharedItemSerializer(rows, many=True).data

    def get_hidden_items(self, sharing: SharingRecord) -> int:
        return int(self.context["view"].hidden_items)

    def get_can_authorise(self, sharing: SharingRecord) -> bool:
        return bool(self.context["view"].can_authorise)


class QueuedSharingSerializer(SharingSummarySerializer):
    """A sharing waiting for a manager, with the people in it whom the manager may see."""

    people = serializers.SerializerMethodField()
    hidden_people = serializers.SerializerMethodField(
        help_text="People it includes whom you may not see."
    )

    class Meta(SharingSummarySerializer.Meta):
        fields = [
            *SharingSummarySerializer.Meta.fields,
            "no_consent_reason",
            "people",
            "hidden_people",
        ]

    def _people(self, sharing: SharingRecord) -> tuple[list[Any], int]:
        visible: set[int] = self.context["visible_ids"]
        people = [s.person for s in sharing.subjects.all()]
        shown = [p for p in people if p.pk in visible]
        return shown, len(people) - len(shown)

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_people(self, sharing: SharingRecord) -> Any:
        return PersonRefSerializer(self._people(sharing)[0], many=True).data

    def get_hidden_people(self, sharing: SharingRecord) -> int:
        return self._people(sharing)[1]


class SharingDraftSerializer(serializers.Serializer):
    """Everything a sharing says. Ids name people and records you can see and an agency of
    their council's register."""

    people = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=50,
        help_text="Whose information is shared: people on a case you work on.",
    )
    items = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=200,
        help_text="The records shared, about those people (the revision shared is kept).",
    )
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices),
        required=False,
        default=list,
        max_length=30,
        help_text="The kinds of information shared.",
    )
    agency = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="From /sharing/agencies/."
    )
    agreement = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An agreement with that agency in force on the day, if one applies.",
    )
    recipient_name = _optional_text(200, help_text="The person it went to.")
    recipient_role = _optional_text(200)
    recipient_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For secure email: an address at the agency's secure domain.",
    )
    method = _optional_choice(Method.choices)
    shared_on = serializers.DateField(required=False, allow_null=True, default=None)
    purpose = _optional_choice(Purpose.choices)
    purpose_detail = _optional_text(help_text="What the recipient needs it for.")
    lawful_basis = _optional_choice(LawfulBasis.choices, "UK GDPR Article 6(1).")
    article9_condition = _optional_choice(
        Article9Condition.choices, "For health and other special-category information."
    )
    schedule1_condition = _optional_choice(
        Schedule1Condition.choices, "For 9(2)(g): a condition from Part 2 of DPA 2018 Schedule 1."
    )
    criminal_condition = _optional_choice(
        Schedule1Condition.choices, "For criminal offence information: Article 10 / Schedule 1."
    )
    statute = _optional_choice(Statute.choices, "The law relied on (not needed for consent).")
    statute_detail = _optional_text(200)
    consent_status = _optional_choice(ConsentStatus.choices)
    no_consent_reason = _optional_choice(NoConsentReason.choices)
    no_consent_detail = _optional_text()
    is_urgent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Urgent safeguarding: shared at once, authorised by a manager afterwards.",
    )


class SharingCheckSerializer(SharingDraftSerializer):
    steps = serializers.ListField(
        child=serializers.ChoiceField(choices=[(step, step) for step in STEPS]),
        required=False,
        default=list(STEPS),
        help_text="The steps to check, as the page asks them; all of them if not given.",
    )


class SharingCheckResultSerializer(serializers.Serializer):
    # Declared fields leave the class attributes, so ``Serializer.errors`` is untouched.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="Messages by field; empty when the steps checked are complete and valid.",
    )


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="The reason for the decision."
    )


# --- Reports ---------------------------------------------------------------------------------


class ReportQuerySerializer(serializers.Serializer):
    """``from`` and ``to``: the first and last days counted. ``from`` is a Python keyword, so
    it is added by ``get_fields``."""

    to = serializers.DateField(
        required=False,
        validators=report_day_validators(),
        help_text="Last day counted; today if not given.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False,
            validators=report_day_validators(),
            help_text="First day counted; the start of the twelve months to `to` if not given.",
        )
        return fields


class ReportRowSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    counts = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="One count per month."
    )
    total = serializers.IntegerField(read_only=True)


class WithoutConsentRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True)
    shared_on = serializers.DateField(read_only=True)
    agency = serializers.CharField(read_only=True)
    purpose = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    is_urgent = serializers.BooleanField(read_only=True)
    status = serializers.CharField(read_only=True)
    authorisation = serializers.CharField(read_only=True)
    hours_to_decision = serializers.FloatField(read_only=True, allow_null=True)


class ReportSerializer(serializers.Serializer):
    """Sharings done in the period, by month: counts and references, never names."""

    start = serializers.DateField(read_only=True)
    end = serializers.DateField(read_only=True)
    months = serializers.ListField(
        child=serializers.DateField(), read_only=True, help_text="The first day of each month."
    )
    total = serializers.IntegerField(read_only=True)
    month_totals = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    by_agency = ReportRowSerializer(many=True, read_only=True)
    by_purpose = ReportRowSerializer(many=True, read_only=True)
    by_basis = ReportRowSerializer(many=True, read_only=True)
    without_consent = WithoutConsentRowSerializer(many=True, read_only=True)
    median_hours_to_decision = serializers.FloatField(read_only=True, allow_null=True)
    pending = serializers.IntegerField(read_only=True, help_text="Waiting for a manager.")
    flagged = serializers.IntegerField(
        read_only=True, help_text="Shared without the authorisation they need."
    )
