// Calling a saved graph as a function (its owner only; docs/interfaces.md, "Graph inputs and
// outputs" and "Webhooks"): its signature as saved, then the three ways to call it, each ready to
// copy: over REST with an API token, from another graph (the palette's "My graphs"), and by
// webhook, whose URL (its token) is shown once, when it is created. The lines are built by
// lib/callGraph.ts; everything shown is text (no markup from the server).

import { Braces, Globe, Network, Trash2, Webhook as WebhookIcon } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { CopyButton } from "@/editor/CopyButton";
import { ApiError, errorText } from "@/lib/api";
import {
  createWebhook,
  exampleInputs,
  hookCurl,
  inputSummary,
  loadSignature,
  loadWebhooks,
  restCurl,
  restRunUrl,
  revokeWebhook,
  tokenCurl,
} from "@/lib/callGraph";
import type { WebhookList } from "@/lib/schemas";
import { hasSignature, type Signature } from "@/lib/signature";
import type { GraphRecord, Webhook, WebhookCreated } from "@/lib/types";
import { useSession } from "@/store/session";

/** The header's Call button, beside Share. */
export function CallButton({ graph, onClick }: { graph: GraphRecord | null; onClick: () => void }) {
  return (
    <Button
      size="sm"
      variant="outline"
      onClick={onClick}
      disabled={!graph}
      title="Call this graph as a function: over REST, from another graph, or by webhook"
      data-testid="call"
    >
      <Braces /> Call
    </Button>
  );
}

const codeClass =
  "w-full resize-none rounded-md border border-slate-700 bg-slate-950 px-3 py-2 font-mono text-xs text-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";
const headingClass = "flex items-center gap-2 text-sm font-semibold text-slate-100";
const cellClass = "px-2 py-1 align-top";

