"""Debug runs in the browser (docs/debugging.md section 4): the running node glows,
nodes count their runs, wires show their last value, a breakpoint pauses the run with the
variables panel, Step and Continue go on.

Two kinds of tests:
- `test_real_*`: the whole stack (daphne, a pool worker, the sandbox) in Chromium.
- `test_scripted_*`: the editor against a scripted /ws/run/ server (Playwright's WebSocket
  routing), so the browser half is checked message by message, including hostile strings.

The fixtures are the editor's end-to-end ones (tests/browser/conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from harness.browser import App
from tests.browser import conftest as e2e
from tests.browser.graph_docs import edge, node
from tests.browser.scripted_server import ScriptedServer

# The editor's end-to-end fixtures, for this module outside tests/browser/.
browser = e2e.browser
built_editor = e2e.built_editor
make_app = e2e.make_app
app = e2e.app

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

VALUE_EDGE = "double-result-show-value"
TIMES = "\u00d7"  # the multiplication sign of the run-count badge, as in "3 times"


def loop_graph(name: str, ask: bool) -> dict[str, Any]:
    """`for index in range(3): print(index * 3)`; then either `input()` and an `if False:` branch
    that never runs, or a last `print()`."""
    nodes = [
        node("start", "on_start", 0, 0),
        node("stop", "literal", 0, 220, kind="number", value="3"),
        node("loop", "for_range", 260, 0),
        node("double", "arithmetic", 260, 300, op="*"),
        node("show", "print", 620, 0),
    ]
    edges = [
        edge("start", "next", "loop", "exec"),
        edge("stop", "value", "loop", "stop"),
        edge("loop", "index", "double", "a"),
        edge("stop", "value", "double", "b"),
        edge("loop", "body", "show", "exec"),
        edge("double", "result", "show", "value"),
    ]
    if ask:
        nodes += [
            node("ask", "input", 620, 300, prompt="name? "),
            node("check", "if", 960, 300),
            node("never", "print", 1280, 300),
        ]
        edges += [
            edge("loop", "next", "ask", "exec"),
            edge("ask", "next", "check", "exec"),
            edge("check", "then", "never", "exec"),
        ]
    else:
        nodes.append(node("after", "print", 620, 300))
        edges.append(edge("loop", "next", "after", "exec"))
    return {"name": name, "nodes": nodes, "edges": edges}


def open_loop_graph(app: App, ask: bool) -> Page:
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", loop_graph("Debug me", ask))
    app.open_graph(graph["id"])
    expect(app.page.get_by_test_id("code-view")).to_contain_text("for index in range(3)")
    return app.page


def count_badge(app: App, node_id: str):
    return app.node(node_id).get_by_test_id("run-count")


def wire_value(app: App, edge_id: str):
    return app.page.locator(f'[data-testid="wire-value"][data-edge-id="{edge_id}"]')


def variable(page: Page, name: str):
    return page.get_by_test_id("variables-panel").locator(
        f'[data-testid="variable"][data-name="{name}"]'
    )


def toggle_breakpoint_with_f9(app: App, node_id: str) -> None:
    # A click on the node's title selects it without starting to edit a field.
    app.node(node_id).locator(".truncate").first.click()
    expect(app.node(node_id).locator(".ne-node")).to_have_attribute("data-selected", "true")
    app.page.keyboard.press("F9")


# ---- the real stack -------------------------------------------------------------------------


def test_real_glow_counts_wire_values_and_dimming(app: App):
    page = open_loop_graph(app, ask=True)
    page.get_by_test_id("debug").click()
    # The script waits in input(): that node is the one running, and glows.
    expect(page.get_by_test_id("console-input")).to_be_enabled(timeout=60_000)
    expect(app.node("ask").locator(".ne-node")).to_have_attribute("data-running", "true")
    expect(app.node("ask").locator(".ne-node.ne-running")).to_have_count(1)
    expect(page.locator(".ne-node.ne-running")).to_have_count(1)
    # Counts so far, and the last value on the wire into print (index 2 * 3).
    expect(count_badge(app, "show")).to_have_text(f"{TIMES}3")
    expect(count_badge(app, "loop")).to_have_text(f"{TIMES}1")
    expect(wire_value(app, VALUE_EDGE)).to_have_text("6")
    app.screenshot("debug-running")

    box = page.get_by_test_id("console-input")
    box.fill("Ada")
    box.press("Enter")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    # Ended: nothing glows, the branch never taken is dimmed, counts and values stay.
    expect(page.locator(".ne-node.ne-running")).to_have_count(0)
    expect(app.node("never").locator(".ne-node")).to_have_attribute("data-dimmed", "true")
    expect(app.node("check").locator(".ne-node")).not_to_have_attribute("data-dimmed", "true")
    expect(count_badge(app, "show")).to_have_text(f"{TIMES}3")
    expect(count_badge(app, "check")).to_have_text(f"{TIMES}1")
    expect(wire_value(app, VALUE_EDGE)).to_have_text("6")
    expect(wire_value(app, VALUE_EDGE)).to_have_attribute("title", "6")

    # An edit of the graph clears them.
    page.locator(".react-flow__node-literal").get_by_label("Value").fill("4")
    expect(page.get_by_test_id("code-view")).to_contain_text("range(4)")
    expect(page.get_by_test_id("wire-value")).to_have_count(0)
    expect(page.get_by_test_id("run-count")).to_have_count(0)
    expect(page.locator(".ne-node.ne-dimmed")).to_have_count(0)


def test_real_breakpoint_pause_variables_step_continue(app: App):
    page = open_loop_graph(app, ask=False)
    toggle_breakpoint_with_f9(app, "show")
    dot = app.node("show").get_by_test_id("breakpoint")
    expect(dot).to_have_attribute("data-on", "true")

    page.keyboard.press("F5")  # nothing runs: F5 starts a debug run
    show = app.node("show").locator(".ne-node")
    expect(show).to_have_attribute("data-paused", "breakpoint", timeout=60_000)
    expect(page.get_by_test_id("paused-status")).to_contain_text("Paused at a breakpoint")
    expect(variable(page, "index")).to_contain_text("0")
    expect(variable(page, "index")).to_have_attribute("data-scope", "global")
    expect(page.locator('.cm-line[data-paused-line="true"]')).to_contain_text("print(index * 3)")
    app.screenshot("debug-paused")

    # Step: to the next statement node run, print again with index 1.
    page.get_by_test_id("step").click()
    expect(show).to_have_attribute("data-paused", "step")
    expect(variable(page, "index").get_by_test_id("variable-repr")).to_have_text("1")
    expect(page.get_by_test_id("console-output")).to_contain_text("0")

    # Continue: to the breakpoint again (index 2).
    page.get_by_test_id("continue").click()
    expect(show).to_have_attribute("data-paused", "breakpoint")
    expect(variable(page, "index").get_by_test_id("variable-repr")).to_have_text("2")

    # Removed while paused, then F5: the run goes to its end.
    dot.click()
    expect(dot).to_have_attribute("data-on", "false")
    page.keyboard.press("F5")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    expect(show).not_to_have_attribute("data-paused", re.compile(".+"))
    expect(count_badge(app, "show")).to_have_text(f"{TIMES}3")
    expect(count_badge(app, "after")).to_have_text(f"{TIMES}1")
    assert app.console_text().count("\n") >= 4
    # The variables of the last pause stay, greyed, until the next run.
    expect(page.get_by_test_id("variables-panel")).to_have_attribute("data-paused", "false")


def test_real_stop_while_paused(app: App):
    page = open_loop_graph(app, ask=False)
    app.node("show").get_by_test_id("breakpoint").click()
    page.get_by_test_id("debug").click()
    expect(app.node("show").locator(".ne-node")).to_have_attribute(
        "data-paused", "breakpoint", timeout=60_000
    )
    page.get_by_test_id("kill").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("killed")
    expect(page.get_by_test_id("continue")).to_have_count(0)
    expect(page.get_by_test_id("run")).to_be_visible()


HOSTILE = '<img src=x onerror="window.__pwned=1">'


def test_scripted_trace_pause_step_continue(app: App):
    page = app.page
    server = ScriptedServer(page)
    steps: list[str] = []

    def on_run(message: dict[str, Any]) -> None:
        server.send(type="queued", run_id="r1", ref=message["ref"], position=0)
        server.send(type="started", run_id="r1")
        server.send(type="trace", run_id="r1", counts={"loop": 1}, values={}, current="loop")
        server.send(type="stdout", run_id="r1", data="before\n")
        server.send(
            type="paused",
            run_id="r1",
            node_id="show",
            reason="breakpoint",
            variables=[
                {"name": "index", "type": "int", "repr": "0", "scope": "global"},
                {"name": "html", "type": "str", "repr": repr(HOSTILE), "scope": "global"},
                {"name": "n", "type": "int", "repr": "5", "scope": "local"},
            ],
        )

    def on_resume(message: dict[str, Any]) -> None:
        steps.append(message["mode"])
        if message["mode"] == "step":
            server.send(
                type="trace",
                run_id="r1",
                counts={"show": 1},
                values={VALUE_EDGE: "0"},
                current="show",
            )
            server.send(
                type="paused",
                run_id="r1",
                node_id="show",
                reason="step",
                variables=[{"name": "index", "type": "int", "repr": "1", "scope": "global"}],
            )
        else:
            server.send(
                type="trace",
                run_id="r1",
                counts={"show": 3, "after": 1},
                values={VALUE_EDGE: HOSTILE * 3},
                current=None,
            )
            server.send(
                type="exit",
                run_id="r1",
                exit_code=0,
                reason="ok",
                duration_ms=12,
                node_id=None,
                message="",
            )

    server.on_run = on_run
    server.on_resume = on_resume
    open_loop_graph(app, ask=False)

    toggle_breakpoint_with_f9(app, "show")
    expect(app.node("show").get_by_test_id("breakpoint")).to_have_attribute("data-on", "true")
    # Events and values never take breakpoints: F9 on them does nothing.
    toggle_breakpoint_with_f9(app, "start")
    expect(app.node("start").get_by_test_id("breakpoint")).to_have_count(0)

    page.get_by_test_id("debug").click()
    show = app.node("show").locator(".ne-node")
    expect(show).to_have_attribute("data-paused", "breakpoint")
    run = server.sent("run")[0]
    assert run["debug"] == {"breakpoints": ["show"]}
    assert {n["id"] for n in run["graph"]["nodes"]} >= {"loop", "show"}
    expect(page.get_by_test_id("console-output")).to_contain_text("before")
    expect(variable(page, "html").get_by_test_id("variable-repr")).to_contain_text(HOSTILE)
    expect(page.get_by_test_id("variables-locals")).to_contain_text("n")
    expect(count_badge(app, "loop")).to_have_text(f"{TIMES}1")
    expect(page.locator('.cm-line[data-paused-line="true"]')).to_contain_text("print(index * 3)")
    expect(page.get_by_test_id("continue")).to_be_visible()
    app.screenshot("debug-scripted-paused")

    page.keyboard.press("F10")
    expect(show).to_have_attribute("data-paused", "step")
    expect(variable(page, "index").get_by_test_id("variable-repr")).to_have_text("1")
    expect(wire_value(app, VALUE_EDGE)).to_have_text("0")

    # A breakpoint added while paused reaches the run.
    app.node("after").get_by_test_id("breakpoint").click()
    expect(app.node("after").get_by_test_id("breakpoint")).to_have_attribute("data-on", "true")

    page.keyboard.press("F5")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    assert steps == ["step", "continue"]
    assert server.sent("resume") == [
        {"type": "resume", "run_id": "r1", "mode": "step"},
        {"type": "resume", "run_id": "r1", "mode": "continue"},
    ]
    assert server.sent("breakpoints") == [
        {"type": "breakpoints", "run_id": "r1", "nodes": ["show", "after"]}
    ]
    expect(count_badge(app, "show")).to_have_text(f"{TIMES}3")
    # The value is text, cut short on the wire, whole in its title; the markup never ran.
    label = wire_value(app, VALUE_EDGE)
    expect(label).to_have_attribute("title", HOSTILE * 3)
    assert len(label.inner_text()) == 24
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0
    expect(page.locator(".ne-node.ne-running")).to_have_count(0)


def test_scripted_exception_pause_and_glow(app: App):
    page = app.page
    server = ScriptedServer(page)

    def on_run(message: dict[str, Any]) -> None:
        server.send(type="queued", run_id="r2", ref=message["ref"], position=0)
        server.send(type="started", run_id="r2")
        server.send(
            type="trace",
            run_id="r2",
            counts={"loop": 1, "show": 2},
            values={VALUE_EDGE: "3"},
            current="show",
        )

    def on_resume(message: dict[str, Any]) -> None:
        server.send(type="stderr", run_id="r2", data="Traceback ...\nZeroDivisionError\n")
        server.send(
            type="exit",
            run_id="r2",
            exit_code=1,
            reason="error",
            duration_ms=9,
            node_id="show",
            message="ZeroDivisionError",
        )

    server.on_run = on_run
    server.on_resume = on_resume
    open_loop_graph(app, ask=False)
    page.keyboard.press("F5")
    show = app.node("show").locator(".ne-node")
    expect(show).to_have_attribute("data-running", "true")
    expect(count_badge(app, "show")).to_have_text(f"{TIMES}2")
    expect(wire_value(app, VALUE_EDGE)).to_have_text("3")
    app.screenshot("debug-scripted-running")

    server.send(type="paused", run_id="r2", node_id="show", reason="exception", variables=[])
    expect(show).to_have_attribute("data-paused", "exception")
    expect(show).not_to_have_attribute("data-running", "true")
    expect(page.get_by_test_id("paused-status")).to_contain_text("exception")
    expect(page.locator('.cm-line[data-paused-line="exception"]')).to_contain_text(
        "print(index * 3)"
    )
    page.get_by_test_id("continue").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 1")
    # `after` never ran: dimmed; a plain Run afterwards clears the debug marks.
    expect(app.node("after").locator(".ne-node")).to_have_attribute("data-dimmed", "true")
    server.on_run = lambda message: server.send(
        type="error", ref=message["ref"], code="x", message="not now"
    )
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("not now")
    assert "debug" not in server.sent("run")[-1]
    expect(page.get_by_test_id("run-count")).to_have_count(0)
    expect(page.locator(".ne-node.ne-dimmed")).to_have_count(0)
