"""Forms for the case-record pages. They parse and check shape; services decide the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from accounts.models import Organisation, Team, User
from core.forms import DateInput, DateTimeInput
from records.models import (
    AlertKind,
    Allocation,
    AssessmentType,
    CaseCategory,
    ClosureReason,
    ContactType,
    DocumentType,
    Ethnicity,
    Gender,
    InformationReceived,
    ItemKind,
    NoteType,
    ParticipantRole,
    Person,
    PersonName,
    PlanType,
    RelationshipKind,
    RestrictionReason,
)


def _set(form: forms.BaseForm, name: str, attribute: str, value: Any) -> None:
    """Give a field its per-request queryset or choices."""
    setattr(form.fields[name], attribute, value)


def _choices(choices: list[tuple[str, str]], blank: str = "Choose…") -> list[tuple[str, str]]:
    return [("", blank), *choices]


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or identifier",
        required=False,
        max_length=200,
        help_text="Full or part name (spelling mistakes are fine), NHS number, NI number or UPN.",
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    needs = "Enter a name, an identifier or a date of birth."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("q") and not data.get("date_of_birth"):
            raise forms.ValidationError(self.needs)
        return data


class PersonDetailsForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    middle_names = forms.CharField(label="Middle names", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name", max_length=100, required=False)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    date_of_death = forms.DateField(label="Date of death", required=False, widget=DateInput())
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN)
    ethnicity = forms.ChoiceField(
        label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOT_KNOWN
    )
    first_language = forms.CharField(label="First language", max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    disability = forms.CharField(label="Disability", max_length=300, required=False)
    nhs_number = forms.CharField(label="NHS number", max_length=20, required=False)
    ni_number = forms.CharField(label="National Insurance number", max_length=20, required=False)
    upn = forms.CharField(label="Unique Pupil Number (UPN)", max_length=20, required=False)

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {name: getattr(person, name) for name in cls.base_fields}

    def details(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name) for name in self.fields if name in self.base_fields
        }


class PersonCreateForm(PersonDetailsForm):
    team = forms.ModelChoiceField(
        label="Team holding the case", queryset=Team.objects.none(), empty_label="Choose a team"
    )
    category = forms.ChoiceField(label="Kind of case", choices=_choices(CaseCategory.choices))
    opened_on = forms.DateField(label="Date the case opened", widget=DateInput(), required=False)
    referral_reason = forms.CharField(
        label="Reason for referral", max_length=500, required=False, widget=forms.Textarea
    )
    organisation = forms.ModelChoiceField(
        label="Council the record belongs to",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="The team's council",
        help_text="Only needed for a team that works for more than one council.",
    )

    def __init__(
        self, *args: Any, teams: Any = None, organisations: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "team", "queryset", teams if teams is not None else Team.objects.none())
        if organisations is not None and organisations.count() > 1:
            _set(self, "organisation", "queryset", organisations)
        else:
            del self.fields["organisation"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data.setdefault("organisation", None)
        return data

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in PersonDetailsForm.base_fields}


class PersonNameForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of name",
        choices=[c for c in PersonName.Kind.choices if c[0] != PersonName.Kind.CURRENT],
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100)
    used_from = forms.DateField(label="Used from", required=False, widget=DateInput())
    used_to = forms.DateField(label="Used until", required=False, widget=DateInput())


class AddressForm(forms.Form):
    line_1 = forms.CharField(label="Address line 1", max_length=200)
    line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100)
    postcode = forms.CharField(label="Postcode", max_length=10)
    lived_from = forms.DateField(label="Lived here from", required=False, widget=DateInput())
    lived_to = forms.DateField(label="Lived here until", required=False, widget=DateInput())
    is_confidential = forms.BooleanField(
        label="Confidential address (refuge or placement)", required=False
    )


class PhoneForm(forms.Form):
    number = forms.CharField(label="Phone number", max_length=30)
    label = forms.CharField(label="Label", max_length=40, required=False, help_text="Mobile, home…")


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email address")
    label = forms.CharField(label="Label", max_length=40, required=False)


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of alert", choices=_choices(AlertKind.choices))
    description = forms.CharField(label="Description", max_length=500, widget=forms.Textarea)


class RelatedPersonForm(PersonDetailsForm):
    """A new person in the family or network of a case's subject."""

    kind = forms.ChoiceField(
        label="Who are they to the person?", choices=_choices(RelationshipKind.choices)
    )
    participant_role = forms.ChoiceField(
        label="Their part in the case",
        choices=ParticipantRole.choices,
        initial=ParticipantRole.FAMILY,
    )
    is_parental_responsibility = forms.BooleanField(
        label="Has parental responsibility", required=False
    )
    case = forms.ChoiceField(label="Case to add them to", choices=[])

    def __init__(self, *args: Any, cases: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "case", "choices", [(str(c.public_id), str(c)) for c in cases])

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in PersonDetailsForm.base_fields}


