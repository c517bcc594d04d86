"""Library nodes: a user's Python function as a typed node (`lib:<id>`).

The pure part (no Django): `parse.py` reads the code with `ast` (never runs it), `annotations.py`
maps annotations to pin types, `node.py` builds the node type, `emit.py` the code the compiler
emits. Saved entries: graphs/library_models.py; their routes: graphs/library_views.py.
"""
