// "Make a node from this code node": a Python code node (`python_code`: its snippet and its
// comma-separated inputs and outputs) written as the one public function a library entry needs
// (docs/catalogue.md, "Your own nodes"). Its inputs become the parameters and its outputs what it
// returns, all typed `Any`: one output is the `result` pin, several a NamedTuple whose fields
// are the `out:<name>` pins, the names the code node's own pins have. Pure.

import { dynamicPortNames } from "./graph";

export const CODE_NODE_TYPE = "python_code";

export interface CodeNodeParams {
  code: unknown;
  inputs: unknown;
  outputs: unknown;
  /** The node's label, if it has one: the function is named after it. */
  label?: string;
}

const KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

/** A public Python name from a label ("Moving average" → "moving_average"); `code_node` when it gives none. */
export function functionName(label: string | undefined): string {
  const words = (label ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^[_0-9]+|_+$/g, "")
    .replace(/_+/g, "_");
  if (!words || KEYWORDS.has(words)) return "code_node";
  return words;
}

/** The snippet as a function body: indented four spaces (leading tabs as Python reads them), `pass` when empty. */
function indentBody(code: string): string[] {
  const lines = code.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && !lines[lines.length - 1]?.trim()) lines.pop();
  while (lines.length && !lines[0]?.trim()) lines.shift();
  if (lines.length === 0) return ["    pass"];
  return lines.map((line) => {
    if (!line.trim()) return "";
    const lead = /^[ \t]*/.exec(line)?.[0] ?? "";
    let width = 0;
    for (const ch of lead) width = ch === "\t" ? width + 8 - (width % 8) : width + 1;
    return `    ${" ".repeat(width)}${line.slice(lead.length)}`;
  });
}

/** Text safe inside a one-line docstring. */
const docText = (text: string) => text.replace(/["\\\n\r]/g, "").trim();

/**
 * The function source for a code node. The code node's names default as its own pins do (the
 * catalogue defaults of `inputs` and `outputs`, given as `defaults`).
 */
export function codeNodeFunction(params: CodeNodeParams, defaults: { inputs?: unknown; outputs?: unknown } = {}): string {
  const inputs = dynamicPortNames("names", params.inputs, defaults.inputs);
  const outputs = dynamicPortNames("names", params.outputs, defaults.outputs);
  const name = functionName(params.label);
  const code = typeof params.code === "string" ? params.code : "";
  const label = docText(params.label ?? "");
  const typing = outputs.length > 1 ? "from typing import Any, NamedTuple" : "from typing import Any";
  const head: string[] = [typing, "", ""];
  let returns = "None";
  let last: string | null = null;
  if (outputs.length === 1) {
    returns = "Any";
    last = `    return ${outputs[0]}`;
  } else if (outputs.length > 1) {
    returns = "_Outputs";
    head.push("class _Outputs(NamedTuple):", ...outputs.map((o) => `    ${o}: Any`), "", "");
    last = `    return _Outputs(${outputs.join(", ")})`;
  }
  const args = inputs.map((i) => `${i}: Any`).join(", ");
  const body = [
    `def ${name}(${args}) -> ${returns}:`,
    `    """Made from the Python code node${label ? ` “${label}”` : ""}."""`,
    // As in the code node, an output it does not set is None.
    ...outputs.filter((o) => !inputs.includes(o)).map((o) => `    ${o} = None`),
    ...indentBody(code),
    ...(last ? [last] : []),
  ];
  return `${[...head, ...body].join("\n")}\n`;
}
