"""Library nodes: the preview route's latency for a 50-line function, and the compile time of a
graph of 200 library nodes beside the same graph drawn with Python code nodes.

    .venv/bin/python bench/library_nodes.py [--nodes 200] [--entries 1] [--repeat 30]

1. `POST /api/node-library/preview/` with a 50-line function (imports, a NamedTuple, a private
   helper, a Literal, defaults, a docstring), through DRF's whole request path in this process
   (APIRequestFactory, an authenticated user; the preview reads no database). Beside it, in the
   same run: the parse and node type alone (graphs/library/). Target: p50 <= 20 ms.
2. A chain of N `lib:` nodes (using --entries distinct entries, round robin), each adding its
   index to the previous result, then a print; the baseline is the same chain of N Python code
   nodes whose code is the function's body. Both compile with compile_graph in this process (the
   library resolver is an in-memory dict: the run path reads every entry before it compiles).
   Target: the library graph compiles in at most 1.5x the code-node graph's time.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from graph_docs import edge, node  # bench/ (the script's folder) is on sys.path

FIFTY_LINES = '''"""Statistics helpers for a moving window."""

import math
import statistics
from typing import Literal, NamedTuple

_MIN_WINDOW = 1
_MAX_WINDOW = 1_000


class Window(NamedTuple):
    mean: float
    spread: float
    count: int


def _clamp(value: int, low: int, high: int) -> int:
    """Keep value within [low, high]."""
    return max(low, min(high, value))


def _spread(values: list[float], kind: str) -> float:
    # One value has no spread.
    if len(values) < 2:
        return 0.0
    if kind == "stdev":
        return statistics.stdev(values)
    if kind == "range":
        return max(values) - min(values)
    return math.sqrt(statistics.pvariance(values))


def moving_window(
    values: list[float],
    size: int = 5,
    kind: Literal["stdev", "range", "pstdev"] = "stdev",
    offset: float | None = None,
    label: str = "window",
) -> Window:
    """The mean and spread of the last `size` values.

    Values past the window are ignored; `offset` is added to the mean when given.
    """
    # The window never exceeds what is there.
    size = _clamp(size, _MIN_WINDOW, _MAX_WINDOW)
    window = [float(v) for v in values[-size:]]
    if not window:
        return Window(0.0, 0.0, 0)
    mean = statistics.mean(window) + (offset or 0.0)
    return Window(mean, _spread(window, kind), len(window))
'''
ADD = (
    "def add_index(previous: int, index: int) -> int:\n"
    '    """previous + index."""\n'
    "    total = previous + index\n"
    "    return total\n"
)


def percentile(times: list[float], pick: float) -> float:
    return sorted(times)[int(pick * (len(times) - 1))]


def measure(action: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def chain(count: int, make: Callable[[int], dict], in_port: str, out_port: str) -> dict:
    """on_start -> n0 -> n1 -> ... -> print, each n_i computing previous + i."""
    nodes, edges, previous = [node("start", "on_start", 0)], [], "start"
    for index in range(count):
        current = make(index)
        nodes.append(current)
        edges.append(edge(previous, "next", current["id"], "exec"))
        if index:
            edges.append(edge(f"n{index - 1}", out_port, current["id"], in_port))
        previous = current["id"]
    nodes.append(node("show", "print", count + 1))
    edges += [
        edge(previous, "next", "show", "exec"),
        edge(f"n{count - 1}", out_port, "show", "value"),
    ]
    return {"nodes": nodes, "edges": edges}


def library_graph(count: int, entries: int) -> dict:
    def make(index: int) -> dict:
        inputs = {"in:index": index} if index else {"in:previous": 0, "in:index": 0}
        return node(f"n{index}", f"lib:{index % entries + 1}", index + 1, inputs, version=1)

    return chain(count, make, "in:previous", "result")


def code_graph(count: int) -> dict:
    def make(index: int) -> dict:
        inputs = {"in:index": index} if index else {"in:previous": 0, "in:index": 0}
        return node(
            f"n{index}",
            "python_code",
            index + 1,
            inputs,
            code="total = previous + index\nresult = total\n",
            inputs="previous, index",
            outputs="result",
        )

    return chain(count, make, "in:previous", "out:result")


def printed_total(code: str) -> str:
    lines: list[str] = []
    exec(  # the bench's own generated code, to check both compute the same total
        compile(code, "main.py", "exec"),
        {"__name__": "__main__", "print": lambda *v: lines.append(" ".join(map(str, v)))},
    )
    return lines[-1]


def table(title: str, rows: list[tuple[str, ...]]) -> None:
    print(title)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--entries", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib.auth.models import User
    from rest_framework.test import APIRequestFactory, force_authenticate

    from graphs.compiler import compile_graph
    from graphs.library.node import node_json
    from graphs.library.parse import parse_function
    from graphs.library_views import LibraryPreviewView

    assert len(FIFTY_LINES.splitlines()) == 50
    view = LibraryPreviewView.as_view()
    factory = APIRequestFactory()
    user = User(pk=1, username="bench")

    def preview() -> None:
        request = factory.post("/api/node-library/preview/", {"code": FIFTY_LINES}, format="json")
        force_authenticate(request, user=user)
        response = view(request)
        if response.status_code != 200 or response.data["node"] is None:
            raise SystemExit(f"the preview failed: {response.data}")

    def parse_only() -> None:
        function, _ = parse_function(FIFTY_LINES)
        assert function is not None
        node_json(function, 0, 1)

    preview()  # warm up (imports, URL resolver)
    route_times = measure(preview, args.repeat)
    parse_times = measure(parse_only, args.repeat)

    library = {
        (i + 1, 1): {"name": "add_index", "code": ADD, "description": ""}
        for i in range(args.entries)
    }

    def resolve(entry_id: int, version: int) -> dict | None:
        return library.get((entry_id, version))

    lib_doc, code_doc = library_graph(args.nodes, args.entries), code_graph(args.nodes)
    results: dict[str, Any] = {}

    def compile_lib() -> None:
        results["lib"] = compile_graph(lib_doc, library=resolve)

    def compile_code() -> None:
        results["code"] = compile_graph(code_doc)

    lib_times = measure(compile_lib, args.repeat)
    code_times = measure(compile_code, args.repeat)
    for key in ("lib", "code"):
        if results[key].has_errors:
            raise SystemExit(
                f"the {key} graph does not compile: {results[key].to_dict()['diagnostics']}"
            )
    lib_total, code_total = printed_total(results["lib"].code), printed_total(results["code"].code)
    if lib_total != code_total:
        raise SystemExit(f"the two graphs differ: {lib_total} != {code_total}")

    flags = f"--nodes {args.nodes} --entries {args.entries} --repeat {args.repeat}"
    print(f"== bench/library_nodes.py {flags}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    rows: list[tuple[str, ...]] = [
        ("measure", "POST preview (route)", "parse + node (baseline)", "target")
    ]
    for label, pick in (("p50 ms", 0.5), ("p90 ms", 0.9)):
        target = "route <= 20 ms" if pick == 0.5 else ""
        rows.append(
            (
                label,
                f"{percentile(route_times, pick):.2f}",
                f"{percentile(parse_times, pick):.2f}",
                target,
            )
        )
    table("-- preview of a 50-line function", rows)
    rows = [
        (
            "measure",
            f"{args.nodes} library nodes",
            f"{args.nodes} code nodes (baseline)",
            "ratio",
            "target",
        )
    ]
    for label, pick in (("p50 ms", 0.5), ("p90 ms", 0.9)):
        a, b = percentile(lib_times, pick), percentile(code_times, pick)
        rows.append(
            (label, f"{a:.2f}", f"{b:.2f}", f"{a / b:.2f}x", "<= 1.5x" if pick == 0.5 else "")
        )
    table("-- compile time", rows)
    print(
        f"code: {len(results['lib'].code.splitlines())} lines with library nodes, "
        f"{len(results['code'].code.splitlines())} with code nodes; both print {lib_total}"
    )


if __name__ == "__main__":
    main()
