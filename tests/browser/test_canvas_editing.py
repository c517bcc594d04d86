"""Editing on the canvas: palette search, typed ports, the wire's validity cue, multi-select, move,
delete, copy/paste across graphs, and diagnostics on nodes and in the problems list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]

VIEWPORT = {"x": 80, "y": 80, "zoom": 1}
VALID, INVALID = "#22c55e", "#ef4444"


def test_palette_search_and_double_click_add(app: App):
    page = app.page
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", {"name": "Palette"})
    app.open_graph(graph["id"])
    palette = page.get_by_test_id("palette")
    expect(palette.get_by_role("heading", name="Control")).to_be_visible()
    palette.get_by_label("Search nodes").fill("for ")
    expect(page.get_by_test_id("palette-for_range")).to_be_visible()
    expect(page.get_by_test_id("palette-print")).to_have_count(0)
    expect(palette.get_by_role("heading", name="Input / Output")).to_have_count(0)
    page.get_by_test_id("palette-for_range").dblclick()
    expect(page.locator(".react-flow__node-for_range")).to_have_count(1)


def test_ports_show_their_kind_and_a_wire_shows_whether_it_fits(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST",
        "/api/graphs/",
        {
            "name": "Cues",
            "viewport": VIEWPORT,
            "nodes": [node("start", "on_start", 0, 0), node("show", "print", 380, 0)],
        },
    )
    app.open_graph(graph["id"])
    start, show = app.node("start"), app.node("show")
    expect(app.port(show, "exec")).to_have_attribute("data-kind", "exec")
    expect(app.port(show, "value")).to_have_attribute("data-kind", "data")
    expect(app.port(show, "value")).to_have_attribute("title", "value: any")
    expect(show).to_contain_text("any")

    # While a wire is drawn it turns red over a port that refuses it, green over one that takes it.
    line = page.locator(".react-flow__connection path").first
    a = app.port(start, "next").bounding_box()
    bad = app.port(show, "value").bounding_box()
    good = app.port(show, "exec").bounding_box()
    assert a and bad and good
    page.mouse.move(a["x"] + 6, a["y"] + 6)
    page.mouse.down()
    page.mouse.move(bad["x"] + 6, bad["y"] + 6, steps=8)
    expect(line).to_have_attribute("stroke", INVALID)
    app.screenshot("wire-invalid")
    page.mouse.move(good["x"] + 6, good["y"] + 6, steps=8)
    expect(line).to_have_attribute("stroke", VALID)
    page.mouse.up()
    expect(page.locator(".react-flow__edge")).to_have_count(1)


def test_select_several_move_delete_and_paste_into_another_graph(app: App):
    page = app.page
    app.sign_up()
    doc = {
        "name": "Source",
        "viewport": VIEWPORT,
        "nodes": [
            node("start", "on_start", 0, 0),
            node("text", "literal", 0, 160, kind="text", value="carried over"),
            node("show", "print", 320, 0),
        ],
        "edges": [edge("start", "next", "show", "exec"), edge("text", "value", "show", "value")],
    }
    source = app.api("POST", "/api/graphs/", doc)
    target = app.api("POST", "/api/graphs/", {"name": "Target", "viewport": VIEWPORT})
    app.open_graph(source["id"])

    # Shift + drag on empty canvas draws a selection box.
    a = app.node("start").bounding_box()
    b = app.node("text").bounding_box()
    assert a and b
    page.keyboard.down("Shift")
    page.mouse.move(a["x"] - 20, a["y"] - 20)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] + 20, b["y"] + b["height"] + 20, steps=8)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)
    expect(app.node("show")).not_to_have_class(re.compile(r"\bselected\b"))
    page.locator(".react-flow__pane").click(position={"x": 400, "y": 520})
    expect(page.locator(".react-flow__node.selected")).to_have_count(0)

    # Click one node, shift-click another: both selected.
    app.node("text").click(position={"x": 40, "y": 10})
    app.node("show").click(position={"x": 40, "y": 10}, modifiers=["Shift"])
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)

    # Dragging one moves the whole selection.
    before = {n: app.node_position(n) for n in ("start", "text", "show")}
    head = app.node("show").bounding_box()
    assert head
    page.mouse.move(head["x"] + 40, head["y"] + 10)
    page.mouse.down()
    page.mouse.move(head["x"] + 140, head["y"] + 60, steps=10)
    page.mouse.up()
    after = {n: app.node_position(n) for n in ("start", "text", "show")}
    assert after["start"] == before["start"]
    # (React Flow starts a drag past a small threshold, so the distance is not exactly the mouse's.)
    shift = (after["show"][0] - before["show"][0], after["show"][1] - before["show"][1])
    assert shift[0] > 60 and shift[1] > 25
    assert after["text"] == (before["text"][0] + shift[0], before["text"][1] + shift[1])
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")

    # Copy the two, paste them into the other graph: they keep their wire and params.
    page.keyboard.press("Control+c")
    expect(page.get_by_test_id("notice")).to_contain_text("Copied 2 nodes")
    # Delete takes both out of this graph, with their wires.
    page.keyboard.press("Delete")
    expect(page.locator(".react-flow__node")).to_have_count(1)
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")

    app.open_graph(target["id"])
    expect(page.locator(".react-flow__node")).to_have_count(0)
    page.locator(".react-flow__pane").click(position={"x": 200, "y": 200})
    page.keyboard.press("Control+v")
    expect(page.locator(".react-flow__node")).to_have_count(2)
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.locator(".react-flow__node-literal").get_by_label("Value")).to_have_value(
        "carried over"
    )
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")
    saved = app.api("GET", f"/api/graphs/{target['id']}/")
    assert sorted(n["type"] for n in saved["nodes"]) == ["literal", "print"]
    assert len(saved["edges"]) == 1


def test_diagnostics_mark_nodes_and_the_problems_list_leads_to_them(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST",
        "/api/graphs/",
        {
            "name": "Problems",
            "viewport": VIEWPORT,
            "nodes": [
                node("start", "on_start", 0, 0),
                node("stop", "break", 300, 0),
                node("code", "python_code", 0, 200, code="x = 1", inputs="", outputs="not valid"),
            ],
            "edges": [edge("start", "next", "code", "exec"), edge("code", "next", "stop", "exec")],
        },
    )
    app.open_graph(graph["id"])
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("error")
    badge = app.node("stop").get_by_test_id("node-diagnostic")
    expect(badge).to_be_visible()
    expect(app.node("stop").locator(".ne-has-error")).to_have_count(1)
    expect(app.node("code").locator(".ne-has-error")).to_have_count(1)
    expect(app.node("start").get_by_test_id("node-diagnostic")).to_have_count(0)
    app.screenshot("problems")

    problems.get_by_role("button", name="Break").first.click()
    expect(page.locator(".react-flow__node.selected")).to_have_count(1)
    expect(page.locator('.react-flow__node.selected[data-id="stop"]')).to_have_count(1)
