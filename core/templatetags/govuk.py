"""Render Django forms with GOV.UK Frontend markup: labels, hints, errors, widgets."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.boundfield import BoundField

register = template.Library()


def _kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    # CheckboxSelectMultiple is a kind of RadioSelect in Django: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


_WIDGET_CLASS = {
    "input": "govuk-input",
    "password": "govuk-input govuk-password-input__input govuk-js-password-input-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
}
_ERROR_CLASS = {
    "input": "govuk-input--error",
    "password": "govuk-input--error",
    "select": "govuk-select--error",
    "textarea": "govuk-textarea--error",
    "file": "govuk-file-upload--error",
}


@register.inclusion_tag("govuk/field.html")
def govuk_field(field: BoundField) -> dict[str, Any]:
    kind = _kind(field)
    field_id = field.auto_id or f"id_{field.html_name}"
    hint_id = f"{field_id}-hint" if field.help_text else ""
    error_id = f"{field_id}-error" if field.errors else ""
    described = " ".join(part for part in (hint_id, error_id) if part)
    classes = [_WIDGET_CLASS.get(kind, "")]
    extra = field.field.widget.attrs.get("class")
    if extra:
        classes.append(extra)
    if field.errors and kind in _ERROR_CLASS:
        classes.append(_ERROR_CLASS[kind])
    attrs: dict[str, str | bool] = {"class": " ".join(c for c in classes if c)}
    if described:
        attrs["aria-describedby"] = described
    widget_html = "" if kind in {"radios", "checkboxes"} else field.as_widget(attrs=attrs)
    return {
        "field": field,
        "kind": kind,
        "field_id": field_id,
        "hint_id": hint_id,
        "error_id": error_id,
        "described": described,
        "widget_html": widget_html,
        "is_fieldset": kind in {"radios", "checkboxes"},
    }


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(*forms_: forms.BaseForm | None) -> dict[str, Any]:
    """The error summary at the top of the page, linking each error to its field."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for message in form.non_field_errors():
            items.append({"text": str(message), "href": ""})
        for name, errors in form.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            bound = form[name]
            target = bound.auto_id or f"id_{name}"
            if _kind(bound) in {"radios", "checkboxes"}:
                target = f"{target}_0"
            for message in errors:
                items.append({"text": str(message), "href": f"#{target}"})
    return {"items": items}
