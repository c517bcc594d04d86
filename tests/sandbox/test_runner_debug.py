"""Debug runs, the runner's half (sandbox_image/debugger.py; docs/debugging.md, section 2), with
no Docker: the real runner.py as a subprocess of the host's Python, a hand-instrumented script,
framed stdin in, and its two outputs read as the pool reads them: stdout (the script's stdout
and framed stderr) and descriptor 2, which in a debug run carries only the runner's frames.

Instrumented scripts are written as the compiler writes them (docs/debugging.md, section 1); a
line ending in ``#@k`` belongs to node k (the table's `lines`). The example graphs then go
through the real compiler and runner together, and one smoke test runs in a real container.
Waits are generous deadlines for events, never measurements.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from execution.sandbox.protocol import (
    EXIT,
    EXIT_WALL_LIMIT,
    READY_MARKER,
    STDERR,
    STDERR_FRAME_MAGIC,
    STDOUT,
    StderrFrameSplitter,
)
from graphs.compiler import compile_graph
from graphs.examples import example_documents

EXIT_RECORD_PREFIX = STDERR_FRAME_MAGIC + b"\xff\xff"

RUNNER = Path(__file__).resolve().parents[2] / "sandbox_image" / "runner.py"
FRAME_MAGIC = b"\x1eNE3"
# A hang guard, not a measure: the runner runs on this host without the data stack
# (--preload=none: the debugger does not need it, and importing pandas on a loaded machine took
# longer than the guard).
DEADLINE = 10.0
NODE_MARK = re.compile(r"#@(\d+)\s*$")
EXAMPLES = example_documents()


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def control(message: dict[str, Any]) -> bytes:
    return frame(b"C", json.dumps(message).encode())


def table_for(
    source: str,
    *,
    nodes: int,
    edges: int = 0,
    stoppable: list[int] | None = None,
    breakpoints: tuple[int, ...] | list[int] = (),
) -> dict[str, Any]:
    lines = [
        [number, int(match.group(1))]
        for number, text in enumerate(source.splitlines(), 1)
        if (match := NODE_MARK.search(text))
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "lines": lines,
        "stoppable": list(range(nodes)) if stoppable is None else stoppable,
        "breakpoints": list(breakpoints),
    }


class DebugRun:
    """runner.py running one debug script. Two reader threads collect its stdout (pipe bytes
    after the ready marker, and the stdout/stderr they carry) and its side-channel frames."""

    def __init__(
        self,
        source: str,
        table: dict[str, Any] | bytes,
        *,
        stdin: bytes = b"",
        args: tuple[str, ...] = ("--wall-seconds=10",),
    ) -> None:
        self.source = textwrap.dedent(source)
        body = self.source.encode()
        table_bytes = table if isinstance(table, bytes) else json.dumps(table).encode()
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(RUNNER), "--preload=none", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Outside a container the script's process outlives a supervisor that exits: the
            # fixture ends the whole group.
            start_new_session=True,
        )
        self.pipe = b""  # the stdout pipe after the ready marker
        self.stdout = b""
        self.stderr = b""
        self.channel = b""  # descriptor 2, raw, what is not parsed yet
        self.garbage: bytes | None = None  # descriptor 2 from the first byte not a frame on
        self.frames: list[dict[str, Any]] = []
        self.records: list[Any] = []  # the exit records (protocol.ExitRecord)
        self.frame_seen_at: list[int] = []  # len(self.pipe) when each frame was read
        self._splitter = StderrFrameSplitter()
        self.expect_garbage = False
        self._changed = threading.Condition()
        self._open = 2
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_channel, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        header = b"NE1 %d %d\n" % (len(body), len(table_bytes))
        self.send(header + body + table_bytes + stdin)

    # --- reading ---
    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        ready = b""
        while True:
            chunk = os.read(fd, 65536)
            with self._changed:
                if not chunk:
                    for stream, data in self._splitter.finish():
                        self._take(stream, data)
                    self._open -= 1
                    self._changed.notify_all()
                    return
                if len(ready) < len(READY_MARKER):
                    need = len(READY_MARKER) - len(ready)
                    ready, chunk = ready + chunk[:need], chunk[need:]
                    assert READY_MARKER.startswith(ready), ready
                self.pipe += chunk
                for stream, data in self._splitter.feed(chunk):
                    self._take(stream, data)
                self._changed.notify_all()

    def _take(self, stream: str, data: Any) -> None:
        if stream == STDOUT:
            self.stdout += data
        elif stream == EXIT:
            # The exit records end the pipe (the script's, then PID 1's): `pipe` is the output.
            self.records.append(data)
            self.pipe = self.pipe[: self.pipe.find(EXIT_RECORD_PREFIX)]
        else:
            assert stream == STDERR
            self.stderr += data

    def _read_channel(self) -> None:
        assert self.process.stderr is not None
        fd = self.process.stderr.fileno()
        while True:
            chunk = os.read(fd, 65536)
            with self._changed:
                if not chunk:
                    self._open -= 1
                    self._changed.notify_all()
                    return
                self.channel += chunk
                self._parse_channel()
                self._changed.notify_all()

    def _parse_channel(self) -> None:
        while len(self.channel) >= 8 and self.garbage is None:
            size = int.from_bytes(self.channel[4:8], "big")
            if self.channel[:4] != FRAME_MAGIC or size > 65536:
                self.garbage = self.channel  # the fixture fails the test unless it expects it
                return
            if len(self.channel) < 8 + size:
                return
            payload, self.channel = self.channel[8 : 8 + size], self.channel[8 + size :]
            self.frames.append(json.loads(payload))
            self.frame_seen_at.append(len(self.pipe))

    def wait_for(self, predicate, what: str) -> Any:
        """Wait until predicate() is true (it reads the collected state); its value."""
        deadline = time.monotonic() + DEADLINE
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0 or (self._open == 0 and not predicate()):
                    pytest.fail(
                        f"{what} did not come; stdout {self.stdout!r}, stderr {self.stderr!r}, "
                        f"frames {self.frames!r}"
                    )
                self._changed.wait(min(left, 0.5))

    def wait_paused(self, count: int = 1) -> dict[str, Any]:
        """The `count`-th paused frame (1-based), once the output before it has arrived too
        (the two pipes race: as the pool does, wait for `out` bytes of stdout)."""
        paused = self.wait_for(
            lambda: len(self.paused_frames()) >= count and self.paused_frames(),
            f"pause #{count}",
        )[count - 1]
        self.wait_for(lambda: len(self.pipe) >= paused["out"], "the output before the pause")
        return paused

    def wait_stdout(self, text: bytes) -> None:
        self.wait_for(lambda: text in self.stdout, f"stdout {text!r}")

    def paused_frames(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["t"] == "paused"]

    def trace_frames(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["t"] == "trace"]

    # --- writing ---
    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except BrokenPipeError:
            pass

    def resume(self, mode: str = "continue") -> None:
        self.send(control({"resume": mode}))

    def finish(self, close_stdin: bool = True) -> int:
        if close_stdin and self.process.stdin is not None:
            self.process.stdin.close()
            self.process.stdin = None
        code = self.process.wait(timeout=DEADLINE * 2)
        for thread in self._threads:
            thread.join(DEADLINE)
        return code

    @property
    def ended(self) -> bool:
        """Both outputs have closed."""
        return self._open == 0

    def kill_all(self) -> None:
        """The supervisor and the script's process (and anything it started)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    # --- reading the whole run ---
    def counts(self) -> dict[int, int]:
        """Every node's last count, as the trace frames (absolute, changed only) told it."""
        counts: dict[int, int] = {}
        for f in self.trace_frames():
            counts.update({int(k): n for k, n in f["counts"].items()})
        return counts

    def values(self) -> dict[int, str]:
        values: dict[int, str] = {}
        for f in self.trace_frames():
            values.update({int(k): v for k, v in f["values"].items()})
        return values


