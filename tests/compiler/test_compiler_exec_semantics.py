"""Differential test of the execution wiring: random graphs of Print, If, For range, Break and
Continue, run by the compiled script and by a small reference interpreter of the graph's meaning
(docs/catalogue.md, "Joins"): a node runs whenever a wire into it fires, and when its chain ends
the path goes on where it was. Both must print the same lines."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graphs.compiler import compile_graph
from tests.budget import examples

KINDS = ("print", "print", "print", "if", "if", "for_range", "break", "continue")
EXEC_OUTPUTS = {
    "print": ("next",),
    "if": ("then", "else", "next"),
    "for_range": ("body", "next"),
    "break": (),
    "continue": (),
}


class _Leave(Exception):
    def __init__(self, kind: str) -> None:
        self.kind = kind


def reference_run(graph: dict, limit: int = 2_000) -> list[str]:
    """What the graph means: follow the wires, a body's end returns to its block."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    wires = {(e["source"], e["sourceHandle"]): e["target"] for e in graph["edges"]}
    printed: list[str] = []

    def chain(node_id: str | None, loops: tuple[str, ...]) -> None:
        while node_id is not None:
            if loops and node_id == loops[-1]:
                return  # a body wired back to its own loop: the body ends
            if len(printed) > limit:
                raise RuntimeError("runaway")
            node = nodes[node_id]
            kind, pins = node["type"], node["data"].get("inputs", {})
            if kind == "print":
                printed.append(pins["value"])
            elif kind == "if":
                branch = wires.get((node_id, "then" if pins["condition"] else "else"))
                chain(branch, loops)
            elif kind == "for_range":
                for _ in range(pins["stop"]):
                    try:
                        chain(wires.get((node_id, "body")), (*loops, node_id))
                    except _Leave as leave:
                        if leave.kind == "break":
                            break
            else:
                raise _Leave(kind)
            node_id = wires.get((node_id, "next"))

    chain(wires.get(("start", "next")), ())
    return printed


@st.composite
def exec_graphs(draw: st.DrawFn) -> dict:
    count = draw(st.integers(2, 9))
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "on_start", "position": {"x": 0, "y": -1}, "data": {}}
    ]
    for i in range(count):
        kind = draw(st.sampled_from(KINDS))
        pins: dict = {}
        if kind == "print":
            pins = {"value": f"p{i}"}
        elif kind == "if":
            pins = {"condition": draw(st.booleans())}
        elif kind == "for_range":
            pins = {"stop": draw(st.integers(0, 3))}
        nodes.append(
            {
                "id": f"n{i}",
                "type": kind,
                "position": {"x": 0, "y": i},
                "data": {"params": {}, "inputs": pins},
            }
        )
    ids = [n["id"] for n in nodes[1:]]
    edges = [
        {
            "id": "e_start",
            "source": "start",
            "sourceHandle": "next",
            "target": draw(st.sampled_from(ids)),
            "targetHandle": "exec",
        }
    ]
    for node in nodes[1:]:
        for port in EXEC_OUTPUTS[node["type"]]:
            if draw(st.booleans()):
                edges.append(
                    {
                        "id": f"e{len(edges)}",
                        "source": node["id"],
                        "sourceHandle": port,
                        "target": draw(st.sampled_from(ids)),
                        "targetHandle": "exec",
                    }
                )
    return {"nodes": nodes, "edges": edges}


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(exec_graphs(), min_size=10, max_size=10))
def test_compiled_scripts_print_what_the_reference_says(batch: list[dict]) -> None:
    cases = []
    for graph in batch:
        result = compile_graph(graph)
        if result.has_errors:
            continue  # exec cycles, Break outside a loop...: refused, nothing to run
        try:
            expected = reference_run(graph)
        except (RecursionError, RuntimeError, _Leave):
            continue
        cases.append((result.code, "".join(line + "\n" for line in expected)))
    assume(cases)
    driver = (
        "import contextlib, io, sys\ncases = " + repr(cases) + "\n"
        "for number, (code, expected) in enumerate(cases):\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        exec(compile(code, '<graph>', 'exec'), {'__name__': '__main__'})\n"
        "    if out.getvalue() != expected:\n"
        "        print(f'case {number}: printed {out.getvalue()!r}, means {expected!r}\\n{code}',\n"
        "              file=sys.stderr)\n"
        "        sys.exit(3)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-I", "-c", driver],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
