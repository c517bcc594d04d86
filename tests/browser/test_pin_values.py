"""Values typed on pins: an unwired data input shows a field whose value the compiler uses; a wire
hides the field but keeps the value, which is back when the wire goes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]

VIEWPORT = {"x": 130, "y": 60, "zoom": 1}


def loop_graph() -> dict:
    """On Start -> For range (body -> Print of the index, then -> Print), and a Literal 2 aside."""
    return {
        "name": "Pins",
        "viewport": VIEWPORT,
        "nodes": [
            node("start", "on_start", 0, 0),
            node("loop", "for_range", 220, 0),
            node("show", "print", 520, 0),
            node("greet", "print", 520, 170),
            node("two", "literal", -100, 320, kind="number", value="2"),
        ],
        "edges": [
            edge("start", "next", "loop", "exec"),
            edge("loop", "body", "show", "exec"),
            edge("loop", "index", "show", "value"),
            edge("loop", "next", "greet", "exec"),
        ],
    }


def click_edge(app: App, source: str, target: str) -> None:
    """Click the middle of the wire between two nodes (a point on the curve, not its box)."""
    point = app.page.evaluate(
        """([source, target]) => {
            const edge = document.querySelector(
                `.react-flow__edge[aria-label="Edge from ${source} to ${target}"]`);
            const path = edge.querySelector(".react-flow__edge-interaction");
            const mid = path.getPointAtLength(path.getTotalLength() / 2);
            const screen = new DOMPoint(mid.x, mid.y).matrixTransform(path.getScreenCTM());
            return { x: screen.x, y: screen.y };
        }""",
        [source, target],
    )
    app.page.mouse.click(point["x"], point["y"])


def test_a_typed_pin_value_is_used_until_a_wire_replaces_it(app: App):
    page = app.page
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", loop_graph())
    app.open_graph(graph["id"])
    code = page.get_by_test_id("code-view")
    loop = app.node("loop")
    stop = loop.locator('[data-pin="stop"]')

    # Untyped, the field hints the port's default; typing a value changes the code.
    expect(stop).to_have_value("")
    expect(stop).to_have_attribute("placeholder", "10")
    expect(loop.locator('[data-pin="start"]')).to_be_visible()
    # A wired input has no field.
    expect(app.node("show").locator('[data-pin="value"]')).to_have_count(0)
    stop.fill("3")
    expect(code).to_contain_text("range(3)")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")
    app.screenshot("pin-value-typed")

    # A wire takes over: the field goes, the code reads the wired value.
    app.wire(app.port(app.node("two"), "value"), app.port(loop, "stop"))
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    expect(stop).to_have_count(0)
    expect(code).to_contain_text("range(2)")
    expect(code).not_to_contain_text("range(3)")

    # Without the wire the typed value is back, in the field and in the code.
    click_edge(app, "two", "loop")
    expect(page.locator(".react-flow__edge.selected")).to_have_count(1)
    page.keyboard.press("Delete")
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    expect(stop).to_have_value("3")
    expect(code).to_contain_text("range(3)")
    expect(code).not_to_contain_text("range(2)")

    # An any-typed input stores typed text as a string.
    greet = app.node("greet").locator('[data-pin="value"]')
    greet.fill("hello")
    expect(code).to_contain_text("print('hello')")

    # Saved with the graph and shown again after a reload.
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "false")
    saved = app.api("GET", f"/api/graphs/{graph['id']}/")
    inputs = {n["id"]: n["data"].get("inputs") for n in saved["nodes"]}
    assert inputs["loop"] == {"stop": 3}
    assert inputs["greet"] == {"value": "hello"}
    page.reload()
    expect(app.node("loop").locator('[data-pin="stop"]')).to_have_value("3")
    expect(app.node("greet").locator('[data-pin="value"]')).to_have_value("hello")
    app.screenshot("pin-value-reloaded")
