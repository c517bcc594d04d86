import { describe, expect, it, vi } from "vitest";

import { lazyModule } from "./lazyModule";

describe("lazyModule", () => {
  it("loads once however often it is asked", async () => {
    const load = vi.fn(async () => ({ answer: 42 }));
    const lazy = lazyModule(load);
    const [a, b] = await Promise.all([lazy.preload(), lazy.preload()]);
    expect(a).toBe(b);
    await lazy.preload();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("tries again after a failed load", async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error("chunk missing")).mockResolvedValueOnce({ ok: true });
    const lazy = lazyModule(load);
    await expect(lazy.preload()).rejects.toThrow("chunk missing");
    await expect(lazy.preload()).resolves.toEqual({ ok: true });
    expect(load).toHaveBeenCalledTimes(2);
  });
});
