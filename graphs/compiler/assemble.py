"""Turning the generated statements into the final text and its line -> node source map.

Each top-level statement is unparsed on its own, so the layout (blank lines between sections) is
ours. The unparser itself notes the lines each statement spans; where a string literal put raw
line breaks into the text (a docstring), the text is parsed back to match the statements instead.
One compile() of the whole script at the end proves it is valid Python.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable

from graphs.compiler.codegen import NODE_KEY, TAPPED_KEY

_NESTED_FIELDS = ("body", "orelse", "finalbody")


def _children(statement: ast.AST) -> list[list[ast.stmt]]:
    lists = [
        getattr(statement, f)
        for f in _NESTED_FIELDS
        if isinstance(getattr(statement, f, None), list)
    ]
    lists += [[*handler.body] for handler in getattr(statement, "handlers", [])]
    lists += [[*case.body] for case in getattr(statement, "cases", [])]
    return lists


def _map_lines(
    generated: ast.stmt, parsed: ast.stmt, offset: int, source_map: dict[int, str]
) -> None:
    stack: list[tuple[ast.AST, ast.AST, str | None]] = [(generated, parsed, None)]
    while stack:
        mine, theirs, inherited = stack.pop()
        node_id = getattr(mine, NODE_KEY, None) or inherited
        if node_id is not None:
            # ast.AST declares no lines; a node tagged with a node id is a statement or expression.
            start, end = theirs.lineno, theirs.end_lineno or theirs.lineno  # type: ignore[attr-defined]
            for line in range(start, end + 1):
                source_map[line + offset] = node_id
        mine_lists, their_lists = _children(mine), _children(theirs)
        if len(mine_lists) != len(their_lists):
            continue
        for mine_list, their_list in zip(mine_lists, their_lists, strict=True):
            if len(mine_list) == len(their_list):
                stack.extend((m, t, node_id) for m, t in zip(mine_list, their_list, strict=True))


# ast._Unparser is private: typeshed leaves it out, so the base class is unknown to mypy.
class _LineUnparser(ast._Unparser):  # type: ignore[name-defined,misc]
    """`ast.unparse`, noting the first and last line of every statement it writes.

    Built on the standard library's own unparser (private, but the class `ast.unparse` itself
    uses): a statement begins with `fill()` and nothing else writes a line break, except string
    literals written raw (checked by `assemble`). Parsing the text back for the lines would cost
    as much as the rest of the compiler.
    """

    def __init__(self, **options: bool) -> None:  # f-strings unparse their parts with a copy
        super().__init__(**options)
        self.line = 1
        self.spans: list[tuple[ast.stmt, int, int]] = []
        self._unstarted: list[list[int]] = []
        self._no_blank = False

    def maybe_newline(self) -> None:
        if self._no_blank:  # see _function_helper
            self._no_blank = False
            return
        if self._source:
            self.line += 1
        super().maybe_newline()

    def _function_helper(self, node: ast.AST, fill_suffix: str) -> None:
        # The base class opens a def with a blank line; not right after a block's header
        # (`def outer():` then a nested def), where a formatter writes none.
        self._no_blank = bool(self._source) and self._source[-1] == ":"
        super()._function_helper(node, fill_suffix)

    def fill(self, text: str = "") -> None:
        super().fill(text)
        for entry in self._unstarted:
            entry[0] = self.line
        self._unstarted.clear()

    def get_type_comment(self, node: ast.AST) -> None:
        return None  # generated code has none (the base class would read `node.lineno`)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        """A debug tap `(_ne_v3 := a + 1)` without the base class's extra parentheses around
        its value (`:=` takes any expression); other assignment expressions as the base does."""
        if getattr(node, TAPPED_KEY, None) is None:
            super().visit_NamedExpr(node)
            return None
        precedence = ast._Precedence  # type: ignore[attr-defined]  # private, as ast._Unparser
        with self.require_parens(precedence.NAMED_EXPR, node):
            self.set_precedence(precedence.ATOM, node.target)
            self.set_precedence(precedence.TEST, node.value)
            self.traverse(node.target)
            self.write(" := ")
            self.traverse(node.value)
        return None


def _noting_lines(visit: Callable[[_LineUnparser, ast.stmt], None]) -> Callable[..., None]:
    def visit_statement(self: _LineUnparser, node: ast.stmt) -> None:
        start = [self.line]
        self._unstarted.append(start)
        visit(self, node)
        self.spans.append((node, start[0], self.line))

    return visit_statement


# Wrapping the statement visitors only (not `traverse`) keeps expressions at full speed.
for _kind in ast.stmt.__subclasses__():
    # ast._Unparser is private (not in typeshed).
    _visit = getattr(ast._Unparser, "visit_" + _kind.__name__, None)  # type: ignore[attr-defined]
    if _visit is not None:
        setattr(_LineUnparser, "visit_" + _kind.__name__, _noting_lines(_visit))


def _unparse(statement: ast.stmt, offset: int, source_map: dict[int, str]) -> str:
    unparser = _LineUnparser()
    text: str = unparser.visit(ast.Module([statement], [])).strip("\n")
    if text.count("\n") + 1 != unparser.line:  # a raw line break inside a string literal
        parsed = ast.parse(text)
        if len(parsed.body) == 1:
            _map_lines(statement, parsed.body[0], offset, source_map)
        return text
    # Outer statements first, so a nested statement with a node of its own overrides them.
    for node, start, end in reversed(unparser.spans):
        node_id = getattr(node, NODE_KEY, None)
        if node_id is not None:
            for line in range(start + offset, end + offset + 1):
                source_map[line] = node_id
    return text


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
                blank = (
                    2
                    if (is_def or previous_was_def)
                    else (1 if statement_index == 0 and section_index > 0 else 0)
                )
                chunks.append("\n" * blank)
                line += blank
            text = _unparse(statement, line, source_map)
            chunks.append(text + "\n")
            line += text.count("\n") + 1
            previous_was_def = is_def
    code = "".join(chunks)
    with warnings.catch_warnings():  # e.g. "None[0]": the user's runtime error to see
        warnings.simplefilter("ignore")
        compile(code, "<graph>", "exec", dont_inherit=True)
    return code, source_map
