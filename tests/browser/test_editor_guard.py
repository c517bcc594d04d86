"""Never lose an edit: the leave prompt (save / discard / stay) from the logo, the graph
list and Duplicate, the draft kept in the browser and offered after a reload, and the dirty state
as a comparison with the saved graph (undo back to it is clean)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

VALUE = ".react-flow__node-print [data-pin='value']"


def printed_value(app: App, graph_id: int) -> str:
    graph = app.api("GET", f"/api/graphs/{graph_id}/")
    return next(n for n in graph["nodes"] if n["type"] == "print")["data"]["inputs"]["value"]


def edit(app: App, text: str) -> None:
    app.page.locator(VALUE).fill(text)
    expect(app.page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")


def test_leaving_by_the_logo_or_the_list_asks_first(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    graph_id = app.graph_id()
    original = printed_value(app, graph_id)
    dialog = page.get_by_test_id("leave-dialog")

    # The logo: stay keeps the edit on screen.
    edit(app, "stay with me")
    page.get_by_test_id("logo").click()
    expect(dialog).to_be_visible()
    app.screenshot("editor-leave-dialog")
    dialog.get_by_test_id("leave-stay").click()
    expect(dialog).to_have_count(0)
    assert app.graph_id() == graph_id
    expect(page.locator(VALUE)).to_have_value("stay with me")

    # The logo again: discard leaves without saving, and no draft is offered later.
    page.get_by_test_id("logo").click()
    dialog.get_by_test_id("leave-discard").click()
    expect(page.get_by_test_id("graph-list")).to_be_visible()
    assert printed_value(app, graph_id) == original
    app.open_from_list("Hello, world")
    expect(page.locator(VALUE)).to_have_value(original)
    expect(page.get_by_test_id("draft-dialog")).to_have_count(0)

    # The graph list link: save and leave.
    edit(app, "saved on the way out")
    page.get_by_test_id("nav-graphs").click()
    dialog.get_by_test_id("leave-save").click()
    expect(page.get_by_test_id("graph-list")).to_be_visible()
    assert printed_value(app, graph_id) == "saved on the way out"

    # Clean: leaving asks nothing.
    app.open_from_list("Hello, world")
    page.get_by_test_id("nav-graphs").click()
    expect(page.get_by_test_id("graph-list")).to_be_visible()
    expect(dialog).to_have_count(0)


def test_a_draft_survives_a_reload_and_is_offered_back(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    graph_id = app.graph_id()
    original = printed_value(app, graph_id)
    edit(app, "kept in the browser")
    page.wait_for_timeout(800)  # the draft is written as edits settle

    # Closing or reloading the tab asks the browser's own question first (beforeunload).
    prevented = page.evaluate(
        "() => { const e = new Event('beforeunload', { cancelable: true });"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert prevented is True
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    offer = page.get_by_test_id("draft-dialog")
    expect(offer).to_be_visible()
    expect(offer.get_by_test_id("draft-saved-version")).to_contain_text("v1")
    expect(offer.get_by_test_id("draft-time")).to_contain_text("edited from v1")
    app.screenshot("editor-draft-dialog")
    offer.get_by_test_id("draft-restore").click()
    expect(page.locator(VALUE)).to_have_value("kept in the browser")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "true")
    assert printed_value(app, graph_id) == original  # restored on screen, not saved yet

    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")
    page.reload()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("draft-dialog")).to_have_count(0)

    # A draft can also be turned down: the saved version stays.
    edit(app, "not wanted")
    page.wait_for_timeout(800)
    page.reload()
    offer.get_by_test_id("draft-discard").click()
    expect(page.locator(VALUE)).to_have_value("kept in the browser")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "false")


def test_undo_back_to_the_saved_graph_clears_unsaved_changes(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    state = page.get_by_test_id("save-state")
    edit(app, "one")
    page.locator(VALUE).fill("two")
    expect(state).to_contain_text("Unsaved changes")
    page.get_by_test_id("undo").click()
    expect(state).to_have_attribute("data-dirty", "false")
    expect(state).to_contain_text("Saved · v1")
    page.get_by_test_id("redo").click()
    expect(state).to_have_attribute("data-dirty", "true")
    page.get_by_test_id("undo").click()
    expect(state).to_have_attribute("data-dirty", "false")


def test_duplicate_with_unsaved_changes_copies_the_screen_and_asks_about_the_original(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    graph_id = app.graph_id()
    original = printed_value(app, graph_id)
    edit(app, "only on screen")
    page.get_by_test_id("more").click()
    page.get_by_role("menuitem", name="Duplicate (with unsaved changes)").click()
    dialog = page.get_by_test_id("leave-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("leave-discard").click()
    expect(page.get_by_test_id("graph-name")).to_have_text("Copy of Hello, world")
    copy_id = app.graph_id()
    assert copy_id != graph_id
    expect(page.locator(VALUE)).to_have_value("only on screen")
    assert printed_value(app, copy_id) == "only on screen"
    assert printed_value(app, graph_id) == original
