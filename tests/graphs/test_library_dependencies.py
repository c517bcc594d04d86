"""Library nodes in saved graphs (graphs/library_dependencies.py): the code of each version used
is embedded when a graph is saved; a shared or gallery graph compiles for its readers from that
copy; nobody reads or uses an entry they were not given, even writing `lib:<id>` by hand; pinned
versions survive a breaking change; the run path and the compile routes read the same way."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync

from execution.web.messages import RunRequest
from execution.web.run_script import ScriptRefused, resolve_script
from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graphs.test_graphs_dependencies import printed

SECRET = "def secret(x: int) -> int:\n    '''Hidden 42.'''\n    return x + 42\n"
RENAMED = "def secret(y: int) -> int:\n    return y + 100\n"


def _edge(edge_id: str, source: str, port: str, target: str, target_port: str) -> dict:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": port,
        "target": target,
        "targetHandle": target_port,
    }


def using(entry_id: int, version: int = 1, pin: str = "in:x", value: int = 1) -> dict[str, Any]:
    """On start -> the library node -> Print its result."""
    return {
        "nodes": [
            {"id": "s", "type": "on_start", "position": {"x": 0, "y": 0}, "data": {"params": {}}},
            {
                "id": "l",
                "type": f"lib:{entry_id}",
                "position": {"x": 0, "y": 10},
                "data": {"params": {"version": version}, "inputs": {pin: value}},
            },
            {"id": "p", "type": "print", "position": {"x": 0, "y": 20}, "data": {"params": {}}},
        ],
        "edges": [
            _edge("1", "s", "next", "l", "exec"),
            _edge("2", "l", "next", "p", "exec"),
            _edge("3", "l", "result", "p", "value"),
        ],
    }  # fmt: skip


def new_entry(client: Any, code: str = SECRET) -> int:
    response = client.post("/api/node-library/", {"code": code}, format="json")
    assert response.status_code == 201, response.data
    return int(response.data["id"])


def save_graph(client: Any, document: dict) -> Graph:
    response = client.post("/api/graphs/", {"name": "uses lib", **document}, format="json")
    assert response.status_code == 201, response.data
    return Graph.objects.get(pk=response.data["id"])


def run(user_id: int, **request: Any) -> list[str]:
    script = async_to_sync(resolve_script)(RunRequest(ref=None, **request), user_id)
    return printed(script.code)


def refused(user_id: int, **request: Any) -> list[dict]:
    with pytest.raises(ScriptRefused) as refusal:
        async_to_sync(resolve_script)(RunRequest(ref=None, **request), user_id)
    assert refusal.value.code == "compile_error"
    return list(refusal.value.extra["diagnostics"])


# transaction=True: the run path reads the database on threads of its own (run_record.db).
@pytest.mark.django_db(transaction=True)
class TestLibraryInGraphs:
    def test_saving_embeds_the_code_of_each_version_used(self, owner_client):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry))
        assert graph.snapshots[f"lib:{entry}@1"]["code"] == SECRET
        # The snapshot summaries (graphs' copies) do not list library copies.
        assert owner_client.get(f"/api/graphs/{graph.pk}/").data["snapshots"] == []

    def test_the_owner_compiles_and_runs_it(self, owner, owner_client):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry, value=1))
        compiled = owner_client.get(f"/api/graphs/{graph.pk}/compile/").data
        assert [d for d in compiled["diagnostics"] if d["severity"] == "error"] == []
        assert run(owner.pk, graph_id=graph.pk) == ["43"]
        assert run(owner.pk, graph=using(entry, value=2)) == ["44"]  # unsaved, own entry

    def test_another_user_cannot_use_an_entry_by_writing_its_type(
        self, owner_client, other_user, other_client
    ):
        entry = new_entry(owner_client)
        answer = other_client.post("/api/compile/", using(entry), format="json").data
        assert [(d["code"], d["node_id"]) for d in answer["diagnostics"]] == [
            ("library_unreadable", "l")
        ]
        assert "42" not in str(answer) and "Hidden" not in str(answer)
        diagnostics = refused(other_user.pk, graph=using(entry))
        assert "library_unreadable" in [d["code"] for d in diagnostics]
        assert "42" not in str(diagnostics)
        # Saving it in a graph of theirs embeds nothing: it stays unreadable (no copy anywhere).
        theirs = save_graph(other_client, using(entry))
        assert theirs.snapshots == {}
        assert refused(other_user.pk, graph_id=theirs.pk)

    def test_a_gallery_graph_compiles_for_readers_from_its_copy(
        self, owner_client, other_user, other_client
    ):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry, value=8))
        owner_client.put(f"/api/graphs/{graph.pk}/gallery/", {"title": "g"}, format="json")
        assert run(other_user.pk, graph_id=graph.pk) == ["50"]
        # Forked, the copy comes along: it still runs after the entry is deleted.
        fork = other_client.post(f"/api/graphs/{graph.pk}/fork/", {}, format="json")
        assert fork.status_code == 201
        owner_client.delete(f"/api/node-library/{entry}/")
        assert run(other_user.pk, graph_id=fork.data["id"]) == ["50"]
        # The copy is theirs now: a new graph of theirs may use it too (and embeds it on save).
        assert run(other_user.pk, graph=using(entry, value=0)) == ["42"]
        again = save_graph(other_client, using(entry))
        assert again.snapshots[f"lib:{entry}@1"]["code"] == SECRET

    def test_a_graph_shared_by_link_runs_for_its_reader(self, owner_client, other_user):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry, value=0))
        token = owner_client.post(f"/api/graphs/{graph.pk}/share/").data["share_token"]
        assert run(other_user.pk, graph_id=graph.pk, share_token=token) == ["42"]

    def test_pinned_versions_survive_a_breaking_change(self, owner, owner_client):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry, value=1))
        response = owner_client.put(f"/api/node-library/{entry}/", {"code": RENAMED}, format="json")
        assert response.data["version"] == 2
        assert run(owner.pk, graph_id=graph.pk) == ["43"]  # still version 1
        # Updated to version 2, the wire and the value on `in:x` no longer fit: reported, kept.
        updated = using(entry, version=2, value=1)
        updated["edges"].append(_edge("4", "p", "next", "l", "in:x"))
        answer = owner_client.post("/api/compile/", updated, format="json").data
        codes = {(d["code"], d["node_id"]) for d in answer["diagnostics"]}
        assert ("missing_input", "l") in codes  # y needs a value
        assert ("dangling_edge", "l") in codes
        assert run(owner.pk, graph=using(entry, version=2, pin="in:y", value=1)) == ["101"]


@pytest.mark.django_db(transaction=True)
class TestExportImport:
    def test_round_trip_carries_the_library_and_remaps_it(
        self, owner_client, other_user, other_client
    ):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry, value=2))
        exported = owner_client.get(f"/api/graphs/{graph.pk}/export/").data
        assert exported["format_version"] == 2
        assert exported["dependencies"]["library"] == [
            {"id": entry, "version": 1, "name": "secret", "code": SECRET,
             "description": "Hidden 42."}
        ]  # fmt: skip
        imported = other_client.post("/api/graphs/import/", exported, format="json")
        assert imported.status_code == 201, imported.data
        mine = other_client.get("/api/node-library/").data["results"]
        assert len(mine) == 1 and mine[0]["code"] == SECRET
        new_id = mine[0]["id"]
        node = next(n for n in imported.data["nodes"] if n["id"] == "l")
        assert (node["type"], node["data"]["params"]["version"]) == (f"lib:{new_id}", 1)
        assert run(other_user.pk, graph_id=imported.data["id"]) == ["44"]

    def test_an_import_with_code_that_is_not_a_node_is_400(self, owner_client, other_client):
        entry = new_entry(owner_client)
        graph = save_graph(owner_client, using(entry))
        exported = owner_client.get(f"/api/graphs/{graph.pk}/export/").data
        exported["dependencies"]["library"][0]["code"] = "def f(*a):\n    pass\n"
        response = other_client.post("/api/graphs/import/", exported, format="json")
        assert response.status_code == 400
        assert "line 1" in str(response.data)
