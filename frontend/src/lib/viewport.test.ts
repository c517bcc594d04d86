import { describe, expect, it } from "vitest";

import { fitViewport, MIN_FIT_ZOOM, OVERLAYS } from "./viewport";

const canvas = { width: 720, height: 500 };

describe("fit view", () => {
  it("centres a small graph, clear of the controls and the minimap", () => {
    const bounds = { x: 0, y: 0, width: 400, height: 150 };
    const vp = fitViewport(bounds, canvas);
    expect(vp.zoom).toBeLessThanOrEqual(1.1);
    const left = vp.x;
    const right = vp.x + bounds.width * vp.zoom;
    const bottom = vp.y + bounds.height * vp.zoom;
    expect(left).toBeGreaterThanOrEqual(OVERLAYS.controls.width);
    // Not under the minimap: either left of it or above it.
    expect(right <= canvas.width - OVERLAYS.minimap.width || bottom <= canvas.height - OVERLAYS.minimap.height).toBe(true);
  });

  it("never fits below the zoom at which nodes show their fields: a big graph opens at its start", () => {
    const bounds = { x: 100, y: 50, width: 3000, height: 900 };
    const vp = fitViewport(bounds, canvas);
    expect(vp.zoom).toBe(MIN_FIT_ZOOM);
    expect(vp.x + bounds.x * vp.zoom).toBeGreaterThanOrEqual(OVERLAYS.controls.width);
    expect(vp.y + bounds.y * vp.zoom).toBeGreaterThan(0);
  });
});
