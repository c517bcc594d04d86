"""The live code panel: line <-> node selection through the source map, and edit mode."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from harness.browser import App

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(180)]

# A click on a code line centres its node with a 300 ms pan (useFocusNode): a click on the canvas
# during the pan can land beside a node that is still moving (the pane then clears the selection).
# Settled: the viewport's transform unchanged over a span longer than the pan.
WAIT_FOR_THE_PAN = """() => new Promise((resolve) => {
  const viewport = document.querySelector(".react-flow__viewport");
  let last = viewport.style.transform;
  const check = () => {
    const now = viewport.style.transform;
    if (now === last) resolve(true);
    else { last = now; setTimeout(check, 400); }
  };
  setTimeout(check, 400);
})"""


def test_code_lines_and_nodes_select_each_other(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("A function")
    expect(page.get_by_test_id("code-view")).to_contain_text("result = square(7)")

    # A click on a line selects the node the line came from.
    app.code_line("print(result)").click()
    expect(page.locator(".react-flow__node-print.selected")).to_have_count(1)
    expect(page.locator(".react-flow__node.selected")).to_have_count(1)
    app.code_line("return x * x").click()
    expect(page.locator(".react-flow__node-return.selected")).to_have_count(1)
    expect(page.locator(".react-flow__node.selected")).to_have_count(1)
    # ... and the selected node's lines are highlighted.
    highlighted = page.locator(".cm-ne-selected-line")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_contain_text("return x * x")

    # Selecting a node on the canvas highlights its lines.
    page.evaluate(WAIT_FOR_THE_PAN)
    page.locator(".react-flow__node-call_function").click(position={"x": 40, "y": 10})
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_contain_text("result = square(7)")
    app.screenshot("code-panel-selection")


def test_edit_mode_runs_the_edited_code(app: App):
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    code = page.get_by_test_id("code-view")
    expect(code).to_contain_text("print('Hello, world!')")

    page.get_by_role("button", name="Edit").click()
    expect(page.get_by_test_id("code-panel")).to_contain_text("edited, not saved to the graph")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("print('edited', 6 * 7")
    expect(code).to_contain_text("print('edited', 6 * 7)")
    page.get_by_role("button", name="Run edited").click()
    expect(page.get_by_test_id("console-output")).to_contain_text("edited 42")
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")
    # The graph itself is untouched by the edit.
    expect(page.get_by_test_id("save-state")).to_have_attribute("data-dirty", "false")
    app.screenshot("code-panel-edited-run")

    page.get_by_role("button", name="Back to graph").click()
    expect(code).to_contain_text("print('Hello, world!')")
    expect(code).not_to_contain_text("edited")
