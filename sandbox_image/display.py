"""show() inside the sandbox (docs/rich_output.md, section 1): the builtin `show()`, matplotlib's
`plt.show()` and `Figure.show()`, and the figures still open at exit, sent as display frames on the
run's side channel (side_channel.py; the data stack is preloaded by preload.py).

A display frame: `{"t": "display", "out": N, "line": L | null, "mime": "image/png" | "table",
"data": ...}`; `out` = the stdout-pipe bytes written before it (the script's output is flushed
first), `line` = the line of the innermost `main.py` frame at the call (null at exit). A forked
child of the script has no channel (side_channel.Channel closes its copy): its `show()` says so
on stderr.
"""

from __future__ import annotations

import atexit
import base64
import builtins
import datetime
import io
import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the runner hands these in: sibling modules never import each other
    from types import FrameType

    from script_output import ScriptOutput
    from side_channel import Channel

DISPLAY_FRAME_MAX_BYTES = 3_000_000  # payload, JSON
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MAX_BYTES = 2 * 1024 * 1024
TABLE_MAX_ROWS = 1000
TABLE_MAX_COLUMNS = 50
CELL_MAX_CHARS = 200
FIGURE_DPI = 100

# Bound now: the script shares these modules and may replace their attributes.
_getframe = sys._getframe


