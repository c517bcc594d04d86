"""The console as a terminal with pictures and tables (docs/rich_output.md section 3).

Two kinds of tests:
- `test_scripted_*`: the editor against a scripted /ws/run/ server (Playwright's WebSocket
  routing), so the browser half is checked against exact server messages, hostile ones included.
- `test_real_*`: the whole stack (daphne, a pool worker, the sandbox with matplotlib) in Chromium.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from harness.browser import ROOT, App
from tests.browser.graph_docs import edge, node
from tests.browser.scripted_server import ScriptedServer

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(240)]

HOSTILE = '<img src=x onerror="window.__pwned=1">'
ESC = "\x1b"


def png(width: int, height: int) -> bytes:
    """A small RGB PNG (a gradient), made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def output_graph(name: str) -> dict[str, Any]:
    """On Start → a Python code node (prints, makes `ys` and `rows`) → Plot (y) → Show (rows)."""
    code = "\n".join(
        [
            "import sys, time",
            'print("\\x1b[31mred\\x1b[0m and plain")',
            "for i in range(0, 101, 25):",
            '    sys.stdout.write(f"\\rprogress {i:3d}%")',
            "    sys.stdout.flush()",
            "    time.sleep(0.05)",
            "print()",
            "ys = [x * x for x in range(20)]",
            "rows = [",
            '    {"city": "Oslo", "temp": 4.5, "rain": True},',
            '    {"city": "Lima", "temp": 19.0, "rain": False},',
            '    {"city": "Nuuk", "temp": -7.25, "rain": None},',
            "]",
        ]
    )
    plot = node("plot", "plot", 560, 0, kind="line")
    plot["data"]["inputs"] = {"title": "Squares", "xlabel": "x", "ylabel": "x squared"}
    return {
        "name": name,
        "nodes": [
            node("start", "on_start", 0, 0),
            node("code", "python_code", 220, 0, code=code, inputs="", outputs="ys, rows"),
            plot,
            node("show", "show", 900, 0),
        ],
        "edges": [
            edge("start", "next", "code", "exec"),
            edge("code", "next", "plot", "exec"),
            edge("code", "out:ys", "plot", "y"),
            edge("plot", "next", "show", "exec"),
            edge("code", "out:rows", "show", "value"),
        ],
    }


def open_output_graph(app: App, name: str = "Charts") -> Page:
    app.sign_up()
    graph = app.api("POST", "/api/graphs/", output_graph(name))
    app.open_graph(graph["id"])
    expect(app.page.get_by_test_id("code-view")).to_contain_text("subplots")
    return app.page


def console_items(page: Page) -> list[str]:
    """What the console shows, in order: a line's text, or `<image/png>` / `<table>`."""
    return page.get_by_test_id("console-output").evaluate(
        """el => [...el.querySelectorAll('.ne-line, [data-testid=console-display]')].map(e =>
            e.dataset.testid === 'console-display' ? `<${e.dataset.mime}>` : e.textContent)"""
    )


def color_of(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).color")


# ---- a scripted server ----------------------------------------------------------------------


