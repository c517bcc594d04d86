"""The sandbox's output policy (sandbox_image/script_output.py) in a plain child process, no
Docker: what is held back, what goes out at once, and that nothing written is ever lost.

Each script runs in a fresh interpreter with the policy installed as the runner installs it (its
descriptor 2 then a pipe the policy relays as stderr frames), its stdout/stderr on pipes we read.
Where a test needs "the flusher cannot have sent it", the child sets the flush interval to an
hour: what still arrives was sent by the rule under test. Waits are generous deadlines for
events, never measurements.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from execution.sandbox.protocol import (
    STDERR,
    STDERR_FRAME_MAGIC,
    STDOUT,
    StderrFrameSplitter,
    coalesce,
)

POLICY = Path(__file__).resolve().parents[2] / "sandbox_image" / "script_output.py"
NEVER = 3600.0  # a flush interval the test would never see expire
DEADLINE = 10.0


class Child:
    """A Python process running `code` with the policy installed. `gate()` releases a script
    blocked in `wait_gate()` (an os.read on a pipe of ours: neither stdin nor a sleep)."""

    def __init__(self, code: str, interval: float | None = None) -> None:
        self.gate_r, self.gate_w = os.pipe()
        prelude = textwrap.dedent(
            f"""
            import importlib.util, os, sys
            _spec = importlib.util.spec_from_file_location("script_output", {str(POLICY)!r})
            script_output = importlib.util.module_from_spec(_spec)
            _spec.loader.exec_module(script_output)
            _interval = {interval!r}
            if _interval is not None:
                script_output.FLUSH_INTERVAL = _interval
            script_output.install().take_descriptor_2()
            def wait_gate():
                os.read({self.gate_r}, 1)
            """
        )
        self.process = subprocess.Popen(
            [sys.executable, "-B", "-I", "-c", prelude + textwrap.dedent(code)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(self.gate_r,),
        )
        os.close(self.gate_r)
        self.out = b""
        self.err = b""
        self.pieces: list[tuple[str, bytes]] = []  # in the order they were read
        self.splitter = StderrFrameSplitter()

    def _take(self, stream: str, data: bytes) -> None:
        if stream == "stdout":
            self.out += data
        else:
            self.err += data
        if data:
            self.pieces.append((stream, data))

    def _read_pipe(self, pipe: object) -> bool:
        """One read of a pipe: stdout is split into the script's stdout and its framed stderr
        (as the pool splits it), stderr is what child processes wrote to descriptor 2."""
        chunk = os.read(pipe.fileno(), 65536)  # type: ignore[attr-defined]  # a file: `object` above
        if not chunk:
            return False
        if pipe is self.process.stdout:
            for stream, data in self.splitter.feed(chunk):
                self._take(stream, data)
        else:
            self._take("stderr", chunk)
        return True

    def read_until(self, expected: bytes, stream: str = "stdout") -> bytes:
        """Read until `expected` has arrived on `stream`; what arrived, or fail at the deadline."""
        pipes = [self.process.stdout, self.process.stderr]
        deadline = time.monotonic() + DEADLINE
        while expected not in (self.out if stream == "stdout" else self.err):
            left = deadline - time.monotonic()
            ready, _, _ = select.select(pipes, [], [], max(0.0, left))
            if not ready:
                got = self.out if stream == "stdout" else self.err
                pytest.fail(f"{expected!r} did not arrive on {stream}; got {got!r}")
            for pipe in ready:
                if not self._read_pipe(pipe):
                    pipes.remove(pipe)
            if not pipes:
                pytest.fail(f"the output ended before {expected!r} arrived on {stream}")
        return self.out if stream == "stdout" else self.err

    def gate(self) -> None:
        os.write(self.gate_w, b"x")

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def close_stdin(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.stdin = None  # communicate() would flush it

    def finish(self) -> tuple[int, str, str]:
        os.close(self.gate_w)
        out, err = self.process.communicate(timeout=DEADLINE * 3)
        for stream, data in [*self.splitter.feed(out), *self.splitter.finish()]:
            self._take(stream, data)
        self._take("stderr", err)
        return self.process.returncode, self.out.decode(errors="replace"), self.err.decode()


def run(code: str, interval: float | None = NEVER, stdin: bytes = b"") -> tuple[int, str, str]:
    child = Child(code, interval)
    if stdin:
        child.send(stdin)
    return child.finish()


# --- what goes out before the script moves on ---


def test_a_partial_line_reaches_the_reader_while_the_script_waits():
    child = Child("sys.stdout.write('abc')\nwait_gate()\nprint('def')\n", interval=None)
    assert child.read_until(b"abc") == b"abc"
    child.gate()
    assert child.finish() == (0, "abcdef\n", "")


def test_binary_writes_are_flushed_too():
    child = Child("sys.stdout.buffer.write(b'raw')\nwait_gate()\n", interval=None)
    assert child.read_until(b"raw") == b"raw"
    child.gate()
    assert child.finish()[1] == "raw"


def test_a_line_after_a_quiet_spell_goes_out_at_once_but_a_burst_is_held():
    child = Child("for i in range(1000):\n    print(i)\nwait_gate()\n")
    assert child.read_until(b"0\n") == b"0\n"  # the first line: the stream had been quiet
    child.gate()
    code, out, _ = child.finish()
    assert (code, out) == (0, "".join(f"{i}\n" for i in range(1000)))


def test_a_prompt_goes_out_before_a_stdin_read():
    child = Child("sys.stdout.write('name? ')\nprint('hi', sys.stdin.readline().strip())\n")
    assert child.read_until(b"name? ") == b"name? "
    child.send(b"bob\n")
    assert child.finish() == (0, "name? hi bob\n", "")


def test_input_prompts_and_iteration_over_stdin():
    code = """
    a = input('first? ')
    b = input('second? ')
    for line in sys.stdin:
        print(line.strip())
    print(int(a) + int(b))
    """
    child = Child(code)
    child.read_until(b"first? ")
    child.send(b"40\n")
    child.read_until(b"second? ")
    child.send(b"2\nx\ny\n")
    child.close_stdin()
    assert child.finish() == (0, "first? second? x\ny\n42\n", "")


def test_stdin_read_ahead_is_kept_for_the_script():
    assert run("print(repr(sys.stdin.read()))", stdin=b"one\r\ntwo\n") == (
        0,
        "'one\\r\\ntwo\\n'\n",
        "",
    )


def test_a_write_to_one_stream_first_sends_the_other():
    child = Child("print('out', end='')\nprint('err', file=sys.stderr, end='')\nwait_gate()\n")
    child.read_until(b"err", "stderr")
    assert child.read_until(b"out") == b"out"  # sent before stderr's write, not at exit
    child.gate()
    child.finish()


def test_stdout_and_stderr_leave_in_one_pipe_in_the_order_they_were_written():
    code = """
    for i in range(300):
        print(f"out {i}")
        print(f"err {i}", file=sys.stderr)
        if i % 7 == 0:
            sys.stderr.write("x" * 9000 + "\\n")  # longer than one frame
    """
    child = Child(code, interval=None)
    code_, _, _ = child.finish()
    assert code_ == 0
    expected = []
    for i in range(300):
        expected += [("stdout", f"out {i}\n"), ("stderr", f"err {i}\n")]
        if i % 7 == 0:
            expected.append(("stderr", "x" * 9000 + "\n"))
    assert coalesce([(s, d.decode()) for s, d in child.pieces]) == coalesce(expected)


MAGICS = [
    b"\x1eNE2",  # the old 4-byte marker
    b"\x1eNE2\x00\x05hello",  # an old stderr frame
    b"\x1eNE2\xff\xff\x00\x00" + bytes(8),  # an old exit record
    b"\x1eNE3",
    STDERR_FRAME_MAGIC[:-1],  # all but the last byte of the marker
]


@pytest.mark.parametrize("magic", MAGICS)
def test_no_bytes_printed_on_stdout_turn_into_stderr(magic: bytes) -> None:
    # Every way a script or its children can write to stdout; the stderr between them keeps its
    # place.
    code = f"""
    import subprocess
    magic = {magic!r}
    print(magic.decode("latin-1"), end="|")
    print("e1", file=sys.stderr)
    sys.stdout.buffer.write(magic + b"|")
    print("e2", file=sys.stderr)
    sys.stderr.flush()  # os.write bypasses the buffers, as in any Python program
    os.write(1, magic + b"|")
    print("e3", file=sys.stderr)
    subprocess.run(["printf", "%b|", "".join(f"\\\\{{b:03o}}" for b in magic)], check=True)
    print("e4", file=sys.stderr)
    """
    child = Child(code)
    assert child.finish()[0] == 0
    printed = magic.decode("latin-1").encode() + b"|"
    assert coalesce(child.pieces) == [
        (STDOUT, printed),
        (STDERR, b"e1\n"),
        (STDOUT, magic + b"|"),
        (STDERR, b"e2\n"),
        (STDOUT, magic + b"|"),
        (STDERR, b"e3\n"),
        (STDOUT, magic + b"|"),
        (STDERR, b"e4\n"),
    ]


@pytest.mark.parametrize(
    "launch",
    [
        "os.system('echo child >&2')",
        "subprocess.run('echo child >&2', shell=True)",
        "subprocess.run([sys.executable, '-c', 'import sys; sys.stderr.write(\"child\\\\n\")'])",
    ],
)
def test_a_child_process_writing_to_descriptor_2_is_stderr(launch: str) -> None:
    code, out, err = run(f"import subprocess\nprint('out')\n{launch}\nprint('after')\n")
    assert (code, out, err) == (0, "out\nafter\n", "child\n")


def test_a_child_writing_much_stderr_is_not_blocked_and_loses_nothing() -> None:
    # More than a pipe holds, while the script waits for the child: the relay keeps reading.
    code = """
    import subprocess
    subprocess.run(["sh", "-c", "head -c 300000 /dev/zero | tr '\\\\0' e >&2; echo done"])
    """
    code_, out, err = run(code)
    assert (code_, out, err) == (0, "done\n", "e" * 300_000)


def test_closing_every_descriptor_ends_the_script_normally() -> None:
    # Daemon-style code closes what it did not open: the relay's pipe too.
    code = """
    print('before', file=sys.stderr)
    sys.stderr.flush()
    os.closerange(3, 1024)
    print('out')
    """
    assert run(code) == (0, "out\n", "before\n")


def test_stderr_follows_descriptor_2_once_the_script_moves_it():
    code = """
    import os, tempfile
    print("before", file=sys.stderr)
    sys.stderr.flush()
    path = tempfile.mktemp()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    os.dup2(fd, 2)
    print("into the file", file=sys.stderr)
    sys.stderr.flush()
    print(open(path).read(), end="")
    """
    code_, out, err = run(code, interval=None)
    assert (code_, out, err) == (0, "into the file\n", "before\n")


def test_redirecting_stdout_keeps_stderr():
    code = """
    import os
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    print("hidden")
    print("still seen", file=sys.stderr)
    """
    code_, out, err = run(code, interval=None)
    assert (code_, out, err) == (0, "", "still seen\n")


# --- nothing written is lost, and order within a stream holds ---


def test_everything_arrives_in_order_mixed_sizes():
    code = """
    for i in range(3000):
        print(i)
        if i % 500 == 0:
            sys.stdout.write('x' * 100000 + '\\n')
            sys.stdout.buffer.write(b'b' * 70000 + b'\\n')
    """
    expected = []
    for i in range(3000):
        expected.append(f"{i}\n")
        if i % 500 == 0:
            expected.append("x" * 100000 + "\n" + "b" * 70000 + "\n")
    code_, out, err = run(code, interval=None)
    assert (code_, err) == (0, "")
    assert out == "".join(expected)


@pytest.mark.parametrize(
    ("ending", "exit_code", "stderr_has"),
    [
        ("pass", 0, ""),
        ("raise SystemExit(3)", 3, ""),
        ("raise SystemExit('bye')", 1, "bye"),
        ("raise ValueError('boom')", 1, "ValueError: boom"),
        ("os._exit(4)", 4, ""),
    ],
)
def test_output_held_at_exit_is_sent(ending, exit_code, stderr_has):
    code, out, err = run(f"print('partial', end='')\nprint('kept', file=sys.stderr)\n{ending}\n")
    assert (code, out) == (exit_code, "partial")
    assert err.startswith("kept\n") and stderr_has in err


def test_threads_still_printing_after_the_script_are_sent():
    code = """
    import threading
    def late():
        wait_gate()
        print('from thread', end='')
    threading.Thread(target=late).start()
    print('main done')
    """
    child = Child(code)
    child.read_until(b"main done\n")
    child.gate()
    assert child.finish() == (0, "main done\nfrom thread", "")


@pytest.mark.parametrize(
    "launch",
    [
        "subprocess.run(['echo', 'child'])",
        "os.system('echo child')",
        "subprocess.run('echo child', shell=True)",
        "os.spawnv(os.P_WAIT, '/bin/echo', ['echo', 'child'])",
    ],
)
def test_a_child_process_writing_to_the_same_stdout_keeps_its_place(launch):
    code, out, _ = run(f"import subprocess\nprint('before', end=' ')\n{launch}\nprint('after')\n")
    assert (code, out) == (0, "before child\nafter\n")


def test_exec_does_not_lose_what_was_printed():
    assert run("print('before')\nos.execv('/bin/echo', ['echo', 'exec'])\n")[1] == "before\nexec\n"


def test_a_forked_child_neither_loses_nor_repeats_output():
    code = """
    print('parent before', end='; ')
    pid = os.fork()
    if pid == 0:
        print('child', end='; ')
        os._exit(0)
    os.waitpid(pid, 0)
    print('parent after')
    """
    assert run(code) == (0, "parent before; child; parent after\n", "")


def test_output_before_the_cpu_limit_signal_is_sent():
    code = """
    import resource
    resource.setrlimit(resource.RLIMIT_CPU, (1, 3))
    print('spinning', end='')
    while True:
        pass
    """
    code_, out, _ = run(code)
    assert code_ == -24  # died of SIGXCPU, as the runner's supervisor expects
    assert out == "spinning"


# --- a hostile script hurts only its own output ---


def test_an_exception_injected_into_the_flusher_loses_nothing_at_exit():
    code = """
    import ctypes, threading
    print('first')
    print('second', end='')  # held: arms (and starts) the flusher
    flusher = next(t for t in threading.enumerate() if t.name == 'nodeengine-output-flusher')
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(flusher.ident), ctypes.py_object(SystemExit)
    )
    print(' third')
    """
    assert run(code, interval=None) == (0, "first\nsecond third\n", "")


def test_closing_stdout_does_not_break_exit():
    code = "print('a', end='')\nsys.stdout.close()\nprint('b', file=sys.stderr)\n"
    assert run(code) == (0, "a", "b\n")


def test_redirecting_stdout_at_the_descriptor_keeps_what_was_printed_before():
    code = """
    print('kept', end='')
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    print('into devnull')
    """
    assert run(code) == (0, "kept", "")


def test_an_exception_injected_into_the_flusher_does_not_stop_it():
    code = """
    import ctypes, threading
    flusher = next(t for t in threading.enumerate() if t.name == 'nodeengine-output-flusher')
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(flusher.ident), ctypes.py_object(SystemExit)
    )
    sys.stdout.write('x')  # wakes it: the exception is raised there
    sys.stdout.write('prompt')
    wait_gate()
    """
    child = Child(code, interval=None)
    assert child.read_until(b"prompt") == b"xprompt"
    child.gate()
    assert child.finish() == (0, "xprompt", "")


def test_the_streams_look_like_the_interpreters_own():
    code = """
    print(sys.stdout.name, sys.stderr.name, sys.stdin.name, sys.stdout.encoding)
    print(sys.stdout is sys.__stdout__, sys.stdout.isatty(), sys.stdout.fileno())
    """
    assert run(code)[1] == "<stdout> <stderr> <stdin> utf-8\nTrue False 1\n"