function ErrorLine({ text, testId }: { text: string | null; testId?: string }) {
  if (!text) return null;
  return (
    <p className="text-xs text-red-300" role="alert" data-testid={testId}>
      {text}
    </p>
  );
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A read-only line of text (a URL) with its Copy button. */
function CopyLine({ value, label, testId }: { value: string; label: string; testId: string }) {
  const field = useRef<HTMLInputElement>(null);
  return (
    <div className="flex items-start gap-2">
      <Input
        ref={field}
        readOnly
        value={value}
        aria-label={label}
        onFocus={(e) => e.currentTarget.select()}
        className="font-mono text-xs"
        data-testid={testId}
      />
      <CopyButton text={value} field={field} label={`Copy the ${label.toLowerCase()}`} testId={`${testId}-copy`} />
    </div>
  );
}

/** A read-only command (a curl line), wrapped, with its Copy button. */
function CopyCommand({ value, label, testId }: { value: string; label: string; testId: string }) {
  const field = useRef<HTMLTextAreaElement>(null);
  return (
    <div className="flex items-start gap-2">
      <textarea
        ref={field}
        readOnly
        // Tall enough for the whole line, wrapped at about 70 characters.
        rows={Math.min(6, Math.max(2, Math.ceil(value.length / 70)))}
        value={value}
        aria-label={label}
        spellCheck={false}
        onFocus={(e) => e.currentTarget.select()}
        className={codeClass}
        data-testid={testId}
      />
      <CopyButton text={value} field={field} label={`Copy the ${label.toLowerCase()}`} testId={`${testId}-copy`} />
    </div>
  );
}

type SignatureState = { status: "loading" } | { status: "failed"; error: string } | { status: "ready"; signature: Signature };

function SignatureSection({ state, onRetry }: { state: SignatureState; onRetry: () => void }) {
  const headingId = useId();
  return (
    <section className="grid gap-2" aria-labelledby={headingId} data-testid="call-signature">
      <h3 id={headingId} className={headingClass}>
        <Braces className="h-4 w-4 text-sky-400" /> Signature
      </h3>
      {state.status === "loading" && <p className="text-sm text-slate-400">Loading the signature…</p>}
      {state.status === "failed" && (
        <div className="flex items-center gap-2">
          <ErrorLine text={`The signature could not be read: ${state.error}`} testId="call-signature-error" />
          <Button size="xs" variant="outline" onClick={onRetry}>
            Retry
          </Button>
        </div>
      )}
      {state.status === "ready" && !hasSignature(state.signature) && (
        <p className="rounded-md border border-slate-700 bg-slate-950 px-3 py-2 text-sm text-slate-300" data-testid="call-no-signature">
          This graph has no inputs or outputs yet. Add <strong>Graph input</strong> nodes (palette, Functions) for the values it takes, and{" "}
          <strong>Graph output</strong> nodes for the values it gives back, then save. Until then it can still be called, with no inputs, and answers no
          outputs.
        </p>
      )}
      {state.status === "ready" && hasSignature(state.signature) && <SignatureTables signature={state.signature} />}
    </section>
  );
}

function SignatureTables({ signature }: { signature: Signature }) {
  return (
    <div className="grid gap-2 text-sm">
      {signature.inputs.length > 0 ? (
        <table className="w-full border-collapse text-left" data-testid="call-inputs">
          <caption className="pb-1 text-left text-xs font-medium text-slate-400">Inputs</caption>
          <thead className="text-xs text-slate-400">
            <tr>
              <th className={cellClass}>Name</th>
              <th className={cellClass}>Type</th>
              <th className={cellClass}>Required</th>
              <th className={cellClass}>Description</th>
            </tr>
          </thead>
          <tbody>
            {signature.inputs.map((input) => (
              <tr key={input.name} className="border-t border-slate-800" data-testid={`call-input-${input.name}`}>
                <td className={`${cellClass} font-mono`}>{input.name}</td>
                <td className={`${cellClass} font-mono text-sky-300`}>{input.type}</td>
                <td className={cellClass}>{inputSummary(input)}</td>
                <td className={`${cellClass} text-slate-400`}>{input.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="text-xs text-slate-400">No inputs.</p>
      )}
      {signature.outputs.length > 0 ? (
        <table className="w-full border-collapse text-left" data-testid="call-outputs">
          <caption className="pb-1 text-left text-xs font-medium text-slate-400">Outputs</caption>
          <thead className="text-xs text-slate-400">
            <tr>
              <th className={cellClass}>Name</th>
              <th className={cellClass}>Type</th>
            </tr>
          </thead>
          <tbody>
            {signature.outputs.map((output) => (
              <tr key={output.name} className="border-t border-slate-800" data-testid={`call-output-${output.name}`}>
                <td className={`${cellClass} font-mono`}>{output.name}</td>
                <td className={`${cellClass} font-mono text-sky-300`}>{output.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="text-xs text-slate-400">No outputs.</p>
      )}
    </div>
  );
}

function RestSection({ graphId, inputs }: { graphId: number; inputs: Record<string, unknown> }) {
  const headingId = useId();
  const origin = window.location.origin;
  const username = useSession((st) => st.me?.username) ?? "YOUR NAME";
  return (
    <section className="grid gap-2 border-t border-slate-800 pt-4" aria-labelledby={headingId} data-testid="call-rest">
      <h3 id={headingId} className={headingClass}>
        <Globe className="h-4 w-4 text-sky-400" /> 1. Over REST
      </h3>
      <p className="text-sm text-slate-400">
        POST the inputs; the answer (200) has the run's <code className="font-mono text-slate-300">outputs</code> when it ends within 30 seconds, else a 202
        with the run's URL to read later.
      </p>
      <CopyLine value={restRunUrl(origin, graphId)} label="REST URL" testId="call-rest-url" />
      <CopyCommand value={restCurl(origin, graphId, inputs)} label="REST curl line" testId="call-rest-curl" />
      <p className="text-xs text-slate-400">
        <code className="font-mono text-slate-300">$TOKEN</code> is your API token: <code className="font-mono text-slate-300">POST /api/auth/token/</code> with
        your username and password answers it (<code className="font-mono">{'{"token": "…"}'}</code>):
      </p>
      <CopyCommand value={tokenCurl(origin, username)} label="Token curl line" testId="call-token-curl" />
    </section>
  );
}

function GraphsSection({ name, signature }: { name: string; signature: Signature | null }) {
  const headingId = useId();
  return (
    <section className="grid gap-2 border-t border-slate-800 pt-4" aria-labelledby={headingId} data-testid="call-graphs">
      <h3 id={headingId} className={headingClass}>
        <Network className="h-4 w-4 text-sky-400" /> 2. From another graph
      </h3>
      <p className="text-sm text-slate-400">
        Open another graph, then in the palette's <strong className="text-slate-300">My graphs</strong> section drag “{name}” onto the canvas: a node pinned to
        this version, with a pin per input and output.
        {signature && !hasSignature(signature) && " It is listed there once it has a Graph input or Graph output node."}
      </p>
    </section>
  );
}

function WebhookSection({ graphId, inputs }: { graphId: number; inputs: Record<string, unknown> }) {
  const headingId = useId();
  const [hooks, setHooks] = useState<WebhookList | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [created, setCreated] = useState<WebhookCreated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const createdField = useRef<HTMLDivElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` counts the Retry presses: each one reads the list again.
  useEffect(() => {
    const abort = new AbortController();
    setListError(null);
    loadWebhooks(graphId, abort.signal).then(setHooks, (err: unknown) => {
      if (!abort.signal.aborted) setListError(errorText(err));
    });
    return () => abort.abort();
  }, [graphId, reload]);

  // The new URL takes the focus: a screen reader reads it, the keyboard is at its Copy button.
  useEffect(() => {
    if (created) createdField.current?.querySelector("input")?.focus();
  }, [created]);

  async function create() {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const hook = await createWebhook(graphId);
      setCreated(hook);
      setHooks((list) => (list ? { count: list.count + 1, results: [{ id: hook.id, created_at: hook.created_at }, ...list.results] } : list));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(hook: Webhook) {
    if (!window.confirm(`Revoke the webhook created ${formatDate(hook.created_at)}? Its URL stops working at once; this cannot be undone.`)) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await revokeWebhook(graphId, hook.id);
      setNotice("Webhook revoked: its URL answers 404 from now on.");
    } catch (err) {
      // Already gone (revoked elsewhere): the list only catches up.
      if (!(err instanceof ApiError && err.status === 404)) {
        setError(errorText(err));
        setBusy(false);
        return;
      }
      setNotice("That webhook was already revoked.");
    }
    setHooks((list) => (list ? { count: Math.max(0, list.count - 1), results: list.results.filter((h) => h.id !== hook.id) } : list));
    setCreated((shown) => (shown?.id === hook.id ? null : shown));
    setBusy(false);
  }

  return (
    <section className="grid gap-2 border-t border-slate-800 pt-4" aria-labelledby={headingId} data-testid="call-webhooks">
      <h3 id={headingId} className={headingClass}>
        <WebhookIcon className="h-4 w-4 text-sky-400" /> 3. By webhook
      </h3>
      <p className="text-sm text-slate-400">
        A secret URL that runs this graph as you, with the JSON body as its inputs, for what cannot sign in (a form, a CI job, another service). It needs no
        token: whoever has the URL can run the graph.
      </p>
      <div>
        <Button size="sm" onClick={() => void create()} disabled={busy} data-testid="call-hook-create">
          <WebhookIcon /> {busy ? "Working…" : "Create webhook"}
        </Button>
      </div>
      {created && (
        <div className="grid gap-2 rounded-md border border-amber-900 bg-amber-950/30 p-3" ref={createdField} data-testid="call-hook-created">
          <p className="text-xs font-medium text-amber-300" role="status">
            Copy this URL now: it will not be shown again (only a hash of its token is kept). Lost, revoke it and create another.
          </p>
          <CopyLine value={created.url} label="Webhook URL" testId="call-hook-url" />
          <CopyCommand value={hookCurl(created.url, inputs)} label="Webhook curl line" testId="call-hook-curl" />
        </div>
      )}
      {notice && (
        <p className="text-xs text-emerald-300" role="status" data-testid="call-hook-notice">
          {notice}
        </p>
      )}
      <ErrorLine text={error} testId="call-hook-error" />
      {listError && (
        <div className="flex items-center gap-2">
          <ErrorLine text={`The webhooks could not be listed: ${listError}`} testId="call-hooks-error" />
          <Button size="xs" variant="outline" onClick={() => setReload((n) => n + 1)}>
            Retry
          </Button>
        </div>
      )}
      {hooks && hooks.results.length === 0 && <p className="text-xs text-slate-400">No webhooks.</p>}
      {hooks && hooks.results.length > 0 && (
        <ul className="grid gap-1" aria-label="Webhooks" data-testid="call-hooks">
          {hooks.results.map((hook) => (
            <li key={hook.id} className="flex items-center justify-between gap-2 rounded border border-slate-800 px-2 py-1 text-sm" data-testid="call-hook">
              <span className="text-slate-300">
                Created {formatDate(hook.created_at)}
                {created?.id === hook.id && <span className="ml-2 text-xs text-amber-300">(new)</span>}
              </span>
              <Button
                size="xs"
                variant="destructive"
                onClick={() => void revoke(hook)}
                disabled={busy}
                aria-label={`Revoke the webhook created ${formatDate(hook.created_at)}`}
                data-testid="call-hook-revoke"
              >
                <Trash2 /> Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      {hooks && hooks.count > hooks.results.length && (
        <p className="text-xs text-slate-400">
          {hooks.results.length} of {hooks.count} shown.
        </p>
      )}
    </section>
  );
}

/** What the open dialog shows: mounted while it is open, so a created URL is gone once it closes. */
function CallBody({ graph }: { graph: GraphRecord }) {
  const [state, setState] = useState<SignatureState>({ status: "loading" });
  const [reload, setReload] = useState(0);
  // The signature of the graph as saved: reread on each opening, on each save (a new version) and on Retry.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `graph.version` and `reload` say when to read it again.
  useEffect(() => {
    const abort = new AbortController();
    setState({ status: "loading" });
    loadSignature(graph.id, abort.signal).then(
      (signature) => setState({ status: "ready", signature }),
      (err: unknown) => {
        if (!abort.signal.aborted) setState({ status: "failed", error: errorText(err) });
      },
    );
    return () => abort.abort();
  }, [graph.id, graph.version, reload]);

  const signature = state.status === "ready" ? state.signature : null;
  const inputs = signature ? exampleInputs(signature) : {};
  return (
    <>
      <SignatureSection state={state} onRetry={() => setReload((n) => n + 1)} />
      <RestSection graphId={graph.id} inputs={inputs} />
      <GraphsSection name={graph.name} signature={signature} />
      <WebhookSection graphId={graph.id} inputs={inputs} />
    </>
  );
}

export function CallDialog({
  open,
  onClose,
  graph,
  dirty,
}: {
  open: boolean;
  onClose: () => void;
  graph: GraphRecord;
  /** The graph has unsaved changes: callers run the saved version. */
  dirty: boolean;
}) {
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-h-[90vh] max-w-2xl overflow-y-auto" data-testid="call-dialog">
        <DialogHeader>
          <DialogTitle>Call “{graph.name}”</DialogTitle>
          <DialogDescription>
            A saved graph is a function: its Graph input nodes are its inputs, its Graph output nodes its outputs. Each way below runs the saved version (v
            {graph.version}) as you. The examples use a value of each input's type.
          </DialogDescription>
        </DialogHeader>
        {dirty && (
          <p className="rounded-md border border-amber-900 bg-amber-950/40 px-3 py-2 text-xs text-amber-300" data-testid="call-unsaved">
            This graph has unsaved changes: callers run the saved version, and the signature below is the saved one. Save to call what is on screen.
          </p>
        )}
        <CallBody graph={graph} />
      </DialogContent>
    </Dialog>
  );
}