def test_scripted_ansi_colours_and_carriage_returns(app: App):
    page = app.page
    server = ScriptedServer(page)

    def on_run(message: dict[str, Any]) -> None:
        server.start(message)
        server.send(type="stdout", run_id="r1", data=f"{ESC}[31mred{ESC}[0m plain\n")
        # A sequence split across two frames, and bold + bright colour on stderr.
        server.send(type="stdout", run_id="r1", data=f"{ESC}[3")
        server.send(type="stdout", run_id="r1", data=f"2mgreen{ESC}[0m\n")
        server.send(type="stderr", run_id="r1", data=f"{ESC}[1;93mwarning{ESC}[0m: careful\n")
        # tqdm's way: \r and the whole bar again, on stderr.
        for percent in (0, 25, 50, 75, 100):
            bar = "#" * (percent // 10)
            server.send(type="stderr", run_id="r1", data=f"\r{percent:3d}%|{bar:<10}|")
        server.send(type="stderr", run_id="r1", data="\n")
        server.send(type="stdout", run_id="r1", data="one\r\ntwo\r\n")
        server.exit()

    server.on_run = on_run
    open_output_graph(app, "Colours")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")

    output = page.get_by_test_id("console-output")
    assert console_items(page)[1:] == [
        "red plain",
        "green",
        "warning: careful",
        "100%|##########|",
        "one",
        "two",
    ]
    # One line for the progress bar: the earlier states were overwritten, not added.
    expect(output.locator(".ne-line", has_text="%|")).to_have_count(1)

    red = output.locator("span.ne-fg-red", has_text="red")
    expect(red).to_have_count(1)
    green = output.locator("span.ne-fg-green")
    expect(green).to_have_text("green")
    warning = output.locator("span.ne-fg-bright-yellow.ne-bold")
    expect(warning).to_have_text("warning")
    assert warning.evaluate("el => getComputedStyle(el).fontWeight") == "700"
    # The rest of the line is back to the stream's own colour.
    plain = output.locator(".ne-line", has_text="red plain").locator("span").nth(1)
    assert plain.get_attribute("class") is None

    # Readable colours in both themes: each has its palette (index.css), switched by the toggle.
    palettes = {
        "dark": ("rgb(248, 113, 113)", "rgb(253, 224, 71)"),
        "light": ("rgb(185, 28, 28)", "rgb(133, 77, 14)"),
    }
    for _ in range(2):
        theme = (
            "light" if "light" in (page.locator("html").get_attribute("class") or "") else "dark"
        )
        assert (color_of(red), color_of(warning)) == palettes[theme], theme
        app.screenshot(f"console-ansi-{theme}")
        page.get_by_test_id("theme-toggle").click()


def test_scripted_image_and_table_displays(app: App, tmp_path: Path):
    page = app.page
    server = ScriptedServer(page)
    image = png(64, 32)
    b64 = base64.b64encode(image).decode()

    def on_run(message: dict[str, Any]) -> None:
        server.start(message)
        server.send(type="stdout", run_id="r1", data="before\n")
        server.send(type="display", run_id="r1", mime="image/png", data=b64, node_id="plot")
        server.send(type="stdout", run_id="r1", data="between\n")
        server.send(
            type="display",
            run_id="r1",
            mime="table",
            node_id="show",
            data={
                "columns": [HOSTILE, "n", "ok"],
                "rows": [[HOSTILE, 1.5, True], ["plain", None, False]],
                "total": 5000,
            },
        )
        # Dropped: HTML as a mime, a table cell that is an object, a PNG that is not base64.
        server.send(type="display", run_id="r1", mime="text/html", data=HOSTILE, node_id=None)
        server.send(
            type="display",
            run_id="r1",
            mime="table",
            node_id=None,
            data={"columns": ["a"], "rows": [[{"html": HOSTILE}]], "total": 1},
        )
        server.send(type="display", run_id="r1", mime="image/png", data=HOSTILE, node_id=None)
        server.send(type="stdout", run_id="r1", data=f"after {HOSTILE}\n")
        server.exit()

    server.on_run = on_run
    open_output_graph(app, "Displays")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0")

    output = page.get_by_test_id("console-output")
    displays = output.get_by_test_id("console-display")
    expect(displays).to_have_count(2)
    assert console_items(page)[1:] == [
        "before",
        "<image/png>",
        "between",
        "<table>",
        f"after {HOSTILE}",
    ]

    # The picture: an <img> of a data URL, decoded by the browser.
    img = displays.nth(0).get_by_test_id("display-image").locator("img")
    assert (img.get_attribute("src") or "").startswith("data:image/png;base64,iVBORw0KGgo")
    page.wait_for_function("el => el.complete && el.naturalWidth === 64", arg=img.element_handle())
    expect(displays.nth(0).get_by_test_id("display-node")).to_have_text("from “Plot”")

    # The table: text in cells, the hostile string included; cut tables say so.
    table = displays.nth(1)
    expect(table).to_contain_text("showing 2 of 5,000 rows")
    expect(table.locator("th").first).to_have_text(HOSTILE)
    expect(table.locator("td").first).to_have_text(HOSTILE)
    expect(table.locator("td").nth(1)).to_have_text("1.5")
    expect(table.locator("td").nth(2)).to_have_text("True")
    expect(table.locator("td").nth(4)).to_have_text("—")
    # Nothing from the run became markup: no <img src=x> anywhere, no handler ran.
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => window.__pwned") is None

    # The node link selects and centres the node that showed it.
    table.get_by_test_id("display-node").click()
    expect(app.node("show").locator(".ne-node")).to_have_attribute("data-selected", "true")
    app.screenshot("console-displays-scripted")

    # Click the picture: it opens large, and downloads as a PNG file.
    displays.nth(0).get_by_test_id("display-image").click()
    dialog = page.get_by_test_id("display-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("display-dialog-image")).to_be_visible()
    with page.expect_download() as info:
        dialog.get_by_test_id("display-download").click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == image
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Click the table: it opens large, still as text.
    table.locator("td").first.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("data-mime", "table")
    expect(dialog.locator("td").first).to_have_text(HOSTILE)
    expect(dialog).to_contain_text("showing 2 of 5,000 rows")
    page.keyboard.press("Escape")
    assert page.evaluate("() => window.__pwned") is None


def test_scripted_sandbox_help_before_the_pool_describes_it(app: App):
    page = app.page
    ScriptedServer(page)
    open_output_graph(app, "Help")
    page.route(
        re.compile(r"/api/sandbox/$"),
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"detail": "No pool worker has described its sandbox yet."}),
        ),
    )
    page.get_by_test_id("more").click()
    page.get_by_test_id("menu-sandbox").click()
    expect(page.get_by_test_id("sandbox-error")).to_contain_text(
        "pool has not described its sandbox yet"
    )
    page.keyboard.press("Escape")
    page.unroute(re.compile(r"/api/sandbox/$"))
    page.route(
        re.compile(r"/api/sandbox/$"),
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(
                {
                    "python": "3.11.2",
                    "packages": [
                        {"name": "numpy", "version": "1.24.2"},
                        {"name": HOSTILE, "version": "1.0"},
                    ],
                    "limits": {"wall_seconds": 30, "memory_mb": 256, "output_bytes": 1048576},
                }
            ),
        ),
    )
    page.get_by_test_id("more").click()
    page.get_by_test_id("menu-sandbox").click()
    dialog = page.get_by_test_id("sandbox-dialog")
    expect(dialog.get_by_test_id("sandbox-python")).to_contain_text("3.11.2")
    expect(dialog.locator('[data-package="numpy"]')).to_contain_text("1.24.2")
    expect(dialog.locator('[data-limit="memory_mb"]')).to_contain_text("256 MiB")
    expect(dialog.locator('[data-limit="output_bytes"]')).to_contain_text("1 MiB")
    expect(dialog.get_by_test_id("sandbox-packages")).to_contain_text(HOSTILE)
    assert page.evaluate("() => window.__pwned") is None


