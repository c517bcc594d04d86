"""The Call dialog (editor/CallDialog.tsx): the owner of a graph with a Graph input and a Graph
output opens it, reads the signature and the REST curl line, creates a webhook whose URL is shown
once, calls that URL from here with the dialog's own curl line (read back as a shell would), gets
the graph's outputs, then revokes the hook from the dialog and the URL answers 404."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import edge, node

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

JSON = {"Content-Type": "application/json"}


def port_node(node_id: str, node_type: str, x: float, y: float, **params: str) -> dict[str, Any]:
    """A Graph input or output node (its `type` param would clash with node()'s argument)."""
    made = node(node_id, node_type, x, y)
    made["data"]["params"] = params
    return made


def adder() -> dict[str, Any]:
    """sum = a + b: `a` a required number, `b` a number whose default is 10."""
    b = port_node("b", "graph_input", 0, 380, name="b", type="number", description="second")
    b["data"]["inputs"] = {"default": 10}
    return {
        "name": "Adder",
        "nodes": [
            node("start", "on_start", 0, 0),
            port_node("a", "graph_input", 0, 150, name="a", type="number", description="first"),
            b,
            node("add", "arithmetic", 330, 250, op="+"),
            port_node("out", "graph_output", 620, 0, name="sum", type="number"),
        ],
        "edges": [
            edge("start", "next", "out", "exec"),
            edge("a", "value", "add", "a"),
            edge("b", "value", "add", "b"),
            edge("add", "result", "out", "value"),
        ],
    }


def test_the_call_dialog_shows_the_signature_and_its_webhook_runs_the_graph(app: App):
    page = app.page
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", adder())
    signature = app.api("GET", f"/api/graphs/{graph['id']}/signature/")
    assert [(i["name"], i["required"], i["default"]) for i in signature["inputs"]] == [
        ("a", True, None),
        ("b", False, 10),
    ]
    app.open_graph(graph["id"])

    page.get_by_test_id("call").click()
    dialog = page.get_by_test_id("call-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Call “Adder”")

    # The signature as saved: each input's type, required or its default, its description.
    a_row = dialog.get_by_test_id("call-input-a")
    expect(a_row).to_contain_text("number")
    expect(a_row).to_contain_text("required")
    expect(a_row).to_contain_text("first")
    expect(dialog.get_by_test_id("call-input-b")).to_contain_text("optional, default 10")
    expect(dialog.get_by_test_id("call-output-sum")).to_contain_text("number")
    expect(dialog.get_by_test_id("call-no-signature")).to_have_count(0)

    # REST: the absolute URL and a curl line with example inputs (a of its type, b its default).
    rest_url = f"{app.base_url}/api/graphs/{graph['id']}/runs/?wait=30"
    expect(dialog.get_by_test_id("call-rest-url")).to_have_value(rest_url)
    rest_curl = dialog.get_by_test_id("call-rest-curl")
    expect(rest_curl).to_have_value(
        f"curl -s -X POST '{rest_url}' -H \"Authorization: Token $TOKEN\" "
        '-H \'Content-Type: application/json\' -d \'{"inputs":{"a":1.5,"b":10}}\''
    )
    expect(dialog.get_by_test_id("call-rest")).to_contain_text("POST /api/auth/token/")
    expect(dialog.get_by_test_id("call-graphs")).to_contain_text("My graphs")
    expect(dialog.get_by_test_id("call-webhooks")).to_contain_text("No webhooks.")

    # A webhook: its URL shown once (focused, for the keyboard), with its curl line.
    dialog.get_by_test_id("call-hook-create").click()
    created = dialog.get_by_test_id("call-hook-created")
    expect(created).to_contain_text("will not be shown again")
    url_field = dialog.get_by_test_id("call-hook-url")
    expect(url_field).to_be_focused()
    hook_url = url_field.input_value()
    assert hook_url.startswith(f"{app.base_url}/api/hooks/"), hook_url
    expect(dialog.get_by_test_id("call-hook")).to_have_count(1)
    hooks = app.api("GET", f"/api/graphs/{graph['id']}/webhooks/")["results"]
    assert len(hooks) == 1

    # The dialog's curl line, read as a shell reads it: the hook's URL with ?wait=10, the body the
    # example inputs. Sent from here, with no credential but the URL.
    words = shlex.split(dialog.get_by_test_id("call-hook-curl").input_value())
    assert words[:4] == ["curl", "-s", "-X", "POST"]
    assert words[4] == f"{hook_url}?wait=10"
    body = words[words.index("-d") + 1]
    assert json.loads(body) == {"a": 1.5, "b": 10}
    answer = requests.post(words[4], data=body, headers=JSON, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outputs"] == {"sum": 11.5}
    assert answer.json()["exit_code"] == 0

    # Revoke it (after a confirmation): gone from the list, its URL no longer shown, answering 404.
    page.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_test_id("call-hook-revoke").click()
    expect(dialog.get_by_test_id("call-hook-notice")).to_contain_text("revoked")
    expect(dialog.get_by_test_id("call-hook")).to_have_count(0)
    expect(dialog.get_by_test_id("call-hook-created")).to_have_count(0)
    assert app.api("GET", f"/api/graphs/{graph['id']}/webhooks/")["results"] == []
    gone = requests.post(words[4], data=body, headers=JSON, timeout=30)
    assert gone.status_code == 404, gone.text

    # A second hook's URL is shown only while the dialog stays open.
    dialog.get_by_test_id("call-hook-create").click()
    expect(dialog.get_by_test_id("call-hook-url")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_test_id("call").click()
    expect(page.get_by_test_id("call-hook")).to_have_count(1)
    expect(page.get_by_test_id("call-hook-url")).to_have_count(0)
