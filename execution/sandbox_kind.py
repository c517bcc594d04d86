"""Which kind of warm sandbox a script needs, decided on the web side before dispatch.

Three kinds share one pool (execution/sandbox/pool.py), the same limits for each:
- `light`: the interpreter alone (about 0.25 s of CPU and 9 MiB to start);
- `plot`: numpy and matplotlib (pyplot, Agg) imported and a first figure drawn;
- `data`: pandas too (pandas alone doubles the start's CPU, so charts do without it).

A script that imports pandas wants `data`; one that imports numpy or matplotlib (the Plot node
compiles to `import matplotlib.pyplot`) wants `plot`; anything else wants `light`. `show()` of a
table or text needs none of them. A wrong guess still runs correctly: the pool hands out the
nearest kind that is warm (`PREFERENCES`), and a missing import then happens at run time.
"""

from __future__ import annotations

import ast
import re
from typing import Final

LIGHT: Final = "light"
PLOT: Final = "plot"
DATA: Final = "data"
KINDS: Final = (LIGHT, PLOT, DATA)

# For a request that wants the first kind, the kinds to hand out instead, best first: the ones
# that preload most of what it imports, then the cheapest.
PREFERENCES: Final = {
    LIGHT: (LIGHT, PLOT, DATA),
    PLOT: (PLOT, DATA, LIGHT),
    DATA: (DATA, PLOT, LIGHT),
}

# The top-level packages that decide a kind (the runner preloads them: sandbox_image/preload.py,
# PRELOAD_MODULES); pylab is matplotlib's old all-in-one module.
DATA_PACKAGES: Final = frozenset({"pandas"})
PLOT_PACKAGES: Final = frozenset({"numpy", "matplotlib", "pylab"})
# A script that never names a package needs no parse: the common case costs one regex search.
_MENTIONS = re.compile(r"\b(?:" + "|".join(sorted(DATA_PACKAGES | PLOT_PACKAGES)) + r")\b")
_IMPORT_FUNCTIONS: Final = frozenset({"__import__", "import_module"})


def sandbox_kind(code: str) -> str:
    """The kind a script wants, from the packages it imports (statically, or by name through
    `__import__` / `importlib.import_module`)."""
    mentioned = set(_MENTIONS.findall(code))
    if not mentioned:
        return LIGHT
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # It will fail at run time either way; the names it mentions are the best guess.
        imported = mentioned
    else:
        imported = {name for node in ast.walk(tree) for name in _imported_packages(node)}
    if imported & DATA_PACKAGES:
        return DATA
    return PLOT if imported & PLOT_PACKAGES else LIGHT


def _top(name: str | None) -> str:
    return (name or "").split(".", 1)[0]


def _imported_packages(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [_top(alias.name) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        return [_top(node.module)] if node.level == 0 else []
    if isinstance(node, ast.Call) and node.args:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        first = node.args[0]
        if (
            name in _IMPORT_FUNCTIONS
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            return [_top(first.value)]
    return []
