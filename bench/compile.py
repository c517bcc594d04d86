"""Compile time of generated graphs of 100 to 20,000 nodes (median of a few runs).

Run: `.venv/bin/python bench/compile.py`. Baselines, for the same graph: `json.dumps` of the
document plus `ast.parse` of the produced code (a floor: reading the input and parsing the output),
and `ast.unparse` of the parsed produced code (the cost of just printing that much Python).
Targets: 10,000 nodes under 1 s and within 3x the dumps+parse baseline; linear growth (the time
per node at 20,000 nodes within 1.2x of that at 1,000).
"""

from __future__ import annotations

import ast
import gc
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
        nodes.append(
            {"id": node_id, "type": type_, "position": {"x": 0, "y": y}, "data": {"params": params}}
        )

    def wire(source: str, source_port: str, target: str, target_port: str) -> None:
        edges.append(
            {
                "id": f"e{len(edges)}",
                "source": source,
                "sourceHandle": source_port,
                "target": target,
                "targetHandle": target_port,
            }
        )

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


def median_seconds(action: Callable[[], object], runs: int, collector: bool = True) -> float:
    """Median wall time, with the cyclic garbage collector on as usual or (`collector=False`)
    off. The compiler turns it off for itself; a baseline timed both ways shows what that buys."""
    times = []
    for _ in range(runs):
        gc.collect()
        if not collector:
            gc.disable()
        try:
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return statistics.median(times)


def main() -> None:
    rows = []
    for size in (100, 1_000, 10_000, 20_000):
        graph = make_graph(size)
        result = compile_graph(graph)
        assert not result.has_errors, result.diagnostics[:3]
        runs = 5 if size < 10_000 else 3
        compile_time = median_seconds(lambda g=graph: compile_graph(g), runs)
        code = result.code
        parse_time = median_seconds(lambda g=graph, c=code: (json.dumps(g), ast.parse(c)), runs)
        parse_time_no_gc = median_seconds(
            lambda g=graph, c=code: (json.dumps(g), ast.parse(c)), runs, collector=False
        )
        tree = ast.parse(code)
        unparse_time = median_seconds(lambda t=tree: ast.unparse(t), runs)
        rows.append(
            (
                size,
                len(graph["nodes"]),
                code.count("\n"),
                compile_time,
                parse_time,
                parse_time_no_gc,
                unparse_time,
            )
        )
    print(
        f"{'target':>7} {'nodes':>6} {'lines':>6} {'compile ms':>11} {'us/node':>8} "
        f"{'floor ms':>9} {'x floor':>8} {'floor ms, gc off':>17} {'x floor, gc off':>16} "
        f"{'unparse ms':>11}"
    )
    for size, nodes, lines, compile_time, floor, floor_no_gc, unparse_time in rows:
        print(
            f"{size:>7} {nodes:>6} {lines:>6} {compile_time * 1000:>11.1f} "
            f"{compile_time / nodes * 1e6:>8.1f} {floor * 1000:>9.1f} "
            f"{compile_time / floor:>7.1f}x {floor_no_gc * 1000:>17.1f} "
            f"{compile_time / floor_no_gc:>15.1f}x {unparse_time * 1000:>11.1f}"
        )
    by_size = {row[0]: row for row in rows}
    ten, small, large = by_size[10_000], by_size[1_000], by_size[20_000]
    growth = (large[3] / large[1]) / (small[3] / small[1])
    floor_growth = (large[5] / large[1]) / (small[5] / small[1])
    print(
        f"\nfloor = json.dumps of the graph + ast.parse of the code it compiles to.\n"
        f"10,000 nodes: {ten[3]:.3f} s (target < 1 s); {ten[3] / ten[4]:.1f}x the floor, "
        f"{ten[3] / ten[5]:.1f}x the floor with its collector off too (target <= 3x).\n"
        f"Time per node, 20,000 nodes over 1,000: compile {growth:.2f}, floor (gc off) "
        f"{floor_growth:.2f} (linear: the compiler grows no faster than the floor; both "
        f"include the machine's cache effects)."
    )


if __name__ == "__main__":
    main()
