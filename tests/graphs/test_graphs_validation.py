"""graphs/validation.py: every structural rule, with the element and field named in the message."""

from __future__ import annotations

import copy

import pytest

from graphs.validation import (
    MAX_MESSAGES_PER_FIELD,
    validate_edges,
    validate_graph,
    validate_nodes,
    validate_viewport,
)
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import SAMPLE, sample

NODE = {"id": "n1", "type": "io.print", "position": {"x": 1, "y": 2}, "data": {"params": {}}}


def node(**changes):
    value = copy.deepcopy(NODE)
    value.update(changes)
    return value


def edge(**changes):
    value = {"id": "e1", "source": "a", "sourceHandle": None, "target": "b", "targetHandle": "in"}
    value.update(changes)
    return value


def test_sample_is_valid():
    assert (
        validate_graph(
            SAMPLE["nodes"], SAMPLE["edges"], SAMPLE["viewport"], max_nodes=10, max_edges=10
        )
        == {}
    )


def test_empty_graph_is_valid():
    assert validate_graph([], [], {}, max_nodes=1, max_edges=0) == {}


class TestNodes:
    @pytest.mark.parametrize(
        ("nodes", "message"),
        [
            ({"n1": NODE}, "nodes must be an array of node objects, got object."),
            ([42], "nodes[0] must be an object, got number."),
            ([node(id="")], "nodes[0]: id must be a non-empty string, got string."),
            ([node(id=7)], "nodes[0]: id must be a non-empty string, got number."),
            ([node(id="x" * 256)], "nodes[0]: id must be at most 255 characters."),
            (
                [node(), node(id="n2"), node()],
                "nodes[2] (id 'n1'): id is already used by nodes[0]; node ids must be unique.",
            ),
            ([node(type="")], "nodes[0] (id 'n1'): type must be a non-empty string, got string."),
            ([node(type=None)], "nodes[0] (id 'n1'): type must be a non-empty string, got null."),
            (
                [node(position=[1, 2])],
                "nodes[0] (id 'n1'): position must be an object {x, y}, got array.",
            ),
            (
                [node(position={"x": "1", "y": 2})],
                "nodes[0] (id 'n1'): position.x must be a finite number, got string.",
            ),
            (
                [node(position={"x": 1})],
                "nodes[0] (id 'n1'): position.y must be a finite number, got null.",
            ),
            (
                [node(position={"x": True, "y": 0})],
                "nodes[0] (id 'n1'): position.x must be a finite number, got boolean.",
            ),
            (
                [node(position={"x": float("inf"), "y": 0})],
                "nodes[0] (id 'n1'): position.x must be a finite number, got number.",
            ),
            ([node(data="params")], "nodes[0] (id 'n1'): data must be an object, got string."),
            (
                [node(data={"inputs": [1]})],
                "nodes[0] (id 'n1'): data.inputs must be an object, got array.",
            ),
            (
                [node(data={"inputs": {"stop": {"x": 1}}})],
                "nodes[0] (id 'n1'): data.inputs['stop'] must be a string, a finite number, a "
                "boolean or null, got object.",
            ),
        ],
    )
    def test_rule(self, nodes, message):
        assert message in validate_nodes(nodes, max_nodes=100)

    def test_data_is_optional_and_extra_keys_are_kept(self):
        bare = {"id": "n", "type": "t", "position": {"x": 0, "y": 0.5}, "width": 120}
        assert validate_nodes([bare], max_nodes=1) == []

    def test_node_type_is_not_checked_against_the_catalogue(self):
        assert validate_nodes([node(type="no.such.type")], max_nodes=1) == []

    def test_too_many_nodes(self):
        nodes = [node(id=f"n{index}") for index in range(4)]
        assert validate_nodes(nodes, max_nodes=3) == [
            "A graph may have at most 3 nodes; this one has 4."
        ]

    def test_messages_are_capped(self):
        problems = validate_nodes([1] * 50, max_nodes=100)
        assert len(problems) == MAX_MESSAGES_PER_FIELD + 1
        assert problems[-1] == "... and 30 more problems."


class TestEdges:
    IDS = {"a", "b"}

    @pytest.mark.parametrize(
        ("edges", "message"),
        [
            ("e1", "edges must be an array of edge objects, got string."),
            ([None], "edges[0] must be an object, got null."),
            ([edge(id=None)], "edges[0]: id must be a non-empty string, got null."),
            (
                [edge(), edge()],
                "edges[1] (id 'e1'): id is already used by edges[0]; edge ids must be unique.",
            ),
            ([edge(source="zz")], "edges[0] (id 'e1'): source 'zz' is not a node of this graph."),
            ([edge(target="zz")], "edges[0] (id 'e1'): target 'zz' is not a node of this graph."),
            (
                [edge(target=3)],
                "edges[0] (id 'e1'): target must be a non-empty string, got number.",
            ),
            (
                [edge(sourceHandle=1)],
                "edges[0] (id 'e1'): sourceHandle must be a string or null, got number.",
            ),
            (
                [edge(targetHandle={})],
                "edges[0] (id 'e1'): targetHandle must be a string or null, got object.",
            ),
        ],
    )
    def test_rule(self, edges, message):
        assert message in validate_edges(edges, self.IDS, max_edges=100)

    def test_handles_may_be_missing_or_null(self):
        bare = {"id": "e", "source": "a", "target": "b"}
        assert validate_edges([bare, edge(id="e2", targetHandle=None)], self.IDS, 5) == []

    def test_too_many_edges(self):
        edges = [edge(id=f"e{index}") for index in range(3)]
        assert validate_edges(edges, self.IDS, max_edges=2) == [
            "A graph may have at most 2 edges; this one has 3."
        ]


class TestViewport:
    @pytest.mark.parametrize(
        ("viewport", "message"),
        [
            ([], "viewport must be an object {x, y, zoom}, got array."),
            ({"x": 0, "y": 0}, "viewport.zoom must be a finite number, got null."),
            ({"x": "0", "y": 0, "zoom": 1}, "viewport.x must be a finite number, got string."),
            ({"x": 0, "y": 0, "zoom": 0}, "viewport.zoom must be greater than 0."),
        ],
    )
    def test_rule(self, viewport, message):
        assert message in validate_viewport(viewport)

    def test_empty_viewport_is_allowed(self):
        assert validate_viewport({}) == []


def test_validate_graph_keys_errors_by_field():
    errors = validate_graph([node(id="")], [edge()], None, max_nodes=5, max_edges=5)
    assert set(errors) == {"nodes", "edges", "viewport"}


@pytest.mark.django_db
class TestThroughTheApi:
    """The API answers 400 with these same messages, and stores nothing."""

    def test_create_reports_the_node_and_field(self, owner_client):
        body = sample()
        body["nodes"][1]["position"]["y"] = "down"
        response = owner_client.post("/api/graphs/", body, format="json")
        assert response.status_code == 400
        message = "nodes[1] (id 'say'): position.y must be a finite number, got string."
        assert response.data["errors"]["nodes"] == [message]
        assert response.data["detail"] == f"nodes: {message}"

    def test_limits_come_from_settings(self, owner_client, settings):
        settings.GRAPH_MAX_NODES = 1
        response = owner_client.post("/api/graphs/", sample(), format="json")
        assert response.status_code == 400
        assert response.data["errors"]["nodes"] == [
            "A graph may have at most 1 nodes; this one has 2."
        ]
