"""Forms for the sharing pages. They parse and check shape only: the rules of DOMAIN.md §4 are
the services' (``sharing.services.draft_errors`` and friends), and their refusals are put back
on the form beside the field they name.

The steps of recording a sharing leave most fields optional here, so the person sees the
service's own message ("Choose why it was shared") rather than a generic one."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import DateInput
from sharing.models import (
    PART_2_CONDITIONS,
    AgencyKind,
    Article9Condition,
    ConsentStatus,
    Country,
    DataCategory,
    LawfulBasis,
    Method,
    NoConsentReason,
    Purpose,
    Schedule1Condition,
    Statute,
)
from sharing.selectors import report_day_validators

TEXTAREA = {"rows": 4}


def _choose(blank: str, choices: Any) -> list[tuple[str, str]]:
    return [("", blank), *choices]


def _required(message: str) -> dict[str, str]:
    return {"required": message}


# The bases a council may rely on (legitimate interests is not for public tasks).
COUNCIL_BASES = [(c.value, c.label) for c in LawfulBasis if c != LawfulBasis.LEGITIMATE_INTERESTS]
PART_2 = [(c.value, c.label) for c in Schedule1Condition if c in PART_2_CONDITIONS]

# --- Recording a sharing, step by step -------------------------------------------------------


class ItemsForm(forms.Form):
    """Step 1: which records, whose, and what kinds of information."""

    items = forms.MultipleChoiceField(
        label="Records to share",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose only the records the recipient needs.",
    )
    people = forms.MultipleChoiceField(
        label="Other people whose information is included",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Include someone else (a parent, a sibling) only if the records shared say things "
            "about them that the recipient needs."
        ),
    )
    data_categories = forms.MultipleChoiceField(
        label="Kinds of information shared",
        required=False,
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Health and other special-category information, and criminal offence "
        "information, each need a further legal condition.",
    )

    def __init__(
        self,
        *args: Any,
        items: list[tuple[str, str]],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = items  # type: ignore[attr-defined]
        if people:
            self.fields["people"].choices = people  # type: ignore[attr-defined]
        else:
            del self.fields["people"]


class AgencyForm(forms.Form):
    """Step 2: the partner agency."""

    agency = forms.ChoiceField(
        label="Which agency was it shared with?",
        widget=forms.RadioSelect,
        error_messages=_required("Choose the agency it is shared with."),
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]


class RecipientForm(forms.Form):
    """Step 3: the agreement, the named recipient, how and when."""

    agreement = forms.ChoiceField(
        label="Information sharing agreement",
        required=False,
        widget=forms.RadioSelect,
        help_text="The agreement with this agency that covers the sharing, if there is one.",
    )
    recipient_name = forms.CharField(
        label="Name of the person it went to", max_length=200, required=False
    )
    recipient_role = forms.CharField(
        label="Their role", max_length=200, required=False, help_text="For example, GP or DC."
    )
    recipient_email = forms.EmailField(
        label="Their email address",
        max_length=254,
        required=False,
        help_text="Needed for secure email: it must be at the agency's secure domain.",
    )
    method = forms.ChoiceField(
        label="How it was shared", choices=Method.choices, required=False, widget=forms.RadioSelect
    )
    shared_on = forms.DateField(
        label="Date shared",
        required=False,
        widget=DateInput(),
        help_text="The day it was, or will be, sent. Today or earlier.",
        error_messages={"invalid": "Enter the date shared as a real date."},
    )

    def __init__(self, *args: Any, agreements: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [  # type: ignore[attr-defined]
            ("", "No agreement applies"),
            *agreements,
        ]


class BasisForm(forms.Form):
    """Step 4: why, and on what legal footing."""

    purpose = forms.ChoiceField(
        label="Why was it shared?",
        choices=Purpose.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    purpose_detail = forms.CharField(
        label="What the recipient needs it for",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Justify the purpose in a sentence or two: the first Caldicott principle.",
    )
    lawful_basis = forms.ChoiceField(
        label="Article 6 lawful basis",
        choices=COUNCIL_BASES,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Public task is the usual basis for a council. Legitimate interests cannot be used "
            "for a council's public tasks."
        ),
    )
    article9_condition = forms.ChoiceField(
        label="Article 9 condition",
        choices=Article9Condition.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Health and other special-category information needs an Article 9 condition. "
            "Health or social care (9(2)(h)) covers care and treatment; substantial public "
            "interest (9(2)(g)) covers safeguarding, with a Schedule 1 condition below."
        ),
    )
    schedule1_condition = forms.ChoiceField(
        label="Schedule 1 condition (for substantial public interest only)",
        choices=_choose("Not needed", PART_2),
        required=False,
        help_text=(
            "9(2)(g) needs a condition from Part 2 of Schedule 1 to the DPA 2018, such as "
            "safeguarding of children and individuals at risk."
        ),
    )
    criminal_condition = forms.ChoiceField(
        label="Article 10 condition for criminal offence information",
        choices=_choose("Choose a condition", Schedule1Condition.choices),
        required=False,
        help_text=(
            "Criminal offence information needs a condition from Schedule 1 to the DPA 2018, "
            "for example preventing or detecting unlawful acts."
        ),
    )
    statute = forms.ChoiceField(
        label="The law the sharing relies on",
        choices=_choose("Choose the law", Statute.choices),
        required=False,
        help_text=(
            "For example the Children Act 1989, section 47 for child protection enquiries, or "
            "the Care Act 2014, section 42 for adult safeguarding. Not needed when the basis "
            "is consent."
        ),
    )
    statute_detail = forms.CharField(
        label="Section, order or other law",
        max_length=200,
        required=False,
        help_text="The section or court order, or the name of another statute.",
    )

    def __init__(self, *args: Any, special: bool, criminal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not special:
            del self.fields["article9_condition"]
            del self.fields["schedule1_condition"]
        if not criminal:
            del self.fields["criminal_condition"]


class ConsentStepForm(forms.Form):
    """Step 5: consent, or why it is shared without."""

    consent_status = forms.ChoiceField(
        label="Consent",
        choices=ConsentStatus.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Consent on file means a valid written consent that covers this agency, the "
            "purpose and every kind of information shared."
        ),
    )
    no_consent_reason = forms.ChoiceField(
        label="Why it is shared without consent",
        choices=NoConsentReason.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    no_consent_detail = forms.CharField(
        label="Explain why it is shared without consent",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="A manager reads this before authorising the sharing.",
    )
    is_urgent = forms.BooleanField(
        label="Urgent safeguarding: shared already, to be authorised afterwards",
        required=False,
        help_text=(
            "Only when waiting for a manager would put someone at risk. The sharing is "
            "flagged until a manager authorises it."
        ),
    )

    def __init__(self, *args: Any, urgent_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not urgent_allowed:
            del self.fields["is_urgent"]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="Say why sharing without consent is, or is not, justified.",
    )


# --- Consents --------------------------------------------------------------------------------


class ConsentForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency it may be shared with",
        required=False,
        help_text="Leave as it is if the consent is for a named person instead.",
    )
    named_person = forms.CharField(
        label="Or the named person who may see it",
        max_length=200,
        required=False,
        help_text="For example a relative or an advocate.",
    )
    named_person_relationship = forms.CharField(
        label="Their relationship to the person", max_length=100, required=False
    )
    given_by = forms.CharField(
        label="Who gave consent",
        max_length=200,
        help_text="The person, or who gave it for them (a parent for a young child).",
        error_messages=_required("Say who gave the consent."),
    )
    purposes = forms.MultipleChoiceField(
        label="Purposes it covers",
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("Choose the purposes the consent covers."),
    )
    data_categories = forms.MultipleChoiceField(
        label="Kinds of information it covers",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("Choose the kinds of information the consent covers."),
    )
    evidence = forms.CharField(
        label="Where the written consent is",
        max_length=500,
        help_text="For example: signed consent form, scanned to the case file on 3 March.",
        error_messages=_required("Say where the written consent is kept."),
    )
    evidence_file = forms.FileField(
        label="Upload the written consent (optional)",
        required=False,
        help_text="A PDF, a Word document (.docx), or a PNG or JPEG image.",
    )
    given_on = forms.DateField(
        label="Date consent was given",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the consent was given.",
            "invalid": "Enter the date consent was given as a real date.",
        },
    )
    expires_on = forms.DateField(
        label="Date it expires (optional)",
        widget=DateInput(),
        required=False,
        error_messages={"invalid": "Enter the expiry date as a real date."},
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _choose("No agency: a named person", agencies)  # type: ignore[attr-defined]


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(
        label="How the person withdrew their consent",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For example: told me on a home visit; letter received.",
    )
    withdrawn_on = forms.DateField(
        label="Date withdrawn",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the consent was withdrawn.",
            "invalid": "Enter the date withdrawn as a real date.",
        },
    )


# --- The register ----------------------------------------------------------------------------


class AgencyRegisterForm(forms.Form):
    organisation = forms.ChoiceField(label="Council whose register this is")
    name = forms.CharField(
        label="Name", max_length=200, error_messages=_required("Enter the agency's name.")
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=_choose("Choose…", AgencyKind.choices),
        error_messages=_required("Choose the kind of agency."),
    )
    contact_name = forms.CharField(label="Contact name or unit", max_length=200, required=False)
    contact_email = forms.EmailField(label="Contact email address", required=False)
    contact_phone = forms.CharField(label="Contact phone number", max_length=30, required=False)
    address = forms.CharField(label="Address", max_length=300, required=False)
    secure_email_domain = forms.CharField(
        label="Secure email domain",
        max_length=100,
        required=False,
        help_text="Secure email goes only to addresses at this domain, for example pnn.police.uk.",
    )
    country = forms.ChoiceField(
        label="Where it holds what it receives",
        choices=Country.choices,
        help_text="Only agencies holding information in the UK may receive identifiable data.",
    )
    is_active = forms.BooleanField(
        label="Active: sharings may be recorded with this agency", required=False
    )

    def __init__(
        self, *args: Any, organisations: list[tuple[str, str]] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class AgreementRegisterForm(forms.Form):
    agency = forms.ChoiceField(
        label="Agency", error_messages=_required("Choose the agency the agreement is with.")
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages=_required("Enter the agreement's title.")
    )
    reference = forms.CharField(label="Reference", max_length=60, required=False)
    purposes = forms.MultipleChoiceField(
        label="Purposes it covers",
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    lawful_bases = forms.MultipleChoiceField(
        label="Article 6 bases it covers",
        choices=LawfulBasis.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    data_categories = forms.MultipleChoiceField(
        label="Kinds of information it covers",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    starts_on = forms.DateField(
        label="Start date",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the agreement starts.",
            "invalid": "Enter the start date as a real date.",
        },
    )
    ends_on = forms.DateField(
        label="End date (optional)",
        widget=DateInput(),
        required=False,
        error_messages={"invalid": "Enter the end date as a real date."},
    )
    review_on = forms.DateField(
        label="Review date",
        widget=DateInput(),
        help_text="Records managers are reminded 30 and 7 days before.",
        error_messages={
            "required": "Enter the date the agreement is due for review.",
            "invalid": "Enter the review date as a real date.",
        },
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs=TEXTAREA), required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _choose("Choose the agency", agencies)  # type: ignore[attr-defined]


# --- Reports ---------------------------------------------------------------------------------

MAX_REPORT_DAYS = 3 * 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=DateInput(),
        validators=report_day_validators(),
        error_messages={
            "required": "Enter the first day of the period.",
            "invalid": "Enter the first day as a real date.",
        },
    )
    end = forms.DateField(
        label="To",
        widget=DateInput(),
        validators=report_day_validators(),
        error_messages={
            "required": "Enter the last day of the period.",
            "invalid": "Enter the last day as a real date.",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day must be on or after the first day.")
            elif (end - start).days > MAX_REPORT_DAYS:
                self.add_error("end", "Choose a period of three years or less.")
        return data
