// Code loaded on demand, without React.lazy: React 19 holds back the content of a Suspense
// boundary for up to 300 ms after its fallback was shown ("Suspense throttling"), which on opening
// a graph cost that much on every open, twice (the editor route, then the code panel). Here a
// module that is already loaded renders at once, and one that is not yet renders a fallback
// until it arrives.

import { useEffect, useState } from "react";

export interface LazyModule<T> {
  /** Start loading (idempotent). */
  preload(): Promise<T>;
  /** The module once loaded (null before), or the reason it could not be loaded. */
  useModule(): { module: T | null; error: string | null };
}

export function lazyModule<T>(load: () => Promise<T>): LazyModule<T> {
  let loaded: T | null = null;
  let pending: Promise<T> | null = null;

  function preload(): Promise<T> {
    pending ??= load().then(
      (module) => (loaded = module),
      (err: unknown) => {
        pending = null; // a later attempt may succeed (e.g. after a network blip)
        throw err;
      },
    );
    return pending;
  }

  // biome-ignore lint/correctness/noComponentHookFactories: made once per module, at import time (see the callers), so the hook is stable.
  function useModule() {
    const [module, setModule] = useState<T | null>(loaded);
    const [error, setError] = useState<string | null>(null);
    useEffect(() => {
      if (module) return;
      let live = true;
      preload().then(
        (m) => live && setModule(() => m),
        () => live && setError("This part of the page could not be loaded (the app may have been updated): reload the page."),
      );
      return () => {
        live = false;
      };
    }, [module]);
    return { module, error };
  }

  return { preload, useModule };
}
