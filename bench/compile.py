"""Compile time of generated graphs of 100, 1,000 and 10,000 nodes (median of a few runs).

Run: `.venv/bin/python bench/compile.py`. Baselines, for the same graph: `json.dumps` of the
document plus `ast.parse` of the produced code (a floor: reading the input and parsing the output),
and `ast.unparse` of the parsed produced code (the cost of just printing that much Python).
Targets: 10,000 nodes under 1 s, and a 10,000/1,000 time ratio under 12 (near-linear scaling).
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from graphs.compiler import compile_graph

UNIT = 10  # nodes per repeated unit


def make_graph(node_count: int) -> dict:
    """An On Start chain of units: a formula, a formatted Print, an If on it, a variable update."""
    nodes: list[dict] = [{"id": "start", "type": "on_start", "position": {"x": 0, "y": 0}}]
    edges: list[dict] = []

    def add(node_id: str, type_: str, y: int, **params: object) -> None:
        nodes.append({"id": node_id, "type": type_, "position": {"x": 0, "y": y},
                      "data": {"params": params}})

    def wire(source: str, source_port: str, target: str, target_port: str) -> None:
        edges.append({"id": f"e{len(edges)}", "source": source, "sourceHandle": source_port,
                      "target": target, "targetHandle": target_port})

    previous = "start"
    for unit in range((node_count - 1) // UNIT):
        p = f"u{unit}_"
        y = unit * 10
        add(p + "a", "literal", y, kind="number", value=str(unit))
        add(p + "b", "get_variable", y, name="total")
        add(p + "sum", "arithmetic", y, op="+")
        add(p + "fmt", "format_text", y, template="step {n}: {total}")
        add(p + "print", "print", y + 1)
        add(p + "cmp", "compare", y, op=">")
        add(p + "if", "if", y + 2)
        add(p + "say", "print", y + 3)
        add(p + "set", "set_variable", y + 4, name="total")
        add(p + "lim", "literal", y, kind="number", value="100")
        wire(p + "a", "value", p + "sum", "a")
        wire(p + "b", "value", p + "sum", "b")
        wire(p + "a", "value", p + "fmt", "field:n")
        wire(p + "sum", "result", p + "fmt", "field:total")
        wire(p + "fmt", "text", p + "print", "value")
        wire(p + "sum", "result", p + "cmp", "a")
        wire(p + "lim", "value", p + "cmp", "b")
        wire(p + "cmp", "result", p + "if", "condition")
        wire(p + "lim", "value", p + "say", "value")
        wire(p + "sum", "result", p + "set", "value")
        wire(previous, "next", p + "print", "exec")
        wire(p + "print", "next", p + "if", "exec")
        wire(p + "if", "then", p + "say", "exec")
        wire(p + "if", "next", p + "set", "exec")
        previous = p + "set"
    return {"nodes": nodes, "edges": edges}


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    rows = []
    for size in (100, 1_000, 10_000):
        graph = make_graph(size)
        result = compile_graph(graph)
        assert not result.has_errors, result.diagnostics[:3]
        runs = 5 if size < 10_000 else 3
        compile_time = median_seconds(lambda g=graph: compile_graph(g), runs)
        code = result.code
        parse_time = median_seconds(lambda g=graph, c=code: (json.dumps(g), ast.parse(c)), runs)
        tree = ast.parse(code)
        unparse_time = median_seconds(lambda t=tree: ast.unparse(t), runs)
        rows.append((size, len(graph["nodes"]), code.count("\n"), compile_time, parse_time,
                     unparse_time))
    print(f"{'target':>7} {'nodes':>6} {'lines':>6} {'compile ms':>11} {'dumps+parse ms':>15} "
          f"{'unparse ms':>11} {'vs parse':>9} {'vs unparse':>11}")
    for size, nodes, lines, compile_time, parse_time, unparse_time in rows:
        print(f"{size:>7} {nodes:>6} {lines:>6} {compile_time * 1000:>11.1f} "
              f"{parse_time * 1000:>15.1f} {unparse_time * 1000:>11.1f} "
              f"{compile_time / parse_time:>8.1f}x {compile_time / unparse_time:>10.1f}x")
    ratio = rows[2][3] / rows[1][3]
    print(f"\n10,000 / 1,000 compile time ratio: {ratio:.1f} (target < 12); "
          f"10,000 nodes: {rows[2][3]:.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
