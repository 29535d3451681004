"""Forms for the guardian's pages. They parse and check shape; ``audit.selectors`` resolves
people, staff and teams within the guardian's councils, and ``audit.services`` decides the rest
(their refusals come back as field errors through ``core.forms.add_service_errors``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from audit.alerts import DEFAULT_PARAMETERS, PARAMETER_SPECS
from audit.models import Action, AlertOutcome, AlertRule, AlertRuleCode, Purpose
from audit.selectors import AlertStatus
from core.forms import DateInput

DATE_ORDER = "The end date must be the same as or after the start date."


def _blank(choices: Any, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *choices]


def _date_range_fields(form: forms.Form) -> None:
    # ``from`` and ``to`` are the names the API uses too; ``from`` cannot be a class attribute.
    form.fields["from"] = forms.DateField(label="From", required=False, widget=DateInput())
    form.fields["to"] = forms.DateField(label="To", required=False, widget=DateInput())


def _check_date_order(form: forms.Form, data: dict[str, Any]) -> None:
    start, end = data.get("from"), data.get("to")
    if start and end and start > end:
        form.add_error("to", DATE_ORDER)


class EventSearchForm(forms.Form):
    subject = forms.UUIDField(
        label="Person's record id",
        required=False,
        help_text="The id at the end of the person's record page address.",
    )
    actor = forms.CharField(
        label="Member of staff",
        required=False,
        max_length=150,
        help_text="Their username, or the id from their activity page.",
    )
    team = forms.ChoiceField(label="Team", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=_blank(Action.choices, "Any action")
    )
    purpose = forms.ChoiceField(
        label="Purpose", required=False, choices=_blank(Purpose.choices, "Any purpose")
    )

    def __init__(self, *args: Any, teams: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_choices = [
            (str(team.public_id), f"{team.name} ({team.organisation.display_name})")
            for team in teams
        ]
        self.fields["team"].choices = _blank(team_choices, "Any team")  # type: ignore[attr-defined]
        _date_range_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_date_order(self, data)
        return data

    def filter_values(self) -> dict[str, Any]:
        """The cleaned values as ``audit.selectors.event_filters_for_user`` takes them."""
        data = self.cleaned_data
        return {
            "subject": data.get("subject"),
            "actor": data.get("actor") or "",
            "team": data.get("team") or None,
            "action": data.get("action") or "",
            "purpose": data.get("purpose") or "",
            "date_from": data.get("from"),
            "date_to": data.get("to"),
        }


class PersonFindForm(forms.Form):
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    needs = "Enter an NHS number, or a first name, last name and date of birth."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("nhs_number"):
            return data
        missing = [
            name for name in ("first_name", "last_name", "date_of_birth") if not data.get(name)
        ]
        if len(missing) == 3:
            raise forms.ValidationError(self.needs)
        for name in missing:
            self.add_error(name, f"Enter the {self.fields[name].label.lower()} too.")  # type: ignore[union-attr]
        return data


class UserActivityForm(forms.Form):
    """The date range of a member of staff's activity: the last 30 days unless chosen."""

    DEFAULT_DAYS = 30

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _date_range_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_date_order(self, data)
        return data

    def date_range(self) -> tuple[Any, Any]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("to") or today
        start = data.get("from") or end - timedelta(days=self.DEFAULT_DAYS - 1)
        return start, end


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=_blank(AlertStatus.CHOICES, "Open and reviewed"),
    )
    rule = forms.ChoiceField(
        label="Rule", required=False, choices=_blank(AlertRuleCode.choices, "Any rule")
    )


class AlertReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=AlertOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you found and what happens next. Needed unless the access was "
        "plainly appropriate.",
    )


class AlertRuleForm(forms.Form):
    """Switch a rule on or off and tune its settings. Ranges are checked by the service, whose
    messages name the setting and its limits."""

    enabled = forms.BooleanField(label="Raise alerts for this rule", required=False)

    def __init__(self, *args: Any, rule: AlertRule, **kwargs: Any) -> None:
        current = {**DEFAULT_PARAMETERS.get(rule.code, {}), **rule.parameters}
        kwargs.setdefault("initial", {"enabled": rule.enabled, **current})
        super().__init__(*args, **kwargs)
        for name, (kind, low, high, label) in PARAMETER_SPECS.get(rule.code, {}).items():
            if kind is bool:
                self.fields[name] = forms.BooleanField(label=label, required=False)
            elif kind is int:
                self.fields[name] = forms.IntegerField(
                    label=label, help_text=f"A whole number from {low:g} to {high:g}."
                )
            else:
                self.fields[name] = forms.FloatField(
                    label=label, help_text=f"A number from {low:g} to {high:g}."
                )
        self.parameter_names = list(PARAMETER_SPECS.get(rule.code, {}))

    def parameters(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.parameter_names}
