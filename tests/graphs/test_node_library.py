"""The node library's routes (graphs/library_views.py): owner, another user and anonymous for
each; versions; the preview; bad code answers 400 with diagnostics carrying their line; the
gallery and forks. Another user can neither read nor use an entry they were not given."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphs.library_models import NodeLibraryEntry, NodeLibraryVersion
from tests.fast_passwords import fast_password_hashing  # noqa: F401

DOUBLE = 'def double(x: int) -> int:\n    """Twice x.\n\n    Longer."""\n    return 2 * x\n'
TRIPLE = "def double(x: int, k: int = 3) -> int:\n    return k * x\n"
URL = "/api/node-library/"


def entry_url(entry_id: int, tail: str = "") -> str:
    return f"{URL}{entry_id}/{tail}"


@pytest.fixture
def entry(owner_client) -> dict:
    response = owner_client.post(URL, {"code": DOUBLE}, format="json")
    assert response.status_code == 201, response.data
    return response.data


@pytest.mark.django_db
class TestCreateAndList:
    def test_post_makes_version_1_with_its_node(self, owner_client, entry):
        assert set(entry) >= {
            "id", "name", "version", "code", "description", "node", "created_at", "updated_at",
        }  # fmt: skip
        assert (entry["name"], entry["version"], entry["code"]) == ("double", 1, DOUBLE)
        assert entry["description"] == "Twice x.\n\nLonger."
        assert entry["node"]["type"] == f"lib:{entry['id']}"
        assert entry["node"]["params"][0] == {
            "id": "version", "label": "Version", "kind": "int", "default": 1, "min": 1,
        }  # fmt: skip
        assert [p["id"] for p in entry["node"]["ports"]] == ["exec", "in:x", "next", "result"]
        assert NodeLibraryVersion.objects.filter(entry_id=entry["id"], n=1).exists()

    def test_a_given_description_wins_over_the_docstring(self, owner_client):
        response = owner_client.post(URL, {"code": DOUBLE, "description": "Mine"}, format="json")
        assert response.data["description"] == "Mine"

    def test_list_has_only_your_own(self, owner_client, other_client, entry):
        mine = owner_client.get(URL)
        assert mine.status_code == 200
        assert [e["id"] for e in mine.data["results"]] == [entry["id"]]
        assert mine.data["results"][0]["node"] == entry["node"]
        assert other_client.get(URL).data["results"] == []

    def test_anonymous_gets_401(self, anon_client, entry):
        assert anon_client.get(URL).status_code == 401
        assert anon_client.post(URL, {"code": DOUBLE}, format="json").status_code == 401

    @pytest.mark.parametrize(
        ("code", "line", "diagnostic"),
        [
            ("def f(:\n", 1, "python_syntax_error"),
            ("x = 1\n", 1, "no_function"),
            ("def f():\n    pass\ndef g():\n    pass\n", 3, "several_functions"),
            ("def f():\n    yield 1\n", 2, "generator_function"),
            ("async def f():\n    pass\n", 1, "async_function"),
            ("def f(*a):\n    pass\n", 1, "unsupported_parameter"),
            ("def f(**a):\n    pass\n", 1, "unsupported_parameter"),
            ("def f():\n    pass\n" + "#" * 100_000, 1, "code_too_long"),
        ],
    )
    def test_bad_code_answers_400_with_diagnostics(self, owner_client, code, line, diagnostic):
        response = owner_client.post(URL, {"code": code}, format="json")
        assert response.status_code == 400
        first = response.data["diagnostics"][0]
        assert (first["code"], first["line"], first["severity"]) == (diagnostic, line, "error")
        assert first["col"] >= 1
        assert response.data["errors"]["code"][0].startswith(f"line {line}: ")
        assert NodeLibraryEntry.objects.count() == 0

    @pytest.mark.parametrize("body", [{}, {"code": 3}, {"code": None}, [], "x"])
    def test_a_malformed_body_is_400(self, owner_client, body):
        assert owner_client.post(URL, body, format="json").status_code == 400

    def test_the_server_never_runs_the_code(self, owner_client, tmp_path: Path):
        marker = tmp_path / "ran"
        code = (
            f"open({str(marker)!r}, 'w').write('import')\n"
            f"def f(a=open({str(marker)!r}, 'w')) -> int:\n"
            f"    return 1\n"
        )
        created = owner_client.post(URL, {"code": code}, format="json")
        assert created.status_code == 201
        assert owner_client.post(f"{URL}preview/", {"code": code}, format="json").status_code == 200
        graph = {"nodes": [_lib_node(created.data["id"])], "edges": []}
        assert owner_client.post("/api/compile/", graph, format="json").status_code == 200
        assert not marker.exists()


def _lib_node(entry_id: int, version: int = 1, node_id: str = "l") -> dict:
    return {
        "id": node_id,
        "type": f"lib:{entry_id}",
        "position": {"x": 0, "y": 0},
        "data": {"params": {"version": version}, "inputs": {"in:x": 4}},
    }


@pytest.mark.django_db
class TestDetail:
    def test_owner_reads_it(self, owner_client, entry):
        response = owner_client.get(entry_url(entry["id"]))
        assert response.status_code == 200
        assert response.data["code"] == DOUBLE

    def test_other_user_gets_404_like_a_missing_entry(self, other_client, entry):
        theirs = other_client.get(entry_url(entry["id"]))
        missing = other_client.get(entry_url(entry["id"] + 1000))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.data == missing.data
        put = other_client.put(entry_url(entry["id"]), {"code": TRIPLE}, format="json")
        assert put.status_code == 404
        assert other_client.delete(entry_url(entry["id"])).status_code == 404
        assert NodeLibraryEntry.objects.get(pk=entry["id"]).code == DOUBLE

    def test_anonymous_gets_401(self, anon_client, entry):
        assert anon_client.get(entry_url(entry["id"])).status_code == 401
        assert anon_client.delete(entry_url(entry["id"])).status_code == 401

    def test_put_new_code_is_a_new_version(self, owner_client, entry):
        response = owner_client.put(entry_url(entry["id"]), {"code": TRIPLE}, format="json")
        assert response.status_code == 200, response.data
        assert response.data["version"] == 2
        assert response.data["node"]["params"][0]["default"] == 2
        assert [p["id"] for p in response.data["node"]["ports"]][:3] == ["exec", "in:x", "in:k"]
        same = owner_client.put(entry_url(entry["id"]), {"code": TRIPLE}, format="json")
        assert same.data["version"] == 2  # the same code: no new version

    def test_put_bad_code_is_400_and_changes_nothing(self, owner_client, entry):
        response = owner_client.put(entry_url(entry["id"]), {"code": "def (:"}, format="json")
        assert response.status_code == 400
        assert response.data["diagnostics"][0]["line"] == 1
        assert NodeLibraryEntry.objects.get(pk=entry["id"]).version == 1

    def test_patch_is_not_a_route(self, owner_client, entry):
        assert owner_client.patch(entry_url(entry["id"]), {}, format="json").status_code == 405

    def test_delete(self, owner_client, entry):
        assert owner_client.delete(entry_url(entry["id"])).status_code == 204
        assert owner_client.get(entry_url(entry["id"])).status_code == 404


@pytest.mark.django_db
class TestVersions:
    def test_owner_lists_and_reads_versions(self, owner_client, entry):
        owner_client.put(entry_url(entry["id"]), {"code": TRIPLE}, format="json")
        listing = owner_client.get(entry_url(entry["id"], "versions/"))
        assert listing.status_code == 200
        assert [v["n"] for v in listing.data["results"]] == [2, 1]
        first = owner_client.get(entry_url(entry["id"], "versions/1/"))
        assert first.status_code == 200
        assert (first.data["n"], first.data["code"]) == (1, DOUBLE)
        assert first.data["node"]["params"][0]["default"] == 1
        assert owner_client.get(entry_url(entry["id"], "versions/9/")).status_code == 404

    def test_other_user_and_anonymous(self, other_client, anon_client, entry):
        for tail in ("versions/", "versions/1/"):
            assert other_client.get(entry_url(entry["id"], tail)).status_code == 404
            assert anon_client.get(entry_url(entry["id"], tail)).status_code == 401


@pytest.mark.django_db
class TestPreview:
    def test_preview_answers_the_node_without_saving(self, owner_client):
        response = owner_client.post(f"{URL}preview/", {"code": DOUBLE}, format="json")
        assert response.status_code == 200
        assert response.data["diagnostics"] == []
        assert response.data["node"]["type"] == "lib:0"
        assert response.data["node"]["title"] == "double"
        assert NodeLibraryEntry.objects.count() == 0

    def test_preview_of_bad_code_gives_diagnostics_and_no_node(self, owner_client):
        response = owner_client.post(f"{URL}preview/", {"code": "def f(*a):\n"}, format="json")
        assert response.status_code == 200
        assert response.data["node"] is None
        assert response.data["diagnostics"][0]["line"] == 1

    def test_preview_needs_a_user_and_a_code_string(self, anon_client, other_client):
        assert (
            anon_client.post(f"{URL}preview/", {"code": DOUBLE}, format="json").status_code == 401
        )
        assert other_client.post(f"{URL}preview/", {"code": 1}, format="json").status_code == 400


@pytest.mark.django_db
class TestGalleryAndFork:
    def test_publish_list_and_fork_by_a_second_user(self, owner_client, other_client, entry):
        gallery = entry_url(entry["id"], "gallery/")
        assert other_client.put(gallery, {"title": "Doubles"}, format="json").status_code == 404
        response = owner_client.put(gallery, {"title": "Doubles"}, format="json")
        assert response.status_code == 200
        assert response.data["title"] == "Doubles"
        listing = other_client.get("/api/gallery/nodes/")
        assert listing.status_code == 200
        row = listing.data["results"][0]
        assert (row["id"], row["title"], row["owner"], row["code"]) == (
            entry["id"], "Doubles", "owner", DOUBLE,
        )  # fmt: skip
        fork = other_client.post(entry_url(entry["id"], "fork/"))
        assert fork.status_code == 201
        assert fork.data["id"] != entry["id"]
        assert fork.data["forked_from"] == entry["id"]
        assert fork.data["version"] == 1
        assert fork.data["node"]["type"] == f"lib:{fork.data['id']}"
        assert "owner" in fork.data["forked_from_note"]
        # The fork is theirs: the original changing does not change it.
        owner_client.put(entry_url(entry["id"]), {"code": TRIPLE}, format="json")
        assert other_client.get(entry_url(fork.data["id"])).data["code"] == DOUBLE

    def test_an_unpublished_entry_cannot_be_forked_by_another(
        self, owner_client, other_client, entry
    ):
        assert other_client.post(entry_url(entry["id"], "fork/")).status_code == 404
        assert other_client.get("/api/gallery/nodes/").data["results"] == []
        owner_client.put(entry_url(entry["id"], "gallery/"), {"title": "x"}, format="json")
        assert owner_client.delete(entry_url(entry["id"], "gallery/")).status_code == 204
        assert other_client.post(entry_url(entry["id"], "fork/")).status_code == 404

    def test_anonymous(self, anon_client, entry):
        assert anon_client.get("/api/gallery/nodes/").status_code == 401
        assert anon_client.post(entry_url(entry["id"], "fork/")).status_code == 401
        gallery = entry_url(entry["id"], "gallery/")
        assert anon_client.put(gallery, {"title": "x"}, format="json").status_code == 401
