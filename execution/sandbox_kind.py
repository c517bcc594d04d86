"""Which kind of warm sandbox a script needs, decided on the web side before dispatch.

Two kinds share one pool (execution/sandbox/pool.py):
- `light`: the interpreter alone (about 0.25 s of CPU and 9 MiB to start);
- `data`: numpy, pandas and matplotlib imported before the script comes (about 2 s of CPU and
  67 MiB to start, then a plot costs no import time).

A script that imports the data stack (the Plot node compiles to `import matplotlib.pyplot`)
wants `data`; anything else wants `light`. `show()` of a table or text needs no data stack. A
wrong guess still runs correctly: the pool hands out the other kind when the wanted one is not
warm, and the import then happens at run time.
"""

from __future__ import annotations

import ast
import re
from typing import Final

LIGHT: Final = "light"
DATA: Final = "data"
KINDS: Final = (LIGHT, DATA)

# Top-level packages the data sandbox preloads (sandbox_image/display.py, PRELOAD_MODULES), and
# pylab, matplotlib's old all-in-one module.
DATA_PACKAGES: Final = frozenset({"numpy", "pandas", "matplotlib", "pylab"})
# A script that never names a package needs no parse: the common case costs one regex search.
_MENTIONS_DATA = re.compile(r"\b(?:" + "|".join(sorted(DATA_PACKAGES)) + r")\b")
_IMPORT_FUNCTIONS: Final = frozenset({"__import__", "import_module"})


def sandbox_kind(code: str) -> str:
    """`data` when the script imports numpy, pandas or matplotlib (statically, or by name through
    `__import__` / `importlib.import_module`), else `light`."""
    if not _MENTIONS_DATA.search(code):
        return LIGHT
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # It will fail at run time either way; names it mentions are the best guess.
        return DATA
    return DATA if any(_imports_data(node) for node in ast.walk(tree)) else LIGHT


def _top(name: str | None) -> str:
    return (name or "").split(".", 1)[0]


def _imports_data(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(_top(alias.name) in DATA_PACKAGES for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and _top(node.module) in DATA_PACKAGES
    if isinstance(node, ast.Call) and node.args:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        first = node.args[0]
        return (
            name in _IMPORT_FUNCTIONS
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and _top(first.value) in DATA_PACKAGES
        )
    return False
