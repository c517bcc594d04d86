"""Your own nodes in the editor (issue 24): a function written in the "New node from Python"
dialog, its pins in the live preview (a syntax error first, named with its line), saved, in the
palette's "My nodes" without a reload, dropped on the canvas, wired and run; then edited into a
version 2 that renames a parameter, and the placed node updated to it: the wire on the lost pin
stays, red, and the Problems list names it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

BROKEN = "def triple(x: float\n"

RENAMED = '''def triple(y: float, label: str = "n") -> str:
    """Three times y, labelled."""
    return f"{label}={y * 3:g}"
'''

FUNCTION = '''def triple(x: float, label: str = "n") -> str:
    """Three times x, labelled."""
    return f"{label}={x * 3:g}"
'''


def write_code(app: App, code: str) -> None:
    """Replace the dialog's code, as one paste (typing would let the editor auto-indent)."""
    editor = app.page.get_by_test_id("library-code").locator(".cm-content")
    editor.click()
    app.page.keyboard.press("ControlOrMeta+a")
    app.page.keyboard.insert_text(code)


def entries_of(app: App) -> list[dict]:
    listed = app.api("GET", "/api/node-library/")
    return listed["results"] if isinstance(listed, dict) else listed


def test_a_function_becomes_a_node_from_the_dialog_to_a_run(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST",
        "/api/graphs/",
        {
            "name": "Uses my node",
            "viewport": {"x": 60, "y": 60, "zoom": 1},
            "nodes": [
                node("start", "on_start", 0, 0),
                node("seven", "literal", 0, 200, kind="number", value="7"),
                node("print", "print", 760, 0),
            ],
            "edges": [],
        },
    )
    app.open_graph(graph["id"])
    mine = page.get_by_test_id("palette-my-nodes")
    expect(mine).to_contain_text("None yet")

    page.get_by_test_id("new-lib-node").click()
    dialog = page.get_by_test_id("library-dialog")
    expect(dialog).to_be_visible()

    # Bad code: the preview has no node, the diagnostic names its line, and the line is marked.
    write_code(app, BROKEN)
    expect(dialog.get_by_test_id("library-diagnostic").first).to_contain_text("Line 1")
    expect(dialog.get_by_test_id("library-preview")).to_contain_text("No node yet")
    expect(dialog.locator("[data-error-line]")).to_have_count(1)

    # A good function: its pins as the server derives them, while nothing is saved yet.
    write_code(app, FUNCTION)
    preview = dialog.get_by_test_id("library-preview")
    expect(preview.get_by_test_id("library-preview-title")).to_have_text("triple")
    expect(preview.get_by_test_id("preview-port-in:x")).to_contain_text("float")
    expect(preview.get_by_test_id("preview-port-in:label")).to_contain_text('= "n"')
    expect(preview.get_by_test_id("preview-port-result")).to_contain_text("text")
    expect(preview.get_by_test_id("preview-port-exec")).to_have_count(1)
    expect(dialog.get_by_test_id("library-diagnostic")).to_have_count(0)
    assert entries_of(app) == []  # the preview saved nothing

    # Saved: in "My nodes" at once, no reload.
    dialog.get_by_test_id("library-save").click()
    expect(dialog).to_be_hidden()
    entries = entries_of(app)
    assert [(e["name"], e["version"]) for e in entries] == [("triple", 1)]
    entry_id = entries[0]["id"]
    item = page.get_by_test_id(f"palette-lib-{entry_id}")
    expect(item).to_contain_text("triple")
    expect(item).to_contain_text("v1")

    # Dropped from the palette: a node pinned to version 1, with the pins of the preview.
    item.drag_to(page.locator(".react-flow__pane"), target_position={"x": 420, "y": 120})
    used = page.locator(".react-flow__node", has=page.get_by_test_id(f"node-lib:{entry_id}"))
    expect(used).to_have_count(1)
    expect(used.get_by_test_id("lib-node-name")).to_have_text("triple")
    expect(used.get_by_test_id("lib-node-version")).to_have_text("v1")
    for port in ("exec", "next", "in:x", "in:label", "result"):
        expect(app.port(used, port)).to_have_count(1)

    app.wire(app.port(app.node("start"), "next"), app.port(used, "exec"))
    app.wire(app.port(app.node("seven"), "value"), app.port(used, "in:x"))
    app.wire(app.port(used, "next"), app.port(app.node("print"), "exec"))
    app.wire(app.port(used, "result"), app.port(app.node("print"), "value"))
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    expect(page.get_by_test_id("problems")).not_to_contain_text("Broken wire")

    # Run: the function runs in the sandbox with the typed default for `label`.
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("console-output")).to_contain_text("n=21")

    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    saved = app.api("GET", f"/api/graphs/{graph['id']}/")
    placed = next(n for n in saved["nodes"] if n["type"] == f"lib:{entry_id}")
    assert placed["data"]["params"]["version"] == 1

    # Version 2 renames x to y: the placed node stays on version 1 until it is updated.
    item.hover()
    page.get_by_test_id(f"palette-lib-edit-{entry_id}").click()
    expect(dialog).to_be_visible()
    write_code(app, RENAMED)
    expect(preview.get_by_test_id("preview-port-in:y")).to_contain_text("float")
    dialog.get_by_test_id("library-save").click()
    expect(dialog).to_be_hidden()
    expect(item).to_contain_text("v2")
    expect(used.get_by_test_id("lib-node-version")).to_have_text("v1")
    expect(used.get_by_test_id("lib-node-source")).to_contain_text("v2 available")

    used.get_by_test_id("lib-node-update").click()
    expect(used.get_by_test_id("lib-node-version")).to_have_text("v2")
    expect(app.port(used, "in:y")).to_have_count(1)
    # Never removed: the wire into x stays, drawn red, and the Problems list names it.
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    problem = page.get_by_test_id("broken-wire-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("version 2 of “triple” has no input “x”")
