"""Which data types may be wired into which: the one table the compiler and the editor share.

`GET /api/nodes/` serves it as `type_compatibility` and the editor checks new wires against that
answer, so the two can never disagree (tests/fixtures/type_compatibility.json pins every pair, read
by pytest and by Vitest alike). A wire between incompatible types is refused by the editor and is a
`type_mismatch` warning from the compiler (a graph made elsewhere may still hold one).
"""

from __future__ import annotations

DATA_TYPES = ("any", "number", "int", "float", "text", "bool", "list", "dict", "none")

# target type -> the source types it accepts (besides `any`, which fits everywhere both ways).
# Why each row:
# - number and float take every numeric value; a bool is an int in Python.
# - int takes int and bool, and `number` too: an Arithmetic result wired to For range's stop is
#   the everyday case, and Python raises a clear TypeError if it is really a float at run time.
# - bool takes everything: every Python value has a truth value (`if items:` is idiomatic).
# - text, list, dict and none take only themselves: Python converts none of them implicitly;
#   a Convert or Format text node says what the user means.
_ACCEPTS: dict[str, frozenset[str]] = {
    "any": frozenset(DATA_TYPES),
    "number": frozenset({"number", "int", "float", "bool"}),
    "float": frozenset({"number", "int", "float", "bool"}),
    "int": frozenset({"int", "bool", "number"}),
    "bool": frozenset(DATA_TYPES),
    "text": frozenset({"text"}),
    "list": frozenset({"list"}),
    "dict": frozenset({"dict"}),
    "none": frozenset({"none"}),
}


def types_compatible(source: str, target: str) -> bool:
    """Whether a value of type `source` may be wired to an input of type `target`."""
    if "any" in (source, target) or source == target:
        return True
    return source in _ACCEPTS.get(target, frozenset())


def compatibility_json() -> dict[str, list[str]]:
    """`{source type: [target types it may be wired to]}`, every type listed, in table order."""
    return {
        source: [target for target in DATA_TYPES if types_compatible(source, target)]
        for source in DATA_TYPES
    }
