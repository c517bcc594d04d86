"""Compile time of a graph that uses 50 graph nodes, beside the same logic drawn inline.

    .venv/bin/python bench/graph_functions.py [--nodes 50] [--repeat 30]

The used graph ("add") has two Graph inputs a and b, an Arithmetic node adding them and a Graph
output `result`. The graph measured chains N `graph` nodes pinned to it: each adds its index to
the previous result (the first adds to 0), then prints the total. The baseline, in the same run,
is the same steps drawn inline: N Set variable nodes in the exec chain, each storing the running
total plus its index (an Arithmetic on a Get variable), then the print. Both compile in
this process with graphs/compiler's compile_graph (the resolver is an in-memory dict, so no
database time is counted: the run path reads every used graph before it compiles). Prints the
median and p90 of --repeat compiles of each, and the ratio (target: at most 2x).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from graph_docs import edge, node  # bench/ (the script's folder) is on sys.path

from graphs.compiler import compile_graph

ADD_ID, ADD_VERSION = 1, 1


def add_graph() -> dict:
    return {
        "nodes": [
            node("start", "on_start", 0),
            node("a", "graph_input", 10, name="a", type="number", description="left"),
            node("b", "graph_input", 20, name="b", type="number", description="right"),
            node("sum", "arithmetic", 30, op="+"),
            node("out", "graph_output", 40, name="result", type="number"),
        ],
        "edges": [
            edge("start", "next", "out", "exec"),
            edge("a", "value", "sum", "a"),
            edge("b", "value", "sum", "b"),
            edge("sum", "result", "out", "value"),
        ],
    }


def using_graphs(count: int) -> dict:
    """on_start -> g0 -> g1 -> ... -> print, each g_i computing previous + i."""
    nodes = [node("start", "on_start", 0)]
    edges = []
    previous_exec = "start"
    for index in range(count):
        gid = f"g{index}"
        inputs = {"in:b": index} if index else {"in:a": 0, "in:b": 0}
        nodes.append(node(gid, "graph", index + 1, inputs, graph_id=ADD_ID, version=ADD_VERSION))
        edges.append(edge(previous_exec, "next", gid, "exec"))
        if index:
            edges.append(edge(f"g{index - 1}", "out:result", gid, "in:a"))
        previous_exec = gid
    nodes.append(node("show", "print", count + 1))
    edges.append(edge(previous_exec, "next", "show", "exec"))
    edges.append(edge(f"g{count - 1}", "out:result", "show", "value"))
    return {"nodes": nodes, "edges": edges}


def inline(count: int) -> dict:
    """The same steps drawn inline: what each graph node does, as Set variable nodes in the
    same exec chain (total = total + i, an Arithmetic on a Get variable), then the print."""
    nodes = [node("start", "on_start", 0)]
    edges = []
    previous_exec = "start"
    for index in range(count):
        y = index + 1
        nodes.append(node(f"get{index}", "get_variable", y, name="total"))
        inputs = {"b": index} if index else {"a": 0, "b": 0}
        nodes.append(node(f"sum{index}", "arithmetic", y, inputs, op="+"))
        nodes.append(node(f"set{index}", "set_variable", y, name="total"))
        if index:
            edges.append(edge(f"get{index}", "value", f"sum{index}", "a"))
        edges.append(edge(f"sum{index}", "result", f"set{index}", "value"))
        edges.append(edge(previous_exec, "next", f"set{index}", "exec"))
        previous_exec = f"set{index}"
    nodes.append(node("total", "get_variable", count + 1, name="total"))
    nodes.append(node("show", "print", count + 1))
    edges.append(edge(previous_exec, "next", "show", "exec"))
    edges.append(edge("total", "value", "show", "value"))
    return {"nodes": nodes, "edges": edges}


def resolver(graph_id: int, version: int) -> dict | None:
    return add_graph() if (graph_id, version) == (ADD_ID, ADD_VERSION) else None


def timed(graph: dict, repeat: int, **kwargs: Any) -> tuple[list[float], str]:
    times, code = [], ""
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = compile_graph(graph, **kwargs)
        times.append((time.perf_counter() - started) * 1000)
        if result.has_errors:
            raise SystemExit(f"the bench graph does not compile: {result.to_dict()['diagnostics']}")
        code = result.code
    return times, code


def run_total(code: str) -> str:
    printed: list[str] = []
    exec(  # the bench's own generated code, to check both compute the same total
        compile(code, "main.py", "exec"),
        {"__name__": "__main__", "print": lambda *v: printed.append(" ".join(map(str, v)))},
    )
    return printed[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    graphs_times, graphs_code = timed(using_graphs(args.nodes), args.repeat, graphs=resolver)
    inline_times, inline_code = timed(inline(args.nodes), args.repeat)
    if run_total(graphs_code) != run_total(inline_code):
        raise SystemExit("the two graphs do not compute the same total")
    print(f"== bench/graph_functions.py --nodes {args.nodes} --repeat {args.repeat}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    rows = [("measure", f"{args.nodes} graph nodes", "inline (baseline)", "ratio", "target")]
    for label, pick in (("p50 ms", 0.5), ("p90 ms", 0.9)):
        a = sorted(graphs_times)[int(pick * (len(graphs_times) - 1))]
        b = sorted(inline_times)[int(pick * (len(inline_times) - 1))]
        target = "<= 2x" if pick == 0.5 else ""
        rows.append((label, f"{a:.2f}", f"{b:.2f}", f"{a / b:.2f}x", target))
    rows.append(
        (
            "mean ms",
            f"{statistics.mean(graphs_times):.2f}",
            f"{statistics.mean(inline_times):.2f}",
            "",
            "",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        f"code: {len(graphs_code.splitlines())} lines with graph nodes, "
        f"{len(inline_code.splitlines())} inline; both print {run_total(graphs_code)}"
    )


if __name__ == "__main__":
    main()
