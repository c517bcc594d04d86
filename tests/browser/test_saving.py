"""Saving: the 409 conflict choice, revision history, rename, duplicate, delete, export, import."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from harness.browser import App

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]


def printed_value(graph: dict) -> str:
    """The text typed on the Print node's `value` pin (Hello, world has no Literal)."""
    return next(n for n in graph["nodes"] if n["type"] == "print")["data"]["inputs"]["value"]


def save_elsewhere(app: App, graph_id: int, value: str) -> dict:
    """Another tab's save, through the REST API with this browser's session."""
    theirs = app.api("GET", f"/api/graphs/{graph_id}/")
    for n in theirs["nodes"]:
        if n["type"] == "print":
            n["data"]["inputs"]["value"] = value
    body = {k: theirs[k] for k in ("name", "description", "nodes", "edges", "viewport", "version")}
    return app.api("PUT", f"/api/graphs/{graph_id}/", body)


def menu(app: App, item: str) -> None:
    app.page.get_by_test_id("more").click()
    app.page.get_by_role("menuitem", name=item).click()


@pytest.mark.parametrize("choice", ["theirs", "mine"])
def test_a_conflicting_save_lets_the_user_choose_whose_version_wins(app: App, choice: str):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    graph_id = app.graph_id()
    value = page.locator(".react-flow__node-print [data-pin='value']")
    value.fill("mine")
    assert save_elsewhere(app, graph_id, "theirs")["version"] == 2

    page.keyboard.press("Control+s")
    dialog = page.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("saved version 2")
    app.screenshot(f"conflict-dialog-{choice}")
    if choice == "theirs":
        dialog.get_by_role("button", name="Use theirs").click()
        expect(dialog).to_have_count(0)
        expect(value).to_have_value("theirs")
        expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")
        assert printed_value(app.api("GET", f"/api/graphs/{graph_id}/")) == "theirs"
    else:
        dialog.get_by_role("button", name="Keep mine").click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v3")
        expect(value).to_have_value("mine")
        assert printed_value(app.api("GET", f"/api/graphs/{graph_id}/")) == "mine"
    # Either way the editor is in step with the server again: the next save just works.
    value.fill("after the conflict")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text(
        "Saved · v3" if choice == "theirs" else "Saved · v4"
    )
    expect(dialog).to_have_count(0)


def test_revision_history_restores_an_older_version_and_rename_keeps_saving(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    graph_id = app.graph_id()
    value = page.locator(".react-flow__node-print [data-pin='value']")
    value.fill("second version")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v2")

    menu(app, "Revision history")
    history = page.get_by_test_id("history-dialog")
    expect(history).to_contain_text("Current: version 2")
    row = history.locator("li", has_text="v1")
    expect(row).to_be_visible()
    app.screenshot("revision-history")
    row.get_by_role("button", name="Restore").click()
    expect(history).to_have_count(0)
    expect(value).to_have_value("Hello, world!")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v3")
    expect(page.get_by_test_id("code-view")).to_contain_text("print('Hello, world!')")
    assert printed_value(app.api("GET", f"/api/graphs/{graph_id}/")) == "Hello, world!"

    menu(app, "Rename")
    name = page.get_by_label("Graph name")
    name.fill("Greeting, renamed")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_test_id("graph-name")).to_have_text("Greeting, renamed")
    assert app.api("GET", f"/api/graphs/{graph_id}/")["name"] == "Greeting, renamed"
    # The rename took a version: a save afterwards must not conflict with it.
    value.fill("after the rename")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "false")
    expect(page.get_by_test_id("conflict-dialog")).to_have_count(0)
    saved = app.api("GET", f"/api/graphs/{graph_id}/")
    assert (saved["name"], printed_value(saved)) == ("Greeting, renamed", "after the rename")


def test_export_import_duplicate_and_delete(app: App, tmp_path):
    page = app.page
    app.sign_up()
    app.open_from_list("A function")
    original_id = app.graph_id()

    with page.expect_download() as download_info:
        menu(app, "Export JSON")
    exported = tmp_path / "exported.json"
    download_info.value.save_as(exported)
    assert download_info.value.suggested_filename == "A_function.json"
    document = json.loads(exported.read_text())
    assert document["format"] == "nodeengine.graph"
    assert document["graph"]["name"] == "A function"
    assert len(document["graph"]["nodes"]) == 6

    # Import from the list page's file chooser: a new graph opens with the same content.
    page.goto(app.url("/"))
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import JSON").click()
    chooser.value.set_files(str(exported))
    expect(page).not_to_have_url(app.url(f"/graphs/{original_id}"))
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved · v1")
    imported_id = app.graph_id()
    assert imported_id != original_id
    expect(page.locator(".react-flow__node")).to_have_count(6)
    expect(page.get_by_test_id("code-view")).to_contain_text("result = square(7)")

    # A file that is not a graph export is refused with a message.
    page.goto(app.url("/"))
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import JSON").click()
    chooser.value.set_files(str(junk))
    expect(page.get_by_role("alert")).to_contain_text("junk.json is not valid JSON")

    # Duplicate opens the copy.
    app.open_graph(imported_id)
    menu(app, "Duplicate")
    expect(page.get_by_test_id("graph-name")).to_have_text("Copy of A function")
    copy_id = app.graph_id()
    assert copy_id not in (original_id, imported_id)
    expect(page.locator(".react-flow__node")).to_have_count(6)

    # Delete asks first, then goes back to the list without the graph.
    page.once("dialog", lambda dialog: dialog.accept())
    menu(app, "Delete graph")
    expect(page).to_have_url(app.url("/"))
    expect(page.get_by_test_id("graph-list")).to_contain_text("A function")
    expect(page.get_by_test_id("graph-list")).not_to_contain_text("Copy of A function")
    rows = app.api("GET", "/api/graphs/?limit=100")["results"]
    assert copy_id not in {row["id"] for row in rows}
    app.screenshot("graph-list-after-delete")

    # The list's own buttons (shown on hover) duplicate and delete too.
    cards = page.get_by_test_id("graph-list").locator("li")
    count = cards.count()
    card = cards.filter(has_text="Hello, world")
    card.hover()
    card.get_by_title("Duplicate").click()
    expect(cards).to_have_count(count + 1)
    copy = cards.filter(has_text="Copy of Hello, world")
    copy.hover()
    page.once("dialog", lambda dialog: dialog.accept())
    copy.get_by_title("Delete").click()
    expect(cards).to_have_count(count)
    expect(page.get_by_test_id("graph-list")).not_to_contain_text("Copy of Hello, world")
