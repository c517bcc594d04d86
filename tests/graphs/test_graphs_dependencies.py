"""Graphs using graphs, on the server: the resolver's reading rule (own versions, snapshots of
other users' graphs), snapshots taken on save, revisions in use never pruned, the run path, and
export format_version 2 with its dependencies (graphs/dependencies.py, graphs/exchange.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from execution.web.messages import RunRequest
from execution.web.run_script import ScriptRefused, resolve_script
from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url


def _node(node_id: str, type_: str, y: float, params: dict, inputs: dict | None = None) -> dict:
    data: dict[str, Any] = {"params": params}
    if inputs:
        data["inputs"] = inputs
    return {"id": node_id, "type": type_, "position": {"x": 0, "y": y}, "data": data}


def _edge(source: str, source_port: str, target: str, target_port: str) -> dict:
    return {
        "id": f"{source}.{source_port}-{target}.{target_port}",
        "source": source,
        "sourceHandle": source_port,
        "target": target,
        "targetHandle": target_port,
    }


def add_graph(amount: int) -> dict[str, list]:
    """Graph input x, Graph output y = x + amount."""
    return {
        "nodes": [
            _node("start", "on_start", 0, {}),
            _node("x", "graph_input", 10, {"name": "x", "type": "number"}),
            _node("plus", "arithmetic", 20, {"op": "+"}, {"b": amount}),
            _node("out", "graph_output", 30, {"name": "y", "type": "number"}),
        ],
        "edges": [
            _edge("start", "next", "out", "exec"),
            _edge("x", "value", "plus", "a"),
            _edge("plus", "result", "out", "value"),
        ],
    }


def user_of(graph: Graph | tuple[int, int], x: int = 1) -> dict[str, list]:
    """Calls the graph (pinned at its current version) with x, and prints y."""
    graph_id, version = (graph.pk, graph.version) if isinstance(graph, Graph) else graph
    return {
        "nodes": [
            _node("start", "on_start", 0, {}),
            _node("g", "graph", 10, {"graph_id": graph_id, "version": version}, {"in:x": x}),
            _node("p", "print", 20, {}),
        ],
        "edges": [
            _edge("start", "next", "g", "exec"),
            _edge("g", "next", "p", "exec"),
            _edge("g", "out:y", "p", "value"),
        ],
    }


def printed(code: str) -> list[str]:
    lines: list[str] = []
    exec(compile(code, "main.py", "exec"), {"print": lambda v: lines.append(str(v))})
    return lines


def create(client: Any, name: str, document: dict, **extra: Any) -> Graph:
    response = client.post("/api/graphs/", {"name": name, **document, **extra}, format="json")
    assert response.status_code == 201, response.data
    return Graph.objects.get(pk=response.data["id"])


def compiled(client: Any, graph: Graph) -> dict:
    response = client.get(graph_url(graph, "compile/"))
    assert response.status_code == 200
    return response.json()


def error_codes(result: dict) -> list[str]:
    return [d["code"] for d in result["diagnostics"] if d["severity"] == "error"]


@pytest.mark.django_db
class TestOwnGraphs:
    def test_a_pinned_version_is_used_even_after_later_saves(self, owner_client):
        add = create(owner_client, "add", add_graph(1))
        user = create(owner_client, "user", user_of(add, 5))
        body = {"version": 1, **add_graph(100)}
        assert owner_client.patch(graph_url(add), body, format="json").status_code == 200
        result = compiled(owner_client, user)
        assert error_codes(result) == []
        assert printed(result["code"]) == ["6"]  # version 1: + 1, not + 100

    def test_three_levels_of_saved_graphs(self, owner_client):
        add = create(owner_client, "add", add_graph(1))
        middle = add_graph(10)
        middle["nodes"].append(_node("g", "graph", 25, {"graph_id": add.pk, "version": 1}))
        middle["edges"] = [
            _edge("start", "next", "g", "exec"),
            _edge("g", "next", "out", "exec"),
            _edge("x", "value", "plus", "a"),
            _edge("plus", "result", "g", "in:x"),
            _edge("g", "out:y", "out", "value"),
        ]
        mid = create(owner_client, "middle", middle)
        top = create(owner_client, "top", user_of(mid, 100))
        result = compiled(owner_client, top)
        assert error_codes(result) == [], result["diagnostics"]
        assert printed(result["code"]) == ["111"]

    def test_a_cycle_through_two_saved_graphs_is_a_diagnostic(self, owner_client):
        first = create(owner_client, "first", add_graph(1))
        second = create(owner_client, "second", user_of(first))
        body = {"version": 1, **user_of((second.pk, 1))}
        assert owner_client.patch(graph_url(first), body, format="json").status_code == 200
        result = compiled(owner_client, first)
        assert error_codes(result) == ["graph_cycle"]
        assert "'first'" in result["diagnostics"][0]["message"]

    def test_a_deleted_graph_is_an_error_naming_it(self, owner_client):
        add = create(owner_client, "add", add_graph(1))
        user = create(owner_client, "user", user_of(add))
        add_id = add.pk
        add.delete()
        result = compiled(owner_client, user)
        assert error_codes(result) == ["graph_unreadable"]
        assert f"Graph {add_id} " in result["diagnostics"][0]["message"]

    def test_a_version_in_use_is_never_pruned(self, owner_client, settings):
        settings.GRAPH_REVISIONS_KEPT = 1
        add = create(owner_client, "add", add_graph(1))
        user = create(owner_client, "user", user_of(add, 1))  # pins version 1
        for version in range(1, 6):
            body = {"version": version, **add_graph(version * 10)}
            assert owner_client.patch(graph_url(add), body, format="json").status_code == 200
        kept = sorted(add.revisions.values_list("version", flat=True))
        assert kept == [1, 5]  # 1 is used; 5 is the one the setting keeps
        assert printed(compiled(owner_client, user)["code"]) == ["2"]


@pytest.mark.django_db
class TestOtherUsersGraphs:
    def test_a_snapshot_keeps_working_after_the_share_is_revoked(
        self, owner_client, other_client, other_user
    ):
        theirs = create(other_client, "their add", add_graph(7))
        theirs.share()
        token = str(theirs.share_token)
        mine = create(owner_client, "mine", user_of(theirs, 1), share_tokens=[token])
        assert list(mine.snapshots) == [f"{theirs.pk}@1"]
        theirs.revoke_share()
        result = compiled(owner_client, mine)
        assert error_codes(result) == []
        assert printed(result["code"]) == ["8"]
        # Later saves keep the copy; the owner's changes never reach it.
        theirs.save_new_version(add_graph(1000))
        body = {"version": 1, "name": "mine, renamed"}
        assert owner_client.patch(graph_url(mine), body, format="json").status_code == 200
        assert printed(compiled(owner_client, mine)["code"]) == ["8"]
        # The token is nowhere: not in the row, the detail, the export.
        mine.refresh_from_db()
        row = Graph.objects.filter(pk=mine.pk).values().get()
        assert token not in json.dumps(row, default=str)
        assert token not in json.dumps(owner_client.get(graph_url(mine)).json())
        exported = owner_client.get(graph_url(mine, "export/")).json()
        assert token not in json.dumps(exported)
        summary = owner_client.get(graph_url(mine)).json()["snapshots"]
        assert summary == [
            {
                "graph_id": theirs.pk,
                "version": 1,
                "name": "their add",
                "signature": {
                    "inputs": [
                        {"name": "x", "type": "number", "required": True, "default": None,
                         "description": ""}
                    ],
                    "outputs": [{"name": "y", "type": "number"}],
                },
            }
        ]  # fmt: skip

    def test_a_link_shared_graph_needs_its_token_to_be_copied(self, owner_client, other_client):
        theirs = create(other_client, "their add", add_graph(7))
        theirs.share()
        mine = create(owner_client, "mine", user_of(theirs))
        assert mine.snapshots == {}
        assert error_codes(compiled(owner_client, mine)) == ["graph_unreadable"]
        wrong = create(owner_client, "wrong", user_of(theirs), share_tokens=["x" * 32])
        assert wrong.snapshots == {}

    def test_a_gallery_graph_is_copied_without_a_token(self, owner_client, other_client):
        theirs = create(other_client, "their add", add_graph(7))
        theirs.publish("Adds seven", "")
        mine = create(owner_client, "mine", user_of(theirs))
        assert list(mine.snapshots) == [f"{theirs.pk}@1"]
        theirs.unpublish()
        assert printed(compiled(owner_client, mine)["code"]) == ["8"]

    def test_only_the_current_version_can_be_added(self, owner_client, other_client):
        theirs = create(other_client, "their add", add_graph(7))
        theirs.publish("Adds seven", "")
        theirs.save_new_version(add_graph(8))
        mine = create(owner_client, "mine", user_of((theirs.pk, 1)))
        assert mine.snapshots == {}
        assert error_codes(compiled(owner_client, mine)) == ["graph_unreadable"]

    def test_a_sent_snapshot_is_ignored(self, owner_client, other_client):
        theirs = create(other_client, "private", add_graph(7))
        forged = {f"{theirs.pk}@1": {"name": "forged", **add_graph(1)}}
        mine = create(owner_client, "mine", user_of(theirs), snapshots=forged)
        assert mine.snapshots == {}
        assert error_codes(compiled(owner_client, mine)) == ["graph_unreadable"]

    def test_a_private_graph_of_another_user_is_unreadable(self, owner_client, other_client):
        theirs = create(other_client, "private", add_graph(7))
        document = user_of(theirs)
        result = owner_client.post("/api/compile/", document, format="json").json()
        assert error_codes(result) == ["graph_unreadable"]
        assert str(theirs.pk) in result["diagnostics"][0]["message"]


@pytest.mark.django_db
class TestExportImport:
    def test_dependencies_travel_and_ids_are_remapped(self, owner_client, other_client, other_user):
        add = create(owner_client, "add", add_graph(1))
        top = create(owner_client, "top", user_of(add, 41))
        exported = owner_client.get(graph_url(top, "export/")).json()
        assert exported["format_version"] == 2
        [dependency] = exported["dependencies"]["graphs"]
        assert (dependency["id"], dependency["version"]) == (add.pk, 1)
        assert dependency["graph"]["nodes"] == add.nodes
        add.delete()  # the import must not need the original
        response = other_client.post("/api/graphs/import/", exported, format="json")
        assert response.status_code == 201, response.data
        imported = Graph.objects.get(pk=response.data["id"])
        new_add = Graph.objects.get(owner=other_user, name="add")
        params = next(n for n in imported.nodes if n["type"] == "graph")["data"]["params"]
        assert params == {"graph_id": new_add.pk, "version": 1}
        result = compiled(other_client, imported)
        assert error_codes(result) == [], result["diagnostics"]
        assert printed(result["code"]) == ["42"]

    def test_a_snapshot_is_exported_as_a_dependency(self, owner_client, other_client):
        theirs = create(other_client, "their add", add_graph(2))
        theirs.publish("Adds two", "")
        mine = create(owner_client, "mine", user_of(theirs, 1))
        exported = owner_client.get(graph_url(mine, "export/")).json()
        assert [d["id"] for d in exported["dependencies"]["graphs"]] == [theirs.pk]
        assert "snapshots" not in exported["graph"]

    @pytest.mark.parametrize(
        "dependencies",
        [
            {"graphs": "nope"},
            {"graphs": [{"id": 0, "version": 1, "graph": {"name": "x"}}]},
            {"graphs": [{"id": 1, "version": 1}]},
            {"graphs": [{"id": 1, "version": 1, "graph": {"name": "x", "nodes": "no"}}]},
            {"graphs": [{"id": 1, "version": 1, "graph": {"name": "x"}}] * 2},
        ],
    )
    def test_bad_dependencies_are_a_clear_400(self, owner_client, dependencies):
        body = {
            "format": "nodeengine.graph",
            "format_version": 2,
            "graph": {"name": "top"},
            "dependencies": dependencies,
        }
        response = owner_client.post("/api/graphs/import/", body, format="json")
        assert response.status_code == 400
        assert "dependencies" in response.json()["errors"]
        assert Graph.objects.count() == 0


@pytest.mark.django_db(transaction=True)
class TestRunPath:
    def test_a_run_reads_used_graphs_with_the_runners_rights(self, owner, other_user):
        add = Graph.objects.create(owner=owner, name="add", **add_graph(3))
        top = Graph.objects.create(owner=owner, name="top", **user_of(add, 1))
        script = async_to_sync(resolve_script)(RunRequest(ref=None, graph_id=top.pk), owner.pk)
        assert printed(script.code) == ["4"]
        inline = RunRequest(ref=None, graph=user_of(add, 2))
        assert printed(async_to_sync(resolve_script)(inline, owner.pk).code) == ["5"]
        # Another user running the same document: the private graph is unreadable for them.
        with pytest.raises(ScriptRefused) as refused:
            async_to_sync(resolve_script)(inline, other_user.pk)
        assert refused.value.code == "compile_error"
        codes = [d["code"] for d in refused.value.extra["diagnostics"]]
        assert "graph_unreadable" in codes
