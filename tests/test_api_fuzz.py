"""Schemathesis over the OpenAPI schema: no request the schema describes, however odd its data,
gets a 5xx from the API (nor does OPTIONS on the same path). In-process (WSGI), bounded: a few
dozen examples per operation, derandomized, about half a minute in all.

The run signs in with a token it cannot take away: DELETE /api/auth/token/ is among the requests,
so the token is put back before every example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from werkzeug.test import Client as WerkzeugClient

from tests.graph_samples import make_graph

TOKEN = "fuzz0000fuzz0000fuzz0000fuzz0000fuzz0000"
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests through the raw WSGI app would close the test's database connection at their
    end (inside its transaction): Django's own test client turns that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_no_request_gets_a_server_error(django_user_model: Any, keep_test_connection: None) -> None:
    user = django_user_model.objects.create_user("fuzzer", password="fuzzing-password-long-9")
    make_graph(user)  # a graph of the user's own, so that some of the ids tried exist
    headers = {"Authorization": f"Token {TOKEN}"}
    app = get_wsgi_application()
    client = WerkzeugClient(app)  # like the cases' own calls: the raw WSGI app, no test client
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15  # the whole API, not an empty or broken schema

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def no_server_error(case: Any) -> None:
            Token.objects.filter(user=user).exclude(key=TOKEN).delete()
            Token.objects.get_or_create(user=user, key=TOKEN)
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
            options = client.options(case.formatted_path, headers=headers)
            assert options.status_code < 500, (case.formatted_path, options.status_code)

        no_server_error()
