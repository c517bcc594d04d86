// What a node pinned to a version shows under its ports (a `graph` node, a library node): the
// name and version of what it uses, a newer version when one is known, and "Update to latest".
// Re-pinning keeps every wire; those the new version lacks turn red (WireEdge, ProblemsList).

import { RefreshCw } from "lucide-react";
import { useState } from "react";

import { errorText } from "@/lib/api";
import { editorStore } from "@/store/editor";

const s = () => editorStore.getState();

/** Re-pins node `nodeId` to `version` of `name` and says so, counting the wires that no longer fit. */
export function repinAndTell(nodeId: string, name: string, current: number, version: number, what: string): void {
  if (version === current) {
    s().setNotice(`“${name}” is already at its latest version (v${current}).`);
    return;
  }
  s().repinNode(nodeId, version);
  const broken = Object.keys(s().brokenWires).filter((id) => s().edges.some((e) => e.id === id && (e.source === nodeId || e.target === nodeId))).length;
  s().setNotice(
    broken
      ? `Updated “${name}” to v${version}: ${broken} wire${broken === 1 ? "" : "s"} no longer fit its ${what} (shown in red).`
      : `Updated “${name}” to v${version}.`,
  );
}

export interface SourceBarProps {
  /** The prefix of the test ids: `<testId>-source`, `-name`, `-version`, `-problem`, `-update`. */
  testId: string;
  name: string;
  version: number;
  latest?: number | null;
  problem?: string;
  title: string;
  readOnly: boolean;
  /** Reads the latest version and re-pins the node to it. */
  update: () => Promise<void>;
}

export function SourceBar({ testId, name, version, latest, problem, title, readOnly, update }: SourceBarProps) {
  const [busy, setBusy] = useState(false);
  const behind = typeof latest === "number" && latest > version;
  return (
    <div className="flex items-center gap-2 border-t border-slate-800 px-3 py-1.5 text-xs" data-testid={`${testId}-source`}>
      <span className="min-w-0 truncate text-slate-300" title={title}>
        <span data-testid={`${testId}-name`}>{name}</span> · <span data-testid={`${testId}-version`}>v{version}</span>
        {behind && <span className="ml-1 text-amber-300">(v{latest} available)</span>}
      </span>
      {problem && (
        <span className="text-red-300" title={problem} data-testid={`${testId}-problem`}>
          unreadable
        </span>
      )}
      {!readOnly && (
        <button
          type="button"
          className="nodrag ml-auto flex shrink-0 items-center gap-1 rounded border border-slate-700 px-1.5 py-0.5 text-slate-200 hover:border-sky-500 disabled:opacity-50"
          title="Update to latest: pin this node to the newest version"
          aria-label="Update to latest"
          data-testid={`${testId}-update`}
          disabled={busy}
          onClick={(e) => {
            e.stopPropagation();
            setBusy(true);
            update()
              .catch((err: unknown) => s().setNotice(`Could not update: ${errorText(err)}`))
              .finally(() => setBusy(false));
          }}
        >
          <RefreshCw className="h-3 w-3" /> Update to latest
        </button>
      )}
    </div>
  );
}
