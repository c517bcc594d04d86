"""GET /api/nodes/: the node catalogue."""

from __future__ import annotations

from graphs.catalogue import NODE_TYPES

URL = "/api/nodes/"


def test_owner_gets_the_catalogue(owner_client) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    body = response.json()
    types = {n["type"] for n in body["nodes"]}
    assert types == set(NODE_TYPES)
    category_ids = {c["id"] for c in body["categories"]}
    for node_type in body["nodes"]:
        assert node_type["category"] in category_ids
        for port in node_type["ports"]:
            assert port["direction"] in ("input", "output") and port["kind"] in ("exec", "data")
        for param in node_type["params"]:
            assert {"id", "label", "kind", "default"} <= set(param)
    python_code = next(n for n in body["nodes"] if n["type"] == "python_code")
    assert {
        "param": "inputs",
        "source": "names",
        "direction": "input",
        "kind": "data",
        "type": "any",
        "prefix": "in:",
    } in python_code["dynamic_ports"]


def test_every_user_sees_the_same_catalogue(owner_client, other_client) -> None:
    assert owner_client.get(URL).json() == other_client.get(URL).json()


def test_anonymous_gets_401(anon_client) -> None:
    assert anon_client.get(URL).status_code == 401
