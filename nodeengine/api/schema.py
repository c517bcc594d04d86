"""The OpenAPI description's shared parts: the errors every operation can answer, and which body
encodings are documented.

`AutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds to each operation the error answers it
really gives, from what the view is, so that no view repeats them and none forgets one:

- 401 when the view needs a signed-in user;
- 403 for unsafe methods a session can call (a session request needs the X-CSRFToken header);
- 400, 413 and 415 when the operation takes a body (invalid, too large, not a documented type);
- 400 for lists (a bad filter value, a NUL in `search`) and for GETs with declared query
  parameters (`?wait=`);
- 404 when the path names an object (not yours or no such one: the same answer).

Views add only what is theirs (409, 429, the CSRF 403 of the sign-in views) with
`error_responses(...)`. Every error body is `{"detail": str, "errors": {...}?}`
(nodeengine/errors.py).

Bodies are documented as JSON unless the view lists more in `documented_media_types`: the graph
endpoints also parse forms (with the same storability guard) for old clients, but a document of
nested objects has no faithful form encoding, so a client generated from the schema sends JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import is_patched_serializer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = ("POST", "PUT", "PATCH")
JSON = "application/json"
# Some character that str.strip() keeps: the characters Python counts as space, spelled out, since
# `\S` differs between regex engines (ECMA's keeps U+0085 and U+001C..U+001F, Python's does not).
NOT_ONLY_SPACE = (
    "[^\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
    "\\u202f\\u205f\\u3000]"
)


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API."""

    detail = serializers.CharField(help_text="One sentence saying what is wrong.")
    # The JSON field `errors` shadows Serializer.errors: this serializer only documents answers.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        help_text="For invalid input: field name -> list of messages (`non_field_errors` for "
        "the body as a whole).",
    )


def _descriptions() -> dict[int, str]:
    return {
        400: "Invalid input: a body that is not well-formed or fails validation, or a bad query "
        "parameter. `detail` says why; `errors` maps each field to its messages.",
        401: "Not signed in: send `Authorization: Token <key>` (POST /api/auth/token/) or sign "
        "in with a session.",
        403: "Refused: a request signed in by session cookie needs the X-CSRFToken header "
        "(GET /api/auth/csrf/).",
        404: "Not found: no such object among yours (another user's answers the same).",
        409: "Conflict with the current state; `detail` says how to go on.",
        413: f"The body is larger than {settings.MAX_BODY_BYTES} bytes.",
        415: "Unsupported Content-Type: send `application/json`.",
        429: "Too many attempts; the Retry-After header gives the seconds to wait.",
    }


def error_response(code: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description or _descriptions()[code])


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`{code: OpenApiResponse}` for `responses={...}` of extend_schema."""
    return {code: error_response(code) for code in codes}


class AutoSchema(SpectacularAutoSchema):
    def map_parsers(self) -> list[Any]:
        documented = getattr(self.view, "documented_media_types", (JSON,))
        return [media_type for media_type in super().map_parsers() if media_type in documented]

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        body = super()._get_request_body(direction)
        if body is not None and getattr(self.view, "request_body_optional", False):
            body.pop("required", None)
        return body

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        # PATCH makes every field optional, but some are needed even for a partial update
        # (the `version` an edit is based on).
        required_on_patch = list(getattr(serializer, "required_on_patch", ()))
        if required_on_patch and is_patched_serializer(serializer, direction):
            schema["required"] = required_on_patch
        return schema

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        extra = getattr(field, "schema_extra", None)  # nodeengine.api.fields.documented()
        if extra and isinstance(schema, dict):
            schema.update(extra)
        # A CharField trims its input, so "  " is blank: say that some non-space is needed.
        if (
            direction == "request"
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and type(field) is not serializers.ChoiceField
            and isinstance(field, serializers.CharField)
            and field.trim_whitespace
            and not field.allow_blank
            and not {"pattern", "format", "enum", "allOf", "$ref"} & set(schema)
        ):
            schema["pattern"] = NOT_ONLY_SPACE
        return schema

    def _shared_error_codes(self) -> list[int]:
        codes: list[int] = []
        if any(
            isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()
        ):
            codes.append(401)
        if self.method in UNSAFE_METHODS and any(
            isinstance(authenticator, SessionAuthentication)
            for authenticator in self.view.get_authenticators()
        ):
            codes.append(403)
        if self.method in BODY_METHODS and self.get_request_serializer() is not None:
            codes += [400, 413, 415]
        if self.method == "GET" and (self._is_list_view() or self._has_query_parameters()):
            codes.append(400)
        if "{" in self.path:
            codes.append(404)
        return codes

    def _has_query_parameters(self) -> bool:
        """Query parameters the operation declares (extend_schema), which it validates."""
        return any(
            isinstance(parameter, OpenApiParameter) and parameter.location == OpenApiParameter.QUERY
            for parameter in self.get_override_parameters()
        )

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._shared_error_codes():
            key = str(code)
            if key not in responses:
                responses[key] = self._get_response_for_code(
                    error_response(code), key, direction=direction
                )
        return dict(sorted(responses.items()))