class RelationshipLinkForm(forms.Form):
    """A relationship between the person and someone already on one of their cases."""

    other = forms.ChoiceField(label="Who", choices=[])
    kind = forms.ChoiceField(
        label="Who are they to the person?", choices=_choices(RelationshipKind.choices)
    )
    is_parental_responsibility = forms.BooleanField(
        label="Has parental responsibility", required=False
    )
    started_on = forms.DateField(label="Since", required=False, widget=DateInput())

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people_by_id = {str(p.public_id): p for p in people}
        _set(
            self,
            "other",
            "choices",
            _choices([(k, p.full_name) for k, p in self.people_by_id.items()]),
        )

    def other_person(self) -> Person:
        return self.people_by_id[self.cleaned_data["other"]]


class RestrictForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is this record restricted?",
        choices=RestrictionReason.choices,
        widget=forms.RadioSelect,
    )


class NamedAccessForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Member of staff", queryset=User.objects.none(), empty_label="Choose someone"
    )
    reason = forms.CharField(label="Reason", max_length=500, required=False)

    def __init__(self, *args: Any, users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "user", "queryset", users if users is not None else User.objects.none())


class BreakGlassForm(forms.Form):
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        required=False,
        help_text="Or give the NHS number instead of the name and date of birth.",
    )
    reason = forms.CharField(
        label="Why do you need this record now?",
        widget=forms.Textarea,
        max_length=1000,
        help_text=(
            "Your access is recorded, lasts a limited time and is reviewed by the Caldicott "
            "guardian."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("nhs_number") and not (
            data.get("last_name") and data.get("first_name") and data.get("date_of_birth")
        ):
            raise forms.ValidationError(
                "Enter the NHS number, or the first name, last name and date of birth."
            )
        return data


class CaseOpenForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Team holding the case", queryset=Team.objects.none(), empty_label="Choose a team"
    )
    category = forms.ChoiceField(label="Kind of case", choices=_choices(CaseCategory.choices))
    opened_on = forms.DateField(label="Date the case opened", widget=DateInput(), required=False)
    referral_reason = forms.CharField(
        label="Reason for referral", max_length=500, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "team", "queryset", teams if teams is not None else Team.objects.none())


class AllocateForm(forms.Form):
    worker = forms.ModelChoiceField(
        label="Worker", queryset=User.objects.none(), empty_label="Choose a worker"
    )
    role = forms.ChoiceField(
        label="Role", choices=Allocation.Role.choices, initial=Allocation.Role.LEAD
    )
    starts_on = forms.DateField(label="Starts on", widget=DateInput(), required=False)
    ends_on = forms.DateField(label="Ends on", widget=DateInput(), required=False)

    def __init__(self, *args: Any, workers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "worker", "queryset", workers if workers is not None else User.objects.none())


class EndAllocationForm(forms.Form):
    ends_on = forms.DateField(label="Last day of the allocation", widget=DateInput())


class CloseCaseForm(forms.Form):
    closed_on = forms.DateField(label="Date closed", widget=DateInput())
    closure_reason = forms.ChoiceField(
        label="Reason for closing", choices=_choices(ClosureReason.choices)
    )


class TransferForm(forms.Form):
    team = forms.ModelChoiceField(
        label="New team", queryset=Team.objects.none(), empty_label="Choose a team"
    )

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(self, "team", "queryset", teams if teams is not None else Team.objects.none())


# --- Items -----------------------------------------------------------------------------------


class PeopleChoiceMixin(forms.Form):
    """Checkboxes for the case's people (subject and participants), by public id."""

    people_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people_by_id = {str(p.public_id): p for p in people}
        choices = [(str(p.public_id), p.full_name) for p in people]
        for name in self.people_fields:
            _set(self, name, "choices", choices)

    def people(self, name: str) -> list[Person]:
        return [self.people_by_id[v] for v in self.cleaned_data.get(name, [])]


class ItemFlagsMixin(forms.Form):
    is_sensitive = forms.BooleanField(
        label="Sensitive: health, criminal offence or third-party information", required=False
    )
    is_restricted = forms.BooleanField(
        label="Restricted: only people given named access may see it", required=False
    )


class ContactForm(PeopleChoiceMixin, ItemFlagsMixin):
    people_fields = ("participants", "mentioned")

    contact_type = forms.ChoiceField(label="Type of contact", choices=_choices(ContactType.choices))
    occurred_at = forms.DateTimeField(label="When", widget=DateTimeInput())
    location = forms.CharField(label="Where", max_length=200, required=False)
    participants = forms.MultipleChoiceField(
        label="Who took part", required=False, widget=forms.CheckboxSelectMultiple
    )
    seen_alone = forms.TypedChoiceField(
        label="Was the person seen alone?",
        choices=[("", "Not applicable"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    body = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 10}))
    mentioned = forms.MultipleChoiceField(
        label="Other people it mentions", required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = [
        "contact_type",
        "occurred_at",
        "location",
        "participants",
        "seen_alone",
        "title",
        "body",
        "mentioned",
        "is_sensitive",
        "is_restricted",
    ]


class NoteForm(PeopleChoiceMixin, ItemFlagsMixin):
    people_fields = ("mentioned",)

    note_type = forms.ChoiceField(
        label="Type of note", choices=NoteType.choices, initial=NoteType.CASE_NOTE
    )
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 10}))
    mentioned = forms.MultipleChoiceField(
        label="People it mentions", required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["note_type", "title", "body", "mentioned", "is_sensitive", "is_restricted"]


SECTION_COUNT = 6


class SectionsMixin(forms.Form):
    """Headed sections of an assessment: as many as written, and a few empty ones to add."""

    def add_sections(self, sections: list[dict[str, str]] | None) -> None:
        sections = sections or []
        for i in range(max(SECTION_COUNT, len(sections) + 2)):
            existing = sections[i] if i < len(sections) else {}
            self.fields[f"heading_{i}"] = forms.CharField(
                label=f"Section {i + 1} heading",
                max_length=200,
                required=False,
                initial=existing.get("heading", ""),
            )
            self.fields[f"text_{i}"] = forms.CharField(
                label=f"Section {i + 1}",
                widget=forms.Textarea(attrs={"rows": 5}),
                required=False,
                initial=existing.get("text", ""),
            )

    def sections(self) -> list[dict[str, str]]:
        result = []
        i = 0
        while f"heading_{i}" in self.fields:
            heading = self.cleaned_data.get(f"heading_{i}", "").strip()
            text = self.cleaned_data.get(f"text_{i}", "")
            if heading or text.strip():
                if not heading:
                    self.add_error(f"heading_{i}", "Enter a heading for this section.")
                result.append({"heading": heading, "text": text})
            i += 1
        return result


class AssessmentForm(SectionsMixin, ItemFlagsMixin):
    assessment_type = forms.ChoiceField(
        label="Type of assessment", choices=_choices(AssessmentType.choices)
    )
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    body = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, sections: list[dict[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.add_sections(sections)


class PlanForm(ItemFlagsMixin):
    plan_type = forms.ChoiceField(label="Type of plan", choices=_choices(PlanType.choices))
    starts_on = forms.DateField(label="Plan starts", widget=DateInput())
    next_review_on = forms.DateField(label="First review date", widget=DateInput(), required=False)
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    body = forms.CharField(label="The plan", widget=forms.Textarea(attrs={"rows": 10}))


class ReviewForm(forms.Form):
    occurred_at = forms.DateTimeField(label="Date of the review", widget=DateTimeInput())
    body = forms.CharField(label="What the review decided", widget=forms.Textarea)
    next_review_on = forms.DateField(label="Next review date", widget=DateInput(), required=False)


class DocumentForm(ItemFlagsMixin):
    file = forms.FileField(
        label="File",
        help_text=(
            "A PDF, Word document (.docx), PNG or JPEG, smaller than "
            f"{settings.CAREFILE_DOCUMENT_MAX_BYTES // (1024 * 1024)} MB."
        ),
    )
    document_type = forms.ChoiceField(
        label="Type of document", choices=_choices(DocumentType.choices)
    )
    title = forms.CharField(label="Title", max_length=200)
    occurred_at = forms.DateTimeField(
        label="Date of the document", widget=DateTimeInput(), required=False
    )
    body = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class InformationReceivedForm(PeopleChoiceMixin, ItemFlagsMixin):
    people_fields = ("mentioned",)

    source_organisation = forms.CharField(label="Organisation it came from", max_length=200)
    source_name = forms.CharField(label="Person who gave it", max_length=200, required=False)
    method = forms.ChoiceField(
        label="How it arrived", choices=_choices(InformationReceived.Method.choices)
    )
    occurred_at = forms.DateTimeField(label="Date received", widget=DateTimeInput())
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    body = forms.CharField(label="What was received", widget=forms.Textarea(attrs={"rows": 8}))
    mentioned = forms.MultipleChoiceField(
        label="People it mentions", required=False, widget=forms.CheckboxSelectMultiple
    )


class AmendForm(forms.Form):
    """Amend the narrative of an item: title, text and when it happened, with a reason."""

    occurred_at = forms.DateTimeField(label="When", widget=DateTimeInput())
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 10}), required=False)
    reason = forms.CharField(
        label="Reason for the amendment",
        max_length=500,
        help_text="The original stays on the record; the reason is shown with the amendment.",
    )


