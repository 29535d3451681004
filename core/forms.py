"""Shared form helpers: domain refusals and model validation shown as GOV.UK form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.errors import ApplicationError

T = TypeVar("T")


def add_service_errors(form: forms.BaseForm, exc: ValidationError | ApplicationError) -> None:
    """Put a service's refusal on the form: beside the field it names, or at the top."""
    if isinstance(exc, ApplicationError):
        placed = False
        for name, messages in exc.field_errors.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
            placed = True
        if not placed:
            form.add_error(None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def attempt(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Run a service; on refusal put its messages on the form and return None."""
    try:
        return action()
    except (ValidationError, ApplicationError) as exc:
        add_service_errors(form, exc)
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(
            attrs={"class": "govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(
            attrs={"class": "govuk-input--width-20", **(attrs or {})}, format="%Y-%m-%dT%H:%M"
        )
