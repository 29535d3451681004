"""Forms for the retention pages. They parse shape only: the rules (what a rule needs, what a
hold must name, when a record may be kept longer) are the services', and their refusals go
back on the form beside the field they name. Fields the services check are optional here, so
the person sees the service's own message rather than a generic one."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from core.forms import DateInput
from retention.models import Action, HoldScope, Trigger

TEXTAREA = {"rows": 3}
NUMBER = {"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}


def _choose(blank: str, choices: Any) -> list[tuple[str, str]]:
    return [("", blank), *choices]


class RuleChangeForm(forms.Form):
    """The next version of a class's rule. Numbers stay text here: the service says what is
    wrong with "ten" or "-3" in the same words the API does."""

    trigger = forms.ChoiceField(
        label="What starts the clock",
        required=False,
        choices=_choose("Choose a trigger", Trigger.choices),
    )
    period_years = forms.CharField(
        label="Years", required=False, max_length=6, widget=forms.TextInput(attrs=NUMBER)
    )
    period_months = forms.CharField(
        label="Months", required=False, max_length=6, widget=forms.TextInput(attrs=NUMBER)
    )
    period_days = forms.CharField(
        label="Days", required=False, max_length=6, widget=forms.TextInput(attrs=NUMBER)
    )
    death_under_18_years = forms.CharField(
        label="If the person died before 18: years after death (optional)",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs=NUMBER),
        help_text="Leave blank unless the rule keeps a child's records for a set time after "
        "death instead.",
    )
    action = forms.ChoiceField(
        label="What happens at the end of the period",
        required=False,
        choices=Action.choices,
        widget=forms.RadioSelect,
    )
    then_action = forms.ChoiceField(
        label="After a review, what normally follows (optional)",
        required=False,
        choices=_choose("Nothing set", Action.choices),
    )
    legal_authority = forms.CharField(
        label="Legal authority",
        required=False,
        max_length=500,
        help_text="The law, regulation or guidance the rule follows.",
    )
    reason = forms.CharField(
        label="Why the rule is changing",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class HoldForm(forms.Form):
    """Place a hold. A person or case hold is found by a case reference; a class hold by the
    class chosen; an inquiry's by class and the dates of the records it covers."""

    scope = forms.ChoiceField(
        label="What does the hold cover?",
        required=False,
        choices=HoldScope.choices,
        widget=forms.RadioSelect,
    )
    case_reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=40,
        help_text="For a person's records: any of their cases. The hold covers every case of "
        "that person.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    record_class = forms.ChoiceField(label="Record class", required=False)
    from_date = forms.DateField(
        label="Records from", required=False, widget=DateInput(), help_text="The first day."
    )
    to_date = forms.DateField(
        label="Records to", required=False, widget=DateInput(), help_text="The last day."
    )
    organisation = forms.ChoiceField(label="Council", required=False)
    reason = forms.CharField(
        label="Why must disposal stop?",
        required=False,
        max_length=500,
        help_text="The inquiry, claim or complaint, with its reference if it has one.",
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(
        self,
        *args: Any,
        record_classes: list[tuple[str, str]],
        councils: list[tuple[str, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["record_class"]).choices = _choose(
            "Choose a record class", record_classes
        )
        if councils is None:
            del self.fields["organisation"]
        else:
            cast(forms.ChoiceField, self.fields["organisation"]).choices = _choose(
                "Choose a council", councils
            )
            self.fields["organisation"].help_text = "For a hold on a record class."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope in (HoldScope.PERSON, HoldScope.CASE) and not data.get("case_reference"):
            self.add_error(
                "case_reference",
                "Enter the reference of the case held, or of one of the person's cases.",
            )
        if (
            "organisation" in self.fields
            and scope in (HoldScope.RECORD_CLASS, HoldScope.CLASS_AND_DATES)
            and not data.get("organisation")
        ):
            self.add_error("organisation", "Choose the council whose records are held.")
        return data


class ReasonForm(forms.Form):
    """A reason and nothing else: lifting a hold, cancelling a batch."""

    reason = forms.CharField(
        label="Reason", required=False, max_length=500, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args: Any, label: str, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


class KeepForm(forms.Form):
    """Take a record out of a batch under review: kept longer, until its next review."""

    reason = forms.CharField(
        label="Why is the record kept longer?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    keep_until = forms.DateField(
        label="Next review",
        required=False,
        widget=DateInput(),
        help_text="The record is proposed again for review on this day. It must be after today.",
    )


class RegisterFilterForm(forms.Form):
    record_class = forms.ChoiceField(label="Record class", required=False)
    batch = forms.CharField(
        label="Batch reference",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, record_classes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["record_class"]).choices = _choose(
            "All record classes", record_classes
        )
