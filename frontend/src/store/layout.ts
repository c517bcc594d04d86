// The editor's panel layout: the palette, the code panel and the console, each resizable and
// collapsible, remembered per user in this browser (localStorage).

import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";

export interface Layout {
  paletteWidth: number;
  paletteOpen: boolean;
  codeWidth: number;
  codeOpen: boolean;
  consoleHeight: number;
  consoleOpen: boolean;
}

export type Panel = "palette" | "code" | "console";

// Sized for a 1280×720 laptop: the canvas keeps about 700 × 500 px.
export const DEFAULT_LAYOUT: Layout = {
  paletteWidth: 200,
  paletteOpen: true,
  codeWidth: 360,
  codeOpen: true,
  consoleHeight: 170,
  consoleOpen: true,
};

export const LIMITS = {
  paletteWidth: { min: 150, max: 480 },
  codeWidth: { min: 240, max: 1000 },
  consoleHeight: { min: 80, max: 700 },
} as const;

const KEY = "nodeengine.layout.";

const clamp = (v: number, { min, max }: { min: number; max: number }) => Math.round(Math.min(max, Math.max(min, v)));

/** A stored layout, each field checked, missing or wrong ones at their defaults. */
export function readLayout(text: string | null): Layout {
  let raw: unknown = null;
  try {
    raw = text ? JSON.parse(text) : null;
  } catch {
    raw = null;
  }
  const get = (key: keyof Layout): unknown => (raw && typeof raw === "object" ? (raw as Partial<Record<keyof Layout, unknown>>)[key] : undefined);
  const num = (key: keyof typeof LIMITS): number => {
    const v = get(key);
    return typeof v === "number" && Number.isFinite(v) ? clamp(v, LIMITS[key]) : DEFAULT_LAYOUT[key];
  };
  const bool = (key: "paletteOpen" | "codeOpen" | "consoleOpen"): boolean => {
    const v = get(key);
    return typeof v === "boolean" ? v : DEFAULT_LAYOUT[key];
  };
  return {
    paletteWidth: num("paletteWidth"),
    paletteOpen: bool("paletteOpen"),
    codeWidth: num("codeWidth"),
    codeOpen: bool("codeOpen"),
    consoleHeight: num("consoleHeight"),
    consoleOpen: bool("consoleOpen"),
  };
}

interface LayoutStore extends Layout {
  user: string | null;
  /** Loads the layout of a user (their id). */
  useFor(user: string): void;
  resize(key: keyof typeof LIMITS, value: number): void;
  toggle(panel: Panel): void;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

export const layoutStore = createStore<LayoutStore>()((set, get) => {
  const persist = () => {
    const { user, paletteWidth, paletteOpen, codeWidth, codeOpen, consoleHeight, consoleOpen } = get();
    if (!user) return;
    try {
      storage()?.setItem(KEY + user, JSON.stringify({ paletteWidth, paletteOpen, codeWidth, codeOpen, consoleHeight, consoleOpen }));
    } catch {
      // Not kept: the layout still applies for this visit.
    }
  };
  return {
    ...DEFAULT_LAYOUT,
    user: null,
    useFor(user) {
      if (get().user === user) return;
      set({ user, ...readLayout(storage()?.getItem(KEY + user) ?? null) });
    },
    resize(key, value) {
      set({ [key]: clamp(value, LIMITS[key]) } as Pick<Layout, typeof key>);
      persist();
    },
    toggle(panel) {
      const key = panel === "palette" ? "paletteOpen" : panel === "code" ? "codeOpen" : "consoleOpen";
      set({ [key]: !get()[key] } as Pick<Layout, typeof key>);
      persist();
    },
  };
});

export function useLayout<T>(selector: (s: LayoutStore) => T): T {
  return useStore(layoutStore, selector);
}
