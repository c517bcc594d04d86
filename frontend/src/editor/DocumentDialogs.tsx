// The editor's dialogs: leave with unsaved changes, restore a draft, a conflicting save, rename,
// revision history and the keyboard shortcuts.

import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { ApiError, api, apiAs, errorText } from "@/lib/api";
import { graphRecordSchema, revisionListSchema } from "@/lib/schemas";
import type { GraphRecord, RevisionSummary } from "@/lib/types";
import { useEditor } from "@/store/editor";

import { KEYMAP } from "./keymap";
import type { Conflict, DraftOffer } from "./useGraphDocument";

const when = (time: string | number | null) => (time === null ? "unknown time" : new Date(time).toLocaleString());

export function LeaveDialog({
  open,
  saving,
  onSave,
  onDiscard,
  onStay,
}: {
  open: boolean;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
  onStay: () => void;
}) {
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onStay()}>
      <DialogContent data-testid="leave-dialog">
        <DialogHeader>
          <DialogTitle>Leave with unsaved changes?</DialogTitle>
          <DialogDescription>This graph has changes that are not saved. Save them before leaving, leave without them, or stay here.</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="ghost" onClick={onStay} data-testid="leave-stay">
            Stay
          </Button>
          <Button variant="destructive" onClick={onDiscard} data-testid="leave-discard">
            Discard changes
          </Button>
          <Button onClick={onSave} disabled={saving} data-testid="leave-save">
            {saving ? "Saving…" : "Save and leave"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export function DraftDialog({ offer, onRestore, onDiscard }: { offer: DraftOffer | null; onRestore: () => void; onDiscard: () => void }) {
  const newer = offer !== null && offer.savedVersion > offer.draft.baseVersion;
  return (
    <Dialog open={offer !== null} onOpenChange={() => undefined}>
      <DialogContent data-testid="draft-dialog" onEscapeKeyDown={(e) => e.preventDefault()} onInteractOutside={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>Restore your unsaved changes?</DialogTitle>
          <DialogDescription>
            This browser kept changes to this graph that were never saved (the tab was closed, the page crashed or the connection was lost).
          </DialogDescription>
        </DialogHeader>
        {offer && (
          <dl className="grid grid-cols-2 gap-3 text-sm">
            <div className="rounded-md border border-slate-700 p-3" data-testid="draft-saved-version">
              <dt className="font-medium text-slate-100">Saved version</dt>
              <dd className="text-slate-300">v{offer.savedVersion}</dd>
              <dd className="text-slate-400">{when(offer.savedAt)}</dd>
            </div>
            <div className="rounded-md border border-sky-600 p-3" data-testid="draft-time">
              <dt className="font-medium text-slate-100">Unsaved draft</dt>
              <dd className="text-slate-300">
                {offer.draft.doc.nodes.length} node{offer.draft.doc.nodes.length === 1 ? "" : "s"}, edited from v{offer.draft.baseVersion}
              </dd>
              <dd className="text-slate-400">{when(offer.draft.savedAt)}</dd>
            </div>
          </dl>
        )}
        {newer && (
          <p className="text-sm text-amber-300">The graph was saved again after this draft was made: restoring replaces that version's content on screen.</p>
        )}
        <DialogFooter>
          <Button variant="outline" onClick={onDiscard} data-testid="draft-discard">
            Keep the saved version
          </Button>
          <Button onClick={onRestore} data-testid="draft-restore">
            Restore the draft
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export function ConflictDialog({
  conflict,
  onClose,
  onResolve,
}: {
  conflict: Conflict | null;
  onClose: () => void;
  onResolve: (choice: "theirs" | "mine") => void;
}) {
  return (
    <Dialog open={conflict !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="conflict-dialog">
        <DialogHeader>
          <DialogTitle>This graph was saved elsewhere</DialogTitle>
          <DialogDescription>
            Someone (maybe you, in another tab) saved version {conflict?.currentVersion} after you opened this graph. Choose which one wins.
          </DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="outline" onClick={() => onResolve("theirs")}>
            Use theirs (discard mine)
          </Button>
          <Button onClick={() => onResolve("mine")}>Keep mine (save over theirs)</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export function RenameDialog({
  open,
  onClose,
  graph,
  onRenamed,
}: {
  open: boolean;
  onClose: () => void;
  graph: GraphRecord;
  onRenamed: (g: GraphRecord) => void;
}) {
  const [name, setName] = useState(graph.name);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setName(graph.name);
      setError(null);
    }
  }, [open, graph.name]);
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rename graph</DialogTitle>
        </DialogHeader>
        <form
          className="space-y-3"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const saved = await apiAs(graphRecordSchema, `graphs/${graph.id}/`, { method: "PATCH", body: { name, version: graph.version } });
              onRenamed(saved);
              onClose();
            } catch (err) {
              setError(err instanceof ApiError && err.status === 409 ? "The graph was saved elsewhere; save or reload first, then rename." : errorText(err));
            }
          }}
        >
          <Input value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={200} aria-label="Graph name" />
          {error && <p className="text-sm text-red-300">{error}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={!name.trim()}>
              Rename
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function HistoryDialog({
  open,
  onClose,
  graph,
  onRestored,
}: {
  open: boolean;
  onClose: () => void;
  graph: GraphRecord;
  onRestored: (g: GraphRecord) => void;
}) {
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setRevisions(null);
    setError(null);
    apiAs(revisionListSchema, `graphs/${graph.id}/revisions/?limit=100`)
      .then(setRevisions)
      .catch((err: unknown) => setError(errorText(err)));
  }, [open, graph.id]);
  const dirty = useEditor((st) => st.dirty);
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent data-testid="history-dialog">
        <DialogHeader>
          <DialogTitle>Revision history</DialogTitle>
          <DialogDescription>
            Current: version {graph.version}. Restoring saves the old state as a new version{dirty ? " and discards your unsaved changes" : ""}.
          </DialogDescription>
        </DialogHeader>
        {error && <p className="text-sm text-red-300">{error}</p>}
        <ul className="max-h-80 space-y-1 overflow-y-auto">
          {revisions?.length === 0 && <li className="text-sm text-slate-400">No earlier versions yet: each save keeps the previous one here.</li>}
          {revisions?.map((r) => (
            <li key={r.version} className="flex items-center gap-3 rounded-md border border-slate-800 px-3 py-2 text-sm">
              <span className="font-mono text-slate-300">v{r.version}</span>
              <span className="flex-1 truncate text-slate-400">
                {r.name} · {new Date(r.created_at).toLocaleString()}
              </span>
              <Button
                size="xs"
                variant="outline"
                onClick={async () => {
                  try {
                    const restored = await api<unknown>(`graphs/${graph.id}/revisions/${r.version}/restore/`, {
                      method: "POST",
                      body: { version: graph.version },
                    });
                    const parsed = graphRecordSchema.safeParse(restored);
                    onRestored(parsed.success ? parsed.data : await apiAs(graphRecordSchema, `graphs/${graph.id}/`));
                    onClose();
                  } catch (err) {
                    setError(errorText(err));
                  }
                }}
              >
                Restore
              </Button>
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
  );
}

export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const groups = [...new Set(KEYMAP.map((k) => k.group))];
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-2xl" data-testid="help-dialog">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>On a Mac, Cmd works wherever Ctrl is written.</DialogDescription>
        </DialogHeader>
        <div className="grid max-h-[60vh] grid-cols-2 gap-x-6 gap-y-3 overflow-y-auto text-sm">
          {groups.map((group) => (
            <section key={group}>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">{group}</h3>
              <table className="w-full">
                <tbody>
                  {KEYMAP.filter((k) => k.group === group).map((k) => (
                    <tr key={k.id} data-shortcut={k.id}>
                      <td className="py-0.5 pr-2 text-slate-200">{k.description}</td>
                      <td className="whitespace-nowrap py-0.5 text-right">
                        {k.keys.map((key) => (
                          <kbd key={key} className="ml-1 rounded border border-slate-600 bg-slate-800 px-1.5 py-0.5 font-mono text-xs text-slate-100">
                            {key}
                          </kbd>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
      </DialogContent>
    </Dialog>
  );
}
