"""How the editor copes with a 500-node graph: time to first paint of all nodes, and frame times
while dragging a node and panning. Runs against a live server (default http://127.0.0.1:8000):

    .venv/bin/python bench/editor_large_graph.py --base http://127.0.0.1:8000 --nodes 500

It signs up a throwaway user, creates the graph through the API, opens it in headless Chromium.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

FRAME_PROBE = """() => new Promise((resolve) => {
  const times = []; let last = performance.now();
  function tick(now) { times.push(now - last); last = now;
    if (times.length < 120) requestAnimationFrame(tick); else resolve(times); }
  requestAnimationFrame(tick);
})"""


def big_graph(count: int) -> dict:
    nodes, edges = [], []
    for i in range(count):
        kind = "print" if i % 2 else "literal"
        params = {} if kind == "print" else {"kind": "text", "value": f"value {i}"}
        position = {"x": (i % 25) * 260, "y": (i // 25) * 200}
        data = {"params": params}
        nodes.append({"id": f"n{i}", "type": kind, "position": position, "data": data})
        if kind == "print":
            edges.append({"id": f"d{i}", "source": f"n{i - 1}", "sourceHandle": "value",
                          "target": f"n{i}", "targetHandle": "value"})
            if i >= 3:
                edges.append({"id": f"x{i}", "source": f"n{i - 2}", "sourceHandle": "next",
                              "target": f"n{i}", "targetHandle": "exec"})
    return {"name": f"{count} nodes", "nodes": nodes, "edges": edges}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--nodes", type=int, default=500)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1500, "height": 900})
        page = context.new_page()
        page.goto(args.base + "/signup")
        page.fill("#username", f"bench{uuid.uuid4().hex[:8]}")
        page.fill("#password", "bench-password-long-42")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=username]")
        csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        graph = context.request.post(args.base + "/api/graphs/", data=big_graph(args.nodes),
                                     headers={"X-CSRFToken": csrf}).json()
        started = time.perf_counter()
        page.goto(f"{args.base}/graphs/{graph['id']}")
        page.wait_for_selector(".react-flow__node", timeout=30000)
        first_node = time.perf_counter() - started
        page.wait_for_selector("[data-testid=problems] li button", timeout=30000)
        ready = time.perf_counter() - started
        rendered = page.locator(".react-flow__node").count()

        node = page.locator(".react-flow__node").first.bounding_box()
        probe = page.evaluate_handle(FRAME_PROBE)
        page.mouse.move(node["x"] + 30, node["y"] + 8)
        page.mouse.down()
        for step in range(60):
            page.mouse.move(node["x"] + 30 + step * 4, node["y"] + 8 + step * 2)
        page.mouse.up()
        drag_frames = probe.json_value()

        probe = page.evaluate_handle(FRAME_PROBE)
        pane = page.locator(".react-flow__pane").bounding_box()
        page.mouse.move(pane["x"] + 300, pane["y"] + 300)
        page.mouse.down()
        for step in range(60):
            page.mouse.move(pane["x"] + 300 - step * 6, pane["y"] + 300 - step * 3)
        page.mouse.up()
        pan_frames = probe.json_value()
        browser.close()

    def summary(frames: list[float]) -> str:
        frames = frames[1:]
        return (f"median {statistics.median(frames):.1f} ms, p95 "
                f"{sorted(frames)[int(len(frames) * 0.95)]:.1f} ms, max {max(frames):.1f} ms")

    print(f"first node on screen after {first_node:.2f} s")
    print(f"graph: {args.nodes} nodes; editor open with the compile result shown in {ready:.2f} s "
          f"({rendered} nodes in the DOM: only the visible ones are rendered)")
    print(f"drag a node: frame {summary(drag_frames)}")
    print(f"pan the canvas: frame {summary(pan_frames)}")


if __name__ == "__main__":
    main()
