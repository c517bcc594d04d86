"""Schemathesis over the OpenAPI schema: the API answers as its schema says.

For every operation, requests the schema allows (positive) and requests it forbids (negative),
checked with every schemathesis check that applies to one request: no 5xx; only documented status
codes, content types, headers and bodies; schema-valid requests accepted and schema-invalid ones
rejected. OPTIONS on the same path must not fail either, and must advertise the documented methods.
In-process (WSGI), bounded: a few dozen examples per operation and mode, derandomized.

The run signs in with a token it cannot take away: DELETE /api/auth/token/ is among the requests,
so the token is put back before every example. It also carries a CSRF cookie and header, so that
login and register get past their CSRF check to their own logic.

What JSON Schema cannot say is stated in the schema's descriptions and supplied here instead of
excluding checks: graph documents get unique ids and edges between their own nodes
(`consistent_graph`), and text never contains NUL (`allow-x00`: Postgres cannot store it, and the
API answers 400).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from werkzeug.test import Client as WerkzeugClient

from tests.budget import examples
from tests.graph_samples import make_graph

TOKEN = "fuzz0000fuzz0000fuzz0000fuzz0000fuzz0000"
CSRF = "fuzzcsrf" * 4  # a well-formed csrftoken (32 letters)
EXAMPLES_PER_OPERATION_AND_MODE = examples(10)

CONFIG = {
    "generation": {"allow-x00": False},
    "checks": {
        # A body over MAX_BODY_BYTES (a list past its maxItems can be one) is rejected with 413,
        # which schemathesis does not count as a rejection by default.
        "negative_data_rejection": {
            "expected-statuses": [
                *("400", "401", "403", "404", "405", "406", "409", "413", "415"),
                *("422", "428", "429", "5xx"),
            ]
        },
    },
}

# Checks that cannot reasonably hold for an operation, each with why. Nothing else is excluded.
EXCLUDED: dict[tuple[str, str], set[str]] = {
    # A well-formed username and password are schema-valid but (almost) never an account's
    # credentials: login answers 400 "Invalid username or password.", as it must.
    ("POST", "/api/auth/login/"): {"positive_data_acceptance"},
    # Registration also refuses well-formed input the schema cannot rule out: a username already
    # taken, or a password too common or too like the username (Django's password validators).
    ("POST", "/api/auth/register/"): {"positive_data_acceptance"},
    # A run outlives its request on the ASGI server's event loop; this in-process WSGI app has
    # none, so an accepted body answers its documented 503 (bad bodies are still checked).
    # tests/web/test_rest_runs.py runs these against daphne, a pool worker and Docker.
    ("POST", "/api/runs/"): {"positive_data_acceptance", "not_a_server_error"},
    ("POST", "/api/graphs/{id}/runs/"): {"positive_data_acceptance", "not_a_server_error"},
    # A string is schema-valid code, but only Python defining one public function is a node:
    # anything else answers its documented 400 with diagnostics (docs/catalogue.md).
    ("POST", "/api/node-library/"): {"positive_data_acceptance"},
    ("PUT", "/api/node-library/{id}/"): {"positive_data_acceptance"},
    # The same for the code an export's `dependencies.library` carries.
    ("POST", "/api/graphs/import/"): {"positive_data_acceptance"},
}


def all_checks() -> list[Callable[..., Any]]:
    load_all_checks()
    return list(CHECKS.get_all())


def _unique(value: Any, index: int, taken: set[str]) -> str:
    text = value if isinstance(value, str) and value else "id"
    while text in taken:
        text = f"{text[:240]}-{index}"
        index += 1
    taken.add(text)
    return text


def consistent_graph(document: Any) -> None:
    """Give a generated graph document what its schema can only describe in words: unique node
    and edge ids, and edges that join nodes of the same graph (graphs/validation.py)."""
    if not isinstance(document, dict):
        return
    nodes, edges = document.get("nodes"), document.get("edges")
    ids: list[str] = []
    if isinstance(nodes, list):
        taken: set[str] = set()
        for index, node in enumerate(nodes):
            if isinstance(node, dict) and "id" in node:
                node["id"] = _unique(node["id"], index, taken)
                ids.append(node["id"])
    if isinstance(edges, list):
        if not ids:
            edges.clear()
        taken = set()
        for index, edge in enumerate(edges):
            if isinstance(edge, dict):
                edge["id"] = _unique(edge.get("id"), index, taken)
                edge["source"] = ids[index % len(ids)]
                edge["target"] = ids[(index + 1) % len(ids)]


def with_consistent_graph(case: Any) -> Any:
    body = case.body
    if isinstance(body, dict):
        consistent_graph(body)
        consistent_graph(body.get("graph"))  # an import document
        dependencies = body.get("dependencies")  # and the graphs it uses (format_version 2)
        if isinstance(dependencies, dict) and isinstance(dependencies.get("graphs"), list):
            for dependency in dependencies["graphs"]:
                if isinstance(dependency, dict):
                    consistent_graph(dependency.get("graph"))
    return case


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
        cache.clear()  # the sign-in rate limits the run used up


def documented_methods(schema: Any, path: str) -> set[str]:
    raw = schema.raw_schema["paths"][path]
    return {method.upper() for method in raw if method != "parameters"}


@dataclass(frozen=True)
class Run:
    """What every example of the run shares."""

    user: Any
    headers: dict[str, str]
    client: WerkzeugClient  # OPTIONS through the raw WSGI app, like the cases' own calls


def check_examples(
    run: Run, strategy: Any, checks: list[Callable[..., Any]], allowed_methods: set[str] | None
) -> None:
    """Call and validate each example; `allowed_methods`: also check OPTIONS on its path."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def answers_as_documented(case: Any) -> None:
        Token.objects.filter(user=run.user).exclude(key=TOKEN).delete()
        Token.objects.get_or_create(user=run.user, key=TOKEN)
        case.call_and_validate(headers=run.headers, checks=checks)
        if allowed_methods is None:
            return
        options = run.client.options(case.formatted_path, headers=run.headers)
        assert options.status_code < 500, (case.formatted_path, options.status_code)
        if options.status_code == 200:
            advertised = {method.strip().upper() for method in options.headers["Allow"].split(",")}
            assert advertised - {"HEAD", "OPTIONS"} == allowed_methods, (
                case.formatted_path,
                advertised,
            )

    answers_as_documented()


