"""How the editor copes with a big graph, against a baseline measured in the same run.

For each graph (default: 20 nodes as the baseline; 500 nodes opened at a saved 100% viewport, so
only the visible ones are drawn; 500 nodes without a saved viewport, so all are fitted on screen)
it opens the graph in headless Chromium and measures:

* open, on the page's own clock from navigation start: when the requests the editor waits on were
  answered, the first node on screen, the editor usable (nodes drawn and the live code shown), and
  the JavaScript it loaded;
* frame times while dragging a node, panning the canvas and zooming with the wheel;
* typing in a node's text param: keydown -> next painted frame, while live compiles are in flight.

Runs against a live server (default http://127.0.0.1:8000, e.g. `make run`):

    .venv/bin/python bench/editor_large_graph.py --base http://127.0.0.1:8000 --nodes 20 500 500:fit

It signs up a throwaway user and creates the graphs through the API. Frame times come from
requestAnimationFrame, so they are only as good as the machine is idle; compare the columns of one
run (the ratio column), not runs on different days.
"""

from __future__ import annotations

import argparse
import statistics
import uuid
from dataclasses import dataclass, field

from playwright.sync_api import Page, sync_playwright

NAN = float("nan")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

FRAME_PROBE = """(count) => new Promise((resolve) => {
  const times = []; let last = performance.now();
  function tick(now) { times.push(now - last); last = now;
    if (times.length < count) requestAnimationFrame(tick); else resolve(times); }
  requestAnimationFrame(tick);
})"""

# keydown -> the frame after it was painted: what a user feels as typing lag.
KEY_LATENCY_PROBE = """() => {
  window.__keyLatency = [];
  document.addEventListener('keydown', () => {
    const t0 = performance.now();
    const done = () => window.__keyLatency.push(performance.now() - t0);
    requestAnimationFrame(() => setTimeout(done, 0));
  }, true);
}"""

# When the requests the editor waits on were answered (ms after navigation start).
MILESTONES = """() => {
  const entries = performance.getEntriesByType('resource');
  const end = (test) => {
    const e = entries.find((x) => test(x.name));
    return e ? e.responseEnd : NaN;
  };
  return {
    "editor code loaded": end((n) => /EditorPage-.*\\.js$/.test(n)),
    "session checked (auth/me)": end((n) => n.endsWith('/api/auth/me/')),
    "graph received": end((n) => /\\/api\\/graphs\\/\\d+\\/$/.test(n)),
    "first compile answered": end((n) => n.endsWith('/api/compile/')),
    "code view loaded": end((n) => /codemirror-.*\\.js$/.test(n)),
  };
}"""

SCRIPT_BYTES = """() => performance.getEntriesByType('resource')
  .filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'))
  .reduce((sum, e) => sum + (e.encodedBodySize || e.transferSize || 0), 0)"""


