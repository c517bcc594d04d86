"""The pool dashboard in a real browser (Playwright + Debian's Chromium) on the live servers
(daphne + a runpool worker, harness/engine.py): no sideways scroll at laptop widths,
readable status colours, and the two charts of the last hour drawn from real runs."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from execution import fleet
from execution.models import Execution
from harness.engine import WsClient, make_token, redis_url, run_async
from harness.waiting import wait_until

pytestmark = [pytest.mark.docker, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "dashboard-password-long-enough-42"

# WCAG 2 contrast of an element's text against the first opaque background behind it.
CONTRAST_JS = """(el) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let bg = [255, 255, 255];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const parts = rgb(getComputedStyle(node).backgroundColor);
    if (parts.length >= 3 && (parts.length === 3 || parts[3] > 0.5)) {
      bg = parts.slice(0, 3);
      break;
    }
  }
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""

# Chart state: the points each series holds and how many pixels of its canvas are painted.
CHART_JS = """(name) => {
  const chart = window.poolCharts && window.poolCharts[name];
  if (!chart) return null;
  const canvas = chart.root.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {
    width: canvas.width,
    painted: painted,
    values: chart.data.slice(1).map((s) => s.filter((v) => v != null && v > 0).length),
    sum: chart.data[1].reduce((a, v) => a + (v || 0), 0),
  };
}"""


def record_two_runs(servers: Any, user: Any) -> list[str]:
    """Two real runs through the socket; returns their ids once both records are finished."""
    token = make_token(user)

    async def scenario() -> list[str]:
        client = await WsClient.connect(servers, token)
        try:
            ids = []
            for text in ("one", "two"):
                run_id = await client.start(code=f"print('{text}')", timeout=60)
                outcome = await client.finish(run_id, timeout=60)
                assert outcome.reason == "ok", outcome.events
                ids.append(run_id)
            return ids
        finally:
            await client.close()

    ids = run_async(scenario())
    wait_until(
        lambda: (
            Execution.objects.filter(
                pk__in=ids, status="finished", time_to_first_output__isnull=False
            ).count()
            == 2
        ),
        30,
        "both runs to be recorded",
    )
    return ids


def no_sideways_scroll(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")


def overflowing_tables(page: Page) -> list[str]:
    """Tables wider than their box (they would scroll inside it, hiding e.g. the actions)."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('.pool-scroll'))"
        ".filter((box) => box.scrollWidth > box.clientWidth + 1)"
        ".map((box) => box.firstElementChild.id + ': ' + box.scrollWidth + ' > ' + box.clientWidth)"
    )


@pytest.fixture
def wordy_worker() -> Any:
    """A live worker record with long texts, as a worker whose Docker fails reports them."""
    store = fleet.RedisHeartbeatStore(redis_url())
    name = "opsdash-wordy-worker-with-a-rather-long-name-0123456789"
    store.put(
        {
            "name": name,
            "heartbeat_at": 4_102_444_800.0,  # alive for as long as this test runs
            "host": "a-very-long-host-name.example.internal",
            "pid": 123456,
            "image": "registry.example.internal:5000/nodeengine/sandbox-image:2026-01-01-abcdef0",
            "size": 12,
            "warm": 11,
            "held": 1,
            "busy": 7,
            "last_error": "DockerException: " + "Error while fetching server API version " * 6,
            "last_control": "resize 12: ok " * 4,
        }
    )
    yield name
    store.forget(name)


@pytest.fixture
def staff(django_user_model, transactional_db) -> Any:
    return django_user_model.objects.create_user("dash-operator", password=PASSWORD, is_staff=True)


def test_the_dashboard_fits_reads_and_charts_the_last_hour(engine_servers, staff, wordy_worker):
    record_two_runs(engine_servers, staff)
    worker = next(iter(engine_servers.workers))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(engine_servers.origin + "/admin/login/?next=/admin/pool/")
            page.fill("#id_username", staff.username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            row = page.locator(f'tr.worker[data-worker="{worker}"]')
            expect(row).to_be_visible()

            # The charts hold the two runs and are drawn on their canvases.
            page.wait_for_function(
                "() => window.poolCharts && window.poolCharts.runs && "
                "window.poolCharts.runs.data[1].reduce((a, v) => a + v, 0) >= 2"
            )
            runs = page.evaluate(CHART_JS, "runs")
            ttfo = page.evaluate(CHART_JS, "ttfo")
            assert runs["sum"] >= 2 and runs["painted"] > 500, runs
            assert ttfo["values"][0] >= 1 and ttfo["values"][1] >= 1, ttfo  # p50 and p95 points
            assert ttfo["painted"] > 500, ttfo
            expect(page.locator("#chart-note")).to_contain_text("runs finished in the last hour")

            # Readable status: the worker's "alive" badge passes WCAG AA for text.
            alive = row.locator(".alive")
            expect(alive).to_have_text("alive")
            assert alive.evaluate(CONTRAST_JS) >= 4.5

            # No sideways scroll at 1440 px, nor at 1280 px (also after a refresh of the figures).
            for width in (1440, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(2500)  # the 2 s refresh of the status block has run
                scroll_width, inner_width = no_sideways_scroll(page)
                if scroll_width > inner_width:
                    page.screenshot(path=f"test-artifacts/pool-dashboard-{width}.png")
                assert scroll_width <= inner_width, (width, scroll_width, inner_width)
                assert overflowing_tables(page) == [], width
                chart = page.evaluate(CHART_JS, "runs")
                assert chart["width"] <= inner_width, chart
            assert errors == [], errors
        finally:
            browser.close()


def test_with_no_runs_the_charts_draw_empty_and_the_page_fits(engine_servers, staff):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(engine_servers.origin + "/admin/login/?next=/admin/pool/")
            page.fill("#id_username", staff.username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_function("() => window.poolCharts && window.poolCharts.ttfo")
            expect(page.locator("#chart-note")).to_contain_text("runs finished in the last hour")
            scroll_width, inner_width = no_sideways_scroll(page)
            assert scroll_width <= inner_width, (scroll_width, inner_width)
        finally:
            browser.close()
