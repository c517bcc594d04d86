"""Rich output inside the sandbox (docs/rich_output.md, section 1): the side channel of every
run, the data stack's preload, `show()` and matplotlib's `plt.show()`.

The side channel: before the ready marker the runner moves the container's descriptor 2 to a
private close-on-exec descriptor (`Channel`) that carries only runner frames (`\\x1eNE3`, a 4-byte
big-endian length, UTF-8 JSON) and points descriptor 2 at a pipe whose bytes go on as stderr
(script_output.ScriptOutput.take_descriptor_2). Plain runs send `display` frames on it; debug runs
also their trace and paused frames (debugger.py). One lock: a frame is written whole (partial
writes go on) before the next one starts, whichever thread sends it. A forked child of the script
closes its copy (its frames could not be kept whole beside the parent's): its `show()` says so on
stderr.

A display frame: `{"t": "display", "out": N, "line": L | null, "mime": "image/png" | "table",
"data": ...}`; `out` = the stdout-pipe bytes written before it (the script's output is flushed
first), `line` = the line of the innermost `main.py` frame at the call (null at exit).
"""

from __future__ import annotations

import atexit
import base64
import builtins
import datetime
import io
import json
import math
import os
import sys
import threading
from typing import Any

FRAME_MAGIC = b"\x1eNE3"
DISPLAY_FRAME_MAX_BYTES = 3_000_000  # payload, JSON
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MAX_BYTES = 2 * 1024 * 1024
TABLE_MAX_ROWS = 1000
TABLE_MAX_COLUMNS = 50
CELL_MAX_CHARS = 200
FIGURE_DPI = 100
# What the runner imports before the ready marker, by its `--preload=` (the pool's sandbox kinds,
# execution/sandbox_kind.py): `plot` the charting stack, `data` pandas too, `none` nothing.
PRELOAD_MODULES = {
    "plot": ("numpy", "matplotlib", "matplotlib.pyplot"),
    "data": ("numpy", "pandas", "matplotlib", "matplotlib.pyplot"),
}
# matplotlib's config and font cache: on the scratch tmpfs (the rest of the container is
# read-only), seeded from the font list built into the image (Dockerfile) so no run builds it.
MPL_CONFIG_DIR = "/tmp/.matplotlib"
MPL_FONT_CACHE_DIR = "/opt/nodeengine/matplotlib"

# Bound now: the script shares these modules and may replace their attributes.
_write = os.write
_close = os.close
_getframe = sys._getframe
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class Channel:
    """The private descriptor that carries the runner's frames (see the module docstring)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.bytes_sent = 0  # whole frames written: a run's exit record carries it (runner.py)
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._forked)

    def sent_so_far(self) -> int:
        """The bytes of every whole frame written so far (none is half-written meanwhile)."""
        with self._lock:
            return self.bytes_sent

    @property
    def open(self) -> bool:
        return self.fd >= 0

    def send(self, frame: dict) -> bool:
        """One frame, whole. False when the channel is gone (closed by the script, nobody reads,
        a forked child): no more frames then."""
        payload = _encode_json(frame).encode("utf-8", "replace")
        data = memoryview(FRAME_MAGIC + len(payload).to_bytes(4, "big") + payload)
        with self._lock:
            if self.fd < 0:
                return False
            size = len(data)
            try:
                while data:
                    data = data[_write(self.fd, data) :]
            except OSError:
                self.fd = -1
                return False
            self.bytes_sent += size
        return True

    def write_raw(self, data: bytes) -> None:
        """Not a frame: the runner's last word when something is wrong with the pool itself."""
        if self.fd >= 0:
            try:
                _write(self.fd, data)
            except OSError:
                pass

    def _forked(self) -> None:
        fd, self.fd = self.fd, -1
        self._lock = threading.Lock()
        if fd >= 0:
            try:
                _close(fd)
            except OSError:
                pass


# --- the preload ---
def prepare_environment() -> None:
    """Before anything imports the data stack (cheap; in every run, preloaded or not)."""
    # One BLAS thread: the container has one CPU and a pids limit.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("MPLBACKEND", "Agg")  # a script importing pyplot itself gets Agg too
    if os.path.isdir(MPL_FONT_CACHE_DIR) and os.access("/tmp", os.W_OK):
        try:
            os.makedirs(MPL_CONFIG_DIR, exist_ok=True)
            for name in os.listdir(MPL_FONT_CACHE_DIR):
                if name.endswith(".json"):
                    with open(os.path.join(MPL_FONT_CACHE_DIR, name), "rb") as source:
                        data = source.read()
                    with open(os.path.join(MPL_CONFIG_DIR, name), "wb") as target:
                        target.write(data)
            os.environ.setdefault("MPLCONFIGDIR", MPL_CONFIG_DIR)
        except OSError:
            pass


# The preloaded stack takes about 67 MiB of a warm container (cgroup usage; 9 MiB without it):
# under a memory limit below this the runner skips the preload unless told `--preload=data`,
# so that a small limit gives a container that starts (and a script that may still import the
# stack itself) rather than one that dies of its memory limit before it is ready.
PRELOAD_MIN_MEMORY_BYTES = 96 * 1024 * 1024
CGROUP_MEMORY_LIMITS = (
    "/sys/fs/cgroup/memory.max",  # cgroup v2
    "/sys/fs/cgroup/memory/memory.limit_in_bytes",  # v1
)


