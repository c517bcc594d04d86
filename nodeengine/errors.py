"""One error shape for the whole API: `{"detail": str, "errors": {...}?}`, never an HTML 500 page.

DRF already turns its own exceptions into responses; this handler adds the cases that would
otherwise escape as 500s (Django's RequestDataTooBig and SuspiciousOperation, recursion from
absurdly nested JSON) and makes sure every error carries a human `detail` sentence.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, list) and data:
        return _first_message(data[0])
    if isinstance(data, dict) and data:
        key, value = next(iter(data.items()))
        inner = _first_message(value)
        return inner if key in ("detail", "non_field_errors") else f"{key}: {inner}"
    return "Invalid request."


def _error(detail: str, code: int) -> Response:
    return Response({"detail": detail}, status=code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return _error(
            f"Request body is too large: at most {settings.MAX_BODY_BYTES} bytes.",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return _error(f"Bad request: {exc}", status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RecursionError):
        return _error("JSON is nested too deeply.", status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return response
    errors = data if isinstance(data, dict) else {"non_field_errors": data}
    response.data = {"detail": _first_message(data), "errors": errors}
    return response


@csrf_exempt  # else an unsafe method to an unknown path got the CSRF check's HTML 403 page
def api_not_found(request: Any, *args: Any, **kwargs: Any) -> Any:
    """Unknown `/api/...` routes answer in the API's JSON error shape, not Django's HTML page,
    for every method."""
    from django.http import JsonResponse

    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
