"""Sharing in the browser (docs/sharing.md): the owner shares a read-only link from the editor, a
second user opens /s/<token>, reads the graph (nothing editable), runs it under their own account
and forks it into their editor; once the owner revokes the link, it answers "not found". The
gallery: publishing from the same dialog, finding the graph in /gallery, unlisting it.

The whole stack (daphne, a pool worker, the sandbox) in Chromium, with the editor's end-to-end
fixtures (tests/browser/conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from harness.browser import App
from tests.browser import conftest as e2e
from tests.browser.graph_docs import edge, node

# The editor's end-to-end fixtures, for this module outside tests/browser/.
browser = e2e.browser
built_editor = e2e.built_editor
make_app = e2e.make_app
app = e2e.app

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

GREETING = "hello from the owner"
REVOKED = "This link was revoked or never existed."


def greeting_graph(name: str = "Greeting") -> dict[str, Any]:
    """`print("hello from the owner")` as nodes."""
    return {
        "name": name,
        "description": "Says hello.",
        "nodes": [
            node("start", "on_start", 0, 0),
            node("msg", "literal", 0, 180, kind="text", value=GREETING),
            node("show", "print", 300, 0),
        ],
        "edges": [edge("start", "next", "show", "exec"), edge("msg", "value", "show", "value")],
    }


def owner_with_graph(make_app: Any, name: str = "Greeting") -> tuple[App, str, int]:
    owner = make_app()
    username = owner.sign_up()
    graph = owner.api("POST", "/api/graphs/", greeting_graph(name))
    owner.open_graph(graph["id"])
    return owner, username, graph["id"]


def open_share_dialog(owner: App):
    owner.page.get_by_test_id("share").click()
    dialog = owner.page.get_by_test_id("share-dialog")
    expect(dialog).to_be_visible()
    return dialog


def expect_read_only(viewer: App) -> None:
    """No palette, no save, disabled fields, nodes that neither move nor get deleted."""
    page = viewer.page
    expect(page.get_by_test_id("canvas")).to_have_attribute("data-readonly", "true")
    expect(page.get_by_test_id("palette")).to_have_count(0)
    expect(page.get_by_test_id("palette-expand")).to_have_count(0)
    expect(page.get_by_test_id("save")).to_have_count(0)
    expect(page.get_by_test_id("debug")).to_have_count(0)
    expect(page.get_by_test_id("code-panel").get_by_role("button", name="Edit")).to_have_count(0)
    expect(viewer.node("msg").get_by_label("Value")).to_be_disabled()

    before = viewer.node_position("show")
    title = viewer.node("show").locator(".truncate").first
    box = title.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 120, steps=8)
    page.mouse.up()
    assert viewer.node_position("show") == before

    title.click()
    page.keyboard.press("Delete")
    page.keyboard.press("Backspace")
    expect(page.locator(".react-flow__node")).to_have_count(3)


def run_and_expect_greeting(viewer: App) -> None:
    page = viewer.page
    expect(page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0", timeout=60_000)
    expect(page.get_by_test_id("console-output")).to_contain_text(GREETING)


def test_share_link_read_only_run_fork_then_revoke(make_app: Any):
    owner, owner_name, graph_id = owner_with_graph(make_app)
    dialog = open_share_dialog(owner)
    expect(owner.page.get_by_test_id("share")).to_have_attribute("data-shared", "false")
    dialog.get_by_test_id("share-create").click()
    url_field = dialog.get_by_test_id("share-url")
    expect(url_field).to_have_value(re.compile(r"/s/[A-Za-z0-9_-]+$"))
    link = url_field.input_value()
    token = link.rsplit("/s/", 1)[1]
    owner.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=owner.base_url)
    dialog.get_by_test_id("share-copy").click()
    expect(dialog.get_by_test_id("share-copy")).to_have_text("Copied")
    assert owner.page.evaluate("navigator.clipboard.readText()") == link
    expect(owner.page.get_by_test_id("share")).to_have_attribute("data-shared", "true")
    assert owner.api("GET", f"/api/graphs/{graph_id}/")["share_token"] == token

    # A signed-out visitor is sent to sign in first, with the link to come back to.
    viewer = make_app()
    viewer.page.goto(viewer.url(f"/s/{token}"))
    expect(viewer.page).to_have_url(re.compile(rf"/login\?next=%2Fs%2F{token}$"))

    viewer.sign_up()
    page: Page = viewer.page
    page.goto(viewer.url(f"/s/{token}"))
    expect(page.get_by_test_id("shared-title")).to_have_text("Greeting")
    expect(page.get_by_test_id("shared-owner")).to_have_text(f"by {owner_name}")
    expect(page.get_by_test_id("read-only-badge")).to_contain_text("shared link")
    expect(page.get_by_test_id("code-view")).to_contain_text(GREETING)
    expect_read_only(viewer)

    # Run: the stored graph, with the viewer's account.
    run_and_expect_greeting(viewer)

    # Fork: a copy of their own, open in the editor (editable, saved, noting its origin).
    page.get_by_test_id("fork").click()
    expect(page).to_have_url(re.compile(r"/graphs/\d+$"))
    fork_id = viewer.graph_id()
    assert fork_id != graph_id
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    expect(page.get_by_test_id("forked-from")).to_contain_text("Forked from")
    expect(page.get_by_test_id("forked-from")).to_contain_text(owner_name)
    expect(viewer.node("msg").get_by_label("Value")).to_be_enabled()
    expect(page.get_by_test_id("palette")).to_be_visible()
    expect(page.get_by_test_id("code-view")).to_contain_text(GREETING)
    forked = viewer.api("GET", f"/api/graphs/{fork_id}/")
    assert forked["forked_from"] == graph_id
    assert forked["share_token"] is None

    # The owner revokes: the link is dead at once.
    dialog.get_by_test_id("share-revoke").click()
    expect(dialog.get_by_test_id("share-create")).to_be_visible()
    expect(dialog.get_by_test_id("share-revoked")).to_be_visible()
    expect(owner.page.get_by_test_id("share")).to_have_attribute("data-shared", "false")
    page.goto(viewer.url(f"/s/{token}"))
    expect(page.get_by_test_id("shared-error")).to_have_text(REVOKED)
    expect(page.get_by_test_id("shared-view")).to_have_count(0)
    # The fork stays theirs.
    viewer.open_graph(fork_id)


def test_unknown_link_says_not_found(app: App):
    app.sign_up()
    app.page.goto(app.url("/s/no-such-token"))
    expect(app.page.get_by_test_id("shared-error")).to_have_text(REVOKED)


def test_gallery_publish_find_run_unlist(make_app: Any):
    owner, owner_name, graph_id = owner_with_graph(make_app, name="Fizz greeter")
    dialog = open_share_dialog(owner)
    title = dialog.get_by_test_id("gallery-title")
    expect(title).to_have_value("Fizz greeter")
    expect(dialog.get_by_test_id("gallery-description")).to_have_value("Says hello.")
    # A blank title is refused before anything is sent.
    title.fill("   ")
    dialog.get_by_test_id("gallery-publish").click()
    expect(dialog.get_by_role("alert")).to_contain_text("A title is needed.")
    expect(title).to_have_attribute("aria-invalid", "true")
    title.fill("Greeter of the week")
    dialog.get_by_test_id("gallery-publish").click()
    expect(dialog.get_by_test_id("gallery-done")).to_have_text("Published to the gallery.")
    expect(dialog.get_by_test_id("gallery-unlist")).to_be_visible()
    listing = owner.api("GET", f"/api/graphs/{graph_id}/")["gallery"]
    assert listing["title"] == "Greeter of the week"

    viewer = make_app()
    viewer.sign_up()
    page = viewer.page
    page.get_by_test_id("nav-gallery").click()
    expect(page).to_have_url(re.compile(r"/gallery$"))
    page.get_by_test_id("gallery-search").fill("week")
    expect(page).to_have_url(re.compile(r"/gallery\?search=week$"))
    item = page.get_by_test_id("gallery-item").filter(has_text="Greeter of the week")
    expect(item).to_contain_text(f"by {owner_name}")
    item.click()
    expect(page).to_have_url(re.compile(rf"/gallery/{graph_id}$"))
    expect(page.get_by_test_id("shared-title")).to_have_text("Greeter of the week")
    expect(page.get_by_test_id("read-only-badge")).to_contain_text("gallery")
    expect_read_only(viewer)
    run_and_expect_greeting(viewer)

    dialog.get_by_test_id("gallery-unlist").click()
    expect(dialog.get_by_test_id("gallery-done")).to_contain_text("Unlisted")
    page.reload()
    expect(page.get_by_test_id("shared-error")).to_contain_text("not in the gallery")
