"""The generated code's layout: blank lines where a formatter puts them, and no others."""

from __future__ import annotations

import ast

from graphs.compiler.assemble import assemble
from graphs.compiler.codegen import NODE_KEY

NESTED = """\
def outer():
    def first():
        return 1
    x = 2
    def second():
        return x
    return first() + second()
print(outer())
"""


def test_no_blank_line_right_after_a_def_and_one_before_a_later_nested_def():
    code, _ = assemble([ast.parse(NESTED).body])
    lines = code.splitlines()
    assert lines[:2] == ["def outer():", "    def first():"]
    assert lines[lines.index("    def second():") - 1] == ""
    assert "\n\n\n\n" not in code
    # Top-level defs keep two blank lines around them, as black writes them.
    assert code.endswith("    return first() + second()\n\n\nprint(outer())\n")


def test_the_source_map_still_names_the_right_lines():
    tree = ast.parse(NESTED)
    for statement in tree.body:
        setattr(statement, NODE_KEY, "node")
    code, source_map = assemble([tree.body])
    lines = code.splitlines()
    # Every line of text is mapped (a def's own blank lines too), the last one is print's.
    assert {n for n, text in enumerate(lines, 1) if text} <= set(source_map)
    assert lines[-3] == lines[-2] == ""  # between the two top-level statements: not mapped
    assert {len(lines) - 2, len(lines) - 1}.isdisjoint(source_map)
    assert lines[max(source_map) - 1] == "print(outer())"
