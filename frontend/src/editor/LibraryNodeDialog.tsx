// "New node from Python": a CodeMirror editor for one function, a live preview of the node it
// defines (POST /api/node-library/preview/, asked a moment after typing stops; its diagnostics
// listed with their line and the lines marked), and Save: a new library entry, or a new version
// of the entry being edited. A saved node is in the palette's "My nodes" at once (the store
// merges the answer; no reload).

import { python } from "@codemirror/lang-python";
import { EditorState, RangeSetBuilder, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { errorText } from "@/lib/api";
import { type LibraryDiagnostic, type LibraryPreview, previewLibraryNode, saveLibraryEntry } from "@/lib/libraryApi";
import { useTheme } from "@/lib/theme";
import type { NodeTypeDef, PortDef } from "@/lib/types";
import { editorStore, type LibraryDialogRequest, useEditor } from "@/store/editor";

import { highlightFor, theme } from "./codeMirrorTheme";

/** How long typing must pause before the preview is asked for. */
const PREVIEW_DELAY_MS = 300;

const s = () => editorStore.getState();

// The lines the diagnostics name, marked in the editor.
const setErrorLines = StateEffect.define<number[]>();
const errorLine = Decoration.line({ class: "cm-ne-error-line", attributes: { "data-error-line": "true" } });
const errorLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLines)) continue;
      const builder = new RangeSetBuilder<Decoration>();
      for (const l of [...new Set(effect.value)].sort((a, b) => a - b)) {
        if (l >= 1 && l <= tr.state.doc.lines) builder.add(tr.state.doc.line(l).from, tr.state.doc.line(l).from, errorLine);
      }
      value = builder.finish();
    }
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** The CodeMirror editor: `onChange` gets the text after each change. */
function CodeEditor({ initial, errors, onChange }: { initial: string; errors: number[]; onChange: (code: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const mode = useTheme((st) => st.theme);

  // biome-ignore lint/correctness/useExhaustiveDependencies: made once per dialog opening; `initial` is its first text only.
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup,
          python(),
          theme,
          highlightFor(mode),
          errorLines,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    v.focus();
    return () => v.destroy();
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLines.of(errors) });
  }, [errors]);

  return <div ref={host} className="h-[360px] overflow-hidden rounded-md border border-slate-700" data-testid="library-code" />;
}

