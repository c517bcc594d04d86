// The live Python of the graph (CodeMirror 6). Read-only by default: a click on a line selects
// the node it came from (source_map), selected nodes highlight their lines. Edit mode lets the
// user change the code and run the edited version (not offered on a read-only, shared graph).

import { python } from "@codemirror/lang-python";
import { Compartment, EditorState, RangeSetBuilder, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { Code2, Pencil, Play, RotateCcw } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { runClient } from "@/lib/runClient";
import { useTheme } from "@/lib/theme";
import { editorStore, useEditor } from "@/store/editor";

import { highlightFor, theme } from "./codeMirrorTheme";

interface Highlights {
  selected: number[];
  errors: number[];
  /** The lines of the node whose code raised in the last run: red even while it is selected. */
  raised: number[];
  /** The lines of the node a debug run is paused at, and whether it stopped on an exception. */
  paused: number[];
  exception: boolean;
}
const setHighlights = StateEffect.define<Highlights>();
const selectedLine = Decoration.line({ class: "cm-ne-selected-line" });
const errorLine = Decoration.line({ class: "cm-ne-error-line" });
const raisedLine = Decoration.line({ class: "cm-ne-raised-line", attributes: { "data-raised-line": "true" } });
const pausedLine = Decoration.line({ class: "cm-ne-paused-line", attributes: { "data-paused-line": "true" } });
const exceptionLine = Decoration.line({ class: "cm-ne-exception-line", attributes: { "data-paused-line": "exception" } });

const highlightField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setHighlights)) continue;
      const doc = tr.state.doc;
      const lines = new Map<number, Decoration>();
      for (const l of effect.value.errors) lines.set(l, errorLine);
      for (const l of effect.value.selected) lines.set(l, selectedLine);
      for (const l of effect.value.raised) lines.set(l, raisedLine);
      for (const l of effect.value.paused) lines.set(l, effect.value.exception ? exceptionLine : pausedLine);
      const builder = new RangeSetBuilder<Decoration>();
      for (const l of [...lines.keys()].sort((a, b) => a - b)) {
        if (l >= 1 && l <= doc.lines) builder.add(doc.line(l).from, doc.line(l).from, lines.get(l)!);
      }
      value = builder.finish();
    }
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export function CodePanel({ onFocusNode, readOnly: viewOnly = false }: { onFocusNode: (id: string) => void; readOnly?: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const readOnly = useRef(new Compartment());
  const colors = useRef(new Compartment());
  const mode = useTheme((st) => st.theme);
  const raisedNode = useEditor((s) => s.raisedNodeId);
  const [editing, setEditing] = useState(false);
  const editingRef = useRef(false);
  const code = useEditor((s) => s.compile?.code ?? "");
  const compileError = useEditor((s) => s.compileError);
  const selectedKey = useEditor((s) =>
    s.nodes
      .filter((n) => n.selected)
      .map((n) => n.id)
      .join(","),
  );
  const linesByNode = useEditor((s) => s.linesByNode);
  const diagnosticsByNode = useEditor((s) => s.diagnosticsByNode);
  const pausedNode = useEditor((s) => s.paused?.nodeId ?? null);
  const pausedOnException = useEditor((s) => s.paused?.reason === "exception");
  const onFocusRef = useRef(onFocusNode);
  onFocusRef.current = onFocusNode;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: "",
        extensions: [
          basicSetup,
          python(),
          theme,
          colors.current.of(highlightFor(useTheme.getState().theme)),
          highlightField,
          readOnly.current.of([EditorState.readOnly.of(true), EditorView.editable.of(false)]),
          EditorView.domEventHandlers({
            mousedown(event, v) {
              if (editingRef.current) return false;
              const pos = v.posAtCoords({ x: event.clientX, y: event.clientY });
              if (pos === null) return false;
              const line = v.state.doc.lineAt(pos).number;
              const nodeId = editorStore.getState().compile?.source_map[String(line)];
              if (nodeId) onFocusRef.current(nodeId);
              return false;
            },
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: colors.current.reconfigure(highlightFor(mode)) });
  }, [mode]);

  // Follow the compiled code unless the user is editing their own version.
  useEffect(() => {
    const v = view.current;
    if (!v || editing) return;
    if (v.state.doc.toString() !== code) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: code } });
  }, [code, editing]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: new code moves the lines: highlight and scroll again.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const selected = selectedKey ? selectedKey.split(",").flatMap((id) => linesByNode[id] ?? []) : [];
    const errors = Object.entries(diagnosticsByNode)
      .filter(([, ds]) => ds.some((d) => d.severity === "error"))
      .flatMap(([id]) => linesByNode[id] ?? []);
    const paused = pausedNode ? (linesByNode[pausedNode] ?? []) : [];
    const raised = raisedNode ? (linesByNode[raisedNode] ?? []) : [];
    v.dispatch({
      effects: setHighlights.of(
        editing ? { selected: [], errors: [], raised: [], paused: [], exception: false } : { selected, errors, raised, paused, exception: pausedOnException },
      ),
    });
    const shown = paused.length ? paused : selected;
    if (shown.length && !editing) {
      const first = Math.min(...shown);
      if (first <= v.state.doc.lines) v.dispatch({ effects: EditorView.scrollIntoView(v.state.doc.line(first).from, { y: "nearest" }) });
    }
  }, [selectedKey, linesByNode, diagnosticsByNode, code, editing, pausedNode, pausedOnException, raisedNode]);

  function toggleEditing(on: boolean) {
    const v = view.current;
    if (!v) return;
    editingRef.current = on;
    setEditing(on);
    v.dispatch({ effects: readOnly.current.reconfigure(on ? [] : [EditorState.readOnly.of(true), EditorView.editable.of(false)]) });
    if (!on) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: editorStore.getState().compile?.code ?? "" } });
    else v.focus();
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="code-panel">
      <div className="flex h-9 shrink-0 items-center gap-1 border-b border-slate-800 pl-2 pr-9 text-xs text-slate-400">
        <Code2 className="h-4 w-4" />
        <span className="mr-auto font-medium text-slate-300">{editing ? "Python (edited, not saved to the graph)" : "Python (live)"}</span>
        {editing ? (
          <>
            <Button size="xs" variant="success" onClick={() => runClient.run({ code: view.current?.state.doc.toString() ?? "" })} title="Run the edited code">
              <Play /> Run edited
            </Button>
            <Button size="xs" variant="ghost" onClick={() => toggleEditing(false)} title="Back to the code of the graph">
              <RotateCcw /> Back to graph
            </Button>
          </>
        ) : (
          !viewOnly && (
            <Button size="xs" variant="ghost" onClick={() => toggleEditing(true)} title="Edit the code and run your version">
              <Pencil /> Edit
            </Button>
          )
        )}
      </div>
      {compileError && <div className="border-b border-amber-900 bg-amber-950/50 px-2 py-1 text-xs text-amber-300">{compileError}</div>}
      <div ref={host} className="min-h-0 flex-1 overflow-hidden" data-testid="code-view" />
    </div>
  );
}
