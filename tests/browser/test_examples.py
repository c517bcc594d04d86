"""First run: a new account's example graphs each run in two clicks (open from the list, Run)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]


def test_every_example_runs_in_two_clicks(app: App):
    page = app.page
    app.sign_up()
    cards = page.get_by_test_id("graph-list").locator("li")
    expect(cards).to_have_count(5)
    output = page.get_by_test_id("console-output")
    status = page.get_by_test_id("run-status")

    app.open_from_list("Hello, world")
    page.get_by_test_id("run").click()
    expect(output).to_contain_text("Hello, world!")
    expect(status).to_contain_text("exit code 0")
    app.screenshot("example-hello")

    app.open_from_list("Counting with pauses")
    page.get_by_test_id("run").click()
    # Output streams while the script sleeps between lines.
    expect(output).to_contain_text("Tick 1")
    expect(status).to_have_attribute("data-phase", "running")
    app.screenshot("example-streaming")
    page.get_by_test_id("console").get_by_role("button", name="Kill").click()
    expect(status).to_contain_text("killed")

    app.open_from_list("Ask for your name")
    page.get_by_test_id("run").click()
    expect(output).to_contain_text("What is your name?")
    box = page.get_by_test_id("console-input")
    expect(box).to_be_focused()
    # The input line repeats the prompt it answers.
    expect(page.get_by_test_id("console").locator("form")).to_contain_text("What is your name?")
    page.keyboard.type("Grace")
    page.keyboard.press("Enter")
    expect(output).to_contain_text("Nice to meet you, Grace!")
    expect(status).to_contain_text("exit code 0")
    app.screenshot("example-input")

    app.open_from_list("A function")
    page.get_by_test_id("run").click()
    expect(output).to_contain_text("49")
    expect(status).to_contain_text("exit code 0")
    app.screenshot("example-function")

    app.open_from_list("A graph that fails")
    page.get_by_test_id("run").click()
    expect(output).to_contain_text("ZeroDivisionError")
    expect(status).to_contain_text("exception")
    expect(page.locator(".react-flow__node .ne-raised")).to_have_count(1)
    expect(page.locator(".react-flow__node-print", has=page.locator(".ne-raised"))).to_have_count(1)
    app.screenshot("example-error")
