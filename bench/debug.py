"""Debug runs end to end: real WebSocket -> daphne -> Redis -> runpool -> Docker sandbox.

    .venv/bin/python bench/debug.py [--loops 1000000] [--repeat 3] [--steps 200]

Starts its own daphne + runpool (like bench/engine.py, whose database and Redis settings it
shares) and prints one table, each figure beside its baseline from the same run:

1. a loop-heavy graph (For range of --loops with an addition and a Set variable): the run's
   `duration_ms` as a debug run, beside the same graph as a plain run (median of --repeat);
2. trace frames per second reaching the client during that debug run (overall and the busiest
   second), beside the 30/s the protocol allows;
3. a Step: time from sending `resume` (mode step) to the next `paused`, p50/p99 over --steps,
   beside a stdin round trip on the same path (send `stdin`, the script's `input()` echoes it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import django, pct, prepare_database, tokens


def node(node_id: str, kind: str, params: dict[str, Any] | None = None, **inputs: Any) -> dict:
    data: dict[str, Any] = {"params": params or {}}
    if inputs:
        data["inputs"] = inputs
    return {"id": node_id, "type": kind, "position": {"x": 0, "y": 0}, "data": data}


def wire(source: str, out: str, target: str, port: str) -> dict:
    return {
        "id": f"{source}.{out}->{target}.{port}",
        "source": source,
        "sourceHandle": out,
        "target": target,
        "targetHandle": port,
    }


def loop_graph(loops: int) -> dict[str, Any]:
    """total = 0; for i in range(loops): total = total + i * 2; print(total)"""
    return {
        "nodes": [
            node("start", "on_start"),
            node("init", "set_variable", {"name": "total"}, value=0),
            node("loop", "for_range", stop=loops),
            node("get", "get_variable", {"name": "total"}),
            node("double", "arithmetic", {"op": "*"}, b=2),
            node("add", "arithmetic", {"op": "+"}),
            node("acc", "set_variable", {"name": "total"}),
            node("get2", "get_variable", {"name": "total"}),
            node("print", "print"),
        ],
        "edges": [
            wire("start", "next", "init", "exec"),
            wire("init", "next", "loop", "exec"),
            wire("loop", "body", "acc", "exec"),
            wire("loop", "index", "double", "a"),
            wire("get", "value", "add", "a"),
            wire("double", "result", "add", "b"),
            wire("add", "result", "acc", "value"),
            wire("loop", "next", "print", "exec"),
            wire("get2", "value", "print", "value"),
        ],
    }


async def timed_run(client: Any, graph: dict[str, Any], debug: bool) -> tuple[dict, list[float]]:
    """The exit event, and the client's arrival time of every trace event."""
    extra = {"debug": {"breakpoints": []}} if debug else {}
    run_id = await client.start(graph=graph, timeout=60, **extra)
    traces: list[float] = []
    seen = 0
    while True:
        events = client.events[run_id]
        for event in events[seen:]:
            if event["type"] == "trace":
                traces.append(time.perf_counter())
            if event["type"] == "exit":
                if event["reason"] != "ok":
                    raise RuntimeError(f"bench run failed: {event}")
                return event, traces
        seen = len(events)
        await client.recv(120)


async def loop_runs(servers: Any, token: str, loops: int, repeat: int) -> dict[str, Any]:
    from harness.engine import WsClient

    client = await WsClient.connect(servers, token)
    graph = loop_graph(loops)
    plain, debug, rates, busiest = [], [], [], []
    for _ in range(repeat):
        exit_event, _ = await timed_run(client, graph, debug=False)
        plain.append(exit_event["duration_ms"])
        exit_event, traces = await timed_run(client, graph, debug=True)
        debug.append(exit_event["duration_ms"])
        span = max(traces[-1] - traces[0], 1e-3) if len(traces) > 1 else 1.0
        rates.append(len(traces) / span)
        per_second = Counter(int(t - traces[0]) for t in traces)
        busiest.append(max(per_second.values()) if per_second else 0)
    await client.close()
    return {
        "plain_ms": statistics.median(plain),
        "debug_ms": statistics.median(debug),
        "trace_rate": statistics.median(rates),
        "busiest": max(busiest),
    }


