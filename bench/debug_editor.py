"""The editor while a debug run animates the graph, beside the same editor at rest and during a
plain run, in one session of headless Chromium against its own daphne + runpool.

    .venv/bin/python bench/debug_editor.py [--loops 1000000] [--frames 240]
        [--screenshot docs/debug-paused.png]

For a loop-heavy graph (For range of --loops with arithmetic and a Set variable) it measures frame
times (requestAnimationFrame deltas, p50/p95/max) over --frames frames: idle, during a plain Run,
and during a Debug run (nodes glowing, counts and wire values updating), and counts the `trace`
frames the page received per second. With --screenshot it also pauses a small graph at a
breakpoint and saves the editor at 1280x800 (the README's picture).

Frame times are only as good as the machine is idle: compare the columns of one run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from debug import loop_graph, node, wire  # noqa: E402
from engine import django, pct, prepare_database  # noqa: E402

FRAME_PROBE = """(count) => new Promise((resolve) => {
  const times = []; let last = performance.now();
  function tick(now) { times.push(now - last); last = now;
    if (times.length < count) requestAnimationFrame(tick); else resolve(times); }
  requestAnimationFrame(tick);
})"""

# Counts `trace` events the page receives, by wrapping WebSocket's message delivery.
TRACE_COUNTER = """() => {
  window.__traces = [];
  const original = WebSocket.prototype.addEventListener;
  const note = (event) => {
    if (typeof event.data === 'string' && event.data.startsWith('{"type": "trace"'))
      window.__traces.push(performance.now());
  };
  WebSocket.prototype.addEventListener = function (type, listener, options) {
    if (type === 'message') original.call(this, 'message', note);
    return original.call(this, type, listener, options);
  };
  const descriptor = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    set(handler) { descriptor.set.call(this, (e) => { note(e); handler(e); }); },
    get() { return descriptor.get.call(this); },
  });
}"""


def paused_graph() -> dict[str, Any]:
    """A small graph for the README: a loop that adds up squares, paused inside it."""
    return {
        "name": "Sum of squares",
        "nodes": [
            {**node("start", "on_start"), "position": {"x": 0, "y": 0}},
            {
                **node("init", "set_variable", {"name": "total"}, value=0),
                "position": {"x": 230, "y": 0},
            },
            {**node("loop", "for_range", stop=5), "position": {"x": 480, "y": 0}},
            {**node("square", "arithmetic", {"op": "*"}), "position": {"x": 480, "y": 220}},
            {**node("get", "get_variable", {"name": "total"}), "position": {"x": 480, "y": 400}},
            {**node("add", "arithmetic", {"op": "+"}), "position": {"x": 760, "y": 260}},
            {**node("acc", "set_variable", {"name": "total"}), "position": {"x": 760, "y": 0}},
        ],
        "edges": [
            wire("start", "next", "init", "exec"),
            wire("init", "next", "loop", "exec"),
            wire("loop", "body", "acc", "exec"),
            wire("loop", "index", "square", "a"),
            wire("loop", "index", "square", "b"),
            wire("get", "value", "add", "a"),
            wire("square", "result", "add", "b"),
            wire("add", "result", "acc", "value"),
        ],
    }


def frames(page: Any, count: int) -> list[float]:
    return page.evaluate(FRAME_PROBE, count)


def stats(times: list[float]) -> str:
    return f"{pct(times, 0.5):.1f} / {pct(times, 0.95):.1f} / {max(times):.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loops", type=int, default=1_000_000)
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args()

    django.setup()
    from django.conf import settings
    from playwright.sync_api import expect, sync_playwright

    from harness.browser import CHROMIUM, CHROMIUM_ARGS, App
    from harness.engine import Servers, redis_url

    prepare_database()
    servers = Servers.create(
        settings.DATABASES["default"],
        redis_url(),
        RUN_WALL_SECONDS="120",
        RUN_CPU_SECONDS="110",
        POOL_SIZE="2",
    )
    load_before = f"{os.getloadavg()[0]:.1f}"
    rows: list[tuple[str, str, str]] = []
    try:
        servers.start_daphne()
        servers.start_worker(size=2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.add_init_script(f"({TRACE_COUNTER})()")
            app = App(context, servers.origin)
            app.sign_up()
            graph = app.api("POST", "/api/graphs/", {"name": "Loop", **loop_graph(args.loops)})
            app.open_graph(graph["id"])
            page = app.page
            status = page.get_by_test_id("run-status")

            rows.append(("idle", stats(frames(page, args.frames)), "-"))

            page.get_by_test_id("run").click()
            plain = frames(page, args.frames)
            expect(status).to_contain_text("exit code 0", timeout=120_000)
            rows.append(("plain Run", stats(plain), "-"))

            page.evaluate("() => { window.__traces = []; }")
            page.get_by_test_id("debug").click()
            debug = frames(page, args.frames)
            expect(status).to_contain_text("exit code 0", timeout=120_000)
            traces = page.evaluate("() => window.__traces")
            span = (traces[-1] - traces[0]) / 1000 if len(traces) > 1 else 1.0
            rows.append(("Debug run (animating)", stats(debug), f"{len(traces) / span:.1f}"))

            if args.screenshot:
                wide = browser.new_context(viewport={"width": 1600, "height": 900})
                app = App(wide, servers.origin)
                page = app.page
                app.sign_up()
                small = app.api("POST", "/api/graphs/", paused_graph())
                app.open_graph(small["id"])
                app.node("acc").get_by_test_id("breakpoint").click()
                page.get_by_test_id("debug").click()
                expect(page.get_by_test_id("paused-status")).to_be_visible(timeout=60_000)
                page.get_by_test_id("continue").click()
                page.get_by_test_id("continue").click()
                expect(page.get_by_test_id("variables-panel")).to_contain_text("total")
                page.wait_for_timeout(300)
                args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshot))
            browser.close()
    finally:
        servers.stop()

    header = ("editor state", "frame p50 / p95 / max", "trace frames/s received")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\nload average before / after: {load_before} / {os.getloadavg()[0]:.1f}")
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print("target: Debug p95 <= 20 ms; <= 30 trace frames/s")


if __name__ == "__main__":
    main()
