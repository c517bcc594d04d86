// "Run with inputs": the form the Run (and Debug) button opens when the graph has Graph input
// nodes, generated from its signature: one field per input, by type, with its description, its
// default as the placeholder and a mark when required. The last values sent are remembered per
// graph in this browser; `bad_inputs` sentences from the server show next to their fields.

import { useEffect, useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { browserStorage } from "@/lib/drafts";
import { buildInputs, type FieldValue, type FieldValues, formatValue, initialFields, recallFields, rememberFields, serverErrors } from "@/lib/runInputs";
import type { Signature, SignatureInput } from "@/lib/signature";
import { useSession } from "@/store/session";

const FIELD =
  "w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm text-slate-100 focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500";

/** What a field asks for, shown beside its type. */
const HINTS: Record<string, string> = {
  any: "a number, true/false, text, or JSON",
  number: "a number",
  float: "a number",
  int: "a whole number",
  text: "text",
  bool: "",
  list: "a JSON list",
  dict: "a JSON object",
  none: "always null",
};

function InputField({
  input,
  value,
  error,
  onChange,
}: {
  input: SignatureInput;
  value: FieldValue | undefined;
  error?: string;
  onChange: (v: FieldValue) => void;
}) {
  const id = useId();
  const describedBy = `${id}-about`;
  const placeholder = input.required ? "" : `default: ${formatValue(input.default) || '""'}`;
  const multiline = input.type === "list" || input.type === "dict";
  return (
    <div className="grid gap-1" data-testid={`run-input-${input.name}`}>
      <label htmlFor={id} className="flex items-baseline gap-2 text-sm">
        <span className="font-mono text-slate-100">{input.name}</span>
        {input.required && (
          <span className="text-red-300" title="Required: this input has no default">
            *<span className="sr-only"> required</span>
          </span>
        )}
        <span className="text-xs text-slate-400">{input.type}</span>
      </label>
      {input.type === "bool" ? (
        <input
          id={id}
          type="checkbox"
          className="h-4 w-4 accent-sky-500"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={describedBy}
          aria-invalid={error ? "true" : undefined}
        />
      ) : input.type === "none" ? (
        <input id={id} className={FIELD} value="null" disabled aria-describedby={describedBy} />
      ) : multiline ? (
        <textarea
          id={id}
          className={`${FIELD} font-mono`}
          rows={3}
          spellCheck={false}
          value={typeof value === "string" ? value : ""}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={error ? "true" : undefined}
        />
      ) : (
        <input
          id={id}
          className={FIELD}
          inputMode={input.type === "int" || input.type === "number" || input.type === "float" ? "decimal" : undefined}
          value={typeof value === "string" ? value : ""}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={error ? "true" : undefined}
        />
      )}
      <div id={describedBy} className="text-xs">
        {input.description && <p className="text-slate-400">{input.description}</p>}
        {!input.description && HINTS[input.type] && <p className="text-slate-500">{HINTS[input.type]}</p>}
        {error && (
          <p className="text-red-300" role="alert" data-testid="run-input-error">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

export interface RunInputsRequest {
  signature: Signature;
  /** Debug rather than run. */
  debug: boolean;
  /** The sentences of the server's `bad_inputs` answer to the last attempt, if any. */
  serverErrors?: string[];
}

export function RunInputsDialog({
  graphId,
  request,
  onClose,
  onRun,
}: {
  graphId: number;
  request: RunInputsRequest | null;
  onClose: () => void;
  onRun: (inputs: Record<string, unknown>, debug: boolean) => void;
}) {
  const user = useSession((st) => st.me?.id ?? "anonymous");
  const [fields, setFields] = useState<FieldValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string[]>([]);
  const signature = request?.signature;

  // Each opening starts from the values last sent for this graph (or, after a refusal, those just sent).
  useEffect(() => {
    if (!request) return;
    setFields(initialFields(request.signature, recallFields(browserStorage(), user, graphId)));
    const fromServer = serverErrors(
      request.serverErrors ?? [],
      request.signature.inputs.map((i) => i.name),
    );
    setErrors(fromServer.byName);
    setOther(fromServer.other);
  }, [request, user, graphId]);

  const submit = () => {
    if (!signature || !request) return;
    const built = buildInputs(signature, fields);
    setErrors(built.errors);
    setOther([]);
    if (Object.keys(built.errors).length) return;
    rememberFields(browserStorage(), user, graphId, fields);
    onRun(built.inputs, request.debug);
  };

  return (
    <Dialog open={request !== null} onOpenChange={(o) => !o && onClose()}>
      <DialogContent data-testid="run-inputs-dialog" className="max-h-[85vh] overflow-y-auto">
        <form
          className="grid gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <DialogHeader>
            <DialogTitle>{request?.debug ? "Debug with inputs" : "Run with inputs"}</DialogTitle>
            <DialogDescription>The graph’s Graph input nodes. An empty field takes its default; * marks the inputs without one.</DialogDescription>
          </DialogHeader>
          {other.length > 0 && (
            <div className="rounded border border-red-900 bg-red-950/40 p-2 text-sm text-red-300" role="alert" data-testid="run-inputs-errors">
              {other.map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          )}
          {signature?.inputs.map((input) => (
            <InputField
              key={input.name}
              input={input}
              value={fields[input.name]}
              error={errors[input.name]}
              onChange={(v) => setFields((f) => ({ ...f, [input.name]: v }))}
            />
          ))}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" variant="success" data-testid="run-inputs-submit">
              {request?.debug ? "Debug" : "Run"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