function PortList({ title, ports }: { title: string; ports: PortDef[] }) {
  return (
    <div>
      <h4 className="mb-1 text-xs font-semibold uppercase tracking-wider text-slate-500">{title}</h4>
      {ports.length === 0 && <p className="text-xs text-slate-500">None</p>}
      <ul className="space-y-0.5">
        {ports.map((p) => (
          <li key={p.id} className="flex items-center gap-2 text-xs text-slate-200" data-testid={`preview-port-${p.id}`}>
            <span className="font-mono">{p.kind === "exec" ? "▶" : "●"}</span>
            <span>{p.label || p.id}</span>
            {p.kind === "data" && <span className="text-slate-400">{p.type ?? "any"}</span>}
            {p.default !== undefined && p.default !== null && <span className="text-slate-500">= {JSON.stringify(p.default)}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function NodePreview({ node }: { node: NodeTypeDef }) {
  const inputs = node.ports.filter((p) => p.direction === "input");
  const outputs = node.ports.filter((p) => p.direction === "output");
  const pure = !node.ports.some((p) => p.kind === "exec");
  return (
    <div className="space-y-3" data-testid="library-preview-node">
      <div>
        <p className="text-sm font-semibold text-slate-100" data-testid="library-preview-title">
          {node.title}
        </p>
        <p className="text-xs text-slate-400">{node.description.split("\n")[0]}</p>
        <p className="mt-1 text-xs text-slate-500">{pure ? "A value node (# node: pure)" : "A statement node (runs in the execution order)"}</p>
      </div>
      <PortList title="Inputs" ports={inputs} />
      <PortList title="Outputs" ports={outputs} />
      {node.params.length > 0 && (
        <div>
          <h4 className="mb-1 text-xs font-semibold uppercase tracking-wider text-slate-500">Choices</h4>
          <ul className="space-y-0.5">
            {node.params.map((p) => (
              <li key={p.id} className="text-xs text-slate-200" data-testid={`preview-param-${p.id}`}>
                {p.label}: {(p.choices ?? []).map((c) => c.label ?? c.value).join(" | ")}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function DiagnosticList({ diagnostics }: { diagnostics: readonly LibraryDiagnostic[] }) {
  if (diagnostics.length === 0) return null;
  return (
    <ul className="max-h-28 space-y-0.5 overflow-y-auto rounded-md border border-red-900 bg-red-950/40 p-2 text-xs" data-testid="library-diagnostics">
      {diagnostics.map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced whole on each preview.
        <li key={i} className={d.severity === "error" ? "text-red-300" : "text-amber-300"} data-testid="library-diagnostic">
          {d.line !== null ? `Line ${d.line}${d.col !== null ? `:${d.col}` : ""}: ` : ""}
          {d.message}
        </li>
      ))}
    </ul>
  );
}

type PreviewState = { state: "checking" } | { state: "ready"; preview: LibraryPreview } | { state: "failed"; message: string };

function DialogBody({ request }: { request: LibraryDialogRequest }) {
  const [code, setCode] = useState(request.code);
  const [preview, setPreview] = useState<PreviewState>({ state: "checking" });
  const [saving, setSaving] = useState(false);
  const [saveProblems, setSaveProblems] = useState<LibraryDiagnostic[] | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    setPreview((p) => (p.state === "ready" ? p : { state: "checking" }));
    const timer = window.setTimeout(() => {
      previewLibraryNode(code, abort.signal).then(
        (answer) => setPreview({ state: "ready", preview: answer }),
        (err: unknown) => {
          if (!abort.signal.aborted) setPreview({ state: "failed", message: errorText(err) });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
  }, [code]);

  const diagnostics = saveProblems ?? (preview.state === "ready" ? preview.preview.diagnostics : []);
  const errorLinesShown = diagnostics.flatMap((d) => (d.line !== null && d.severity === "error" ? [d.line] : []));
  const node = preview.state === "ready" ? preview.preview.node : null;

  async function save() {
    setSaving(true);
    setSaveError(null);
    try {
      const result = await saveLibraryEntry(code, request.description, request.entryId);
      if (!result.ok) {
        setSaveProblems(result.diagnostics);
        return;
      }
      s().learnLibraryEntry(result.entry);
      s().closeLibraryDialog();
      s().setNotice(`Saved “${result.entry.name}” (v${result.entry.version}): it is in the palette’s “My nodes”.`);
    } catch (err) {
      setSaveError(errorText(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <DialogHeader>
        <DialogTitle>{request.entryId === null ? "New node from Python" : "Edit node (saves a new version)"}</DialogTitle>
        <DialogDescription>
          One public function: its parameters are the input pins, its return value the output. Its docstring describes the node. The code runs only in the
          sandbox.
        </DialogDescription>
      </DialogHeader>
      <div className="grid min-h-0 grid-cols-[minmax(0,1fr)_260px] gap-4">
        <CodeEditor
          initial={request.code}
          errors={errorLinesShown}
          onChange={(text) => {
            setCode(text);
            setSaveProblems(null);
          }}
        />
        <div className="min-w-0 overflow-y-auto rounded-md border border-slate-800 p-3" data-testid="library-preview" aria-live="polite">
          {preview.state === "checking" && <p className="text-xs text-slate-500">Checking…</p>}
          {preview.state === "failed" && (
            <p className="text-xs text-red-300" role="alert">
              {preview.message}
            </p>
          )}
          {preview.state === "ready" && node && <NodePreview node={node} />}
          {preview.state === "ready" && !node && <p className="text-xs text-slate-400">No node yet: see the problems below the code.</p>}
        </div>
      </div>
      <DiagnosticList diagnostics={diagnostics} />
      {saveError && (
        <p className="text-xs text-red-300" role="alert">
          {saveError}
        </p>
      )}
      <DialogFooter>
        <Button variant="ghost" onClick={() => s().closeLibraryDialog()}>
          Cancel
        </Button>
        <Button onClick={() => void save()} disabled={saving} data-testid="library-save">
          {saving ? "Saving…" : request.entryId === null ? "Save" : "Save as a new version"}
        </Button>
      </DialogFooter>
    </>
  );
}

export function LibraryNodeDialog() {
  const request = useEditor((st) => st.libraryDialog);
  return (
    <Dialog open={request !== null} onOpenChange={(open) => !open && s().closeLibraryDialog()}>
      <DialogContent className="max-w-4xl" data-testid="library-dialog">
        {request && <DialogBody request={request} />}
      </DialogContent>
    </Dialog>
  );
}
