"""The one error type for domain refusals, mapped once to a form error, message or API 400."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal the user can act on: a rule says no, or input breaks a domain rule.

    ``field_errors`` maps field names to messages, so a form can show them beside the field and
    the API can answer 400 with the same structure.
    """

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def as_api_detail(self) -> dict[str, object]:
        if self.field_errors:
            return {**self.field_errors, "detail": self.message}
        return {"detail": self.message}


def refuse_if(field_errors: dict[str, list[str]]) -> None:
    """Refuse with every field's messages at once, the first as the summary, if there are any."""
    if field_errors:
        first = next(iter(field_errors.values()))[0]
        raise ApplicationError(first, field_errors=field_errors)
