"""Property-based: whatever JSON arrives at graph create/update, the answer is a success, a 400,
or (for a stale update) a 409 - never a 500, and a refused request changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from graphs.models import Graph
from tests.budget import examples
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph

EXAMPLES = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
any_json = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)
ids = st.sampled_from(["a", "b", "c", ""]) | st.text(max_size=4) | st.integers(0, 3)
numbers = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=3)
position = st.fixed_dictionaries({"x": numbers, "y": numbers}) | any_json
node = st.fixed_dictionaries(
    {"id": ids, "type": st.sampled_from(["io.print", "", "x"]) | any_json, "position": position},
    optional={"data": st.fixed_dictionaries({"params": any_json}) | any_json},
)
edge = st.fixed_dictionaries(
    {"id": ids, "source": ids, "target": ids},
    optional={"sourceHandle": st.none() | st.text(max_size=5) | any_json, "targetHandle": ids},
)
graph_like = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=30) | any_json,
        "description": st.text(max_size=30),
        "nodes": st.lists(node, max_size=5) | any_json,
        "edges": st.lists(edge, max_size=5) | any_json,
        "viewport": st.fixed_dictionaries({"x": numbers, "y": numbers, "zoom": numbers}) | any_json,
        "version": st.integers(-1, 3) | any_json,
    },
)
finite = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def plausible_graph(draw) -> dict:
    """A body that is valid more often than not: the success paths get exercised too."""
    node_ids = [f"n{index}" for index in range(draw(st.integers(0, 6)))]
    nodes = [
        {
            "id": node_id,
            "type": draw(st.sampled_from(["flow.start", "io.print", "math.add"])),
            "position": {"x": draw(finite), "y": draw(finite)},
            "data": {"params": draw(st.dictionaries(st.text(max_size=5), scalars, max_size=3))},
        }
        for node_id in node_ids
    ]
    edges = []
    if node_ids:
        for index in range(draw(st.integers(0, 6))):
            edges.append(
                {
                    "id": f"e{index}",
                    "source": draw(st.sampled_from(node_ids)),
                    "sourceHandle": draw(st.none() | st.sampled_from(["out", "exec_out"])),
                    "target": draw(st.sampled_from(node_ids)),
                    "targetHandle": draw(st.none() | st.text(max_size=5)),
                }
            )
    body = {
        "name": draw(st.text(min_size=1, max_size=30)),
        "nodes": nodes,
        "edges": edges,
        "viewport": {"x": draw(finite), "y": draw(finite), "zoom": draw(st.floats(0.1, 4))},
        "version": draw(st.sampled_from([1, 1, 1, 2])),
    }
    if draw(st.booleans()):  # corrupt one part, anywhere
        body[draw(st.sampled_from(sorted(body)))] = draw(any_json)
    return body


bodies = plausible_graph() | graph_like | any_json


def send(client: APIClient, method: str, url: str, body) -> int:
    # allow_nan: Python's json would write NaN/Infinity; the API must refuse them with a 400.
    raw = json.dumps(body, allow_nan=True)
    return client.generic(method, url, raw, content_type="application/json").status_code


@pytest.mark.django_db
@EXAMPLES
@given(body=bodies)
def test_create_answers_201_or_400(owner_client, body):
    before = Graph.objects.count()
    status = send(owner_client, "POST", "/api/graphs/", body)
    event(f"status {status}")
    assert status in (201, 400)
    assert Graph.objects.count() == before + (1 if status == 201 else 0)


@pytest.mark.django_db
@EXAMPLES
@given(body=bodies, method=st.sampled_from(["PUT", "PATCH"]))
def test_update_answers_200_400_or_409(owner_client, owner, body, method):
    graph = make_graph(owner)
    status = send(owner_client, method, graph_url(graph), body)
    event(f"status {status}")
    assert status in (200, 400, 409)
    fresh = Graph.objects.get(pk=graph.pk)
    if status == 200:
        assert fresh.version == 2
    else:
        assert (fresh.version, fresh.snapshot()) == (1, graph.snapshot())
