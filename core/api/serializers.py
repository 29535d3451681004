"""Serializer pieces every app's API shares.

Output serializers render stored choices as their plain value and list the values in the
schema's description; the enums in the schema belong to the input serializers, where a client
must choose one (this also keeps one field name, such as ``kind``, from naming several
unrelated enums)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class ChoiceValueField(serializers.ChoiceField):
    """A stored choice, rendered as its value (read-only outputs)."""


class ChoiceValueFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ChoiceValueField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        values = ", ".join(f"`{value}`" for value in self.target.choices)
        return {"type": "string", "description": f"One of {values}."}


class OutputSerializer(serializers.ModelSerializer):
    """Read-only model serializers: choices render as plain values (see the module docstring)."""

    serializer_choice_field = ChoiceValueField

    def get_extra_kwargs(self) -> dict[str, Any]:
        extra: dict[str, Any] = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        return extra