def big_graph(count: int, fit: bool = False) -> dict:
    """Alternating literal -> print pairs on a grid, prints chained by execution wires."""
    nodes, edges = [], []
    nodes.append(
        {"id": "start", "type": "on_start", "position": {"x": -300, "y": 0}, "data": {"params": {}}}
    )
    for i in range(count - 1):
        kind = "print" if i % 2 else "literal"
        params = {} if kind == "print" else {"kind": "text", "value": f"value {i}"}
        position = {"x": (i % 25) * 260, "y": (i // 25) * 200}
        data = {"params": params}
        nodes.append({"id": f"n{i}", "type": kind, "position": position, "data": data})
        if kind == "print":
            edges.append(
                {
                    "id": f"d{i}",
                    "source": f"n{i - 1}",
                    "sourceHandle": "value",
                    "target": f"n{i}",
                    "targetHandle": "value",
                }
            )
            previous = "start" if i == 1 else f"n{i - 2}"
            edges.append(
                {
                    "id": f"x{i}",
                    "source": previous,
                    "sourceHandle": "next",
                    "target": f"n{i}",
                    "targetHandle": "exec",
                }
            )
    # A saved viewport at 100% shows a corner of the graph; without one the editor fits all of
    # it on screen (every node in the DOM, drawn small).
    viewport = {} if fit else {"x": 100, "y": 80, "zoom": 1}
    return {"name": f"{count} nodes", "nodes": nodes, "edges": edges, "viewport": viewport}


@dataclass
class Result:
    label: str
    first_node_s: float = 0.0
    usable_s: float = 0.0
    js_kb: float = 0.0
    in_dom: int = 0
    milestones: dict[str, float] = field(default_factory=dict)
    frames: dict[str, list[float]] = field(default_factory=dict)
    key_latency: list[float] = field(default_factory=list)


def frames_during(page: Page, action, count: int = 90) -> list[float]:
    probe = page.evaluate_handle(FRAME_PROBE, count)
    action()
    return probe.json_value()[1:]


def measure(page: Page, base: str, graph_id: int, label: str) -> Result:
    result = Result(label=label)
    page.goto(base + "/")  # a neutral page first, so the editor's own loading is what is timed
    page.wait_for_selector("[data-testid=username]")
    page.goto(f"{base}/graphs/{graph_id}")
    # Times are the page's own clock (0 = navigation start), read on the frame things appear.
    result.first_node_s = (
        page.wait_for_function(
            "() => document.querySelector('.react-flow__node') && performance.now()",
            polling="raf",
            timeout=60_000,
        ).json_value()
        / 1000
    )
    # Usable: the live code (the first compile's answer) is shown next to the drawn nodes.
    result.usable_s = (
        page.wait_for_function(
            "() => (document.querySelector('.cm-content')?.innerText ?? '').includes('print(')"
            " && performance.now()",
            polling="raf",
            timeout=60_000,
        ).json_value()
        / 1000
    )
    result.milestones = page.evaluate(MILESTONES)
    result.js_kb = page.evaluate(SCRIPT_BYTES) / 1024
    result.in_dom = page.locator(".react-flow__node").count()

    node = page.locator('.react-flow__node[data-id="n2"]').bounding_box()
    assert node, "node n2 is not on screen"

    def drag() -> None:
        page.mouse.move(node["x"] + 30, node["y"] + 8)
        page.mouse.down()
        for step in range(60):
            page.mouse.move(node["x"] + 30 + step * 4, node["y"] + 8 + step * 2)
        page.mouse.up()

    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane

    def pan() -> None:
        page.mouse.move(pane["x"] + pane["width"] - 60, pane["y"] + 40)
        page.mouse.down()
        for step in range(60):
            page.mouse.move(pane["x"] + pane["width"] - 60 - step * 6, pane["y"] + 40 + step * 3)
        page.mouse.up()

    def zoom() -> None:
        page.mouse.move(pane["x"] + pane["width"] / 2, pane["y"] + pane["height"] / 2)
        for step in range(30):
            page.mouse.wheel(0, 60 if step < 15 else -60)

    result.frames["drag a node"] = frames_during(page, drag)
    result.frames["pan"] = frames_during(page, pan)
    result.frames["zoom (wheel)"] = frames_during(page, zoom)

    # The first code line is node n1's print: a click there centres the view on it, next to n0.
    page.locator(".cm-line", has_text="print('value 0')").click()
    page.wait_for_timeout(600)
    value = page.locator('.react-flow__node[data-id="n0"]').get_by_label("Value")
    page.evaluate(KEY_LATENCY_PROBE)
    value.click()
    page.keyboard.type(" typed while compiling", delay=40)
    page.wait_for_timeout(300)
    result.key_latency = page.evaluate("() => window.__keyLatency")
    return result


def stats(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)], ordered[-1]


def table(results: list[Result]) -> str:
    base = results[0]
    rows: list[tuple[str, list[float], str]] = [
        *[
            (f"{name} (s)", [r.milestones.get(name, NAN) / 1000 for r in results], "{:.2f}")
            for name in base.milestones
        ],
        ("first node on screen (s)", [r.first_node_s for r in results], "{:.2f}"),
        ("editor usable: nodes + code + problems (s)", [r.usable_s for r in results], "{:.2f}"),
        ("JavaScript downloaded (KiB)", [r.js_kb for r in results], "{:.0f}"),
        ("nodes in the DOM", [float(r.in_dom) for r in results], "{:.0f}"),
    ]
    for action in base.frames:
        for label, index in (("median", 0), ("p95", 1), ("max", 2)):
            rows.append(
                (
                    f"{action}: frame {label} (ms)",
                    [stats(r.frames[action])[index] for r in results],
                    "{:.1f}",
                )
            )
    for label, index in (("median", 0), ("p95", 1), ("max", 2)):
        rows.append(
            (
                f"typing in a param: keydown->paint {label} (ms)",
                [stats(r.key_latency)[index] for r in results],
                "{:.1f}",
            )
        )
    head = ["metric"] + [r.label + (" (baseline)" if r is base else "") for r in results]
    head += [f"ratio {r.label} / baseline" for r in results[1:]]
    lines = [head]
    for label, values, fmt in rows:
        ratios = [f"{v / values[0]:.2f}x" if values[0] else "-" for v in values[1:]]
        lines.append([label] + [fmt.format(v) for v in values] + ratios)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument(
        "--nodes",
        nargs="+",
        default=["20", "500", "500:fit"],
        help="graph sizes, the first is the baseline; N:fit opens without a saved"
        " viewport, so the whole graph is fitted on screen",
    )
    args = parser.parse_args()
    results = []
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
        for spec in args.nodes:
            count, _, mode = spec.partition(":")
            doc = big_graph(int(count), fit=mode == "fit")
            graph = context.request.post(
                args.base + "/api/graphs/", data=doc, headers={"X-CSRFToken": csrf}
            ).json()
            # A fresh page per graph: no warm JIT or cached layout from the previous one. The
            # HTTP cache stays (as for a user who has opened the editor before).
            fresh = context.new_page()
            label = f"{count} nodes" + (", fitted" if mode == "fit" else "")
            results.append(measure(fresh, args.base, graph["id"], label))
            fresh.close()
        browser.close()
    print(table(results))


if __name__ == "__main__":
    main()
