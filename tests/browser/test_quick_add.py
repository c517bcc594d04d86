"""Quick-add: the node search opened by a canvas double-click or a wire dropped on empty canvas."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]

VIEWPORT = {"x": 80, "y": 80, "zoom": 1}


def test_double_click_on_the_canvas_adds_the_chosen_node_where_clicked(app: App):
    page = app.page
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", {"name": "Quick", "viewport": VIEWPORT})
    app.open_graph(graph["id"])
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box

    pane.dblclick(position={"x": 320, "y": 220})
    quick = page.get_by_test_id("quick-add")
    expect(quick).to_be_visible()
    expect(quick.locator("input")).to_be_focused()
    quick.locator("input").fill("prin")
    expect(quick.get_by_role("button").first).to_contain_text("Print")
    quick.locator("input").press("Enter")
    expect(quick).to_have_count(0)
    printer = page.locator(".react-flow__node-print")
    expect(printer).to_have_count(1)
    drawn = printer.bounding_box()
    assert drawn
    assert abs(drawn["x"] - (box["x"] + 320)) < 30 and abs(drawn["y"] - (box["y"] + 220)) < 30
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")

    # A search with no match says so; Escape closes without adding anything.
    pane.dblclick(position={"x": 560, "y": 100})
    quick.locator("input").fill("no such node type")
    expect(quick).to_contain_text("No matching node")
    quick.locator("input").press("Escape")
    expect(quick).to_have_count(0)
    expect(page.locator(".react-flow__node")).to_have_count(1)
    app.screenshot("quick-add-double-click")


def test_a_wire_dropped_on_empty_canvas_adds_a_node_joined_to_it(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST",
        "/api/graphs/",
        {"name": "Wires", "viewport": VIEWPORT, "nodes": [node("start", "on_start", 0, 0)]},
    )
    app.open_graph(graph["id"])
    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane
    start = app.node("start")

    # From an execution output: only nodes with an execution input are offered.
    app.drop_wire(app.port(start, "next"), pane["x"] + 420, pane["y"] + 120)
    quick = page.get_by_test_id("quick-add")
    expect(quick).to_be_visible()
    expect(quick.locator("input")).to_have_attribute(
        "placeholder", "Add a node joined to the wire…"
    )
    quick.locator("input").fill("literal")
    expect(quick).to_contain_text("No matching node")
    quick.locator("input").fill("print")
    quick.get_by_role("button", name="Print").click()
    printer = page.locator(".react-flow__node-print")
    expect(printer).to_have_count(1)
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    # From a data input backwards: the new node's output feeds it.
    app.drop_wire(app.port(printer, "value"), pane["x"] + 150, pane["y"] + 330)
    expect(quick).to_be_visible()
    quick.locator("input").fill("liter")
    quick.locator("input").press("Enter")
    literal = page.locator(".react-flow__node-literal")
    expect(literal).to_have_count(1)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    literal.get_by_label("Kind").select_option("text")
    literal.get_by_label("Value").fill("joined by quick-add")
    expect(page.get_by_test_id("code-view")).to_contain_text("print('joined by quick-add')")
    app.screenshot("quick-add-wire")

    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")
    saved = app.api("GET", f"/api/graphs/{graph['id']}/")
    types = {n["id"]: n["type"] for n in saved["nodes"]}
    wires = {
        (types[e["source"]], e["sourceHandle"], types[e["target"]], e["targetHandle"])
        for e in saved["edges"]
    }
    assert wires == {("on_start", "next", "print", "exec"), ("literal", "value", "print", "value")}