def variables(paused: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(v["scope"], v["name"]): v["repr"] for v in paused["variables"]}


@pytest.fixture
def runs():
    """Every DebugRun made ends with the test (killed if it still runs)."""
    made: list[DebugRun] = []

    def make(*args: Any, **kwargs: Any) -> DebugRun:
        run = DebugRun(*args, **kwargs)
        made.append(run)
        return run

    yield make
    for run in made:
        run.kill_all()
        run.process.wait(timeout=DEADLINE)
        for thread in run._threads:
            thread.join(DEADLINE)
        if not run.expect_garbage:
            assert run.garbage is None, f"not a runner frame on descriptor 2: {run.garbage!r}"
        for pipe in (run.process.stdin, run.process.stdout, run.process.stderr):
            if pipe is not None:
                pipe.close()


# A loop of two statement nodes and one tapped edge (0: node 1 -> node 2), both ways a tap is
# written: an assignment expression, and _ne_tap where one is not allowed.
LOOP = """\
total = 0
if _ne_stop[0]: _ne_pause(0)  #@0
_ne_hit[0] += 1  #@0
items = [1, 2, 3]  #@0
for item in items:  #@0
    if _ne_stop[1]: _ne_pause(1)  #@1
    _ne_hit[1] += 1  #@1
    doubled = (_ne_v0 := item * 2)  #@1
    if _ne_stop[2]: _ne_pause(2)  #@2
    _ne_hit[2] += 1  #@2
    total += _ne_tap(1, doubled + 1)  #@2
    print("total", total)  #@2
"""


