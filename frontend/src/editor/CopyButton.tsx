// A Copy button beside a read-only field (the Share and Call dialogs): the clipboard API, and where
// it is missing or refused (an insecure origin, a denied permission), the field's text selected
// for Ctrl+C, with a sentence saying so.

import { Check, Copy } from "lucide-react";
import { type RefObject, useState } from "react";

import { Button } from "@/components/ui/button";

type Field = HTMLInputElement | HTMLTextAreaElement;

/** Copies a text; where the clipboard API is missing or refused, through a selected field. */
export async function copyText(text: string, field: Field | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.select();
    return document.execCommand?.("copy") ?? false;
  }
}

export function CopyButton({ text, field, label, testId }: { text: string; field: RefObject<Field | null>; label: string; testId?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        type="button"
        variant="outline"
        size="sm"
        onClick={async () => setState((await copyText(text, field.current)) ? "copied" : "failed")}
        aria-label={label}
        title={label}
        data-testid={testId}
      >
        {state === "copied" ? <Check /> : <Copy />} {state === "copied" ? "Copied" : "Copy"}
      </Button>
      {state === "failed" && (
        <p className="max-w-40 text-right text-xs text-amber-300" role="status">
          Copy refused: the text is selected, press Ctrl+C.
        </p>
      )}
    </div>
  );
}
