// Light and dark themes: the browser's preference (prefers-color-scheme) unless the user picked
// one with the header's toggle (kept in this browser). The class on <html> switches the palette
// (index.css redefines the colors for `.light`).

import { create } from "zustand";

export type Theme = "light" | "dark";
type Choice = Theme | "system";

const KEY = "nodeengine.theme";

function stored(): Choice {
  try {
    const value = localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

const media = typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: light)") : null;
const systemTheme = (): Theme => (media?.matches ? "light" : "dark");

function apply(theme: Theme): void {
  const root = document.documentElement;
  root.classList.toggle("light", theme === "light");
  root.classList.toggle("dark", theme === "dark");
  root.style.colorScheme = theme;
}

interface ThemeState {
  choice: Choice;
  theme: Theme;
  /** Switches to the other theme (and keeps the choice). */
  toggle(): void;
}

export const useTheme = create<ThemeState>()((set, get) => {
  const choice = stored();
  const theme = choice === "system" ? systemTheme() : choice;
  return {
    choice,
    theme,
    toggle() {
      const next: Theme = get().theme === "dark" ? "light" : "dark";
      try {
        // Back to following the browser when the pick matches it.
        if (next === systemTheme()) localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, next);
      } catch {
        // Not kept: the theme still changes for this visit.
      }
      set({ choice: next === systemTheme() ? "system" : next, theme: next });
      apply(next);
    },
  };
});

/** Applies the theme before the first render and follows the browser's preference. */
export function initTheme(): void {
  apply(useTheme.getState().theme);
  media?.addEventListener("change", () => {
    if (useTheme.getState().choice !== "system") return;
    useTheme.setState({ theme: systemTheme() });
    apply(systemTheme());
  });
}
