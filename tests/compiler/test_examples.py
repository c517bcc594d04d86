"""The example graphs a new account starts with: seeded on sign-up, each compiles cleanly."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from graphs.compiler import compile_graph
from graphs.examples import example_documents
from graphs.models import Graph
from tests.compiler.test_compiler_golden import run
from tests.fast_passwords import fast_password_hashing  # noqa: F401

EXAMPLES = example_documents()


def test_there_are_the_five_promised_examples():
    names = [doc["name"] for doc in EXAMPLES]
    assert len(names) == 5
    assert names[0] == "Hello, world"


@pytest.mark.django_db
@pytest.mark.parametrize("doc", EXAMPLES, ids=[doc["name"] for doc in EXAMPLES])
def test_example_compiles_without_errors(owner_client, doc):
    response = owner_client.post(
        "/api/compile/", {"nodes": doc["nodes"], "edges": doc["edges"]}, format="json"
    )
    assert response.status_code == 200
    errors = [d for d in response.data["diagnostics"] if d["severity"] == "error"]
    assert errors == []
    assert response.data["code"].strip()


@pytest.mark.django_db
def test_registration_seeds_the_examples_newest_first(anon_client, settings):
    settings.SEED_EXAMPLE_GRAPHS = True
    response = anon_client.post(
        "/api/auth/register/",
        {"username": "newcomer", "password": "a-long-enough-password-9"},
        format="json",
    )
    assert response.status_code == 201
    user = get_user_model().objects.get(username="newcomer")
    listed = anon_client.get("/api/graphs/").data["results"]
    assert [row["name"] for row in listed] == [doc["name"] for doc in EXAMPLES]
    assert Graph.objects.filter(owner=user).count() == len(EXAMPLES)


@pytest.mark.django_db
def test_seeding_can_be_turned_off(make_user):
    # The autouse fixture in conftest.py turns it off for every other test.
    assert Graph.objects.filter(owner=make_user("quiet")).count() == 0


GOLDEN_RUNS = {
    "Hello, world": ("", "Hello, world!\n"),
    "Ask for your name": ("Grace\n", "What is your name? Nice to meet you, Grace!\n"),
    "A function": ("", "49\n"),
}


@pytest.mark.parametrize("doc", EXAMPLES, ids=[doc["name"] for doc in EXAMPLES])
def test_example_has_no_warnings_and_prints_what_it_shows(doc):
    result = compile_graph(doc)
    assert result.diagnostics == []
    if doc["name"] in GOLDEN_RUNS:
        stdin, expected = GOLDEN_RUNS[doc["name"]]
        assert run(doc, stdin) == expected


def test_examples_type_their_constants_on_pins():
    counting = next(doc for doc in EXAMPLES if doc["name"] == "Counting with pauses")
    assert not [n for n in counting["nodes"] if n["type"] == "literal"]
    code = compile_graph(counting).code
    assert "range(10)" in code and "time.sleep(0.5)" in code and "print('Done!')" in code