def test_trace_frames_count_every_node_and_show_the_last_values(runs):
    run = runs(LOOP, table_for(LOOP, nodes=3, edges=2))
    assert run.finish() == 0
    assert run.stdout == b"total 3\ntotal 8\ntotal 15\n"
    assert run.stderr == b""
    assert run.counts() == {0: 1, 1: 3, 2: 3}
    assert run.values() == {0: "6", 1: "7"}
    last = run.frames[-1]
    assert last["t"] == "trace" and last["current"] is None  # the final frame, at exit
    assert last["out"] == len(run.pipe)  # after all the output
    assert not run.paused_frames()
    # Only what changed: no frame repeats a count it already told.
    told: dict[str, int] = {}
    for f in run.trace_frames():
        for k, n in f["counts"].items():
            assert told.get(k) != n
            told[k] = n


def test_the_tracer_reports_the_running_node_and_live_counts(runs):
    source = """\
    import time
    for i in range(1000):  #@0
        if _ne_stop[0]: _ne_pause(0)  #@0
        _ne_hit[0] += 1  #@0
        x = (_ne_v0 := i)  #@0
        if i == 5:  #@0
            print("waiting", flush=True)  #@0
            if _ne_stop[1]: _ne_pause(1)  #@1
            _ne_hit[1] += 1  #@1
            time.sleep(1.5)  #@1
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=2, edges=1))
    # While node 1 sleeps, the tracer (every 33 ms) says so, with the counts so far.
    live = run.wait_for(
        lambda: (
            run.counts() == {0: 6, 1: 1} and [f for f in run.trace_frames() if f["current"] == 1]
        ),
        "a trace with current 1",
    )[0]
    assert live["out"] == len(b"waiting\n")
    assert run.values() == {0: "5"}
    assert run.finish() == 0
    assert run.counts() == {0: 1000, 1: 1}
    assert run.values() == {0: "999"}


def test_a_breakpoint_pauses_with_the_variables_then_continue_runs_to_the_next(runs):
    source = """\
    import math
    def helper():
        pass
    class Shape:
        pass
    _private = 1
    big = list(range(10_000))
    text = "x" * 5000
    def scale(factor):
        local_value = factor * 10
        _hidden = 3
        if _ne_stop[1]: _ne_pause(1)  #@1
        _ne_hit[1] += 1  #@1
        return local_value  #@1
    for n in [1, 2]:  #@0
        if _ne_stop[0]: _ne_pause(0)  #@0
        _ne_hit[0] += 1  #@0
        print("calling", n)  #@0
        result = scale(n)  #@0
    print("done", result)
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=2, breakpoints=[1]))
    first = run.wait_paused()
    assert first["node"] == 1 and first["reason"] == "breakpoint"
    assert first["out"] == len(run.pipe) == len(b"calling 1\n")
    names = variables(first)
    assert names[("local", "factor")] == "1"
    assert names[("local", "local_value")] == "10"
    assert names[("global", "n")] == "1"
    assert ("global", "big") in names and ("global", "text") in names
    assert len(names[("global", "big")]) <= 1000 and len(names[("global", "text")]) <= 1000
    shown = {name for _, name in names}
    # No `_` names, modules, functions, classes; the locals first.
    assert not shown & {"_hidden", "_private", "math", "helper", "Shape", "scale", "_ne_hit"}
    assert first["variables"][0]["scope"] == "local"
    assert {v["type"] for v in first["variables"] if v["name"] == "big"} == {"list"}
    # The trace just before the pause: current is the paused node, counts up to date.
    trace = run.frames[run.frames.index(first) - 1]
    assert trace["t"] == "trace" and trace["current"] == 1 and trace["out"] == first["out"]
    assert run.counts() == {0: 1}
    run.resume("continue")
    second = run.wait_paused(2)
    assert second["reason"] == "breakpoint" and variables(second)[("local", "factor")] == "2"
    assert run.stdout == b"calling 1\ncalling 2\n"
    run.resume("continue")
    assert run.finish() == 0
    assert run.stdout == b"calling 1\ncalling 2\ndone 20\n"
    assert run.counts() == {0: 2, 1: 2}


def test_step_pauses_at_the_next_node_and_continue_goes_back_to_breakpoints(runs):
    run = runs(LOOP, table_for(LOOP, nodes=3, edges=2, breakpoints=[0]))
    assert run.wait_paused()["node"] == 0
    expected = [(1, 1), (2, 1), (1, 2)]  # (node, item) of each step
    for number, (node, item) in enumerate(expected, 2):
        run.resume("step")
        paused = run.wait_paused(number)
        assert (paused["node"], paused["reason"]) == (node, "step")
        assert variables(paused)[("global", "item")] == str(item)
    assert run.stdout == b"total 3\n"
    run.resume("continue")  # no breakpoint ahead: to the end
    assert run.finish() == 0
    assert len(run.paused_frames()) == 4
    assert run.stdout == b"total 3\ntotal 8\ntotal 15\n"


