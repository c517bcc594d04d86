"""One table of which data types may be wired together, for the compiler and the editor alike.

tests/fixtures/type_compatibility.json pins every (from, to, allowed) pair; the editor's Vitest
(frontend/src/lib/typeCompatibility.test.ts) checks the same rows against the table it is served.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphs.catalogue import catalogue_json
from graphs.catalogue.types import DATA_TYPES, types_compatible
from graphs.compiler import compile_graph

ROOT = Path(__file__).resolve().parents[2]
ROWS = json.loads((ROOT / "tests" / "fixtures" / "type_compatibility.json").read_text())["rows"]
EDITOR_FIXTURE = ROOT / "frontend" / "src" / "test" / "catalogue.fixture.json"

# A node type with an output of each data type, and one with an input of each (see the catalogue).
_OUTPUT_OF = {
    "int": ("for_range", "index"),
    "text": ("format_text", "text"),
    "list": ("make_list", "list"),
    "dict": ("make_dict", "dict"),
    "bool": ("compare", "result"),
    "number": ("arithmetic", "result"),
    "any": ("literal", "value"),
}
_INPUT_OF = {
    "int": ("for_range", "stop"),
    "number": ("sleep", "seconds"),
    "bool": ("if", "condition"),
    "any": ("print", "value"),
}


def test_the_fixture_covers_every_pair_once() -> None:
    pairs = [(source, target) for source, target, _ in ROWS]
    assert sorted(pairs) == sorted((a, b) for a in DATA_TYPES for b in DATA_TYPES)


@pytest.mark.parametrize(("source", "target", "allowed"), ROWS)
def test_compiler_table_matches_the_fixture(source: str, target: str, allowed: bool) -> None:
    assert types_compatible(source, target) is allowed


def test_the_table_is_served_with_the_catalogue_and_the_editor_fixture_holds_it() -> None:
    served = catalogue_json()["type_compatibility"]
    for source, target, allowed in ROWS:
        assert (target in served[source]) is allowed
    editor = json.loads(EDITOR_FIXTURE.read_text())
    assert editor["type_compatibility"] == served


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s in _OUTPUT_OF for t in _INPUT_OF if s != "any" and t != "any"],
)
def test_the_compiler_warns_exactly_on_the_pairs_the_table_refuses(
    source: str, target: str
) -> None:
    from_type, from_port = _OUTPUT_OF[source]
    to_type, to_port = _INPUT_OF[target]
    graph = {
        "nodes": [
            {"id": "a", "type": from_type, "position": {"x": 0, "y": 0}},
            {"id": "b", "type": to_type, "position": {"x": 0, "y": 0}},
        ],
        "edges": [
            {
                "id": "e",
                "source": "a",
                "sourceHandle": from_port,
                "target": "b",
                "targetHandle": to_port,
            }
        ],
    }
    mismatch = any(d.code == "type_mismatch" for d in compile_graph(graph).diagnostics)
    assert mismatch is not types_compatible(source, target)


def test_the_table_in_docs_catalogue_says_the_same() -> None:
    text = (ROOT / "docs" / "catalogue.md").read_text()
    table = text[text.index("| wire from") :].split("\n\n", 1)[0].splitlines()
    header = [cell.strip() for cell in table[0].strip("|").split("|")][1:]
    documented = {}
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for target, mark in zip(header, cells[1:], strict=True):
            documented[(cells[0], target)] = mark == "✓"
    assert documented == {(source, target): allowed for source, target, allowed in ROWS}
