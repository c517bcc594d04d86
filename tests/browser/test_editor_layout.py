"""Room to work on a 1280x720 laptop screen: the example graphs open readable and
editable, panels resize and collapse (remembered), the light theme follows the browser and passes
WCAG AA, a new graph shows a hint, the Input node has no React Flow box, `?` lists the shortcuts.
Also writes the screenshots of both themes to docs/screenshots/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, FloatRect, expect

from harness.browser import ROOT, App

pytestmark = [pytest.mark.browser, pytest.mark.docker, pytest.mark.timeout(300)]

SCREENSHOTS = ROOT / "docs" / "screenshots"
EXAMPLES = [
    "Hello, world",
    "Counting with pauses",
    "Ask for your name",
    "A function",
    "A graph that fails",
]

# The contrast of every visible text element against the colour behind it (WCAG 2 formula).
CONTRAST_JS = """
() => {
  // Computed colours come as rgb(), oklch() / oklab() (Tailwind's palette) or color(srgb ...).
  const toByte = (v) => { v = Math.max(0, Math.min(1, v)); return 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055); };
  const fromOklab = (L, A, B, alpha) => {
    const l = Math.pow(L + 0.3963377774 * A + 0.2158037573 * B, 3), m = Math.pow(L - 0.1055613458 * A - 0.0638541728 * B, 3), s = Math.pow(L - 0.0894841775 * A - 1.291485548 * B, 3);
    return { r: toByte(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s), g: toByte(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s), b: toByte(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s), a: alpha };
  };
  const parse = (c) => {
    const m = c && c.match(/^(rgba?|oklch|oklab|color)\\((.*)\\)$/);
    if (!m) return c === 'transparent' ? { r: 0, g: 0, b: 0, a: 0 } : null;
    const [main, alpha] = m[2].split('/');
    const parts = main.replace(/,/g, ' ').split(/\\s+/).filter(Boolean);
    const a = alpha === undefined ? (m[1] === 'rgba' && parts.length > 3 ? Number(parts[3]) : 1) : parseFloat(alpha) / (alpha.includes('%') ? 100 : 1);
    const num = (v) => parseFloat(v) / (v.endsWith('%') ? 100 : 1);
    if (m[1] === 'rgb' || m[1] === 'rgba') return { r: Number(parts[0]), g: Number(parts[1]), b: Number(parts[2]), a };
    if (m[1] === 'color') return { r: 255 * Number(parts[1]), g: 255 * Number(parts[2]), b: 255 * Number(parts[3]), a };
    if (m[1] === 'oklab') return fromOklab(num(parts[0]), Number(parts[1]), Number(parts[2]), a);
    const L = num(parts[0]), C = Number(parts[1]), h = (Number(parts[2]) || 0) * Math.PI / 180;
    return fromOklab(L, C * Math.cos(h), C * Math.sin(h), a);
  };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    if (!layers.length || layers[layers.length - 1].a < 1) bg = parse(getComputedStyle(document.body).backgroundColor) || bg;
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const out = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0 || box.bottom < 0 || box.top > innerHeight || box.right < 0 || box.left > innerWidth) continue;
    if (el.closest('[disabled], .cm-gutters, .react-flow__minimap, .cm-content')) continue;
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    if (opacity < 0.6) continue;  // dimmed on purpose (unreached nodes, greyed values)
    const fg = parse(style.color); if (!fg) { out.push(`unread colour ${style.color}`); continue; }
    checked += 1;
    const bg = background(el);
    const c = over(fg, bg);
    const [a, b] = [lum(c), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize); const bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(`${ratio.toFixed(2)} < ${need}: "${n.textContent.trim().slice(0, 40)}" (${style.color} on rgb(${bg.r|0},${bg.g|0},${bg.b|0})) <${el.tagName.toLowerCase()} class="${el.className}"> bg ${style.backgroundColor}`);
  }
  return { checked, problems: out };
}
"""  # noqa: E501


def contrast_problems(page) -> list[str]:
    """The texts on screen below WCAG AA (after checking that there were texts to check)."""
    result = page.evaluate(CONTRAST_JS)
    assert result["checked"] > 5, result
    return result["problems"]


@pytest.fixture
def laptop(
    engine_servers: Any, transactional_db: Any, browser: Browser
) -> Iterator[Callable[..., App]]:
    """Apps in 1280x720 windows, optionally with a colour-scheme preference."""
    contexts: list[BrowserContext] = []
    apps: list[App] = []

    def _make(color_scheme: Literal["dark", "light"] = "dark") -> App:
        context = browser.new_context(
            viewport={"width": 1280, "height": 720}, color_scheme=color_scheme
        )
        contexts.append(context)
        app = App(context, engine_servers.origin)
        apps.append(app)
        return app

    yield _make
    for context in contexts:
        context.close()
    assert [e for app in apps for e in app.errors] == []


def boxes(app: App) -> list[FloatRect]:
    return [b for b in (n.bounding_box() for n in app.page.locator(".react-flow__node").all()) if b]


def test_examples_open_readable_and_editable_at_1280x720(laptop):
    app = laptop()
    page = app.page
    app.sign_up()
    overlaps: list[str] = []
    for name in EXAMPLES:
        app.open_from_list(name)
        page.wait_for_timeout(400)  # the fit after measuring
        zoom = app.viewport()[2]
        assert zoom >= 0.85, f"{name}: opened at zoom {zoom}"
        canvas = page.get_by_test_id("canvas").bounding_box()
        minimap = page.locator(".react-flow__minimap").bounding_box()
        assert canvas and minimap
        # Node text is at least 12 px at zoom 1, so at least 12 * zoom on screen.
        sizes = page.eval_on_selector_all(
            ".react-flow__node [data-port-row] span, .react-flow__node label span",
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))",
        )
        assert sizes and min(sizes) >= 12, f"{name}: node text {min(sizes)} px"
        # No two nodes overlap.
        for a, b in combinations(boxes(app), 2):
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            if not apart:
                overlaps.append(f"{name}: {a} {b}")
        # The first field is on screen, clear of the minimap, and takes typing.
        field = page.locator(
            ".react-flow__node input:not([type=checkbox]), .react-flow__node textarea"
        ).first
        box = field.bounding_box()
        assert box, name
        assert (
            canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"]
        ), name
        assert (
            canvas["y"] <= box["y"] and box["y"] + box["height"] <= canvas["y"] + canvas["height"]
        ), name
        under_minimap = (
            box["x"] + box["width"] > minimap["x"] and box["y"] + box["height"] > minimap["y"]
        )
        assert not under_minimap, f"{name}: the field is under the minimap"
        # Whole: not cut off by the node's width.
        assert field.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), name
    assert overlaps == [], "nodes overlap:\n" + "\n".join(overlaps)


def test_panels_resize_collapse_and_are_remembered(laptop):
    app = laptop()
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    palette = page.get_by_test_id("palette")
    code = page.get_by_test_id("code-aside")
    console = page.get_by_test_id("console")

    def drag(handle: str, dx: float, dy: float) -> None:
        box = page.get_by_test_id(handle).bounding_box()
        assert box
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y + dy, steps=6)
        page.mouse.up()

    width = lambda loc: loc.bounding_box()["width"]  # noqa: E731
    height = lambda loc: loc.bounding_box()["height"]  # noqa: E731
    p0, c0, k0 = width(palette), width(code), height(console)
    drag("palette-resize", 60, 0)
    drag("code-resize", -100, 0)
    drag("console-resize", 0, -80)
    assert abs(width(palette) - (p0 + 60)) <= 3
    assert abs(width(code) - (c0 + 100)) <= 3
    assert abs(height(console) - (k0 + 80)) <= 3

    # Each panel collapses with its key, and the layout is kept for this user across a reload.
    page.get_by_test_id("canvas").click(position={"x": 300, "y": 300})
    page.keyboard.press("Control+b")
    expect(palette).to_have_count(0)
    page.keyboard.press("Control+Alt+b")
    expect(code).to_have_count(0)
    page.keyboard.press("Control+Backquote")
    expect(page.get_by_test_id("console-output")).to_have_count(0)
    expect(console).to_have_attribute("data-open", "false")
    app.screenshot("editor-panels-collapsed")
    page.reload()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    expect(palette).to_have_count(0)
    expect(code).to_have_count(0)
    expect(page.get_by_test_id("console-output")).to_have_count(0)
    page.get_by_test_id("palette-expand").click()
    page.get_by_test_id("code-expand").click()
    page.get_by_test_id("console-toggle").click()
    assert abs(width(palette) - (p0 + 60)) <= 3
    assert abs(width(code) - (c0 + 100)) <= 3
    assert abs(height(console) - (k0 + 80)) <= 3


def test_light_theme_follows_the_browser_toggles_and_reads_well(laptop):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app = laptop(color_scheme="light")
    page = app.page
    app.sign_up()
    app.open_from_list("A graph that fails")
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.classList.contains('light')")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    problems = contrast_problems(page)
    assert problems == [], "light theme text below WCAG AA:\n" + "\n".join(problems)
    page.screenshot(path=str(SCREENSHOTS / "editor-light.png"))

    page.get_by_test_id("theme-toggle").click()
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    page.wait_for_timeout(300)
    problems = contrast_problems(page)
    assert problems == [], "dark theme text below WCAG AA:\n" + "\n".join(problems)
    page.screenshot(path=str(SCREENSHOTS / "editor-dark.png"))
    # The choice is kept over the browser's preference.
    page.reload()
    expect(page.get_by_test_id("save-state")).to_contain_text("Saved")
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    for shot in ("editor-light.png", "editor-dark.png"):
        assert (SCREENSHOTS / shot).stat().st_size < 400_000


def test_the_graph_list_and_sign_in_read_well_in_both_themes(laptop):
    for scheme in ("light", "dark"):
        app = laptop(color_scheme=scheme)
        page = app.page
        page.goto(app.url("/login"))
        expect(page.locator("#username")).to_be_visible()
        assert contrast_problems(page) == [], scheme
        app.sign_up()
        expect(page.get_by_test_id("graph-list")).to_be_visible()
        assert contrast_problems(page) == [], scheme


def test_a_new_graph_hints_until_the_first_node(laptop):
    app = laptop()
    page = app.page
    app.sign_up()
    page.get_by_role("button", name="New graph").click()
    hint = page.get_by_test_id("empty-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("double-click")
    page.get_by_test_id("canvas").dblclick(position={"x": 120, "y": 120})
    page.get_by_test_id("quick-add").locator("input").fill("print")
    page.keyboard.press("Enter")
    expect(page.locator(".react-flow__node")).to_have_count(1)
    expect(hint).to_have_count(0)


def test_the_input_node_has_no_react_flow_box(laptop):
    app = laptop()
    page = app.page
    app.sign_up()
    app.open_from_list("Ask for your name")
    wrapper = page.locator('.react-flow__node[data-id="ask"]')
    expect(wrapper).to_be_visible()
    classes = wrapper.get_attribute("class") or ""
    assert "react-flow__node-input" not in classes.split(), classes
    style = wrapper.evaluate(
        "el => { const s = getComputedStyle(el); return { bg: s.backgroundColor,"
        " pad: s.paddingLeft, border: s.borderLeftWidth, width: el.getBoundingClientRect().width,"
        " inner: el.firstElementChild.getBoundingClientRect().width }; }"
    )
    assert style["bg"] in ("rgba(0, 0, 0, 0)", "transparent"), style
    assert style["pad"] == "0px" and style["border"] == "0px", style
    assert abs(style["width"] - style["inner"]) < 1, style
    # It is still an Input node of the catalogue: saved as `input`, shown with its prompt.
    graph = app.api("GET", f"/api/graphs/{app.graph_id()}/")
    assert any(n["type"] == "input" for n in graph["nodes"])
    expect(wrapper.get_by_test_id("node-input")).to_be_visible()


def test_question_mark_lists_the_shortcuts(laptop):
    app = laptop()
    page = app.page
    app.sign_up()
    app.open_from_list("Hello, world")
    page.get_by_test_id("canvas").click(position={"x": 300, "y": 300})
    page.keyboard.press("Shift+Slash")
    help_dialog = page.get_by_test_id("help-dialog")
    expect(help_dialog).to_be_visible()
    for keys in ("Ctrl+S", "Ctrl+B", "Ctrl+Alt+B", "Ctrl+`", "F5", "Delete", "?"):
        expect(help_dialog.locator("kbd", has_text=keys).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_have_count(0)
