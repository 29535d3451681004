"""Forms for the rights-request pages. They parse and check shape; the services decide the
rules and their refusals are put back on the form (``core.forms.add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from access_requests.models import (
    Channel,
    ChildBasis,
    ComplaintOutcome,
    Decision,
    DisclosureMethod,
    Exemption,
    Outcome,
    Relationship,
    RequestDocument,
    RequestType,
    Source,
    State,
    VerificationMethod,
)
from accounts.models import Nation, Organisation, User
from core.forms import DateInput

TEXTAREA = {"rows": 4}


def _choices(choices: Any, blank: str = "Choose…") -> list[tuple[str, str]]:
    return [("", blank), *choices]


STAFF_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.WEB_FORM]
PARENT_BASIS = [(c.value, c.label) for c in ChildBasis if c.value]
# S2P3-17 is the reason a practitioner's name stays in: never a ground to redact or withhold.
REDACTING_EXEMPTIONS = [(c.value, c.label) for c in Exemption if c != Exemption.PRACTITIONER]


class _OrganisationMixin(forms.Form):
    """A council choice, shown only to an officer who works for more than one."""

    only_organisation: Organisation | None = None

    def set_organisations(self, organisations: Any) -> None:
        choices = list(organisations) if organisations is not None else []
        self.only_organisation = choices[0] if len(choices) == 1 else None
        if len(choices) > 1:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        else:
            del self.fields["organisation"]

    def chosen_organisation(self) -> Organisation | None:
        if "organisation" in self.fields:
            return self.cleaned_data.get("organisation")
        return self.only_organisation


# --- Logging and triage ----------------------------------------------------------------------


class RequesterMixin(forms.Form):
    requester_name = forms.CharField(label="Full name", max_length=200)
    requester_email = forms.EmailField(label="Email address", required=False)
    requester_phone = forms.CharField(label="Phone number", max_length=30, required=False)
    requester_address = forms.CharField(
        label="Postal address", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    relationship = forms.ChoiceField(
        label="Relationship to the person the records are about",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
    )
    child_basis = forms.ChoiceField(
        label="On what basis does the parent act for the child?",
        choices=PARENT_BASIS,
        required=False,
        widget=forms.RadioSelect,
        help_text="A child's information belongs to the child. Needed when the person is under 18.",
    )
    subject_name = forms.CharField(label="Full name", max_length=200)
    subject_other_names = forms.CharField(
        label="Other names they have used", max_length=300, required=False
    )
    subject_date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=DateInput()
    )
    subject_address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label="What was asked for", widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The basis belongs to a parent's request only; a choice left behind is dropped.
        if data.get("relationship") != Relationship.PARENT:
            data["child_basis"] = ""
        return data

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "requester_name",
                "requester_email",
                "requester_phone",
                "requester_address",
                "relationship",
                "child_basis",
                "subject_name",
                "subject_other_names",
                "subject_date_of_birth",
                "subject_address",
                "description",
            )
        }


class LogRequestForm(_OrganisationMixin, RequesterMixin):
    request_type = forms.ChoiceField(label="Type of request", choices=_choices(RequestType.choices))
    channel = forms.ChoiceField(label="How it arrived", choices=_choices(STAFF_CHANNELS))
    received_on = forms.DateField(label="Date received", widget=DateInput())
    identity_required = forms.BooleanField(label="Ask for proof of identity", required=False)
    authority_required = forms.BooleanField(
        label="Ask for proof of authority",
        required=False,
        help_text="Always asked for when someone acts for another person.",
    )
    fee_required = forms.BooleanField(
        label="Charge a fee",
        required=False,
        help_text="Only for a further copy, or a manifestly unfounded or excessive request.",
    )
    fee_amount = forms.DecimalField(
        label="Fee, in pounds",
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
    )
    fee_reason = forms.CharField(label="Reason for the fee", max_length=300, required=False)
    assigned_to = forms.ModelChoiceField(
        label="Assign to",
        queryset=User.objects.none(),
        required=False,
        empty_label="Leave unassigned",
    )
    organisation = forms.ModelChoiceField(
        label="Council the request is to",
        queryset=Organisation.objects.none(),
        empty_label="Choose a council",
    )

    def __init__(
        self, *args: Any, organisations: Any = None, officers: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_organisations(organisations)
        if officers is not None:
            self.fields["assigned_to"].queryset = officers  # type: ignore[attr-defined]
        self.fields["assigned_to"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.username
        )


class RequirementsForm(forms.Form):
    identity_required = forms.BooleanField(label="Proof of identity", required=False)
    authority_required = forms.BooleanField(label="Proof of authority", required=False)
    requested_on = forms.DateField(
        label="Date asked for",
        required=False,
        widget=DateInput(),
        help_text="Leave empty for today.",
    )
    fee_required = forms.BooleanField(label="A fee", required=False)
    fee_amount = LogRequestForm.base_fields["fee_amount"]
    fee_reason = LogRequestForm.base_fields["fee_reason"]


class VerifyForm(forms.Form):
    received_on = forms.DateField(label="Date the proof arrived", widget=DateInput())
    method = forms.ChoiceField(
        label="How it was checked", choices=_choices(VerificationMethod.choices)
    )
    notes = forms.CharField(
        label="Notes", max_length=500, required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


class FeeReceivedForm(forms.Form):
    received_on = forms.DateField(label="Date the fee was received", widget=DateInput())


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label="Officer", queryset=User.objects.none(), empty_label="Choose an officer"
    )

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["assigned_to"].queryset = officers  # type: ignore[attr-defined]
        self.fields["assigned_to"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.username
        )


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs=TEXTAREA))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the document is", choices=_choices(RequestDocument.Kind.choices)
    )
    file = forms.FileField(
        label="File",
        help_text=(
            "A PDF, Word document (.docx), PNG or JPEG, smaller than "
            f"{settings.CAREFILE_DOCUMENT_MAX_BYTES // (1024 * 1024)} MB."
        ),
    )


class PauseForm(forms.Form):
    asked_on = forms.DateField(label="Date clarification was asked for", widget=DateInput())
    question = forms.CharField(label="What was asked", widget=forms.Textarea(attrs=TEXTAREA))


class ResumeForm(forms.Form):
    received_on = forms.DateField(label="Date the answer arrived", widget=DateInput())


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label="Why the request is complex or numerous", widget=forms.Textarea(attrs=TEXTAREA)
    )
    told_on = forms.DateField(label="Date the requester was told", widget=DateInput())


class ReasonForm(forms.Form):
    reason = forms.CharField(label="What needs another look", widget=forms.Textarea(attrs=TEXTAREA))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label="Reasons",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="As the reply states them. Needed when refusing, partly disclosing or withdrawn.",
    )
    sent_on = forms.DateField(label="Date the reply was sent", required=False, widget=DateInput())
    disclosure_method = forms.ChoiceField(
        label="How the records were given",
        choices=_choices(DisclosureMethod.choices, "Not applicable"),
        required=False,
    )
    meeting_on = forms.DateField(label="Date of the meeting", required=False, widget=DateInput())
    meeting_notes = forms.CharField(
        label="Meeting notes", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )


# --- Identity search -------------------------------------------------------------------------


class IdentitySearchForm(forms.Form):
    q = forms.CharField(
        label="Name, NHS number or National Insurance number",
        required=False,
        max_length=200,
        help_text="Any name the person has used. Spelling mistakes are fine.",
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("q") and not data.get("date_of_birth"):
            raise forms.ValidationError("Enter a name, an identifier or a date of birth.")
        return data


class LinkForm(forms.Form):
    person = forms.UUIDField(required=False)
    historic_record = forms.UUIDField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("person")) == bool(data.get("historic_record")):
            raise forms.ValidationError("Choose one person or one historic file.")
        return data


# --- Review ----------------------------------------------------------------------------------


class ReviewFilterForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=_choices(Decision.choices, "Any"), required=False
    )
    source = forms.ChoiceField(
        label="Where it came from", choices=_choices(Source.choices, "Anywhere"), required=False
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[c for c in Decision.choices if c[0] != Decision.PENDING],
        widget=forms.RadioSelect,
    )
    exemption = forms.ChoiceField(
        label="Exemption for withholding",
        choices=_choices(REDACTING_EXEMPTIONS, "None"),
        required=False,
        help_text="Only when withholding the whole item.",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RedactionAddForm(forms.Form):
    text = forms.CharField(
        label="Text to redact",
        required=False,
        max_length=5000,
        help_text="Copy the words exactly. The first match at or after the start position is used.",
    )
    start = forms.IntegerField(
        label="Start position",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
        help_text="Characters from the beginning of the text, counting from 0.",
    )
    end = forms.IntegerField(
        label="End position",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
        help_text="Only needed when the text to redact is left empty.",
    )
    exemption = forms.ChoiceField(label="Exemption", choices=_choices(REDACTING_EXEMPTIONS))
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown on the page with the decision form: its own ids for the same field names.
        kwargs.setdefault("auto_id", "redaction-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and (data.get("start") is None or data.get("end") is None):
            raise forms.ValidationError(
                "Select the text to redact, type it, or give its start and end positions."
            )
        return data


class RedactionDecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("yes", "Redact"), ("no", "Keep")], coerce=lambda v: v == "yes"
    )


class ConsultationForm(forms.Form):
    name = forms.CharField(label="Who was consulted", max_length=200)
    role = forms.CharField(label="Their role", max_length=200)
    consulted_on = forms.DateField(label="Date consulted", widget=DateInput())
    opinion = forms.CharField(label="Their opinion", widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "consultation-%s")
        super().__init__(*args, **kwargs)


# --- Bundles and links -----------------------------------------------------------------------


class LinkCreateForm(forms.Form):
    recipient_name = forms.CharField(label="Who the link is for", max_length=200)
    recipient_email = forms.EmailField(label="Their email address")
    days = forms.IntegerField(
        label="Days the link works",
        required=False,
        min_value=1,
        max_value=90,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        help_text=f"Leave empty for {settings.CAREFILE_DOWNLOAD_LINK_DAYS} days.",
    )


# --- Complaints ------------------------------------------------------------------------------


class ComplaintLogForm(_OrganisationMixin, forms.Form):
    channel = forms.ChoiceField(label="How it arrived", choices=_choices(STAFF_CHANNELS))
    received_on = forms.DateField(label="Date received", widget=DateInput())
    complainant_name = forms.CharField(label="Complainant's full name", max_length=200)
    complainant_email = forms.EmailField(label="Email address", required=False)
    complainant_address = forms.CharField(
        label="Postal address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label="What the complaint is about", widget=forms.Textarea(attrs={"rows": 6})
    )
    organisation = forms.ModelChoiceField(
        label="Council the complaint is about",
        queryset=Organisation.objects.none(),
        empty_label="Choose a council",
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_organisations(organisations)

    def details(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("complainant_name", "complainant_email", "complainant_address")
        } | {"description": self.cleaned_data["description"]}


class AcknowledgeForm(forms.Form):
    acknowledged_on = forms.DateField(label="Date acknowledged", widget=DateInput())


class RespondForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=ComplaintOutcome.choices, widget=forms.RadioSelect
    )
    response = forms.CharField(label="The response sent", widget=forms.Textarea(attrs=TEXTAREA))
    responded_on = forms.DateField(label="Date of the response", widget=DateInput())


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="How the complainant withdrew it", widget=forms.Textarea(attrs={"rows": 3})
    )


class PersonChoiceForm(forms.Form):
    person = forms.UUIDField()


# --- Dashboard and administration ------------------------------------------------------------


class RequestFilterForm(forms.Form):
    q = forms.CharField(label="Reference or name", required=False, max_length=200)
    state = forms.ChoiceField(
        label="State", choices=_choices(State.choices, "Any open state"), required=False
    )
    assigned = forms.ChoiceField(
        label="Assigned",
        choices=[("", "Anyone"), ("me", "Assigned to me"), ("none", "Unassigned")],
        required=False,
    )


class BankHolidayForm(forms.Form):
    nation = forms.ChoiceField(label="Nation", choices=_choices(Nation.choices))
    day = forms.DateField(label="Date", widget=DateInput())
    name = forms.CharField(label="Name", max_length=100, help_text="For example, a coronation.")


# --- Public forms ----------------------------------------------------------------------------

PUBLIC_TYPES = [(c.value, c.label) for c in RequestType if c != RequestType.FURTHER_COPY]


class HoneypotMixin(forms.Form):
    """A field people never see or fill; a bot that fills every field is thanked and ignored."""

    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_spam(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class PublicRequestForm(HoneypotMixin, RequesterMixin):
    request_type = forms.ChoiceField(
        label="What do you want to do?", choices=PUBLIC_TYPES, widget=forms.RadioSelect
    )
    organisation = forms.ModelChoiceField(
        label="Which council holds the records?",
        queryset=Organisation.objects.none(),
        empty_label="Choose a council",
    )

    def __init__(self, *args: Any, councils: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if councils is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = councils  # type: ignore[attr-defined]
        self.fields["requester_name"].label = "Your full name"
        self.fields["requester_email"].label = "Your email address"
        self.fields[
            "requester_email"
        ].help_text = "We will send your reference here. Give an email address or a postal address."
        self.fields["requester_phone"].label = "Your phone number (optional)"
        self.fields["requester_address"].label = "Your postal address"
        self.fields["relationship"].label = "Who are the records about?"
        self.fields["subject_name"].label = "Full name of the person the records are about"
        self.fields["subject_name"].help_text = "If the records are about you, your own name."
        self.fields["subject_other_names"].label = "Other names they have used (optional)"
        self.fields["subject_date_of_birth"].label = "Their date of birth"
        self.fields["subject_address"].label = "Their address (optional)"
        self.fields["description"].label = "What would you like?"
        self.fields[
            "description"
        ].help_text = "For example, which services or years, or what should be corrected and why."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("requester_email") and not (data.get("requester_address") or "").strip():
            self.add_error(
                "requester_email", "Enter an email address or a postal address so we can reply."
            )
        return data


class PublicComplaintForm(HoneypotMixin, forms.Form):
    complainant_name = forms.CharField(label="Your full name", max_length=200)
    complainant_email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="We will send your reference here. Give an email address or a postal address.",
    )
    complainant_address = forms.CharField(
        label="Your postal address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description = forms.CharField(
        label="What is your complaint?",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Tell us what happened with your information, and when.",
    )
    organisation = forms.ModelChoiceField(
        label="Which council is it about?",
        queryset=Organisation.objects.none(),
        empty_label="Choose a council",
    )

    def __init__(self, *args: Any, councils: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if councils is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = councils  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("complainant_email")
            and not (data.get("complainant_address") or "").strip()
        ):
            self.add_error(
                "complainant_email",
                "Enter an email address or a postal address so we can reply.",
            )
        return data


# Facts a person may ask to have corrected (Art 16); opinions get a statement instead.
CORRECTABLE = (
    ("first_name", "First name"),
    ("middle_names", "Middle names"),
    ("last_name", "Last name"),
    ("preferred_name", "Preferred name"),
    ("date_of_birth", "Date of birth"),
    ("first_language", "First language"),
    ("nhs_number", "NHS number"),
    ("ni_number", "National Insurance number"),
    ("upn", "Unique Pupil Number"),
)


class CorrectionForm(forms.Form):
    person = forms.ChoiceField(label="Whose record")
    field = forms.ChoiceField(label="What is wrong", choices=_choices(CORRECTABLE))
    value = forms.CharField(
        label="The correct value",
        max_length=150,
        help_text="For a date of birth, write it as 2014-05-20.",
    )

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _choices([(str(p.public_id), p.full_name) for p in people])
        self.fields["person"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("field") == "date_of_birth" and data.get("value"):
            try:
                data["value"] = forms.DateField().clean(data["value"])
            except forms.ValidationError:
                self.add_error("value", "Enter the date of birth as a real date, like 2014-05-20.")
        return data


class DisagreementForm(forms.Form):
    item = forms.ChoiceField(label="Which record the person disagrees with")
    statement = forms.CharField(
        label="Their statement, in their own words", widget=forms.Textarea(attrs=TEXTAREA)
    )
    made_by = forms.CharField(label="Who made the statement", max_length=200)
    received_on = forms.DateField(label="Date it was received", widget=DateInput())

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _choices(
            [
                (str(item.public_id), f"{item.occurred_at:%-d %b %Y} · {item.title}")
                for item in items
            ]
        )
        self.fields["item"].choices = choices  # type: ignore[attr-defined]
