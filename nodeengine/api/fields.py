"""Serializer fields that accept what the OpenAPI schema says, and nothing more.

DRF's CharField turns a JSON number into text and its IntegerField reads "3" and 3.0, so a body
the schema calls invalid (`"name": 5`, `"version": "2"`) was accepted. In a JSON body these fields
take only their JSON type. A form or multipart body carries only text, so there they keep DRF's
conversion. A CharField's `max_length` also holds before trimming (the schema's `maxLength` is
about the string as sent).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.utils import html


def documented(field: serializers.Field, **schema: Any) -> serializers.Field:
    """`field`, with `schema` added to its OpenAPI description (nodeengine/api/schema.py): for rules
    the field's own arguments do not show, such as a list size checked by the validation code."""
    # An attribute of our own on DRF's field (read by schema.py), unknown to its stubs.
    field.schema_extra = {**getattr(field, "schema_extra", {}), **schema}  # type: ignore[attr-defined]
    return field


def _from_form(field: serializers.Field) -> bool:
    return html.is_html_input(getattr(field.root, "initial_data", None))


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictEmailField(StrictCharField, serializers.EmailField):
    pass


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if not _from_form(self) and (not isinstance(data, int) or isinstance(data, bool)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    # A ModelSerializer whose generated text and integer fields are the strict ones. (A comment,
    # not a docstring: drf-spectacular would show a docstring as each subclass's description.)

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
    }
