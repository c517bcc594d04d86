// Pictures and tables a script showed (docs/rich_output.md), inline in the console and opened
// large in a dialog. Everything here is data rendered as React elements: a PNG as an <img> of a
// data URL, a table cell by cell as text. Nothing from the run is ever parsed as HTML.

import { Download, ImageIcon, Maximize2, Table2 } from "lucide-react";
import { memo } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { TableCell, TableData } from "@/lib/schemas";
import { cn } from "@/lib/utils";
import type { ConsoleDisplay } from "@/store/console";
import { useEditor } from "@/store/editor";

const LINE_HEIGHT = 18;
/** Rows of a table drawn inline; the dialog draws them all (at most 1,000). */
const INLINE_TABLE_ROWS = 200;

const count = (n: number) => n.toLocaleString("en-US");

/** The title of a node as the canvas shows it (its label, else its type's title), or null. */
function useNodeTitle(id: string | null): string | null {
  return useEditor((s) => {
    if (!id) return null;
    const node = s.nodes.find((n) => n.id === id);
    if (!node) return null;
    return node.data.label || (node.type ? s.catalogue[node.type]?.title : undefined) || node.type || id;
  });
}

/** "3 columns · showing 1,000 of 5,000 rows" */
export function tableSummary(table: TableData): string {
  const columns = `${count(table.columns.length)} column${table.columns.length === 1 ? "" : "s"}`;
  const rows =
    table.total > table.rows.length
      ? `showing ${count(table.rows.length)} of ${count(table.total)} rows`
      : `${count(table.rows.length)} row${table.rows.length === 1 ? "" : "s"}`;
  return `${columns} · ${rows}`;
}

function Cell({ value }: { value: TableCell }) {
  if (value === null)
    return (
      <td className="ne-cell ne-cell-null" title="no value (None, NaN or missing)">
        —
      </td>
    );
  if (typeof value === "boolean") return <td className="ne-cell">{value ? "True" : "False"}</td>;
  if (typeof value === "number") return <td className="ne-cell ne-cell-number">{String(value)}</td>;
  return <td className="ne-cell">{value}</td>;
}

