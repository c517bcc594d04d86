"""The run socket survives a server restart: backoff, "Reconnected", a cut-off run marked lost."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from playwright.sync_api import expect

from harness.browser import App
from tests.browser.graph_docs import endless_loop_graph

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]


def stop_daphne(servers) -> None:
    servers.daphne.terminate()
    servers.daphne.wait(15)


def start_daphne_on_the_same_port(servers) -> None:
    # The page reconnects to the address it was loaded from, so the new daphne takes the old port.
    with mock.patch("harness.engine.free_port", return_value=servers.port):
        servers.start_daphne()


def test_a_dropped_socket_reconnects_and_the_cut_off_run_is_marked_lost(app: App, engine_servers):
    page = app.page
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", endless_loop_graph())
    app.open_graph(graph["id"])
    status = page.get_by_test_id("run-status")
    connection = page.get_by_test_id("connection-state")

    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("console-output")).to_contain_text("tick")
    expect(status).to_have_attribute("data-phase", "running")

    stop_daphne(engine_servers)
    try:
        # The run's fate is unknown: "lost", not "running" forever; Stop gives way to Run.
        expect(status).to_have_attribute("data-phase", "lost")
        expect(status).to_contain_text("Connection lost during the run")
        expect(page.get_by_test_id("run")).to_be_visible()
        expect(connection).to_have_attribute("data-state", "reconnecting")
        # While the server is away the client keeps retrying with a growing delay.
        expect(connection).to_have_attribute(
            "title", re.compile(r"reconnecting in (1\.2|2\.4|4\.8|5) s")
        )
        app.screenshot("reconnecting")
    finally:
        start_daphne_on_the_same_port(engine_servers)

    expect(connection).to_have_attribute("data-state", "open", timeout=30_000)
    expect(connection).to_contain_text("Reconnected")
    app.screenshot("reconnected")

    # The new socket runs scripts as before.
    page.get_by_test_id("run").click()
    expect(status).to_have_attribute("data-phase", "running")
    page.get_by_test_id("kill").click()
    expect(status).to_contain_text("killed")