def test_breakpoints_changed_while_paused_and_while_running(runs):
    source = """\
    import sys
    for i in range(4):  #@0
        if _ne_stop[0]: _ne_pause(0)  #@0
        _ne_hit[0] += 1  #@0
        line = sys.stdin.readline()  #@0
        if _ne_stop[1]: _ne_pause(1)  #@1
        _ne_hit[1] += 1  #@1
        print(i, line.strip())  #@1
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=2, breakpoints=[0]))
    assert run.wait_paused()["node"] == 0
    run.send(control({"breakpoints": [1]}))  # while paused
    run.resume("continue")
    run.send(frame(b"D", b"a\n"))
    paused = run.wait_paused(2)
    assert paused["node"] == 1 and variables(paused)[("global", "i")] == "0"
    run.send(control({"breakpoints": []}))
    run.resume("continue")
    run.wait_stdout(b"0 a\n")
    # While the script waits for its stdin (past node 0 of i == 1): node 0 from now on.
    run.send(control({"breakpoints": [0]}))
    time.sleep(0.2)
    run.send(frame(b"D", b"b\n"))
    paused = run.wait_paused(3)
    assert paused["node"] == 0 and variables(paused)[("global", "i")] == "2"
    assert run.stdout == b"0 a\n1 b\n"
    run.send(control({"breakpoints": []}))
    run.resume("continue")
    run.send(frame(b"D", b"c\nd\n") + frame(b"E"))
    assert run.finish() == 0
    assert run.stdout == b"0 a\n1 b\n2 c\n3 d\n"
    assert len(run.paused_frames()) == 3


def test_stdin_frames_reach_input_and_end_with_eof(runs):
    source = """\
    import subprocess, sys
    # Descriptor 0 is the script's stdin pipe: a child process reads it too.
    print("child:", subprocess.run(["head", "-c", "5"], capture_output=True).stdout)
    name = input("name? ")
    print("hello", name)
    print("rest:", repr(sys.stdin.read()))
    try:
        input()
    except EOFError:
        print("eof")
    """
    big = "x" * 300_000  # past any pipe's buffer: the reader thread must not block on it
    run = runs(source, table_for(source, nodes=0), stdin=frame(b"D", b"child"))
    run.wait_stdout(b"child: b'child'\n")
    run.send(frame(b"D", b"Ada\n"))
    run.wait_stdout(b"hello Ada\n")
    run.send(frame(b"D", b" more\n") + frame(b"D", big.encode()) + frame(b"E"))
    run.send(frame(b"D", b"late"))  # after the end: dropped
    assert run.finish() == 0
    assert run.stdout.decode() == (
        "child: b'child'\nname? hello Ada\nrest: " + repr(" more\n" + big) + "\neof\n"
    )


def test_an_uncaught_exception_pauses_at_the_failing_node_then_exits_1(runs):
    source = """\
    def divide(a, b):
        ratio = 0
        if _ne_stop[1]: _ne_pause(1)  #@1
        _ne_hit[1] += 1  #@1
        ratio = a / b  #@1
        return ratio
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    print("before")  #@0
    value = divide(1, 0)  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=2))
    paused = run.wait_paused()
    assert paused["reason"] == "exception" and paused["node"] == 1
    names = variables(paused)
    assert names[("local", "a")] == "1" and names[("local", "b")] == "0"
    assert names[("local", "ratio")] == "0"
    # The traceback came first, as in any run; then the pause, after it in the output.
    assert b"ZeroDivisionError: division by zero" in run.stderr
    assert b"runner.py" not in run.stderr
    assert paused["out"] == len(run.pipe)
    time.sleep(0.2)
    assert run.process.poll() is None  # waits for a resume
    run.resume("step")  # either mode ends it
    assert run.finish() == 1
    assert run.frames[-1]["t"] == "trace" and run.frames[-1]["current"] is None
    assert run.counts() == {0: 1, 1: 1}


def test_a_traceback_quotes_the_failing_line_without_the_value_taps(runs):
    source = """\
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    print((_ne_v0 := 1 / (_ne_v1 := 0)), _ne_tap(2, "a(b"))  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1, edges=3))
    run.wait_paused()
    run.resume("continue")
    assert run.finish() == 1
    assert b'print(1 / 0, "a(b"))' not in run.stderr
    assert b'    print(1 / 0, "a(b")  #@0' in run.stderr
    assert b"_ne_" not in run.stderr


def test_an_exception_at_an_unmapped_line_pauses_at_the_nearest_mapped_frame(runs):
    source = """\
    def inner():
        raise ValueError("no node here")
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    inner()  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1))
    paused = run.wait_paused()
    assert (paused["reason"], paused["node"]) == ("exception", 0)
    run.resume()
    assert run.finish() == 1