class AssessmentAmendForm(SectionsMixin, AmendForm):
    """Amend an assessment: its summary and sections, with a reason (a draft's too)."""

    body = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, sections: list[dict[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        reason = self.fields.pop("reason")
        self.add_sections(sections)
        self.fields["reason"] = reason


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class DisagreementForm(forms.Form):
    statement = forms.CharField(
        label="Statement, in the person's own words", widget=forms.Textarea(attrs={"rows": 8})
    )
    made_by = forms.CharField(
        label="Made by", max_length=200, help_text="The person, or who made it for them."
    )
    received_on = forms.DateField(label="Date received", widget=DateInput())


class ChronologyFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label="Show", choices=ItemKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    case = forms.ChoiceField(label="Case", required=False, choices=[])

    def __init__(self, *args: Any, cases: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set(
            self,
            "case",
            "choices",
            [("", "All cases")] + [(str(c.public_id), str(c)) for c in cases],
        )


class HistoricSearchForm(PersonSearchForm):
    q = forms.CharField(label="Name", max_length=200, required=False)
    needs = "Enter a name or a date of birth."


class HistoricRecordForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100)
    other_names = forms.CharField(
        label="Other names", max_length=300, required=False, help_text="Separate with commas."
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    service = forms.ChoiceField(label="Service", choices=[])
    involvement_from = forms.DateField(label="Involvement from", required=False, widget=DateInput())
    involvement_to = forms.DateField(label="Involvement until", required=False, widget=DateInput())
    box_reference = forms.CharField(label="Box reference", max_length=60)
    location = forms.CharField(label="Location", max_length=200)
    notes = forms.CharField(label="Notes", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from accounts.models import CASE_SERVICES, Service

        super().__init__(*args, **kwargs)
        services = [(s.value, s.label) for s in Service if s in CASE_SERVICES]
        _set(self, "service", "choices", _choices(services))
