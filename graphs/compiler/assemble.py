"""Turning the generated statements into the final text and its line -> node source map.

Each top-level statement is unparsed on its own, so the layout (blank lines between sections) is
ours; parsing that text back gives every statement's lines, matched to the generated statements in
the same order, and a compile() of each part proves the script is valid Python.
"""

from __future__ import annotations

import ast
import warnings

from graphs.compiler.codegen import NODE_KEY

_NESTED_FIELDS = ("body", "orelse", "finalbody")


def _children(statement: ast.AST) -> list[list[ast.stmt]]:
    lists = [getattr(statement, f) for f in _NESTED_FIELDS
             if isinstance(getattr(statement, f, None), list)]
    lists += [[*handler.body] for handler in getattr(statement, "handlers", [])]
    lists += [[*case.body] for case in getattr(statement, "cases", [])]
    return lists


def _give_statements_a_line(statement: ast.stmt) -> None:
    """`ast.unparse` reads `lineno` of statements (for type comments) but of nothing else; setting
    it on statements only is much cheaper than `ast.fix_missing_locations` on the whole tree."""
    pending: list[ast.stmt] = [statement]
    while pending:
        current = pending.pop()
        if not hasattr(current, "lineno"):
            current.lineno = 1
        for nested in _children(current):
            pending.extend(nested)


def _map_lines(generated: ast.stmt, parsed: ast.stmt, offset: int,
               source_map: dict[int, str]) -> None:
    stack: list[tuple[ast.AST, ast.AST, str | None]] = [(generated, parsed, None)]
    while stack:
        mine, theirs, inherited = stack.pop()
        node_id = getattr(mine, NODE_KEY, None) or inherited
        if node_id is not None:
            start, end = theirs.lineno, theirs.end_lineno or theirs.lineno  # type: ignore[attr-defined]
            for line in range(start, end + 1):
                source_map[line + offset] = node_id
        mine_lists, their_lists = _children(mine), _children(theirs)
        if len(mine_lists) != len(their_lists):
            continue
        for mine_list, their_list in zip(mine_lists, their_lists, strict=True):
            if len(mine_list) == len(their_list):
                stack.extend((m, t, node_id) for m, t in zip(mine_list, their_list, strict=True))


def assemble(sections: list[list[ast.stmt]]) -> tuple[str, dict[int, str]]:
    """Code text of the non-empty sections (in order) and its source map; raises SyntaxError."""
    chunks: list[str] = []
    source_map: dict[int, str] = {}
    line = 0
    previous_was_def = False
    for section_index, section in enumerate(s for s in sections if s):
        for statement_index, statement in enumerate(section):
            is_def = isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            if chunks:
                blank = 2 if (is_def or previous_was_def) else (
                    1 if statement_index == 0 and section_index > 0 else 0)
                chunks.append("\n" * blank)
                line += blank
            _give_statements_a_line(statement)
            text = ast.unparse(ast.Module([statement], []))
            text = text.strip("\n")
            parsed = ast.parse(text)
            with warnings.catch_warnings():  # e.g. "None[0]": the user's runtime error to see
                warnings.simplefilter("ignore")
                compile(parsed, "<graph>", "exec")
            if len(parsed.body) == 1:
                _map_lines(statement, parsed.body[0], line, source_map)
            chunks.append(text + "\n")
            line += text.count("\n") + 1
            previous_was_def = is_def
    return "".join(chunks), source_map