STEP_GRAPH = loop_graph(100_000)
ECHO = "while True:\n    print(input())\n"


async def step_latency(servers: Any, token: str, steps: int) -> tuple[list[float], list[float]]:
    from harness.engine import WsClient

    client = await WsClient.connect(servers, token)
    run_id = await client.start(graph=STEP_GRAPH, debug={"breakpoints": ["acc"]})
    await client.wait_for(run_id, "paused")
    step_ms = []
    for _ in range(steps):
        seen = len(client.events[run_id])
        sent = time.perf_counter()
        await client.send(type="resume", run_id=run_id, mode="step")
        while not any(e["type"] == "paused" for e in client.events[run_id][seen:]):
            await client.recv(30)
        step_ms.append((time.perf_counter() - sent) * 1000)
    await client.send(type="kill", run_id=run_id)
    await client.finish(run_id)

    run_id = await client.start(code=ECHO)
    await client.wait_for(run_id, "started")
    echo_ms = []
    for i in range(steps):
        seen = len(client.events[run_id])
        sent = time.perf_counter()
        await client.send(type="stdin", run_id=run_id, data=f"{i}\n")
        while not any(e["type"] == "stdout" for e in client.events[run_id][seen:]):
            await client.recv(30)
        echo_ms.append((time.perf_counter() - sent) * 1000)
    await client.send(type="kill", run_id=run_id)
    await client.finish(run_id)
    await client.close()
    return step_ms, echo_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loops", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()

    django.setup()
    from django.conf import settings

    from harness.engine import Servers, redis_url

    prepare_database()
    servers = Servers.create(
        settings.DATABASES["default"],
        redis_url(),
        RUN_WALL_SECONDS="120",
        RUN_CPU_SECONDS="110",
        RUN_PAUSE_SECONDS="600",
        POOL_SIZE="2",
    )
    (token,) = tokens(1)
    load_before = f"{os.getloadavg()[0]:.1f}"
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        servers.start_daphne()
        servers.start_worker(size=2)
        time.sleep(3)  # let the pool fill

        loops = asyncio.run(loop_runs(servers, token, args.loops, args.repeat))
        rows.append(
            (
                f"for range {args.loops}: run time",
                f"{loops['debug_ms'] / 1000:.2f} s debug",
                f"{loops['plain_ms'] / 1000:.2f} s plain",
                f"{loops['debug_ms'] / loops['plain_ms']:.2f}x",
                "<= 3x",
            )
        )
        rows.append(
            (
                "  trace frames/s at the client",
                f"{loops['trace_rate']:.1f} (busiest s: {loops['busiest']})",
                "30 allowed",
                f"{loops['trace_rate'] / 30:.2f}",
                "<= 30",
            )
        )
        step_ms, echo_ms = asyncio.run(step_latency(servers, token, args.steps))
        rows.append(
            (
                "resume (step) -> paused, p50",
                f"{pct(step_ms, 0.5):.1f} ms",
                f"{pct(echo_ms, 0.5):.1f} ms stdin echo",
                f"{pct(step_ms, 0.5) / pct(echo_ms, 0.5):.2f}x",
                "<= 10 ms",
            )
        )
        rows.append(
            (
                "resume (step) -> paused, p99",
                f"{pct(step_ms, 0.99):.1f} ms",
                f"{pct(echo_ms, 0.99):.1f} ms stdin echo",
                f"{pct(step_ms, 0.99) / pct(echo_ms, 0.99):.2f}x",
                "",
            )
        )
    finally:
        servers.stop()

    header = ("measure", "Node Engine", "baseline", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\nload average before / after: {load_before} / {os.getloadavg()[0]:.1f}")
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"\n(daphne + runpool logs: {servers.log_dir})")


if __name__ == "__main__":
    main()