# --- show() ---
class Display:
    """`show()`, the matplotlib hooks and the figures shown at exit, for one run."""

    def __init__(self, channel: Channel, output: ScriptOutput, script_filename: str) -> None:
        self.channel = channel
        self.output = output
        self.script_filename = script_filename  # what runner.py compiles the script as
        self._hooked_pyplot = False

    def install(self) -> None:
        # A builtin of the sandbox's own: typeshed's builtins has no `show`.
        builtins.show = self.show  # type: ignore[attr-defined]
        if "matplotlib.pyplot" in sys.modules:
            self.hook_pyplot()
        else:
            sys.meta_path.insert(0, _PyplotFinder(self))

    def register_at_exit(self) -> None:
        """After script_output's and the debugger's exit hooks, so it runs before them: the
        script's last output first, then these displays, then the last trace frame."""
        atexit.register(self.at_exit)

    # The builtin.
    def show(self, obj: Any = None) -> None:
        """Show `obj` in the console: a figure (None: every open figure), PNG bytes, a table
        (a DataFrame or Series, a list of dicts or of lists, a dict); anything else printed."""
        line = _script_line(self.script_filename)
        try:
            kind = _kind(obj)
            if kind == "figures":
                self.show_open_figures(line)
            elif kind == "figure":
                self.send_png(figure_png(_figure_of(obj)), line)
            elif kind == "png":
                self.send_png(bytes(obj), line)
            elif kind == "table":
                self.send_table(_table(obj), line)
            else:
                print(obj)
        except _NotShown as exc:
            self._say(str(exc))

    def show_open_figures(self, line: int | None) -> None:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        for number in list(pyplot.get_fignums()):
            figure = pyplot.figure(number)
            try:
                self.send_png(figure_png(figure), line)
            except _NotShown as exc:
                self._say(str(exc))
            finally:
                pyplot.close(figure)

    def plt_show(self, *args: Any, **kwargs: Any) -> None:
        """`plt.show()`: every open figure, then closed (Agg's own show does nothing)."""
        line = _script_line(self.script_filename)
        try:
            self.show_open_figures(line)
        except Exception as exc:
            self._say(f"plt.show(): {type(exc).__name__}: {exc}")

    def figure_show(self, figure: Any, *args: Any, **kwargs: Any) -> None:
        """`Figure.show()`: that figure (left open, as in a GUI)."""
        line = _script_line(self.script_filename)
        try:
            self.send_png(figure_png(figure), line)
        except _NotShown as exc:
            self._say(str(exc))

    def hook_pyplot(self) -> None:
        if self._hooked_pyplot:
            return
        self._hooked_pyplot = True
        pyplot: Any = sys.modules["matplotlib.pyplot"]  # matplotlib's: untyped here
        plt_show, figure_show = self.plt_show, self.figure_show

        # Plain functions: pyplot sets attributes on its `show` (switch_backend).
        def show(*args: Any, **kwargs: Any) -> None:
            plt_show(*args, **kwargs)

        def show_figure(figure: Any, *args: Any, **kwargs: Any) -> None:
            figure_show(figure, *args, **kwargs)

        show.__doc__ = plt_show.__doc__
        show_figure.__doc__ = figure_show.__doc__
        pyplot.show = show
        figure_module = sys.modules.get("matplotlib.figure")
        if figure_module is not None:
            figure_module.Figure.show = show_figure

    def at_exit(self) -> None:
        """Figures still open when the script ends."""
        if not self.channel.open:
            return
        try:
            self.show_open_figures(None)
        except Exception:
            pass

    # Frames.
    def send_png(self, png: bytes, line: int | None) -> None:
        if not png.startswith(PNG_SIGNATURE):
            raise _NotShown("show(): not a PNG image")
        if len(png) > PNG_MAX_BYTES:
            raise _NotShown(
                f"show(): image not shown: {len(png):,} bytes, the limit is {PNG_MAX_BYTES:,}"
                " (2 MiB); try a smaller figure or a lower dpi"
            )
        self._send("image/png", base64.b64encode(png).decode("ascii"), line)

    def send_table(self, table: dict[str, Any], line: int | None) -> None:
        # Rows past the frame's size are left out (`total` still says how many there were).
        rows = table["rows"]
        while True:
            frame = self._frame("table", table, line)
            if len(self.channel.payload(frame)) <= DISPLAY_FRAME_MAX_BYTES:
                break
            if not rows:
                raise _NotShown("show(): table too large to show")
            rows = rows[: len(rows) // 2]
            table = {**table, "rows": rows}
        self._send_frame(frame)

    def _frame(self, mime: str, data: Any, line: int | None) -> dict[str, Any]:
        return {"t": "display", "out": 0, "line": line, "mime": mime, "data": data}

    def _send(self, mime: str, data: Any, line: int | None) -> None:
        self._send_frame(self._frame(mime, data, line))

    def _send_frame(self, frame: dict[str, Any]) -> None:
        if not self.channel.open:
            raise _NotShown("show(): nothing can be shown from here (a forked process)")
        self.output.flush_all()  # the output before it, then its `out`
        frame["out"] = self.output.bytes_out()
        self.channel.send(frame)

    def _say(self, message: str) -> None:
        """One line on the script's stderr (in order with its output)."""
        try:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
        except Exception:
            self.output.write_stderr_now((message + "\n").encode("utf-8", "replace"))


class _NotShown(Exception):
    pass


class _PyplotFinder:
    """Without the preload: hooks pyplot once the script imports it."""

    def __init__(self, display: Display) -> None:
        self.display = display

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "matplotlib.pyplot":
            return None
        sys.meta_path.remove(self)
        import importlib.abc
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader, display = spec.loader, self.display

        class HookingLoader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                loader.exec_module(module)
                display.hook_pyplot()

        spec.loader = HookingLoader()
        return spec


def _script_line(script_filename: str) -> int | None:
    """The line of the innermost frame of the script (main.py) running now."""
    try:
        frame: FrameType | None = _getframe(1)
    except ValueError:
        return None
    while frame is not None and frame.f_code.co_filename != script_filename:
        frame = frame.f_back
    return None if frame is None else frame.f_lineno


# --- what an object is ---
def _module_type(module: str, name: str) -> type[Any] | None:
    """A type of an already imported module (never imports it)."""
    loaded = sys.modules.get(module)
    kind = getattr(loaded, name, None) if loaded is not None else None
    return kind if isinstance(kind, type) else None


def _figure_of(obj: Any) -> Any:
    figure_type = _module_type("matplotlib.figure", "Figure")
    if figure_type is not None and isinstance(obj, figure_type):
        return obj
    return obj.get_figure()  # an Axes (or a SubFigure's axes)


def _kind(obj: Any) -> str:
    if obj is None:
        return "figures"
    figure_type = _module_type("matplotlib.figure", "Figure")
    if figure_type is not None and isinstance(obj, figure_type):
        return "figure"
    axes_type = _module_type("matplotlib.axes", "Axes")
    if axes_type is not None and isinstance(obj, axes_type):
        return "figure"
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return "png" if bytes(obj[:8]) == PNG_SIGNATURE else "text"
    for name in ("DataFrame", "Series"):
        kind = _module_type("pandas", name)
        if kind is not None and isinstance(obj, kind):
            return "table"
    if isinstance(obj, dict):
        return "table"
    if isinstance(obj, (list, tuple)):
        if all(isinstance(row, dict) for row in obj):
            return "table"
        if all(isinstance(row, (list, tuple)) for row in obj):
            return "table"
    return "text"


def figure_png(figure: Any) -> bytes:
    """A figure as show() sends it (preload.py draws a first one with it too)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return buffer.getvalue()


# --- tables ---
def _table(obj: Any) -> dict[str, Any]:
    data_frame = _module_type("pandas", "DataFrame")
    series = _module_type("pandas", "Series")
    if data_frame is not None and isinstance(obj, data_frame):
        return _frame_table(obj)
    if series is not None and isinstance(obj, series):
        return _frame_table(obj.to_frame(name="value" if obj.name is None else obj.name))
    if isinstance(obj, dict):
        return _dict_table(obj)
    return _rows_table(obj)


def _frame_table(frame: Any) -> dict[str, Any]:
    """A DataFrame: its index first unless it is the default 0, 1, 2..."""
    total = len(frame)
    shown = frame.iloc[:TABLE_MAX_ROWS, :TABLE_MAX_COLUMNS]
    index = shown.index
    range_index = _module_type("pandas", "RangeIndex")
    default_index = (
        range_index is not None
        and isinstance(frame.index, range_index)
        and frame.index.start == 0
        and frame.index.step == 1
    )
    columns = [_column_name(c) for c in shown.columns]
    columns_left = TABLE_MAX_COLUMNS
    if not default_index:
        columns = [_column_name(index.name) if index.name is not None else "", *columns]
        columns = columns[:TABLE_MAX_COLUMNS]
        columns_left = TABLE_MAX_COLUMNS - 1
    rows = []
    for position, values in enumerate(shown.itertuples(index=False, name=None)):
        row = [_cell(v) for v in values[:columns_left]]
        if not default_index:
            row.insert(0, _cell(index[position]))
        rows.append(row)
    return {"columns": columns, "rows": rows, "total": total}


def _dict_table(obj: dict[Any, Any]) -> dict[str, Any]:
    """A dict of columns (every value a list or tuple) as those columns; another dict as
    key/value rows."""
    if obj and all(isinstance(v, (list, tuple)) for v in obj.values()):
        items = list(obj.items())[:TABLE_MAX_COLUMNS]
        total = max(len(v) for v in obj.values())
        rows = [
            [_cell(values[i]) if i < len(values) else None for _, values in items]
            for i in range(min(total, TABLE_MAX_ROWS))
        ]
        return {"columns": [_column_name(k) for k, _ in items], "rows": rows, "total": total}
    pairs = list(obj.items())
    rows = [[_cell(k), _cell(v)] for k, v in pairs[:TABLE_MAX_ROWS]]
    return {"columns": ["key", "value"], "rows": rows, "total": len(pairs)}


def _rows_table(obj: list[Any] | tuple[Any, ...]) -> dict[str, Any]:
    """A list of dicts (columns: their keys, in first-seen order) or of lists/tuples (columns
    0, 1, 2...); a missing cell is null."""
    shown = obj[:TABLE_MAX_ROWS]
    if all(isinstance(row, dict) for row in shown):
        keys: dict[Any, None] = {}
        for row in shown:
            for key in row:
                if len(keys) >= TABLE_MAX_COLUMNS:
                    break
                keys.setdefault(key, None)
        order = list(keys)
        rows = [[_cell(row.get(key)) for key in order] for row in shown]
        return {"columns": [_column_name(k) for k in order], "rows": rows, "total": len(obj)}
    width = min(max((len(row) for row in shown), default=0), TABLE_MAX_COLUMNS)
    rows = [[_cell(row[i]) if i < len(row) else None for i in range(width)] for row in shown]
    return {"columns": [str(i) for i in range(width)], "rows": rows, "total": len(obj)}


def _column_name(name: Any) -> str:
    text = name if isinstance(name, str) else _cell_text(name)
    return _cut(text)


def _cut(text: str) -> str:
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= CELL_MAX_CHARS else text[: CELL_MAX_CHARS - 3] + "..."


def _cell(value: Any) -> Any:
    """A JSON scalar: numpy scalars as Python's, NaN (and NA, NaT) as null, inf as a string,
    strings cut to 200 characters, anything else its repr (cut)."""
    if value is None or isinstance(value, bool):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return _float(value)
    if type(value) is str:
        return _cut(value)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        if isinstance(value, (numpy.datetime64, numpy.timedelta64)):
            return None if numpy.isnat(value) else _cut(str(value))
        try:
            item = value.item()
        except Exception:
            return _cut(_cell_text(value))
        if isinstance(item, (bool, int, float, str)) or item is None:
            return _cell(item)
        return _cut(_cell_text(item))
    pandas = sys.modules.get("pandas")
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return None
    if isinstance(value, bool):  # a subclass
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, str):
        return _cut(str(value))
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        try:
            return _cut(str(value))  # pandas' Timestamp and Timedelta are these too
        except Exception:
            pass
    return _cut(_cell_text(value))


def _float(value: float) -> Any:
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _cell_text(value: Any) -> str:
    try:
        text = repr(value)
        return text if type(text) is str else "?"
    except Exception:
        return f"<{type(value).__name__} object>"
