"""Canvas view tools: zoom controls, wheel zoom, fit view, minimap, auto-arrange."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FloatRect, expect

from harness.browser import App
from harness.waiting import wait_until
from tests.browser.graph_docs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]


def changed(app: App, before: tuple[float, float, float]) -> tuple[float, float, float]:
    """The viewport once it differs from `before` and has settled (the controls animate)."""
    wait_until(
        lambda: app.viewport() != before,
        10,
        f"the viewport to move from {before}",
        interval=0.05,
        retry_on=(),
        pause=lambda seconds: app.page.wait_for_timeout(seconds * 1000),
    )
    settled = app.viewport()
    while True:
        app.page.wait_for_timeout(150)
        now = app.viewport()
        if now == settled:
            return now
        settled = now


def all_inside_the_canvas(app: App, node_ids: tuple[str, ...]) -> FloatRect:
    pane = app.page.locator(".react-flow__pane").bounding_box()
    assert pane
    for node_id in node_ids:
        box = app.node(node_id).bounding_box()
        assert box
        assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"]
        assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
    return pane


def test_zoom_controls_fit_view_and_minimap_move_the_view(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST",
        "/api/graphs/",
        {
            "name": "Spread out",
            "viewport": {"x": 0, "y": 0, "zoom": 1},
            "nodes": [node("a", "on_start", 0, 0), node("b", "print", 1800, 1200)],
            "edges": [edge("a", "next", "b", "exec")],
        },
    )
    app.open_graph(graph["id"])
    start = app.viewport()
    assert start == (0, 0, 1)

    page.locator(".react-flow__controls-zoomin").click()
    zoomed_in = changed(app, start)
    assert zoomed_in[2] > 1
    page.locator(".react-flow__controls-zoomout").click()
    page.locator(".react-flow__controls-zoomout").click()
    zoomed_out = changed(app, zoomed_in)
    assert zoomed_out[2] < 1

    # Fit view: both far-apart nodes end up inside the canvas.
    page.locator(".react-flow__controls-fitview").click()
    fitted = changed(app, zoomed_out)
    assert fitted[2] < 1
    pane = all_inside_the_canvas(app, ("a", "b"))

    # The mouse wheel zooms around the pointer.
    page.mouse.move(pane["x"] + 200, pane["y"] + 200)
    page.mouse.wheel(0, -300)
    wheeled = changed(app, fitted)
    assert wheeled[2] > fitted[2]

    # The minimap shows both nodes, and dragging in it pans the canvas.
    minimap = page.locator(".react-flow__minimap")
    expect(minimap.locator(".react-flow__minimap-node")).to_have_count(2)
    mini = minimap.bounding_box()
    assert mini
    page.mouse.move(mini["x"] + mini["width"] / 2, mini["y"] + mini["height"] / 2)
    page.mouse.down()
    page.mouse.move(
        mini["x"] + mini["width"] / 2 + 40, mini["y"] + mini["height"] / 2 + 25, steps=6
    )
    page.mouse.up()
    panned = changed(app, wheeled)
    assert panned[2] == pytest.approx(wheeled[2])
    assert (panned[0], panned[1]) != (wheeled[0], wheeled[1])

    # The toolbar's fit view does what the control does.
    page.get_by_test_id("fit-view").click()
    refitted = changed(app, panned)
    assert refitted[2] < wheeled[2]
    all_inside_the_canvas(app, ("a", "b"))
    app.screenshot("canvas-fit-view")


def test_auto_arrange_lays_the_graph_out_and_undo_puts_it_back(app: App):
    page = app.page
    app.sign_up()
    # A chain drawn backwards and piled up: auto-arrange spreads it left to right.
    graph = app.api(
        "POST",
        "/api/graphs/",
        {
            "name": "Messy",
            "viewport": {"x": 100, "y": 100, "zoom": 0.8},
            "nodes": [
                node("start", "on_start", 600, 0),
                node("text", "literal", 300, 20, kind="text", value="tidy"),
                node("show", "print", 0, 40),
            ],
            "edges": [
                edge("start", "next", "show", "exec"),
                edge("text", "value", "show", "value"),
            ],
        },
    )
    app.open_graph(graph["id"])
    before = {n: app.node_position(n) for n in ("start", "text", "show")}

    page.get_by_test_id("arrange").click()
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")
    page.wait_for_function(
        "() => !document.querySelector('.react-flow__node[data-id=show]').style.transform"
        ".includes('translate(0px, 40px)')"
    )
    after = {n: app.node_position(n) for n in ("start", "text", "show")}
    assert after != before
    # Sources come before the node they feed.
    assert after["start"][0] < after["show"][0]
    assert after["text"][0] < after["show"][0]
    # No two nodes overlap.
    boxes = [app.node(n).bounding_box() for n in ("start", "text", "show")]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a and b
            apart_x = a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
            apart_y = a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            assert apart_x or apart_y, f"{a} overlaps {b}"
    app.screenshot("canvas-auto-arrange")

    page.keyboard.press("Control+z")
    expect(app.node("show")).to_have_attribute("style", re.compile(r"translate\(0px, 40px\)"))
