"""Cost of reading a saved graph's body: parse + guards (nodeengine/parsers.py) and the structure
checks (graphs/validation.py), for the largest graph the limits allow (5,000 nodes), median of runs.

Run: `DEBUG=true .venv/bin/python bench/graph_body.py`. Baseline: plain `json.loads` of the same
bytes. Target: guards within 3x the baseline, parse + checks well under 100 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from graphs.validation import validate_graph
from nodeengine.parsers import load_json_bytes

RUNS = 7


def body(node_count: int, edge_count: int) -> bytes:
    nodes = [
        {
            "id": f"n{index}",
            "type": "print",
            "position": {"x": index * 1.5, "y": -index},
            "data": {"params": {"text": "hello world", "n": index}, "label": "Print"},
        }
        for index in range(node_count)
    ]
    edges = [
        {
            "id": f"e{index}",
            "source": f"n{index % node_count}",
            "sourceHandle": "out",
            "target": f"n{(index * 7) % node_count}",
            "targetHandle": "in",
        }
        for index in range(edge_count)
    ]
    document = {
        "name": "big",
        "nodes": nodes,
        "edges": edges,
        "viewport": {"x": 0, "y": 0, "zoom": 1},
    }
    return json.dumps(document).encode()


def median_ms(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    raw = body(5000, 9000)
    document = json.loads(raw)
    baseline = median_ms(lambda: json.loads(raw))
    guarded = median_ms(lambda: load_json_bytes(raw, 32))
    checks = median_ms(
        lambda: validate_graph(
            document["nodes"],
            document["edges"],
            document["viewport"],
            max_nodes=5000,
            max_edges=20000,
        )
    )
    print(f"body: {len(raw) / 1024:.0f} KiB, 5000 nodes, 9000 edges (median of {RUNS})")
    print(f"json.loads baseline      {baseline:7.1f} ms")
    print(f"parse + guards           {guarded:7.1f} ms  ({guarded / baseline:.1f}x baseline)")
    print(f"structure checks         {checks:7.1f} ms")


if __name__ == "__main__":
    main()
