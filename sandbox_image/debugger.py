"""A debug run, inside the sandbox (docs/debugging.md, section 2): the runner's half.

Imported by runner.py only when the header announces a debug table, so a plain run never pays
for it. `parse_table` checks the table; `Session.start` then, before the script runs:

- sends its frames on the side channel the runner set up for every run before the ready
  marker (side_channel.Channel: the container's descriptor 2, moved to a private close-on-exec
  descriptor that carries only the runner's frames, `\\x1eNE3`, 4-byte big-endian length, JSON;
  descriptor 2 itself points at the stderr relay's pipe, so a child process's stderr cannot
  break it);
- puts a pipe on descriptor 0 (and under sys.stdin): a reader thread splits the framed stdin
  (`D` data, `E` end of data, `C` JSON control) into that pipe and the controls;
- gives the script's module `_ne_hit`, `_ne_stop`, `_ne_pause` and `_ne_tap`;
- starts a tracer thread that sends what changed (counts, value reprs, the main thread's node)
  at most every TRACE_INTERVAL, and registers the last trace frame for exit.

The script's hot path is the compiler's `if _ne_stop[k]` and `_ne_hit[k] += 1` alone: counts are
read, never pushed, and the current node is sampled from the main thread's frame.

Every frame carries `out`, the bytes the output policy had written to the stdout pipe once it was
flushed (script_output.ScriptOutput.bytes_out): the pool shows a frame only after that output.

Reprs are made with reprlib limits. The tracer thread runs beside the script, so there it calls
no code of the script's: a value whose repr is the script's own (a class with __repr__) shows as
``<Name object>`` until the next pause or the end, which are made on the main thread with the
real repr. Nothing a script does to the control stream or to these globals may crash the runner.
"""

from __future__ import annotations

import atexit
import builtins
import collections
import io
import itertools
import json
import os
import reprlib
import sys
import threading
import time
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the runner hands these in: sibling modules never import each other
    from script_output import ScriptOutput
    from side_channel import Channel
    from typing_extensions import TypeIs

FRAME_MAX_BYTES = 65536  # payload, JSON
TRACE_INTERVAL = 0.033
# The tracer's share of a 33 ms tick for value reprs; the rest waits for the next tick.
TRACE_REPR_BUDGET = 0.004
REPR_CHARS = 1000
NAME_CHARS = 100
MAX_VARIABLES = 200
MAX_NODES = 1 << 20  # a table past this is not one the compiler made
CONTROL_MAX_BYTES = 64 * 1024
RESUME_MODES = ("continue", "step")

# Bound now: the script shares these modules and may replace their attributes.
_write = os.write
_read = os.read
_close = os.close
_pipe = os.pipe
_set_blocking = os.set_blocking
_monotonic = time.monotonic
_current_frames = sys._current_frames
_getframe = sys._getframe
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_decode_json = json.JSONDecoder().decode
_MISSING = object()