/** A table of the script's values, as text in cells. */
export function DataTable({ table, maxRows }: { table: TableData; maxRows?: number }) {
  const rows = maxRows === undefined ? table.rows : table.rows.slice(0, maxRows);
  const width = table.columns.length;
  return (
    <table className="ne-table" data-testid="display-table">
      <thead>
        <tr>
          {table.columns.map((column, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: column names may repeat; their place does not change.
            <th key={i} className="ne-cell" scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the rows of a shown table never change.
          <tr key={r}>
            {Array.from({ length: width }, (_, c) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cells by column.
              <Cell key={c} value={row[c] ?? null} />
            ))}
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td className="ne-cell ne-cell-null" colSpan={Math.max(1, width)}>
              no rows
            </td>
          </tr>
        )}
        {rows.length < table.rows.length && (
          <tr>
            <td className="ne-cell ne-cell-null" colSpan={Math.max(1, width)}>
              … {count(table.rows.length - rows.length)} more rows: open the table to see them
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

const pngUrl = (base64: string) => `data:image/png;base64,${base64}`;

/** Saves a PNG (base64) as a file. */
function downloadPng(base64: string, filename: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fileName(title: string | null): string {
  const base = (title ?? "chart")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${base || "chart"}.png`;
}

/** One picture or table in the console: a caption line, then the thing, `rows` lines tall in all. */
export const DisplayEntry = memo(function DisplayEntry({
  display,
  onOpen,
  onFocusNode,
}: {
  display: ConsoleDisplay;
  onOpen: (display: ConsoleDisplay) => void;
  onFocusNode?: (id: string) => void;
}) {
  const title = useNodeTitle(display.node_id);
  const bodyHeight = (display.rows - 1) * LINE_HEIGHT - 6;
  const open = () => onOpen(display);
  return (
    <div
      className="ne-display"
      style={{ height: display.rows * LINE_HEIGHT }}
      data-testid="console-display"
      data-mime={display.mime}
      data-caption={display.caption}
    >
      <div className="ne-display-caption">
        {display.mime === "image/png" ? <ImageIcon className="h-3 w-3" /> : <Table2 className="h-3 w-3" />}
        <span>{display.caption ?? (display.mime === "image/png" ? "Chart" : `Table · ${tableSummary(display.data)}`)}</span>
        {display.node_id && (
          <button
            type="button"
            className="truncate text-sky-400 underline decoration-dotted hover:decoration-solid"
            onClick={() => display.node_id && onFocusNode?.(display.node_id)}
            title="Show the node on the canvas"
            data-testid="display-node"
            data-node-id={display.node_id}
          >
            from “{title ?? display.node_id}”
          </button>
        )}
        <button type="button" className="ml-1 text-slate-500 hover:text-slate-300" onClick={open} title="Open large" aria-label="Open large">
          <Maximize2 className="h-3 w-3" />
        </button>
      </div>
      {display.mime === "image/png" ? (
        <button
          type="button"
          className="ne-display-image"
          style={{ height: bodyHeight }}
          onClick={open}
          title="Click to open large"
          data-testid="display-image"
        >
          <img src={pngUrl(display.data)} alt={title ? `Chart shown by ${title}` : "Chart shown by the script"} draggable={false} />
        </button>
      ) : (
        // biome-ignore lint/a11y/useSemanticElements: a <button> cannot hold a table; this box scrolls and opens on click or Enter.
        <div
          className="ne-display-table"
          style={{ maxHeight: bodyHeight }}
          role="button"
          tabIndex={0}
          title="Click to open large"
          onClick={open}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              open();
            }
          }}
        >
          <DataTable table={display.data} maxRows={INLINE_TABLE_ROWS} />
        </div>
      )}
    </div>
  );
});

/** A picture or a table opened large; a picture can be downloaded. */
export function DisplayDialog({ display, onClose, onFocusNode }: { display: ConsoleDisplay | null; onClose: () => void; onFocusNode?: (id: string) => void }) {
  const title = useNodeTitle(display?.node_id ?? null);
  return (
    <Dialog open={display !== null} onOpenChange={(o) => !o && onClose()}>
      {display && (
        <DialogContent className="flex max-h-[90vh] w-[90vw] max-w-[90vw] flex-col" data-testid="display-dialog" data-mime={display.mime}>
          <DialogHeader>
            <DialogTitle>{display.mime === "image/png" ? "Chart" : "Table"}</DialogTitle>
            <DialogDescription className="flex items-center gap-2">
              <span>{display.mime === "table" ? tableSummary(display.data) : "A picture the script showed."}</span>
              {display.node_id && (
                <button
                  type="button"
                  className="text-sky-400 underline decoration-dotted hover:decoration-solid"
                  onClick={() => {
                    if (display.node_id) onFocusNode?.(display.node_id);
                    onClose();
                  }}
                >
                  from “{title ?? display.node_id}”
                </button>
              )}
            </DialogDescription>
          </DialogHeader>
          {display.mime === "image/png" ? (
            <>
              <div className="flex min-h-0 flex-1 justify-center overflow-auto">
                <img
                  className={cn("max-h-[70vh] max-w-full rounded bg-white object-contain")}
                  src={pngUrl(display.data)}
                  alt={title ? `Chart shown by ${title}` : "Chart shown by the script"}
                  data-testid="display-dialog-image"
                />
              </div>
              <div className="flex justify-end">
                <Button size="sm" variant="outline" onClick={() => downloadPng(display.data, fileName(title))} data-testid="display-download">
                  <Download /> Download PNG
                </Button>
              </div>
            </>
          ) : (
            <div className="ne-console min-h-0 flex-1 overflow-auto rounded border border-slate-800" style={{ maxHeight: "70vh" }}>
              <DataTable table={display.data} />
            </div>
          )}
        </DialogContent>
      )}
    </Dialog>
  );
}
