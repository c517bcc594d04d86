"""Rough edges: each error message shown once (sign-up, import, a refused run), the
node that raised red at once even while selected, with its code line red and a Problems entry
linking to it, no "killed" line when a run is started again during a run, and the favicon."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

SELECTED = re.compile(r"\bselected\b")


def test_sign_up_errors_are_shown_once_and_signed_out_pages_do_not_ask_who_is_signed_in(app: App):
    page = app.page
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/auth/me/" in r.url else None)
    page.goto(app.url("/signup"))
    page.fill("#username", "shorty")
    page.fill("#password", "short")
    page.click("button[type=submit]")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("too short")
    text = alert.inner_text()
    assert text.count("too short") == 1, text
    page.get_by_role("link", name="Sign in").click()
    expect(page.locator("#username")).to_be_visible()
    assert asked == [], asked


def test_a_bad_import_says_why_once(app: App, tmp_path: Path):
    page = app.page
    app.sign_up()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "Bad", "nodes": [{"id": "a"}], "edges": []}))
    page.get_by_test_id("import-file").set_input_files(str(bad))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    text = alert.inner_text()
    sentences = [s.strip() for s in text.replace("\n", " ").split(". ") if s.strip()]
    assert len(sentences) == len(set(sentences)), text


def test_a_refused_run_prints_each_reason_once(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST",
        "/api/graphs/",
        {
            "name": "Refused",
            "nodes": [node("start", "on_start", 0, 0), node("ret", "return", 320, 0)],
            "edges": [edge("start", "next", "ret", "exec")],
        },
    )
    app.open_graph(graph["id"])
    page.get_by_test_id("run").click()
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-phase", "refused")
    lines = [line for line in app.console_text().splitlines() if line.strip()]
    assert lines, "nothing printed"
    message = "Return is only allowed inside a function body."
    assert sum(line.count(message) for line in lines) == 1, lines


def test_the_node_that_raised_is_red_at_once_with_its_code_line_and_a_problem(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("A graph that fails")
    # Select the node first: the red must win over the selection's blue.
    div = page.locator('.react-flow__node[data-id="div"]')
    div.click(position={"x": 40, "y": 10})
    expect(div).to_have_class(SELECTED)
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("console-output")).to_contain_text("ZeroDivisionError")
    raised = page.locator(".react-flow__node .ne-raised")
    expect(raised).to_have_count(1)
    owner = page.locator(".react-flow__node", has=page.locator(".ne-raised"))
    expect(owner).to_have_class(SELECTED)
    shadow = raised.evaluate("el => getComputedStyle(el).boxShadow")
    assert "rgb(239, 68, 68)" in shadow and "rgb(56, 189, 248)" not in shadow, shadow
    expect(page.locator(".cm-line[data-raised-line]").first).to_be_visible()
    problem = page.get_by_test_id("runtime-problem")
    expect(problem).to_contain_text("ZeroDivisionError")
    # The problem links to the node: after looking elsewhere, a click brings it back selected.
    page.get_by_test_id("canvas").click(position={"x": 20, "y": 20})
    problem.click()
    expect(owner).to_have_class(SELECTED)
    app.screenshot("editor-raised-node")


def test_running_again_during_a_run_prints_no_killed_line(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Counting with pauses")
    output = page.get_by_test_id("console-output")
    page.get_by_test_id("run").click()
    expect(output).to_contain_text("Tick 1")
    page.get_by_test_id("canvas").click(position={"x": 20, "y": 20})
    page.keyboard.press("Control+Enter")
    expect(output).to_contain_text("Running the graph", timeout=10_000)
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-phase", "running")
    page.wait_for_timeout(2500)
    text = app.console_text()
    assert "killed" not in text.lower(), text
    assert "Stopped on request" not in text, text
    page.get_by_test_id("kill").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("killed")


def test_the_favicon_is_served(app: App):
    app.page.goto(app.url("/login"))
    href = app.page.locator("link[rel=icon]").get_attribute("href")
    assert href
    response = app.context.request.get(app.url(href))
    assert response.ok and "svg" in response.headers.get("content-type", ""), (
        href,
        response.status,
    )
