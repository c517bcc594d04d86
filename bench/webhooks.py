"""A webhook call beside the same run over REST, in one run of this script.

    .venv/bin/python bench/webhooks.py [--quick] [--runs 100] [--pace 0.25] [--runtimes auto]
        [--pool-size 4] [--preload auto] [--image nodeengine-sandbox:latest]

Starts its own daphne + runpool (bench/engine.py's bench_servers: the shipped configuration unless
the flags say otherwise, printed in the header) and prints one table per runtime:

1. webhook: `POST /api/hooks/<token>/?wait=30` with `{"a": 2, "b": 3}`, answered 200 with
   `{"outputs": {"sum": 5}, ...}`: one request, from sending it to the answer with the outputs;
2. the baseline, the same run over REST: `POST /api/graphs/{id}/runs/?wait=30` with the same
   `inputs`, answered 200 with the finished execution and its `outputs` (one request too; were
   it still running, the 202's `url` with `?wait=30`). The issue's target: webhook p50 <= 1.5x
   REST p50.

Both run the same graph, a function that adds two numbers: Graph input `a` and `b` -> Arithmetic
`+` -> Graph output `sum`.

Runs alternate webhook and REST, paced by --pace seconds, so both see the same machine. The calls
rotate over several hooks of the graph so that the shipped WEBHOOK_RATE (60/min per hook) never
refuses one: the figure is the call's cost, not the rate limit's.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import bench_servers, django, prepare_database, tokens
from shipped import add_arguments, configs, header, pct, table

SHIPPED_WEBHOOK_RATE_PER_MIN = 60
INPUTS = {"a": 2, "b": 3}
OUTPUTS = {"sum": 5}


def _node(node_id: str, kind: str, x: int, y: int, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "position": {"x": x, "y": y}, "data": {"params": params}}


def _edge(edge_id: str, source: str, out: str, target: str, into: str) -> dict[str, Any]:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": out,
        "target": target,
        "targetHandle": into,
    }


def function_graph() -> dict[str, Any]:
    """a + b -> sum, with the node types of issue 23 (docs/interfaces.md)."""
    return {
        "nodes": [
            _node("start", "on_start", 0, 0),
            _node("a", "graph_input", 0, 100, name="a", type="number", description="first"),
            _node("b", "graph_input", 0, 200, name="b", type="number", description="second"),
            _node("add", "arithmetic", 200, 150, op="+"),
            _node("sum", "graph_output", 400, 0, name="sum", type="number"),
        ],
        "edges": [
            _edge("e1", "start", "next", "sum", "exec"),
            _edge("e2", "a", "value", "add", "a"),
            _edge("e3", "b", "value", "add", "b"),
            _edge("e4", "add", "result", "sum", "value"),
        ],
    }


def bench_graph() -> tuple[dict[str, Any], dict[str, Any], str]:
    """The graph, the inputs it takes, and a line saying which graph it is."""
    from graphs.compiler import compile_graph

    graph = function_graph()
    result = compile_graph(graph)
    if result.has_errors:
        raise RuntimeError(f"the function graph does not compile: {result.to_dict()}")
    return graph, INPUTS, "graph: Graph input a, b -> Arithmetic + -> Graph output sum"


def webhook_ms(session: requests.Session, hook: str, inputs: dict[str, Any]) -> float:
    sent = time.perf_counter()
    answer = session.post(f"{hook}?wait=30", json=inputs, timeout=60)
    took = (time.perf_counter() - sent) * 1000
    body = answer.json()
    if answer.status_code != 200 or body.get("outputs") != OUTPUTS or body.get("reason") != "ok":
        raise RuntimeError(f"bench webhook call failed: {answer.status_code} {body}")
    return took


def rest_ms(session: requests.Session, origin: str, graph_id: int, inputs: dict[str, Any]) -> float:
    sent = time.perf_counter()
    answer = session.post(
        f"{origin}/api/graphs/{graph_id}/runs/?wait=30", json={"inputs": inputs}, timeout=60
    )
    answer.raise_for_status()
    result = answer.json()
    if answer.status_code == 202:  # not finished within the wait: follow it
        result = session.get(result["url"] + "?wait=30", timeout=60).json()
    took = (time.perf_counter() - sent) * 1000
    if result.get("status") != "finished" or result.get("outputs") != OUTPUTS:
        raise RuntimeError(f"bench REST run failed: {result}")
    return took


def alternate(
    origin: str, token: str, graph_id: int, inputs: dict[str, Any], runs: int, pace: float
) -> tuple[list[float], list[float], int]:
    signed_in = requests.Session()
    signed_in.headers["Authorization"] = f"Token {token}"
    # Enough hooks that the calls stay under each one's rate even if a pair took no time at all.
    per_minute = 60 / max(2 * pace, 0.05)
    count = max(1, math.ceil(per_minute / (SHIPPED_WEBHOOK_RATE_PER_MIN * 0.8)))
    hooks = []
    for _ in range(count):
        created = signed_in.post(f"{origin}/api/graphs/{graph_id}/webhooks/", timeout=30)
        created.raise_for_status()
        hooks.append(created.json()["url"])
    anonymous = requests.Session()  # the hook needs no credential: none is sent
    hook_times, rest_times = [], []
    for index in range(runs + 5):  # the first 5 of each warm up
        took_hook = webhook_ms(anonymous, hooks[index % count], inputs)
        time.sleep(pace)
        took_rest = rest_ms(signed_in, origin, graph_id, inputs)
        time.sleep(pace)
        if index >= 5:
            hook_times.append(took_hook)
            rest_times.append(took_rest)
    return hook_times, rest_times, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 runs: a smoke test.")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--pace", type=float, default=0.25)
    add_arguments(parser)
    args = parser.parse_args()
    args.runs = args.runs or (10 if args.quick else 100)
    django.setup()
    prepare_database()
    from django.contrib.auth import get_user_model

    from graphs.models import Graph

    token = tokens(1)[0]
    owner = get_user_model().objects.get(username="bench0")
    document, inputs, which = bench_graph()
    graph = Graph.objects.create(owner=owner, name="bench: a + b", **document)
    for config in configs(args):
        print(header(config, "bench/webhooks.py" + (" --quick" if args.quick else "")))
        print(which)
        load_before = f"{os.getloadavg()[0]:.1f}"
        with bench_servers(config) as servers:
            hook, rest, hooks = alternate(
                servers.origin, token, graph.pk, inputs, args.runs, args.pace
            )
        print(
            f"\n{args.runs} runs each, {config.runtime}, paced {args.pace} s, calls over {hooks} "
            f"hook(s); load before / after: {load_before} / {os.getloadavg()[0]:.1f}"
        )
        rows = [("measure", "webhook (POST ?wait)", "REST (POST .../runs/?wait)", "ratio")]
        for label, fraction in (("p50 ms", 0.5), ("p99 ms", 0.99)):
            a, b = pct(hook, fraction), pct(rest, fraction)
            rows.append((label, f"{a:.1f}", f"{b:.1f}", f"{a / b:.2f}x"))
        print(table(rows))
        ratio = pct(hook, 0.5) / pct(rest, 0.5)
        print(f"target webhook p50 <= 1.5x REST p50: {'met' if ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