def memory_limit() -> int | None:
    """The container's memory limit in bytes, None when unknown: the cgroup's (runc), or the
    memory the kernel reports in all (gVisor shows no cgroup files; its MemTotal is the limit)."""
    limits = []
    for path in CGROUP_MEMORY_LIMITS:
        try:
            with open(path) as file:
                text = file.read().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
        break
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemTotal:"):
                    limits.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    return min(limits) if limits else None


def preload_set(option: str) -> str:
    """`--preload=`: `none`, `plot` or `data` as said; anything else (`auto`, the default) is
    `data` when the memory limit leaves room, else `none`."""
    if option in ("none", "plot", "data"):
        return option
    limit = memory_limit()
    return "data" if limit is None or limit >= PRELOAD_MIN_MEMORY_BYTES else "none"


def preload(option: str = "data") -> list[str]:
    """Import the modules of preload set `option` (those that are installed: the image has them
    all, a host running the tests may not). The names imported."""
    loaded = []
    for name in PRELOAD_MODULES.get(preload_set(option), ()):
        try:
            if name == "matplotlib.pyplot":
                sys.modules["matplotlib"].use("Agg")  # before pyplot
            __import__(name)
            if name == "matplotlib.pyplot":
                sys.modules[name].switch_backend("Agg")  # what the first figure would do
        except Exception:
            break  # pandas without numpy, pyplot without matplotlib: nothing more to do
        loaded.append(name)
    if "matplotlib.pyplot" in loaded:
        draw_first_figure()
    return loaded


def draw_first_figure() -> None:
    """Draw and encode one small line chart, as show() does, and throw it away: a process's first
    figure loads the fonts, builds the tick and text layout machinery and the PNG encoder (about
    100 ms), so the script's first plt.show() does not pay for it. Through the object API, never
    pyplot: the script's figure numbers and pyplot's state stay untouched."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure()
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        axes.plot(range(10), label="warm-up")
        axes.set_title("warm-up")
        axes.set_xlabel("x")
        axes.legend()
        _figure_png(figure)
    except Exception:  # only a warm-up: the script's first figure pays for it instead
        pass


# --- show() ---
class Display:
    """`show()`, the matplotlib hooks and the figures shown at exit, for one run."""

    def __init__(self, channel: Channel, output: Any, script_filename: str) -> None:
        self.channel = channel
        self.output = output  # script_output.ScriptOutput
        self.script_filename = script_filename  # what runner.py compiles the script as
        self._hooked_pyplot = False

    def install(self) -> None:
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
                self.send_png(_figure_png(_figure_of(obj)), line)
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
                self.send_png(_figure_png(figure), line)
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
            self.send_png(_figure_png(figure), line)
        except _NotShown as exc:
            self._say(str(exc))

    def hook_pyplot(self) -> None:
        if self._hooked_pyplot:
            return
        self._hooked_pyplot = True
        pyplot = sys.modules["matplotlib.pyplot"]
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

    def send_table(self, table: dict, line: int | None) -> None:
        # Rows past the frame's size are left out (`total` still says how many there were).
        rows = table["rows"]
        while True:
            frame = self._frame("table", table, line)
            if len(_encode_json(frame).encode("utf-8", "replace")) <= DISPLAY_FRAME_MAX_BYTES:
                break
            if not rows:
                raise _NotShown("show(): table too large to show")
            rows = rows[: len(rows) // 2]
            table = {**table, "rows": rows}
        self._send_frame(frame)

    def _frame(self, mime: str, data: Any, line: int | None) -> dict:
        return {"t": "display", "out": 0, "line": line, "mime": mime, "data": data}

    def _send(self, mime: str, data: Any, line: int | None) -> None:
        self._send_frame(self._frame(mime, data, line))

    def _send_frame(self, frame: dict) -> None:
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
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader, display = spec.loader, self.display

        class HookingLoader:
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
        frame = _getframe(1)
    except ValueError:
        return None
    while frame is not None and frame.f_code.co_filename != script_filename:
        frame = frame.f_back
    return None if frame is None else frame.f_lineno


# --- what an object is ---
def _module_type(module: str, name: str) -> type | None:
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


def _figure_png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return buffer.getvalue()


# --- tables ---
def _table(obj: Any) -> dict:
    data_frame = _module_type("pandas", "DataFrame")
    series = _module_type("pandas", "Series")
    if data_frame is not None and isinstance(obj, data_frame):
        return _frame_table(obj)
    if series is not None and isinstance(obj, series):
        return _frame_table(obj.to_frame(name="value" if obj.name is None else obj.name))
    if isinstance(obj, dict):
        return _dict_table(obj)
    return _rows_table(obj)


def _frame_table(frame: Any) -> dict:
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


def _dict_table(obj: dict) -> dict:
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


def _rows_table(obj: list | tuple) -> dict:
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
