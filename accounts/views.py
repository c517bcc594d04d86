"""Sign-in for the browser (session + CSRF) and for scripts (API token).

Browser flow: GET /api/auth/csrf/ (sets the csrftoken cookie) -> POST login/ or register/
with the X-CSRFToken header -> session cookie. Django rotates the CSRF token at sign-in, so
the SPA re-reads the csrftoken cookie afterwards for its next unsafe request.
Script flow: POST /api/auth/token/ with {username, password} -> "Authorization: Token <key>".
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.csrf import enforce_csrf
from accounts.ratelimit import LoginGuard
from accounts.serializers import (
    CredentialsSerializer,
    CsrfSerializer,
    RegisterSerializer,
    TokenSerializer,
    UserSerializer,
)
from nodeengine.api.schema import error_response, error_responses

BAD_CREDENTIALS = "Invalid username or password."
# Flat string fields, so forms describe them as well as JSON does (`curl -d` for the token).
FORM_MEDIA_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
CSRF_FAILED = error_response(
    403,
    "CSRF check failed: send the csrftoken cookie and the same value in X-CSRFToken "
    "(GET /api/auth/csrf/ first).",
)
# 400/401/403/413/415 of the shared set come with each operation (nodeengine/api/schema.py).


class BadCredentials(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = BAD_CREDENTIALS
    default_code = "invalid_credentials"


def verified_user(request: Request, credentials: dict[str, str]) -> Any:
    """The user these credentials belong to, counting the attempt against the rate limits."""
    guard = LoginGuard(request, credentials["username"])
    guard.attempt()
    user = authenticate(
        request._request, username=credentials["username"], password=credentials["password"]
    )
    if user is None:
        guard.failed()
        raise BadCredentials()
    guard.succeeded()
    return user


class CsrfView(generics.GenericAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = CsrfSerializer

    @extend_schema(summary="Set the csrftoken cookie (call before login/register)")
    def get(self, request: Request) -> Response:
        return Response({"csrfToken": get_token(request._request)})


class RegisterView(generics.GenericAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = RegisterSerializer
    documented_media_types = FORM_MEDIA_TYPES

    @extend_schema(
        summary="Create an account and sign in (needs X-CSRFToken)",
        responses={201: UserSerializer, 403: CSRF_FAILED, **error_responses(429)},
    )
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        # Counted before validation: "that username is taken" answers must be rate limited too.
        LoginGuard(request).attempt()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(generics.GenericAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = CredentialsSerializer
    documented_media_types = FORM_MEDIA_TYPES

    @extend_schema(
        summary="Sign in with a session cookie (needs X-CSRFToken)",
        description="Wrong credentials answer 400.",
        responses={200: UserSerializer, 403: CSRF_FAILED, **error_responses(429)},
    )
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = verified_user(request, serializer.validated_data)
        login(request._request, user)
        return Response(UserSerializer(user).data)


class LogoutView(generics.GenericAPIView):
    serializer_class = None

    @extend_schema(summary="Sign out (ends the session)", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(generics.GenericAPIView):
    serializer_class = UserSerializer

    @extend_schema(summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


class TokenView(generics.GenericAPIView):
    """An API token for scripts. One per user: POST returns the existing one or creates it."""

    permission_classes = [AllowAny]  # POST also accepts credentials; DELETE checks itself
    serializer_class = TokenSerializer
    documented_media_types = FORM_MEDIA_TYPES
    request_body_optional = True  # signed in, no body is needed (nodeengine/api/schema.py)

    @extend_schema(
        summary="Get (or create) your API token",
        description="Signed in: no body needed. From a script: send {username, password} "
        "(rate limited like login; wrong credentials answer 400). A body, when sent, must be "
        "well-formed credentials also when signed in (then the signed-in user's token is "
        "returned).",
        request=CredentialsSerializer,
        responses={200: TokenSerializer, **error_responses(401, 429)},
    )
    def post(self, request: Request) -> Response:
        user = request.user
        data = request.data  # parsed, so a malformed body is a 400 also when signed in
        sent_body = bool(data) or int(request.META.get("CONTENT_LENGTH") or 0) > 0
        if not user.is_authenticated and not data:
            raise NotAuthenticated("Sign in, or send {username, password} to get a token.")
        if sent_body:
            credentials = CredentialsSerializer(data=data)
            credentials.is_valid(raise_exception=True)
            if not user.is_authenticated:
                user = verified_user(request, credentials.validated_data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(
        summary="Revoke your API token",
        request=None,
        responses={204: None, **error_responses(401)},
    )
    def delete(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