# ---- the real stack ---------------------------------------------------------------------------


def test_real_plot_and_show_in_the_console(app: App):
    """A Plot node and a Show node of a list of dicts: a chart and a table in the console, with
    the script's coloured text and its progress line. Saves docs/rich-output.png (README)."""
    page = app.page
    page.set_viewport_size({"width": 1280, "height": 800})
    open_output_graph(app, "Squares and cities")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-status")).to_contain_text("exit code 0", timeout=60_000)

    output = page.get_by_test_id("console-output")
    expect(output.locator("span.ne-fg-red")).to_have_text("red")
    expect(output.locator(".ne-line", has_text="progress")).to_have_count(1)
    expect(output.locator(".ne-line", has_text="progress")).to_have_text("progress 100%")

    displays = output.get_by_test_id("console-display")
    expect(displays).to_have_count(2)
    items = [i for i in console_items(page) if i.startswith("<")]
    assert items == ["<image/png>", "<table>"]
    img = displays.nth(0).locator("img")
    page.wait_for_function("el => el.complete && el.naturalWidth > 100", arg=img.element_handle())
    expect(displays.nth(0).get_by_test_id("display-node")).to_have_text("from “Plot”")
    table = displays.nth(1)
    expect(table.get_by_test_id("display-node")).to_have_text("from “Show”")
    expect(table.locator("th")).to_have_text(["city", "temp", "rain"])
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").first).to_contain_text("Oslo")

    # The screenshot for the README: the chart and the table together in the console.
    handle = page.get_by_test_id("console-resize")
    box = handle.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, 290, steps=6)
    page.mouse.up()
    page.get_by_test_id("fit-view").click()
    output.evaluate("el => { el.scrollTop = 0; }")
    expect(displays.nth(0)).to_be_visible()
    expect(displays.nth(1)).to_be_visible()
    page.mouse.move(1100, 220)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ROOT / "docs" / "rich-output.png"))

    # Open the chart large.
    displays.nth(0).get_by_test_id("display-image").click()
    expect(page.get_by_test_id("display-dialog-image")).to_be_visible()
    page.keyboard.press("Escape")

    # The sandbox help lists its Python and packages.
    page.get_by_test_id("more").click()
    page.get_by_test_id("menu-sandbox").click()
    dialog = page.get_by_test_id("sandbox-dialog")
    expect(dialog.get_by_test_id("sandbox-python")).to_contain_text(re.compile(r"3\.\d+"))
    expect(dialog.locator('[data-package="matplotlib"]')).to_have_count(1)