@pytest.mark.parametrize(
    "ending, code",
    [
        ("sys.exit(3)", 3),
        ("raise SystemExit('bye')", 1),
        ("os._exit(4)", 4),
        ("threading.Thread(target=lambda: (time.sleep(0.3), print('thread'))).start()", 0),
        ("atexit.register(print, 'at exit')", 0),
    ],
)
def test_the_final_trace_comes_last_however_the_script_ends(runs, ending, code):
    source = f"""\
    import atexit, os, sys, threading, time
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    print("last words", end="")  #@0
    {ending}  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1))
    assert run.finish() == code
    last = run.frames[-1]
    assert last["t"] == "trace" and last["current"] is None
    assert last["out"] == len(run.pipe) > 0
    assert run.counts() == {0: 1}


def test_text_that_looks_like_a_frame_stays_the_scripts_output(runs):
    source = """\
    import os, subprocess, sys
    fake = '\\x1eNE3\\x00\\x00\\x00\\x10{"t":"paused"}'
    print(fake)
    print(fake, file=sys.stderr)
    os.system("echo child-stderr >&2")
    subprocess.run("echo child-run-stderr 1>&2", shell=True)
    print("end")
    """
    run = runs(source, table_for(source, nodes=0))
    assert run.finish() == 0
    fake = b'\x1eNE3\x00\x00\x00\x10{"t":"paused"}'
    assert run.stdout.startswith(fake + b"\n")
    # A child process's descriptor 2 is relayed as stderr frames: never the side channel.
    assert run.stderr == fake + b"\nchild-stderr\nchild-run-stderr\n"
    assert run.stdout.endswith(b"end\n")
    assert run.channel == b""  # every byte on it parsed as a runner frame
    assert not run.paused_frames()


def test_each_frame_follows_exactly_the_output_written_before_it(runs):
    source = """\
    import sys
    for i in range(3):  #@0
        print("out", i, end=" ")  #@0
        print("err", i, file=sys.stderr)  #@0
        if _ne_stop[0]: _ne_pause(0)  #@0
        _ne_hit[0] += 1  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1, breakpoints=[0]))
    for number in (1, 2, 3):
        paused = run.wait_paused(number)
        # Nothing more can come while paused: `out` is the whole pipe so far, stderr frames
        # (their headers too) included.
        time.sleep(0.1)
        assert paused["out"] == len(run.pipe)
        assert run.stdout.count(b"out") == number and run.stderr.count(b"err") == number
        run.resume()
    assert run.finish() == 0
    outs = [f["out"] for f in run.frames]
    assert outs == sorted(outs)
    assert run.frames[-1]["out"] == len(run.pipe)


def test_output_the_script_sends_elsewhere_is_not_counted(runs):
    source = """\
    import os, sys
    print("seen")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    print("to devnull", flush=True)
    print("to devnull too", file=sys.stderr)
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1, breakpoints=[0]))
    # `out` never counts bytes that will not come down the pipe: the worker would wait for them.
    assert run.wait_paused()["out"] == len(b"seen\n") == len(run.pipe)
    run.resume()
    assert run.finish() == 0
    assert run.stdout == b"seen\n" and run.stderr == b""
    assert run.frames[-1]["out"] == len(run.pipe)


def test_garbage_on_the_control_stream_is_ignored(runs):
    run = runs(LOOP, table_for(LOOP, nodes=3, edges=2, breakpoints=[1]))
    assert run.wait_paused()["node"] == 1
    for garbage in (
        frame(b"C", b"not json"),
        frame(b"C", b"[1, 2]"),
        frame(b"C", b'{"resume": "sideways"}'),
        frame(b"C", b'{"breakpoints": [99]}'),
        frame(b"C", b'{"breakpoints": [true]}'),
        frame(b"C", b'{"breakpoints": "all"}'),
        frame(b"C", b"\xff\xfe"),
        frame(b"C", b"[" * 100_000),
        frame(b"C"),
        frame(b"X", b"unknown kind"),
    ):
        run.send(garbage)
    time.sleep(0.3)
    assert run.process.poll() is None and len(run.paused_frames()) == 1
    run.resume("continue")  # breakpoint 1 still set: the next item
    assert run.wait_paused(2)["node"] == 1
    run.send(control({"breakpoints": []}))
    run.resume("continue")
    assert run.finish() == 0
    assert run.stdout == b"total 3\ntotal 8\ntotal 15\n"


def test_a_resume_with_nobody_paused_does_not_skip_the_next_breakpoint(runs):
    source = """\
    import sys
    sys.stdin.readline()
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1, breakpoints=[0]))
    run.resume("continue")
    run.send(frame(b"D", b"go\n"))
    assert run.wait_paused()["node"] == 0
    time.sleep(0.2)
    assert run.process.poll() is None
    run.resume()
    assert run.finish() == 0


def test_the_end_of_the_control_stream_lets_the_run_finish(runs):
    run = runs(LOOP, table_for(LOOP, nodes=3, edges=2, breakpoints=[1]))
    run.wait_paused()
    assert run.finish(close_stdin=True) == 0  # nobody can resume it any more
    assert run.stdout == b"total 3\ntotal 8\ntotal 15\n"


