"""The editor as a user sees it, in Debian's Chromium driven by Playwright (never a downloaded
browser), on a live server (harness/engine.py). The editor's end-to-end tests (tests/browser/) and
bench/debug_editor.py use it; the editor must be built (`make frontend`)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "e2e-password-long-enough-42"

# Every wait of App and of its users' `expect`s: the servers start sandboxes on a shared machine,
# so the first editor load and run can take several seconds.
expect.set_options(timeout=20_000)


class App:
    """The editor as a user sees it: one browser context (one cookie jar) on the live server."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.page: Page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def url(self, path: str) -> str:
        return self.base_url + path

    def sign_up(self, username: str | None = None) -> str:
        username = username or f"user{uuid.uuid4().hex[:8]}"
        page = self.page
        page.goto(self.url("/signup"))
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_test_id("username")).to_have_text(username)
        return username

    def api(self, method: str, path: str, data: Any = None) -> Any:
        """The JSON API with this user's session (CSRF header included)."""
        cookies = {c["name"]: c["value"] for c in self.context.cookies()}
        response = self.context.request.fetch(
            self.url(path),
            method=method,
            data=data,
            headers={"X-CSRFToken": cookies.get("csrftoken", ""), "Referer": self.url("/")},
        )
        assert response.ok, f"{method} {path}: {response.status} {response.text()[:300]}"
        return response.json()

    def open_graph(self, graph_id: int) -> None:
        self.page.goto(self.url(f"/graphs/{graph_id}"))
        expect(self.page.get_by_test_id("save-state")).to_contain_text("Saved")
        expect(self.page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")

    def node(self, node_id: str):
        return self.page.locator(f'.react-flow__node[data-id="{node_id}"]')

    def port(self, node_locator, port_id: str):
        return node_locator.locator(f'.react-flow__handle[data-handleid="{port_id}"]')

    def wire(self, source, target) -> None:
        """Draw a wire with the mouse from one handle to another."""
        page = self.page
        a = source.bounding_box()
        b = target.bounding_box()
        assert a and b
        page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
        page.mouse.down()
        page.mouse.move((a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2, steps=5)
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=5)
        page.mouse.up()

    def open_from_list(self, name: str) -> None:
        """The first-run path: a card of the graph list, then wait until the editor can run."""
        self.page.goto(self.url("/"))
        self.page.get_by_test_id("graph-list").get_by_text(name, exact=True).click()
        expect(self.page.get_by_test_id("save-state")).to_contain_text("Saved")
        expect(self.page.get_by_test_id("connection-state")).to_have_attribute("data-state", "open")

    def graph_id(self) -> int:
        match = re.search(r"/graphs/(\d+)", self.page.url)
        assert match, f"not on a graph page: {self.page.url}"
        return int(match.group(1))

    def node_position(self, node_id: str) -> tuple[float, float]:
        """Where React Flow drew a node, in flow coordinates (its translate())."""
        style = self.node(node_id).get_attribute("style") or ""
        match = re.search(r"translate\(\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)", style)
        assert match, f"no position in {style!r}"
        return float(match.group(1)), float(match.group(2))

    def viewport(self) -> tuple[float, float, float]:
        """The canvas transform: x, y and zoom."""
        style = self.page.locator(".react-flow__viewport").get_attribute("style") or ""
        match = re.search(r"translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)\s*scale\((-?[\d.]+)\)", style)
        assert match, f"no transform in {style!r}"
        return float(match.group(1)), float(match.group(2)), float(match.group(3))

    def code_line(self, text: str):
        """A line of the code panel containing this text."""
        return self.page.locator(".cm-line", has_text=text)

    def drop_wire(self, handle, x: float, y: float) -> None:
        """Drag a wire out of a handle and let go at a page point (empty canvas for quick-add)."""
        page = self.page
        box = handle.bounding_box()
        assert box
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(x, y, steps=8)
        page.mouse.up()

    def console_text(self) -> str:
        return self.page.get_by_test_id("console-output").inner_text()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
        self.page.screenshot(path=str(path))
        return path
