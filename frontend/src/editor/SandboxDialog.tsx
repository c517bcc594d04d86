// What a script can use when it runs: the sandbox's Python, its packages with versions and the
// limits each run is held to (GET /api/sandbox/, docs/rich_output.md section 3).

import { Loader2, Search } from "lucide-react";
import { useEffect, useState } from "react";

import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { ApiError, apiAs, errorText } from "@/lib/api";
import { type SandboxInfo, sandboxInfoSchema } from "@/lib/schemas";

type Load = { status: "loading" } | { status: "ready"; info: SandboxInfo } | { status: "error"; message: string };

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

const LIMITS: Record<string, [string, (v: number) => string]> = {
  wall_seconds: ["Time per run", (v) => `${v} s`],
  cpu_seconds: ["CPU time per run", (v) => `${v} s`],
  memory_mb: ["Memory", (v) => `${v} MiB`],
  output_bytes: ["Output (text, pictures and tables)", bytes],
  pause_seconds: ["Paused in the debugger, at most", (v) => `${v} s`],
};

export function SandboxDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [load, setLoad] = useState<Load>({ status: "loading" });
  const [filter, setFilter] = useState("");

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    setLoad({ status: "loading" });
    apiAs(sandboxInfoSchema, "sandbox/", { signal: controller.signal })
      .then((info) => setLoad({ status: "ready", info }))
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const message =
          err instanceof ApiError && err.status === 503
            ? "The pool has not described its sandbox yet: no worker has reported since it started. Try again in a moment."
            : errorText(err);
        setLoad({ status: "error", message });
      });
    return () => controller.abort();
  }, [open]);

  const q = filter.trim().toLowerCase();
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-xl" data-testid="sandbox-dialog">
        <DialogHeader>
          <DialogTitle>Sandbox</DialogTitle>
          <DialogDescription>What a script can use when it runs: its Python, the packages it can import and the limits of each run.</DialogDescription>
        </DialogHeader>
        {load.status === "loading" && (
          <p className="flex items-center gap-2 text-sm text-slate-400">
            <Loader2 className="h-4 w-4 animate-spin" /> Asking the server…
          </p>
        )}
        {load.status === "error" && (
          <p className="text-sm text-amber-300" role="alert" data-testid="sandbox-error">
            {load.message}
          </p>
        )}
        {load.status === "ready" && (
          <div className="grid gap-4 text-sm">
            <p data-testid="sandbox-python">
              <span className="text-slate-400">Python</span> <span className="font-mono text-slate-100">{load.info.python}</span>
            </p>
            {Object.keys(load.info.limits).length > 0 && (
              <section>
                <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">Limits of each run</h3>
                <table className="w-full" data-testid="sandbox-limits">
                  <tbody>
                    {Object.entries(load.info.limits).map(([key, value]) => {
                      const [label, format] = LIMITS[key] ?? [key, String];
                      return (
                        <tr key={key} data-limit={key}>
                          <td className="py-0.5 pr-2 text-slate-300">{label}</td>
                          <td className="py-0.5 text-right font-mono text-slate-100">{format(value)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </section>
            )}
            <section>
              <div className="mb-1 flex items-center gap-2">
                <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-400">Packages ({load.info.packages.length})</h3>
                <label className="ml-auto flex items-center gap-1 rounded border border-slate-700 bg-slate-950 px-1.5">
                  <Search className="h-3 w-3 text-slate-500" />
                  <input
                    className="w-40 bg-transparent py-0.5 text-xs text-slate-100 outline-none placeholder:text-slate-500"
                    placeholder="Filter"
                    value={filter}
                    onChange={(e) => setFilter(e.target.value)}
                    aria-label="Filter the packages"
                  />
                </label>
              </div>
              <div className="max-h-[40vh] overflow-y-auto rounded border border-slate-800">
                <table className="w-full" data-testid="sandbox-packages">
                  <tbody>
                    {load.info.packages
                      .filter((p) => !q || p.name.toLowerCase().includes(q))
                      .map((p) => (
                        <tr key={p.name} data-package={p.name} className="border-t border-slate-800 first:border-t-0">
                          <td className="px-2 py-0.5 font-mono text-slate-100">{p.name}</td>
                          <td className="px-2 py-0.5 text-right font-mono text-slate-400">{p.version}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </section>
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}