@pytest.mark.django_db
@pytest.mark.timeout(240)  # bounded by the example counts (~1 min); slack for a loaded machine
def test_every_answer_matches_the_schema(
    django_user_model: Any, keep_test_connection: None
) -> None:
    user = django_user_model.objects.create_user("fuzzer", password="fuzzing-password-long-9")
    make_graph(user)  # a graph of the user's own, so that some of the ids tried exist
    app = get_wsgi_application()
    run = Run(user, {"Authorization": f"Token {TOKEN}", "X-CSRFToken": CSRF}, WerkzeugClient(app))
    cookies = {"csrftoken": CSRF}  # a Cookie header would be dropped by the WSGI client
    config = SchemathesisConfig.from_dict(CONFIG)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, config=config)
    # An Err would raise here: a broken schema fails the test, as it should.
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 20  # the whole API, not an empty or broken schema
    without_negative_cases: list[str] = []

    for operation in operations:
        excluded = EXCLUDED.get((operation.method.upper(), operation.path), set())
        checks = [check for check in all_checks() if check.__name__ not in excluded]
        positive = operation.as_strategy(cookies=cookies).map(with_consistent_graph)
        check_examples(run, positive, checks, documented_methods(schema, operation.path))
        negative = operation.as_strategy(GenerationMode.NEGATIVE, cookies=cookies)
        try:
            check_examples(run, negative, checks, None)
        except Unsatisfiable:  # nothing in the request can be made invalid: no parameters, no body
            without_negative_cases.append(operation.label)
    assert len(without_negative_cases) < 8, without_negative_cases