def test_large_values_and_many_variables_fit_in_a_frame(runs):
    source = """\
    for i in range(300):
        globals()[f"v{i}"] = "\\x01" * 5000
    weird = {"k" * 3000: [list(range(100))] * 50}
    huge = 10 ** 5000
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    _ne_v0 = "\\x02" * 100_000  #@0
    _ne_tap(1, huge)  #@0
    if _ne_stop[1]: _ne_pause(1)  #@1
    _ne_hit[1] += 1  #@1
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=2, edges=2, breakpoints=[0, 1]))
    paused = run.wait_paused()
    assert 0 < len(paused["variables"]) <= 200
    for v in paused["variables"]:
        assert len(v["name"]) <= 100 and len(v["type"]) <= 100 and len(v["repr"]) <= 1000
    run.resume()
    run.wait_paused(2)
    values = run.values()
    assert len(values[0]) <= 1000 and values[0].startswith("'\\x02")
    assert len(values[1]) <= 1000
    run.resume()
    assert run.finish() == 0


def test_the_tracer_runs_none_of_the_scripts_code(runs):
    source = """\
    import threading, time
    class Point:
        def __init__(self, x):
            self.x = x
        def __repr__(self):
            assert threading.current_thread() is threading.main_thread(), "repr off main"
            return f"Point({self.x})"
    p = (_ne_v0 := Point(1))  #@0
    pts = (_ne_v1 := [Point(2), 3])  #@0
    time.sleep(0.3)
    if _ne_stop[0]: _ne_pause(0)  #@0
    _ne_hit[0] += 1  #@0
    time.sleep(0.3)
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1, edges=2, breakpoints=[0]))
    paused = run.wait_paused()
    # While running: a placeholder; at the pause (the main thread): the real repr.
    at_pause = run.frames.index(paused) - 1
    running: dict[str, str] = {}
    for f in run.frames[:at_pause]:
        running.update(f["values"])
    assert running == {"0": "<Point object>", "1": "[<Point object>, 3]"}
    assert run.frames[at_pause]["values"] == {"0": "Point(1)", "1": "[Point(2), 3]"}
    assert variables(paused)[("global", "p")] == "Point(1)"
    run.resume()
    assert run.finish() == 0
    assert run.values() == {0: "Point(1)", 1: "[Point(2), 3]"}  # not put back to placeholders
    assert run.stderr == b""


def test_a_forked_child_runs_on_without_the_debugger(runs):
    source = """\
    import os
    def work(who):
        if _ne_stop[0]: _ne_pause(0)  #@0
        _ne_hit[0] += 1  #@0
        print("work", who, flush=True)  #@0
    pid = os.fork()
    if pid == 0:
        work("child")
        os._exit(0)
    os.waitpid(pid, 0)
    work("parent")
    """
    source = textwrap.dedent(source)
    run = runs(source, table_for(source, nodes=1, breakpoints=[0]))
    paused = run.wait_paused()
    run.wait_stdout(b"work child\n")  # the child never paused
    assert paused["node"] == 0
    run.resume()
    assert run.finish() == 0
    assert run.stdout == b"work child\nwork parent\n"
    assert run.counts() == {0: 1}  # the parent's


def test_a_malformed_table_exits_2_like_a_bad_header(runs):
    for table in (
        b"not json",
        b"[]",
        json.dumps({"nodes": 2, "edges": 0, "lines": [[1, 5]], "stoppable": []}).encode(),
        json.dumps({"nodes": 2, "edges": 0, "lines": [], "stoppable": [2]}).encode(),
        json.dumps({"nodes": True, "edges": 0, "lines": [], "stoppable": []}).encode(),
        json.dumps(
            {"nodes": 1, "edges": 0, "lines": [], "stoppable": [0], "breakpoints": [3]}
        ).encode(),
    ):
        run = runs("print('never')\n", table)
        run.expect_garbage = True  # the runner's word, before any channel exists
        assert run.finish() == 2, table
        assert run.stdout == b""
        assert run.garbage == run.channel == b"runner: malformed script header\n"


def test_a_plain_run_is_unchanged_and_loads_no_debugger(tmp_path):
    source = (
        b"import sys\n"
        b"import gc, types\n"
        b"print([m.__name__ for m in gc.get_objects() if isinstance(m, types.ModuleType)"
        b" and m.__name__ == 'debugger'], threading_count := len(__import__('threading')"
        b".enumerate()))\n"
        b"print('_ne_hit' in globals(), input())\n"
        b"print('to stderr', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--preload=none", "--wall-seconds=10"],
        input=b"NE1 %d\n" % len(source) + source + b"typed\n",
        capture_output=True,
        timeout=DEADLINE,
    )
    assert result.returncode == 0
    pieces = list(StderrFrameSplitter().feed(result.stdout.removeprefix(READY_MARKER)))
    # The script's exit record at its end, then the supervisor's (docs/interfaces.md).
    records = [payload for stream, payload in pieces if stream == EXIT]
    assert [(r.code, r.supervisor) for r in records] == [(0, False), (0, True)]
    # No debugger module, no thread of its own (the output flusher's and the stderr relay's
    # are the only ones).
    pieces = [piece for piece in pieces if piece[0] != EXIT]
    assert pieces == [(STDOUT, b"[] 3\nFalse typed\n"), (STDERR, b"to stderr\n")]
    assert result.stderr == b""


