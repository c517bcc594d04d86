// The keymap (editor/keymap.ts) bound to actions: one window handler for every shortcut. A page
// binds the shortcuts it offers (the shared-graph viewer: run and the view, no editing); the
// others are left to the browser.

import { useEffect, useRef } from "react";

import { isTyping, type ShortcutId, shortcutFor } from "./keymap";

export type ShortcutActions = Partial<Record<ShortcutId, () => void>>;

/** Binds the shortcuts; `actions` is read at key time, so it may be a new object each render. */
export function useShortcuts(actions: ShortcutActions): void {
  const actionsRef = useRef(actions);
  actionsRef.current = actions;
  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      const shortcut = shortcutFor(e, isTyping(e.target));
      const action = shortcut ? actionsRef.current[shortcut.id] : undefined;
      if (!shortcut || !action) return;
      // A dialog open (leave, draft, conflict...) takes the keys, except the help's own toggle.
      if (document.querySelector('[role="dialog"]') && shortcut.id !== "help") return;
      if (!shortcut.keepDefault) e.preventDefault();
      action();
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, []);
}
