"""Account representations: the signed-in user, registration, and credentials."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from nodeengine.api.fields import StrictCharField, StrictEmailField, documented

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "is_staff"]
        read_only_fields = fields


class CredentialsSerializer(serializers.Serializer):
    """Only the shape: whether the password is right is the view's (rate-limited) business."""

    username = StrictCharField(max_length=150, trim_whitespace=False)
    password = StrictCharField(max_length=4096, trim_whitespace=False, write_only=True)


class RegisterSerializer(serializers.Serializer):
    username = StrictCharField(
        max_length=150,
        trim_whitespace=False,
        # Also checked by validate_username (with the model's own validators); here for the schema.
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only; 150 characters at most.",
    )
    password = StrictCharField(
        max_length=4096,
        trim_whitespace=False,
        write_only=True,
        help_text="Checked by the password rules (length, not too common, not all digits, "
        "not like the username).",
    )
    email = StrictEmailField(required=False, allow_blank=True, default="")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # The password rules JSON Schema can say (the rest is in the field's help text).
        rules = password_validation.get_default_password_validators()
        schema: dict[str, Any] = {}
        for rule in rules:
            if isinstance(rule, password_validation.MinimumLengthValidator):
                schema["minLength"] = rule.min_length
            if isinstance(rule, password_validation.NumericPasswordValidator):
                schema["pattern"] = r"\D"
        documented(fields["password"], **schema)
        return fields

    def validate_username(self, value: str) -> str:
        for validator in User._meta.get_field("username").validators:
            try:
                validator(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(list(exc.messages)) from None
        # Case-insensitive, so "Alice" cannot register next to "alice" and impersonate her.
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = User(username=attrs["username"], email=attrs.get("email", ""))
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from None
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        return User.objects.create_user(
            username=validated_data["username"],
            email=validated_data.get("email", ""),
            password=validated_data["password"],
        )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text='Send as "Authorization: Token <key>".')


class CsrfSerializer(serializers.Serializer):
    csrfToken = serializers.CharField(
        read_only=True, help_text="Also set as the csrftoken cookie; send it back as X-CSRFToken."
    )
