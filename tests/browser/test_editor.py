"""The editor end to end: a real browser against daphne, the run pool and Docker sandboxes."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from harness.browser import ARTIFACTS, ROOT, App
from tests.browser.graph_docs import endless_loop_graph

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]


def test_build_a_graph_run_it_save_and_reload(app: App):
    page = app.page
    app.sign_up()
    # A new account lands on its example graphs.
    expect(page.get_by_test_id("graph-list")).to_contain_text("Hello, world")
    page.get_by_role("button", name="New graph").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    canvas = page.locator(".react-flow__pane")

    page.get_by_test_id("palette-on_start").drag_to(canvas, target_position={"x": 200, "y": 150})
    page.get_by_test_id("palette-print").drag_to(canvas, target_position={"x": 550, "y": 150})
    page.get_by_test_id("palette-literal").drag_to(canvas, target_position={"x": 250, "y": 330})
    start = page.locator(".react-flow__node-on_start")
    printer = page.locator(".react-flow__node-print")
    literal = page.locator(".react-flow__node-literal")
    expect(start).to_have_count(1)
    expect(printer).to_have_count(1)
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")

    # An execution output refuses a data input: no wire appears.
    app.wire(app.port(start, "next"), app.port(printer, "value"))
    expect(page.get_by_test_id("notice")).to_contain_text("execution")
    expect(page.locator(".react-flow__edge")).to_have_count(0)

    app.wire(app.port(start, "next"), app.port(printer, "exec"))
    literal.get_by_label("Kind").select_option("text")
    literal.get_by_label("Value").fill("hello from the editor")
    app.wire(app.port(literal, "value"), app.port(printer, "value"))
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    # The live code follows the graph.
    expect(page.get_by_test_id("code-view")).to_contain_text("print('hello from the editor')")

    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("console-output")).to_contain_text("hello from the editor")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    app.screenshot("editor-hello-run")

    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")
    page.reload()
    expect(page.locator(".react-flow__node")).to_have_count(3)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    expect(page.locator(".react-flow__node-literal").get_by_label("Value")).to_have_value(
        "hello from the editor"
    )


def test_undo_and_redo_restore_the_canvas(app: App):
    page = app.page
    app.sign_up()
    page.get_by_text("Hello, world").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    nodes = page.locator(".react-flow__node")
    expect(nodes).to_have_count(2)
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    page.locator(".react-flow__node-print").click(position={"x": 40, "y": 10})
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(1)
    expect(page.locator(".react-flow__edge")).to_have_count(0)

    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(2)
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(1)
    page.get_by_test_id("undo").click()
    expect(nodes).to_have_count(2)

    # Copy and paste duplicate the selection with its inner wires.
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(nodes).to_have_count(4)
    expect(page.locator(".react-flow__edge")).to_have_count(2)


def test_a_script_reads_what_the_user_types(app: App):
    page = app.page
    app.sign_up()
    page.get_by_text("Ask for your name").click()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("console-output")).to_contain_text("What is your name?")
    box = page.get_by_test_id("console-input")
    expect(box).to_be_enabled()
    box.fill("Ada")
    box.press("Enter")
    expect(page.get_by_test_id("console-output")).to_contain_text("Nice to meet you, Ada!")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    app.screenshot("editor-input")


def test_kill_stops_an_endless_loop(app: App):
    page = app.page
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", endless_loop_graph())
    app.open_graph(graph["id"])
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("console-output")).to_contain_text("tick")
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-phase", "running")
    page.get_by_test_id("kill").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("killed")
    expect(page.get_by_test_id("run")).to_be_visible()


def test_a_failing_run_highlights_the_node_that_raised(app: App):
    page = app.page
    app.sign_up()
    page.get_by_text("A graph that fails").click()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("exception")
    expect(page.locator('[data-stream="stderr"]').first).to_be_visible()
    expect(page.locator(".ne-raised")).to_have_count(1)
    app.screenshot("editor-error")


def test_another_user_cannot_open_my_graph(make_app):
    owner = make_app()
    owner.sign_up()
    graph = owner.api("POST", "/api/graphs/", {"name": "Private", "nodes": [], "edges": []})
    stranger = make_app()
    stranger.sign_up()
    stranger.page.goto(stranger.url(f"/graphs/{graph['id']}"))
    expect(stranger.page.get_by_test_id("load-error")).to_contain_text("not yours")
    expect(stranger.page.locator(".react-flow__node")).to_have_count(0)


def test_streaming_example_for_the_readme_screenshot(app: App):
    page = app.page
    app.sign_up()
    page.get_by_text("Counting with pauses").click()
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")
    page.get_by_test_id("run").click()
    # Lines arrive one by one while the script still runs.
    expect(page.get_by_test_id("console-output")).to_contain_text("Tick 2")
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-phase", "running")
    page.locator(".react-flow__node-print").first.click(position={"x": 40, "y": 10})
    path = app.screenshot("editor-streaming")
    shutil.copy(path, ROOT / "docs" / "editor.png")
    assert re.search(r"Tick 0\s+Tick 1", app.console_text())
    assert (ARTIFACTS / "editor-streaming.png").exists()