@pytest.mark.parametrize("header_signal", ["plain", "debug"])
def test_a_debug_run_gets_its_pause_allowance_on_the_supervisors_clock(header_signal):
    """--wall-seconds=0.2 --pause-seconds=2: the supervisor ends a plain run 2.2 s in (the grace),
    a debug run 2 s later. The script also sends the supervisor the signal that once meant the
    other kind of start (the runner's notices now travel on a pipe closed before the script
    runs): ignored."""
    other = "SIGUSR1" if header_signal == "debug" else "SIGUSR2"
    source = (
        f"import os, signal, time\nos.kill(os.getppid(), signal.{other})\n"
        "time.sleep(3)\nprint('survived')\n"
    ).encode()
    if header_signal == "debug":
        table = json.dumps(table_for("", nodes=0)).encode()
        header = b"NE1 %d %d\n" % (len(source), len(table))
        payload = header + source + table
    else:
        payload = b"NE1 %d\n" % len(source) + source
    result = subprocess.run(
        [
            *(sys.executable, "-I", str(RUNNER), "--preload=none"),
            *("--wall-seconds=0.2", "--pause-seconds=2"),
        ],
        input=payload,
        capture_output=True,
        timeout=DEADLINE,
    )
    if header_signal == "debug":
        assert result.returncode == 0
        assert b"survived" in result.stdout
    else:
        assert result.returncode == EXIT_WALL_LIMIT


def test_a_paused_run_is_still_ended_by_the_supervisors_clock(runs):
    run = runs(
        LOOP,
        table_for(LOOP, nodes=3, edges=2, breakpoints=[0]),
        args=("--wall-seconds=0.2", "--pause-seconds=0.5"),
    )
    run.wait_paused()
    code = run.process.wait(timeout=DEADLINE)  # 0.2 s + 0.5 s + the 2 s grace
    run.kill_all()  # in a container, the kernel ends the script with PID 1
    assert code == EXIT_WALL_LIMIT


def test_sigusr2_kills_a_script_that_sends_it_to_itself_as_before():
    # The child resets the supervisor's handlers: default actions, as in any process.
    source = b"import os, signal\nos.kill(os.getpid(), signal.SIGUSR2)\n"
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--preload=none"],
        input=b"NE1 %d\n" % len(source) + source,
        capture_output=True,
        timeout=DEADLINE,
    )
    assert result.returncode == 128 + signal.SIGUSR2


# --- with the real compiler ---


def run_plain(code: str, stdin: str) -> tuple[int, bytes, bytes]:
    body = code.encode()
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--preload=none", "--wall-seconds=20"],
        input=b"NE1 %d\n" % len(body) + body + stdin.encode(),
        capture_output=True,
        timeout=DEADLINE * 3,
    )
    pieces = StderrFrameSplitter().feed(result.stdout.removeprefix(READY_MARKER))
    out = b"".join(data for stream, data in pieces if stream == STDOUT)
    return result.returncode, out, result.stdout


@pytest.mark.parametrize("doc", EXAMPLES, ids=[doc["name"] for doc in EXAMPLES])
def test_the_example_graphs_stepped_through_print_what_a_plain_run_prints(runs, doc):
    """compile_graph(debug=True) and the runner together: every statement node paused at and
    stepped over, the output is the plain script's, and every frame names real indices."""
    graph = json.loads(json.dumps({"nodes": doc["nodes"], "edges": doc["edges"]}))
    for node in graph["nodes"]:
        if node["type"] == "sleep":  # the streaming example: a loop, not its waits
            node["data"]["inputs"]["seconds"] = 0.01
    stdin = {"Ask for your name": "Grace\n"}.get(doc["name"], "")
    plain, debug = compile_graph(graph), compile_graph(graph, debug=True)
    info = debug.debug
    assert info is not None
    table = {
        "nodes": len(info.nodes),
        "edges": len(info.edges),
        "lines": sorted([line, k] for line, k in info.lines.items()),
        "stoppable": sorted(info.stoppable),
        "breakpoints": sorted(info.stoppable),
    }
    run = runs(debug.code, table, stdin=frame(b"D", stdin.encode()) + frame(b"E"))
    stepped = 0
    while True:
        run.wait_for(
            lambda seen=stepped: len(run.paused_frames()) > seen or run.ended,
            "a pause or the end",
        )
        if len(run.paused_frames()) == stepped:
            break
        stepped += 1
        run.resume("step")
    code = run.finish()
    expected_code, expected_stdout, _ = run_plain(plain.code, stdin)
    assert (code, run.stdout) == (expected_code, expected_stdout)
    assert stepped >= len(info.stoppable) > 0
    for f in run.frames:
        assert all(int(k) < len(info.nodes) for k in f.get("counts", {}))
        assert all(int(e) < len(info.edges) for e in f.get("values", {}))
        assert f.get("node") is None or f["node"] in info.stoppable
    if code == 1:  # "A graph that fails": the last pause is at the failing node
        assert run.paused_frames()[-1]["reason"] == "exception"
        assert run.paused_frames()[-1]["node"] is not None
    assert run.frames[-1]["t"] == "trace" and run.frames[-1]["current"] is None


