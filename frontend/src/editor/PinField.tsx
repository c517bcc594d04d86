// The value typed on an unwired data input, drawn next to the port's label (like a Blueprint pin
// default or a ComfyUI widget). Stored in node.data.inputs; the compiler uses it while the port
// has no wire, else the port's default, which the empty field shows as its placeholder.

import { useEffect, useState } from "react";

import { asPinValue, defaultHint, formatAnyPin, parseAnyPin, parseNumberPin } from "@/lib/pinValues";
import type { PinValue, PortDef } from "@/lib/types";
import { cn } from "@/lib/utils";
import { editorStore } from "@/store/editor";

/** How a field reads its text: a value to store, undefined to clear, null to wait (e.g. "-"). */
interface TextCodec {
  parse(text: string): PinValue | undefined | null;
  format(value: PinValue | undefined): string;
  numeric?: boolean;
}

const plain = (value: PinValue | undefined): string => (value === undefined ? "" : String(value));

const CODECS: Record<string, TextCodec> = {
  number: { parse: (t) => parseNumberPin(t, false), format: plain, numeric: true },
  float: { parse: (t) => parseNumberPin(t, false), format: plain, numeric: true },
  int: { parse: (t) => parseNumberPin(t, true), format: plain, numeric: true },
  text: { parse: (t) => (t === "" ? undefined : t), format: plain },
  any: { parse: parseAnyPin, format: formatAnyPin },
};

/** Whether a data input of this type takes a typed value (lists, dicts and none do not). */
export function hasPinField(port: PortDef): boolean {
  const type = port.type ?? "any";
  return port.kind === "data" && port.direction === "input" && (type === "bool" || type in CODECS);
}

const fieldClass =
  "nodrag nowheel h-6 shrink-0 rounded border border-slate-700 bg-slate-950 px-1 text-xs text-slate-100 placeholder:text-slate-500 focus:border-sky-500 focus:outline-none";

export function PinField({ nodeId, port, value, problem }: { nodeId: string; port: PortDef; value: unknown; problem?: "error" | "warning" }) {
  const stored = asPinValue(value);
  const type = port.type ?? "any";
  const set = (v: PinValue | undefined) => editorStore.getState().setInputValue(nodeId, port.id, v);
  const label = port.label || port.id;
  const border = problem === "error" ? "border-red-500" : problem === "warning" ? "border-amber-400" : undefined;

  if (type === "bool") {
    return (
      <input
        type="checkbox"
        className={cn(
          "nodrag ml-1.5 h-3.5 w-3.5 shrink-0 accent-sky-500",
          problem === "error" && "outline outline-1 outline-red-500",
          problem === "warning" && "outline outline-1 outline-amber-400",
        )}
        checked={typeof stored === "boolean" ? stored : Boolean(port.default)}
        onChange={(e) => set(e.target.checked)}
        aria-label={label}
        data-pin={port.id}
      />
    );
  }
  const codec = CODECS[type] ?? CODECS.any!;
  return (
    <TextPin
      codec={codec}
      stored={stored}
      label={label}
      portId={port.id}
      placeholder={defaultHint(port.default, type === "any")}
      className={border}
      onValue={set}
    />
  );
}

function TextPin({
  codec,
  stored,
  label,
  portId,
  placeholder,
  className,
  onValue,
}: {
  codec: TextCodec;
  stored: PinValue | undefined;
  label: string;
  portId: string;
  placeholder: string;
  className?: string;
  onValue: (v: PinValue | undefined) => void;
}) {
  // Edited as text locally so that "-", "1." or an opening quote can be typed on the way to a
  // value. The text follows the stored value only when that changes from elsewhere (undo, paste):
  // while it still reads as the stored value the user's spelling ("1.0", "1e3") is kept.
  const [draft, setDraft] = useState(() => codec.format(stored));
  useEffect(() => setDraft((text) => (codec.parse(text) === stored ? text : codec.format(stored))), [codec, stored]);
  return (
    <input
      className={cn(fieldClass, "ml-1.5", codec.numeric && "w-20", className)}
      // Text grows with what is typed (up to the node's width), so a value is read whole.
      style={codec.numeric ? undefined : { width: `${Math.min(30, Math.max(8, draft.length + 2))}ch` }}
      inputMode={codec.numeric ? "decimal" : undefined}
      spellCheck={false}
      value={draft}
      placeholder={placeholder}
      aria-label={label}
      title={placeholder ? `${label} (default ${placeholder})` : label}
      data-pin={portId}
      onChange={(e) => {
        setDraft(e.target.value);
        const v = codec.parse(e.target.value);
        if (v !== null) onValue(v);
      }}
    />
  );
}
