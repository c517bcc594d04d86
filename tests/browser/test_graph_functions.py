"""A graph as a function, in the editor (issue 23): a graph with two Graph inputs and a Graph
output, used from a second graph as a `graph` node picked from the palette's "My graphs", run
through the inputs form, its outputs shown in the console as a table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

VIEWPORT = {"x": 80, "y": 60, "zoom": 0.8}


def port_node(node_id: str, node_type: str, x: float, y: float, **params: str) -> dict:
    """A Graph input or output node (its `type` param would clash with node()'s argument)."""
    made = node(node_id, node_type, x, y)
    made["data"]["params"] = params
    return made


def adder() -> dict:
    """sum = a + b, a and b Graph inputs (numbers), sum a Graph output."""
    return {
        "name": "Adder",
        "viewport": VIEWPORT,
        "nodes": [
            node("start", "on_start", 0, 0),
            port_node("a", "graph_input", 0, 150, name="a", type="number", description="first"),
            port_node("b", "graph_input", 0, 380, name="b", type="number", description="second"),
            node("add", "arithmetic", 330, 250, op="+"),
            port_node("out", "graph_output", 620, 0, name="sum", type="number"),
        ],
        "edges": [
            edge("start", "next", "out", "exec"),
            edge("a", "value", "add", "a"),
            edge("b", "value", "add", "b"),
            edge("add", "result", "out", "value"),
        ],
    }


def caller() -> dict:
    """Graph inputs x and y and a Graph output total, to be joined through a graph node."""
    return {
        "name": "Caller",
        "viewport": VIEWPORT,
        "nodes": [
            node("start", "on_start", 0, 0),
            port_node("x", "graph_input", 0, 170, name="x", type="int", description="left"),
            port_node("y", "graph_input", 0, 420, name="y", type="int", description="right"),
            port_node("total", "graph_output", 900, 0, name="total", type="number"),
        ],
        "edges": [],
    }


def test_a_graph_used_as_a_node_runs_with_inputs_from_the_form(app: App):
    page = app.page
    app.sign_up()
    function = app.api("POST", "/api/graphs/", adder())
    app.api("POST", "/api/graphs/", {"name": "Plain", "nodes": [], "edges": []})
    assert app.api("GET", f"/api/graphs/{function['id']}/signature/")["inputs"][0]["name"] == "a"

    # The function graph in the editor: its Graph input nodes show their params.
    app.open_graph(function["id"])
    palette = page.get_by_test_id("palette")
    expect(palette.get_by_test_id("palette-graph_input")).to_have_text("Graph input")
    expect(palette.get_by_test_id("palette-graph_output")).to_have_text("Graph output")
    expect(app.node("a").get_by_label("Name")).to_have_value("a")
    expect(app.node("a").get_by_label("Type")).to_have_value("number")
    expect(app.node("a").get_by_label("Description")).to_have_value("first")

    # The second graph uses it, picked from "My graphs" (only graphs with a signature are listed).
    second = app.api("POST", "/api/graphs/", caller())
    app.open_graph(second["id"])
    page.get_by_test_id("palette-my-graphs").locator("summary").click()
    item = page.get_by_test_id(f"palette-graph-{function['id']}")
    expect(item).to_have_text("Adder")
    expect(page.get_by_test_id("palette-my-graphs")).not_to_contain_text("Plain")
    expect(page.get_by_test_id("palette-my-graphs")).not_to_contain_text("Caller")
    item.dblclick()
    used = page.locator(".react-flow__node-graph")
    expect(used).to_have_count(1)
    expect(used.get_by_test_id("graph-node-name")).to_have_text("Adder")
    expect(used.get_by_test_id("graph-node-version")).to_have_text(f"v{function['version']}")
    # Its ports come from the pinned signature.
    for port in ("exec", "next", "in:a", "in:b", "out:sum"):
        expect(app.port(used, port)).to_have_count(1)

    # Move it between the inputs and the output, then wire it in.
    box = used.locator(".ne-node").bounding_box()
    assert box
    page.mouse.move(box["x"] + 40, box["y"] + 8)
    page.mouse.down()
    target = app.node("x").bounding_box()
    assert target
    page.mouse.move(target["x"] + 380, target["y"] - 60, steps=8)
    page.mouse.up()
    app.wire(app.port(app.node("start"), "next"), app.port(used, "exec"))
    app.wire(app.port(app.node("x"), "value"), app.port(used, "in:a"))
    app.wire(app.port(app.node("y"), "value"), app.port(used, "in:b"))
    app.wire(app.port(used, "next"), app.port(app.node("total"), "exec"))
    app.wire(app.port(used, "out:sum"), app.port(app.node("total"), "value"))
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    saved = app.api("GET", f"/api/graphs/{second['id']}/")
    used_node = next(n for n in saved["nodes"] if n["type"] == "graph")
    assert used_node["data"]["params"]["graph_id"] == function["id"]
    assert used_node["data"]["params"]["version"] == function["version"]
    # The live compile knows the signature: the form has what it needs.
    expect(page.get_by_test_id("code-view")).to_contain_text("_ne_inputs")

    # Run: the form asks for x and y (required: no defaults); a wrong value is refused in place.
    page.get_by_test_id("run").click()
    form = page.get_by_test_id("run-inputs-dialog")
    expect(form).to_be_visible()
    expect(form.get_by_test_id("run-input-x")).to_contain_text("left")
    form.get_by_label("x").fill("2.5")
    form.get_by_label("y").fill("40")
    form.get_by_test_id("run-inputs-submit").click()
    error = form.get_by_test_id("run-input-x").get_by_test_id("run-input-error")
    expect(error).to_have_text("Must be a whole number.")
    form.get_by_label("x").fill("2")
    form.get_by_test_id("run-inputs-submit").click()
    expect(form).to_be_hidden()

    # The outputs, after the run, as a table: name, value.
    outputs = page.locator('[data-testid="console-display"][data-caption="Outputs"]')
    expect(outputs).to_have_count(1, timeout=60_000)
    expect(outputs.locator("thead")).to_contain_text("name")
    expect(outputs.locator("tbody tr")).to_have_count(1)
    expect(outputs.locator("tbody tr").first).to_contain_text("total")
    expect(outputs.locator("tbody tr").first).to_contain_text("42")

    # The values are remembered for this graph: the form opens with them again.
    page.get_by_test_id("run").click()
    expect(form.get_by_label("x")).to_have_value("2")
    expect(form.get_by_label("y")).to_have_value("40")