# --- in a real container ---


@pytest.mark.docker
def test_a_debug_run_in_a_real_sandbox_container(docker_ready):
    """The image's runner, started by the pool's own container code: the side channel is Docker's
    stream 2, the stdout pipe stream 1, stdin the attach socket."""
    from execution.sandbox.container import create_and_start, remove_container
    from execution.sandbox.limits import RunLimits
    from execution.sandbox.protocol import FrameDecoder
    from tests.docker_support import SANDBOX_IMAGE, unique_worker_name

    source = textwrap.dedent(
        """\
        import os
        def greet(name):
            global _ne_v0
            if _ne_stop[1]: _ne_pause(1)  #@1
            _ne_hit[1] += 1  #@1
            message = (_ne_v0 := "hello " + name)  #@1
            return message
        if _ne_stop[0]: _ne_pause(0)  #@0
        _ne_hit[0] += 1  #@0
        name = input("name? ")  #@0
        os.system("echo from-a-child >&2")  #@0
        print(greet(name))  #@0
        """
    )
    table = json.dumps(table_for(source, nodes=2, edges=1, breakpoints=[1])).encode()
    body = source.encode()
    container = create_and_start(
        docker_ready.api, unique_worker_name("dbg"), SANDBOX_IMAGE, RunLimits(wall_seconds=20)
    )
    try:
        sock = container.sock
        sock.settimeout(DEADLINE)
        decoder = FrameDecoder()
        pipe, channel = b"", b""
        frames: list[dict[str, Any]] = []

        def read_until(done, to_the_end: bool = False) -> None:
            nonlocal pipe, channel
            deadline = time.monotonic() + DEADLINE * 3
            while not done():
                assert time.monotonic() < deadline, (pipe, frames)
                chunk = sock.recv(65536)
                if not chunk and to_the_end:
                    return
                assert chunk, f"the container's stream ended: {pipe!r} {frames!r}"
                for stream, data in decoder.feed(chunk):
                    if stream == STDOUT:
                        pipe += data
                    else:
                        channel += data
                while len(channel) >= 8 and len(channel) >= 8 + int.from_bytes(channel[4:8], "big"):
                    assert channel[:4] == FRAME_MAGIC, channel
                    size = int.from_bytes(channel[4:8], "big")
                    frames.append(json.loads(channel[8 : 8 + size]))
                    channel = channel[8 + size :]

        read_until(lambda: READY_MARKER in pipe)
        pipe = pipe.removeprefix(READY_MARKER)
        sock.sendall(
            b"NE1 %d %d\n" % (len(body), len(table)) + body + table + frame(b"D", b"Ada\n")
        )
        read_until(lambda: any(f["t"] == "paused" for f in frames))
        paused = frames[-1]
        # Docker copies the two pipes apart: the output before the pause may come after it. The
        # child's stderr is relayed as a stderr frame (22-byte header) by a thread of the runner.
        child = 22 + len(b"from-a-child\n")
        read_until(lambda: len(pipe) >= len(b"name? ") + child)
        assert (paused["node"], paused["reason"]) == (1, "breakpoint")
        assert {(v["scope"], v["name"], v["repr"]) for v in paused["variables"]} >= {
            ("local", "name", "'Ada'"),
            ("global", "name", "'Ada'"),
        }
        # The relayed frame counts once the relay has written it: before the pause or after.
        assert paused["out"] in (len(b"name? "), len(b"name? ") + child)
        sock.sendall(control({"resume": "continue"}))
        read_until(lambda: False, to_the_end=True)
        assert frames[-1]["t"] == "trace" and frames[-1]["current"] is None
        assert docker_ready.api.wait(container.id, timeout=30)["StatusCode"] == 0
        pipe = pipe[: pipe.find(EXIT_RECORD_PREFIX)]  # the exit records end it
        pieces = list(StderrFrameSplitter().feed(pipe))
        assert b"".join(d for s, d in pieces if s == STDOUT) == b"name? hello Ada\n"
        assert b"".join(d for s, d in pieces if s == STDERR) == b"from-a-child\n"
        assert frames[-1]["out"] == len(pipe)
        counts: dict[str, int] = {}
        values: dict[str, str] = {}
        for f in frames:
            if f["t"] == "trace":
                counts.update(f["counts"])
                values.update(f["values"])
        assert counts == {"0": 1, "1": 1} and values == {"0": "'hello Ada'"}
    finally:
        with contextlib.suppress(Exception):
            container.sock.close()
        remove_container(docker_ready.api, container.id)
