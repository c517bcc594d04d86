"""CSRF for the sign-in endpoints.

DRF views are csrf_exempt and SessionAuthentication checks CSRF only for requests that are
already session-authenticated. Login and register are made by anonymous browsers, so without
this check a hostile page could sign a victim into an attacker's account (login CSRF). They
therefore run Django's CSRF check themselves, exactly as SessionAuthentication would.
Scripts do not need a CSRF token: they get an API token from `POST /api/auth/token/`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request


def enforce_csrf(request: Request) -> None:
    def no_response(_request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
        return HttpResponse()

    check = CSRFCheck(no_response)
    check.process_request(request)  # reads the csrftoken cookie into request.META
    # The view's place: only its `csrf_exempt` is read, and it has none.
    reason = check.process_view(request, no_response, (), {})
    if reason:
        raise PermissionDenied(
            f"CSRF Failed: {reason} Fetch GET /api/auth/csrf/ first and send the token "
            "back in the X-CSRFToken header."
        )
