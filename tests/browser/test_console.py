"""The console with a flood of output: 100,000 lines stay usable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import counting_graph

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]


def test_a_hundred_thousand_lines_stay_usable(app: App):
    page = app.page
    app.sign_up()
    graph = app.api(
        "POST", "/api/graphs/", counting_graph(100_000, name="Flood", then_ask="Still there? ")
    )
    app.open_graph(graph["id"])
    output = page.get_by_test_id("console-output")
    expect(page.get_by_test_id("code-view")).to_contain_text("for index in range(100000)")

    page.get_by_test_id("run").click()
    # After the flood the script asks a question: the input line takes the answer.
    box = page.get_by_test_id("console-input")
    expect(box).to_be_enabled(timeout=60_000)
    expect(output).to_contain_text("Still there?")
    box.fill("still here")
    box.press("Enter")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    # Every line arrived (the first is "▶ Running the graph…"), yet only a window is in the DOM.
    expect(output).to_have_attribute("data-lines", "100003")
    assert output.locator(".ne-line").count() < 200

    # The view follows the output to its end...
    expect(output.locator(".ne-line").last).to_have_text("still here")
    expect(output.locator(".ne-line", has_text="99999")).to_be_visible()
    app.screenshot("console-100k-bottom")
    # ... and scrolls back to the start and down again.
    output.evaluate("el => { el.scrollTop = 0; }")
    expect(output.locator(".ne-line", has_text="Running the graph")).to_be_visible()
    output.hover()
    page.mouse.wheel(0, 1800)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=console-output]').scrollTop > 900"
    )
    top = output.evaluate("el => el.scrollTop")
    # Line k of the script's output is the (k + 1)-th line, LINE_HEIGHT (18 px) each.
    shown = str(int(top // 18) + 5)
    expect(output.locator(".ne-line").get_by_text(shown, exact=True)).to_be_visible()
    output.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(output.locator(".ne-line", has_text="99999")).to_be_visible()

    # The rest of the editor still answers: typing in a param reaches the live code.
    literal = page.locator(".react-flow__node-literal")
    literal.get_by_label("Value").fill("3")
    expect(page.get_by_test_id("code-view")).to_contain_text("for index in range(3)")

    # Clear empties it; a second run starts afresh.
    page.get_by_role("button", name="Clear").click()
    expect(output).to_have_attribute("data-lines", "0")
    page.get_by_test_id("run").click()
    expect(box).to_be_enabled()
    box.fill("again")
    box.press("Enter")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    expect(output).to_have_attribute("data-lines", "6")
