"""How a debug run's script reads in its tracebacks: as the plain script would.

The instrumented script wraps the values on wires as ``(_ne_v3 := expr)`` or ``_ne_tap(3, expr)``
(graphs/compiler/debug.py); a traceback quoting such a line would show the user machinery that
is not in their code panel. The wrappers never add or remove lines, so dropping them from the
quoted text keeps every line number right.

Hand-written on top of `tokenize` (a kept parser of Python's own tokens): no library undoes
this one program transformation, and a regex cannot match the closing parenthesis.
"""

from __future__ import annotations

import io
import re
import tokenize

_TAP_NAME = re.compile(r"_ne_v\d+\Z")


def shown_lines(text: str) -> list[str]:
    """The script's lines with the value taps taken out (unchanged if it does not tokenize)."""
    lines = text.splitlines(True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return lines
    cuts: list[tuple[tuple[int, int], tuple[int, int]]] = []  # (start, end) spans to delete
    opened: list[bool] = []  # per open bracket: does its closing one belong to a tap?
    for i, token in enumerate(tokens):
        if token.type != tokenize.OP:
            continue
        if token.string in "([{":
            tap = _tap_opening(tokens, i)
            if tap is not None:
                cuts.append(tap)
            opened.append(tap is not None)
        elif token.string in ")]}" and opened:
            if opened.pop():
                cuts.append((token.start, token.end))
    for (row, start), (end_row, end) in sorted(cuts, reverse=True):
        if row == end_row:
            line = lines[row - 1]
            lines[row - 1] = line[:start] + line[end:]
    return lines


def _tap_opening(
    tokens: list[tokenize.TokenInfo], i: int
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The span to delete when tokens[i] opens `(_ne_vN := ` or the call `_ne_tap(N, `."""
    if i + 3 < len(tokens) and tokens[i].string == "(":
        name, walrus = tokens[i + 1], tokens[i + 2]
        if _TAP_NAME.match(name.string) and walrus.string == ":=":
            return tokens[i].start, tokens[i + 3].start
        if (
            i >= 1
            and tokens[i - 1].string == "_ne_tap"
            and i + 3 < len(tokens)
            and tokens[i + 1].type == tokenize.NUMBER
            and tokens[i + 2].string == ","
        ):
            return tokens[i - 1].start, tokens[i + 3].start
    return None