# --- the table ---
class Table:
    def __init__(
        self,
        nodes: int,
        edges: int,
        lines: dict[int, int],
        stoppable: list[int],
        breakpoints: set[int],
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.lines = lines
        self.stoppable = stoppable
        self.breakpoints = breakpoints


def _is_index(value: object, size: int) -> TypeIs[int]:
    return type(value) is int and 0 <= value < size


def _index_list(value: object, size: int) -> list[int] | None:
    """`value` when it is a list of indices below `size`."""
    if not isinstance(value, list) or not all(_is_index(k, size) for k in value):
        return None
    return value


def parse_table(data: bytes) -> Table | None:
    """The header's table, or None when it is not one (the runner exits 2, as for a bad header).

    `{"nodes": n, "edges": m, "lines": [[line, k], ...], "stoppable": [k, ...],
    "breakpoints": [k, ...]}`; other keys are ignored.
    """
    try:
        table = _decode_json(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(table, dict):
        return None
    nodes, edges = table.get("nodes"), table.get("edges")
    if not _is_index(nodes, MAX_NODES + 1) or not _is_index(edges, MAX_NODES + 1):
        return None
    lines, stoppable = table.get("lines"), table.get("stoppable")
    breakpoints = table.get("breakpoints", [])
    if not isinstance(lines, list) or not all(
        type(pair) is list
        and len(pair) == 2
        and type(pair[0]) is int
        and pair[0] > 0
        and _is_index(pair[1], nodes)
        for pair in lines
    ):
        return None
    stoppable, breakpoints = _index_list(stoppable, nodes), _index_list(breakpoints, nodes)
    if stoppable is None or breakpoints is None:
        return None
    return Table(nodes, edges, dict(lines), list(stoppable), set(breakpoints))


# --- reprs ---
def _clean(text: str, limit: int) -> str:
    """At most `limit` characters, and encodable as UTF-8 (a __repr__ may return surrogates)."""
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _type_name(kind: type) -> str:
    name = type.__dict__["__name__"].__get__(kind)  # no metaclass property in the way
    return _clean(name if type(name) is str else "?", NAME_CHARS)


class ValueRepr(reprlib.Repr):
    """reprlib with room for 1,000 characters, and a `safe` mode that runs none of the script's
    code (for the tracer thread): builtin containers and scalars of the exact builtin types are
    formatted here, anything whose repr is the script's is `<Name object>` (and `partial` is
    set). Containers are read through a C-level copy of their first items, so the script
    mutating them meanwhile cannot break the iteration."""

    def __init__(self, safe: bool) -> None:
        super().__init__()
        self.safe = safe
        self.partial = False
        self.maxlevel = 3
        self.maxtuple = self.maxlist = self.maxdeque = 40
        self.maxset = self.maxfrozenset = 40
        self.maxdict = 25
        self.maxstring = self.maxlong = self.maxother = REPR_CHARS

    def value(self, x: object) -> str:
        self.partial = False
        try:
            text = self.repr1(x, self.maxlevel)
        except Exception:  # a container changed under us, RecursionError, MemoryError...
            self.partial = True
            text = f"<{_type_name(type(x))} object>"
        return _clean(text, REPR_CHARS)

    def repr1(self, x: object, level: int) -> str:
        kind = type(x)
        method = _BY_TYPE.get(kind)
        if method is not None:
            return method(self, x, level)
        if kind in _BUILTIN_REPR:
            return builtins.repr(x)
        if not self.safe or type.__getattribute__(kind, "__repr__") is _object_repr:
            return self.repr_instance(x, level)
        self.partial = True
        return f"<{_type_name(kind)} object>"

    def repr_instance(self, x: object, level: int) -> str:
        try:
            text = builtins.repr(x)
        except Exception:
            return f"<{_type_name(type(x))} object>"
        if type(text) is not str:  # pragma: no cover - repr() enforces it
            return "?"
        return text if len(text) <= self.maxother else text[: self.maxother - 3] + "..."

    def _sequence(self, items: list[Any], size: int, level: int, left: str, right: str) -> str:
        if level <= 0 and size:
            return left + "..." + right
        pieces = [self.repr1(item, level - 1) for item in items]
        if size > len(items):
            pieces.append("...")
        return left + ", ".join(pieces) + right

    def repr_list(self, x: list[Any], level: int) -> str:
        return self._sequence(x[: self.maxlist], len(x), level, "[", "]")

    def repr_tuple(self, x: tuple[Any, ...], level: int) -> str:
        right = ",)" if len(x) == 1 else ")"
        return self._sequence(list(x[: self.maxtuple]), len(x), level, "(", right)

    def repr_set(self, x: set[Any], level: int) -> str:
        if not x:
            return "set()"
        items = list(itertools.islice(x, self.maxset))
        return self._sequence(items, len(x), level, "{", "}")

    def repr_frozenset(self, x: frozenset[Any], level: int) -> str:
        if not x:
            return "frozenset()"
        items = list(itertools.islice(x, self.maxset))
        return self._sequence(items, len(x), level, "frozenset({", "})")

    def repr_deque(self, x: collections.deque[Any], level: int) -> str:
        items = list(itertools.islice(x, self.maxdeque))
        return self._sequence(items, len(x), level, "deque([", "])")

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        size = len(x)
        if not size:
            return "{}"
        if level <= 0:
            return "{...}"
        items = list(itertools.islice(dict.items(x), self.maxdict))  # insertion order, as repr
        pieces = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}" for k, v in items]
        if size > len(items):
            pieces.append("...")
        return "{" + ", ".join(pieces) + "}"

    def repr_str(self, x: str, level: int) -> str:
        if len(x) > self.maxstring:
            return builtins.repr(x[: self.maxstring]) + "..."
        return builtins.repr(x)

    def repr_bytes(self, x: bytes, level: int) -> str:
        if len(x) > self.maxstring:
            return builtins.repr(x[: self.maxstring]) + "..."
        return builtins.repr(x)

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 3 * REPR_CHARS:  # past sys.get_int_max_str_digits, and slow
            return f"<int of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_object_repr = object.__repr__
_BY_TYPE: dict[type, Callable[[ValueRepr, Any, int], str]] = {
    list: ValueRepr.repr_list,
    tuple: ValueRepr.repr_tuple,
    set: ValueRepr.repr_set,
    frozenset: ValueRepr.repr_frozenset,
    collections.deque: ValueRepr.repr_deque,
    dict: ValueRepr.repr_dict,
    str: ValueRepr.repr_str,
    bytes: ValueRepr.repr_bytes,
    int: ValueRepr.repr_int,
}
# Exact types whose repr runs no code of the script's and stays short.
_BUILTIN_REPR = frozenset(
    {
        bool,
        float,
        complex,
        type(None),
        type(Ellipsis),
        range,
        type,
        types.FunctionType,
        types.BuiltinFunctionType,
    }
)
# Immutable and holding nothing mutable: the same object always has the same repr.
_IMMUTABLE = frozenset({bool, int, float, complex, str, bytes, type(None)})
# Not variables in the user's sense.
_HIDDEN_KINDS = (
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    type,
)


def _variables(frame: types.FrameType | None, namespace: dict[str, Any]) -> list[dict[str, str]]:
    """The user's variables at a pause: the locals of `frame` when it is a function's, then the
    module's globals; no `_` names, modules, functions or classes; at most MAX_VARIABLES."""
    scopes: list[tuple[str, dict[str, Any]]] = []
    if frame is not None and frame.f_locals is not frame.f_globals:
        scopes.append(("local", frame.f_locals))
    scopes.append(("global", namespace))
    reprs = ValueRepr(safe=False)
    found: list[dict[str, str]] = []
    for scope, names in scopes:
        for name, value in list(names.items()):
            if len(found) >= MAX_VARIABLES:
                return found
            if type(name) is not str or name.startswith("_") or not name.isidentifier():
                continue
            if issubclass(type(value), _HIDDEN_KINDS):
                continue
            found.append(
                {
                    "name": _clean(name, NAME_CHARS),
                    "type": _type_name(type(value)),
                    "repr": reprs.value(value),
                    "scope": scope,
                }
            )
    return found


# --- the session ---
class Session:
    """One debug run: the side channel, the stdin demultiplexer, the tracer, the pauses."""

    def __init__(
        self, table: Table, output: ScriptOutput, channel: Channel, script_filename: str
    ) -> None:
        self.table = table
        self.output = output
        self.channel = channel
        self.script_filename = script_filename  # what runner.py compiles the script as
        self.namespace: dict[str, Any] = {}
        self.hit = [0] * table.nodes
        self.stop = [False] * table.nodes
        self.stoppable = frozenset(table.stoppable)
        self.breakpoints = set(table.breakpoints)
        self.edge_names = [f"_ne_v{e}" for e in range(table.edges)]
        self.disabled = False  # in a forked child, or once the run is over
        self.main_thread = threading.get_ident()
        # Pauses: one at a time (a script's threads may reach stops together).
        self._pause_lock = threading.Lock()
        self._state = threading.Condition(threading.Lock())
        self.stepping = False
        self.paused_at: int | None = None  # the node shown as current while paused
        self._waiting = False
        self._resume_mode: str | None = None
        self._controls_open = True
        self._local = threading.local()  # .busy: this thread is inside the debugger
        # Trace state: what the last frames said.
        self._trace_lock = threading.Lock()
        self._sent_hits = [0] * table.nodes
        self._sent_current: int | None = None
        self._sent_objects: list[object] = [_MISSING] * table.edges
        self._sent_reprs: list[str | None] = [None] * table.edges
        self._sent_full = [False] * table.edges
        self._next_edge = 0
        self._tracer_stop = threading.Event()
        self._tracer: threading.Thread | None = None
        # Stdin: what the reader thread hands the feeder thread for the script's pipe.
        self._stdin_chunks: collections.deque[bytes] = collections.deque()
        self._stdin_ready = threading.Condition(threading.Lock())
        self._stdin_eof = False
        self._control_fd = -1
        self._pipe_w = -1

    # --- set-up ---
    def start(self, namespace: dict[str, Any]) -> None:
        """Everything the script needs before it runs (see the module docstring)."""
        self.namespace = namespace
        self._apply_stops()
        namespace.update(
            _ne_hit=self.hit, _ne_stop=self.stop, _ne_pause=self._ne_pause, _ne_tap=self._ne_tap()
        )
        leftover = self._take_stdin()
        os.register_at_fork(after_in_child=self._forked)
        self._start_thread(self._read_controls, "nodeengine-debug-stdin", leftover)
        self._start_thread(self._feed_stdin, "nodeengine-debug-stdin-feed")
        self._tracer = self._start_thread(self._trace_loop, "nodeengine-debug-tracer")
        # After script_output's hook, so it runs before it: after the script's own exit hooks
        # and threads, while the output can still be flushed.
        atexit.register(self.at_exit)
        os._exit = self._final_first(os._exit)

    @staticmethod
    def _start_thread(target: Any, name: str, *args: object) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        return thread

    def _ne_tap(self) -> Any:
        namespace, names = self.namespace, self.edge_names

        def _ne_tap(e: int, value: object) -> object:
            namespace[names[e]] = value
            return value

        return _ne_tap

    def _take_stdin(self) -> bytes:
        """Move the framed stdin to a private descriptor for the reader thread and put a pipe on
        descriptor 0 (sys.stdin reads it). Returns what the runner's reads took in already."""
        # The BufferedReader the header was read through (script_output's PromptReader).
        buffer = cast("io.BufferedReader", sys.stdin.buffer)
        _set_blocking(0, False)
        try:
            leftover = buffer.read1(1 << 20) or b""  # held bytes, and nothing more waited for
        except BlockingIOError:
            leftover = b""
        finally:
            _set_blocking(0, True)
        self._control_fd = os.dup(0)  # non-inheritable
        read_end, self._pipe_w = _pipe()
        os.dup2(read_end, 0)  # (fd 0: script_output's wrapper only cares about 1 and 2)
        _close(read_end)
        self.output.reopen_stdin()
        return leftover

    def _forked(self) -> None:
        """A forked child (os.fork, multiprocessing) runs the script on without a debugger: its
        stops never fire, and it cannot write on the channel (side_channel.Channel closes its own
        copy) or hold the stdin pipe open."""
        self.disabled = True
        self.stop[:] = [False] * len(self.stop)
        for fd in (self._control_fd, self._pipe_w):
            if fd >= 0:
                try:
                    _close(fd)
                except OSError:
                    pass
        self._control_fd = self._pipe_w = -1

    # --- frames ---
    def _send(self, frame: dict[str, Any]) -> None:
        """One frame on the channel, whole (the channel's lock: one writer at a time)."""
        self.channel.send(frame)

    def _out(self) -> int:
        self.output.flush_all()
        return self.output.bytes_out()

    def send_trace(self, current: int | None, safe: bool, always: bool = False) -> None:
        """A trace frame (or a few, if large) with what changed since the last one. `safe` on
        the tracer thread; flushes first when there is something to send."""
        with self._trace_lock:
            counts = self._changed_counts()
            values = self._changed_values(safe)
            if not (always or counts or values or current != self._sent_current):
                return
            self._sent_current = current
            out = self._out()
            for frame_counts, frame_values in _split_trace(counts, values):
                self._send(
                    {
                        "t": "trace",
                        "out": out,
                        "counts": frame_counts,
                        "values": frame_values,
                        "current": current,
                    }
                )

    def _changed_counts(self) -> dict[str, int]:
        hits, sent = self.hit[:], self._sent_hits
        changed = {}
        for k, (n, old) in enumerate(zip(hits, sent, strict=False)):  # the script may resize it
            if type(n) is int and n != old and 0 <= n < 2**53:  # nothing of the script's runs
                changed[str(k)] = n
                sent[k] = n
        return changed

    def _changed_values(self, safe: bool) -> dict[str, str]:
        names, namespace = self.edge_names, self.namespace
        count = len(names)
        if not count:
            return {}
        reprs = ValueRepr(safe)
        changed: dict[str, str] = {}
        deadline = _monotonic() + TRACE_REPR_BUDGET if safe else None
        start = self._next_edge if safe else 0
        for i in range(count):
            e = (start + i) % count
            if deadline is not None and i % 8 == 7 and _monotonic() > deadline:
                self._next_edge = e  # the next tick goes on from here
                return changed
            value = namespace.get(names[e], _MISSING)
            if value is _MISSING:
                continue
            kind = type(value)
            same = value is self._sent_objects[e]
            if same and (kind in _IMMUTABLE or (self._sent_full[e] and safe and _user_repr(kind))):
                continue
            text = reprs.value(value)
            if safe and reprs.partial and same and self._sent_full[e]:
                continue  # keep the real repr the last pause showed
            self._sent_objects[e] = value
            self._sent_full[e] = not (safe and reprs.partial)
            if text != self._sent_reprs[e]:
                self._sent_reprs[e] = text
                changed[str(e)] = text
        self._next_edge = start
        return changed

    # --- the tracer ---
    def _trace_loop(self) -> None:
        while not self._tracer_stop.wait(TRACE_INTERVAL) and self.channel.open:
            try:
                self.send_trace(self._sample_current(), safe=True)
            except BaseException:  # an async exception from the script: go on
                continue

    def _sample_current(self) -> int | None:
        paused_at = self.paused_at
        if paused_at is not None:
            return paused_at
        frame = _current_frames().get(self.main_thread)
        while frame is not None and frame.f_code.co_filename != self.script_filename:
            frame = frame.f_back
        return None if frame is None else self.table.lines.get(frame.f_lineno)

    def at_exit(self) -> None:
        """The last trace frame (current null), after the script's last output."""
        if self.disabled:
            return
        self.disabled = True
        self._local.busy = True
        self._tracer_stop.set()
        tracer = self._tracer
        if tracer is not None and tracer is not threading.current_thread():
            tracer.join(1.0)
        try:
            self.send_trace(None, safe=False, always=True)
        except Exception:
            pass

    def _final_first(self, func: Any) -> Any:
        def _exit(*args: object, **kwargs: object) -> object:
            self.at_exit()
            return func(*args, **kwargs)

        return _exit

    # --- pauses ---
    def _ne_pause(self, k: int) -> None:
        """The compiler's `if _ne_stop[k]: _ne_pause(k)`: a breakpoint, or a step."""
        if self.disabled or getattr(self._local, "busy", False):
            return  # a forked child; or the script's code run by a repr at a pause
        try:
            frame = _getframe(1)
        except ValueError:
            frame = None
        with self._pause_lock:
            if self.stepping:
                reason = "step"
            elif k in self.breakpoints:
                reason = "breakpoint"
            else:
                return  # a stop flag set a moment before the breakpoints changed
            self._pause(k, reason, frame)

    def exception(self, exc: BaseException) -> None:
        """The script raised: (its traceback is out) pause at the node of the innermost main.py
        line, with that frame's variables, until resumed either way. A line the table does not
        map: the next frame outwards whose line it does (node null if none does)."""
        if self.disabled:
            return
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.script_filename:
                frames.append((tb.tb_frame, tb.tb_lineno))
            tb = tb.tb_next
        if not frames:
            return  # nothing of the script ran (a SyntaxError): nothing to show
        node, frame = None, frames[-1][0]
        for candidate, line in reversed(frames):  # innermost first; the first line with a node
            if line in self.table.lines:
                node, frame = self.table.lines[line], candidate
                break
        with self._pause_lock:
            self._pause(node, "exception", frame)

    def _pause(self, node: int | None, reason: str, frame: types.FrameType | None) -> None:
        self._local.busy = True
        try:
            with self._state:
                self._waiting = True
                self._resume_mode = None
                self.paused_at = node
            self.send_trace(node, safe=False, always=True)
            variables = _variables(frame, self.namespace)  # may print: before `out`
            self._send(_fit_paused(self._out(), node, reason, variables))
            with self._state:
                while self._resume_mode is None and self._controls_open:
                    self._state.wait()
                mode = self._resume_mode or "continue"
                self._waiting = False
                self.paused_at = None
                self.stepping = mode == "step"
                self._apply_stops()
        except Exception:
            pass  # never the script's exception: at worst this pause did not show
        finally:
            self._local.busy = False

    def _apply_stops(self) -> None:
        """`_ne_stop` in place (the script holds the list): every node while stepping, else the
        breakpoints."""
        if self.disabled:
            return
        if self.stepping:
            self.stop[:] = [True] * len(self.stop)
        else:
            breakpoints = self.breakpoints
            self.stop[:] = [k in breakpoints for k in range(len(self.stop))]

    # --- stdin and controls ---
    def _read_controls(self, data: bytes) -> None:
        """The reader thread: frames from the worker, as they come."""
        header = b""
        kind = b""
        remaining = 0
        control = bytearray()
        overflow = False  # a control past CONTROL_MAX_BYTES: ignored
        while True:
            if not data:
                try:
                    data = _read(self._control_fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
            view = memoryview(data)
            while view:
                if not remaining and len(header) < 5:
                    need = 5 - len(header)
                    header += bytes(view[:need])
                    view = view[need:]
                    if len(header) < 5:
                        break
                    kind, remaining = header[:1], int.from_bytes(header[1:], "big")
                    control.clear()
                    overflow = False
                    if remaining:
                        continue
                else:
                    piece = view[:remaining]
                    view = view[len(piece) :]
                    remaining -= len(piece)
                    if kind == b"D":
                        self._stdin_data(bytes(piece))
                    elif kind == b"C":
                        overflow = overflow or len(control) + len(piece) > CONTROL_MAX_BYTES
                        if not overflow:
                            control += piece
                    if remaining:
                        continue
                # A whole frame.
                header = b""
                if kind == b"E":
                    self._stdin_end()
                elif kind == b"C" and not overflow:
                    self._control(bytes(control))
            data = b""
        # The worker is gone or will say nothing more: the script's stdin ends, and a pause
        # that nobody can resume does not hold the run.
        self._stdin_end()
        with self._state:
            self._controls_open = False
            self.breakpoints = set()
            self.stepping = False
            self._apply_stops()
            self._state.notify_all()

    def _control(self, payload: bytes) -> None:
        try:
            control = _decode_json(payload.decode("utf-8"))
        except Exception:
            return
        if not isinstance(control, dict):
            return
        breakpoints = control.get("breakpoints")
        if isinstance(breakpoints, list) and all(
            _is_index(k, self.table.nodes) for k in breakpoints
        ):
            with self._state:
                self.breakpoints = set(breakpoints)
                if not self.stepping:
                    self._apply_stops()
        mode = control.get("resume")
        if mode in RESUME_MODES:
            with self._state:
                if self._waiting and self._resume_mode is None:
                    self._resume_mode = mode
                    self._state.notify_all()

    def _stdin_data(self, data: bytes) -> None:
        with self._stdin_ready:
            if not self._stdin_eof and data:
                self._stdin_chunks.append(data)
                self._stdin_ready.notify()

    def _stdin_end(self) -> None:
        with self._stdin_ready:
            self._stdin_eof = True
            self._stdin_ready.notify()

    def _feed_stdin(self) -> None:
        """The feeder thread: the script's stdin pipe, written as the script reads it (a full
        pipe blocks this thread, never the controls)."""
        while True:
            with self._stdin_ready:
                while not self._stdin_chunks and not self._stdin_eof:
                    self._stdin_ready.wait()
                chunk = self._stdin_chunks.popleft() if self._stdin_chunks else None
            if chunk is None:  # eof, all written
                break
            try:
                view = memoryview(chunk)
                while view:
                    view = view[_write(self._pipe_w, view) :]
            except OSError:  # the script closed its stdin
                break
        fd, self._pipe_w = self._pipe_w, -1
        if fd >= 0:
            try:
                _close(fd)
            except OSError:
                pass


def _user_repr(kind: type) -> bool:
    """Whether the repr of `kind` may be the script's own code."""
    return kind not in _BY_TYPE and kind not in _BUILTIN_REPR


def _split_trace(
    counts: dict[str, int], values: dict[str, str]
) -> list[tuple[dict[str, int], dict[str, str]]]:
    """Counts and values in frames that stay under FRAME_MAX_BYTES (at least one frame)."""
    budget = FRAME_MAX_BYTES - 256  # the fixed keys, `out`, `current`
    frames: list[tuple[dict[str, int], dict[str, str]]] = [({}, {})]
    size = 0

    def frame_with_room(key: str, value: int | str) -> tuple[dict[str, int], dict[str, str]]:
        nonlocal size
        cost = len(key) + len(_encode_json(value).encode("utf-8", "replace")) + 4
        if size + cost > budget and (frames[-1][0] or frames[-1][1]):
            frames.append(({}, {}))
            size = 0
        size += cost
        return frames[-1]

    for key, count in counts.items():
        frame_with_room(key, count)[0][key] = count
    for key, text in values.items():
        frame_with_room(key, text)[1][key] = text
    return frames


def _fit_paused(
    out: int, node: int | None, reason: str, variables: list[dict[str, Any]]
) -> dict[str, Any]:
    """The paused frame, its reprs shortened (then its last variables left out) until it fits."""
    limit = REPR_CHARS
    while True:
        frame = {"t": "paused", "out": out, "node": node, "reason": reason, "variables": variables}
        if len(_encode_json(frame).encode("utf-8", "replace")) <= FRAME_MAX_BYTES:
            return frame
        if limit > 40:
            limit //= 2
            variables = [{**v, "repr": _clean(v["repr"], limit)} for v in variables]
        else:
            variables = variables[: len(variables) // 2]
