"""The user script's stdout and stderr: buffered for throughput, flushed within milliseconds.

Unbuffered output (``python3 -u``) costs one or two write syscalls and one Docker attach frame
per print, which caps a print loop at about a quarter of what Docker can stream. Fully buffered
output would hold a prompt or a print before ``time.sleep`` back until exit. The policy here:

- Each stream gathers writes in a buffer of BUFFER_BYTES; a full buffer goes out at once.
- A write that ends a line goes out at once when the stream has sent nothing for FLUSH_INTERVAL
  (the first line after a pause: no added latency, even before a long computation); within a
  burst, lines wait at most until the next line written FLUSH_INTERVAL after the last flush.
- Anything else still held (a partial line, the rest of a burst) is sent by a flusher thread
  FLUSH_INTERVAL after it was written.
- Reading sys.stdin (``input()``, ``readline()``, iteration) first sends both streams.
- A write to one stream first sends what the other holds, so they leave the process in the order
  they were written. And they stay in that order: sys.stderr travels in the stdout pipe, framed
  (STDERR_FRAME_MAGIC, a 2-byte length, at most PIPE_BUF bytes in all: one atomic write each,
  whatever other writers do), because Docker copies two pipes in two loops and may swap what
  they carry. The pool splits the frames out again (execution/sandbox/protocol.py). The marker
  is 20 bytes, 16 of them random: no output holds it by accident, however it is written
  (``os.write(1, ...)``, a child process), so nothing printed turns into stderr. Once the script
  points descriptor 2 elsewhere itself (dup2, close), sys.stderr writes there, as Python's would.
- Descriptor 2 of the script's process, and so of every child process it starts, is a pipe that
  a relay thread (`StderrRelay`) reads and sends on as stderr frames: a child's own stderr is
  stderr too (its place among the child's stdout is as the relay reads it).
- Before fork, exec, ``os.system``, a subprocess, ``os._exit``, a CPU-limit signal and at exit
  both streams are sent: a child writing to the same descriptors keeps its place, and nothing
  written is lost to an exit that skips the interpreter's own flush. At the script's end the
  relay sends what children wrote to descriptor 2 until then.

Not covered (as in any Python program): ``os.write(1, ...)`` bypasses the buffer and can overtake
it; ``posix._exit`` and SIGKILL (memory limit, wall limit) lose at most FLUSH_INTERVAL of output.
A script may stop the flusher or relay thread (an async exception) or replace sys.stdout: it only
delays or loses its own output; the run's limits are enforced outside the container.

`ScriptOutput.bytes_out()` counts the bytes the script's process wrote to the stdout pipe (stdout,
stderr frames with their headers, and its own ``os.write(1, ...)``; not a child's): the side
channel's frames carry it (display.py, debugger.py). It stops counting a stream once the script
points its descriptor elsewhere.
"""

from __future__ import annotations

import atexit
import functools
import io
import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from time import monotonic
from types import FrameType
from typing import Any, BinaryIO

BUFFER_BYTES = 64 * 1024
FLUSH_INTERVAL = 0.005
# Written as hex: no file of the image holds the marker's bytes (a script printing this file
# prints text). The pool's copy: execution/sandbox/protocol.py.
STDERR_FRAME_MAGIC = bytes.fromhex("1e4e45580b70553470d3415939080dec87b433b4")
STDERR_FRAME_HEADER_BYTES = len(STDERR_FRAME_MAGIC) + 2
STDERR_FRAME_PAYLOAD_BYTES = select.PIPE_BUF - STDERR_FRAME_HEADER_BYTES
RELAY_READ_BYTES = 64 * 1024


class CountedFileIO(io.FileIO):
    """The raw layer under sys.stdout: counts what reached descriptor 1 while it is the pipe."""

    written = 0
    counting = True

    # One Python call per buffer flush, not per print. Narrower than FileIO's Buffer: what the
    # buffered layer above passes.
    def write(self, data: bytes | bytearray | memoryview) -> int | None:  # type: ignore[override]
        written = _fileio_write(self, data)
        if written and self.counting:
            self.written += written
        return written


_fileio_write = io.FileIO.write
# Bound now: the script shares the os module and may replace its attributes (install() does).
_os_write, _os_read = os.write, os.read
_select = select.select


def write_waiting(fd: int, data: bytes) -> int:
    """os.write for the runner's own writes to the stdout pipe, waiting out a full pipe: the
    script may have made it non-blocking (os.set_blocking(1, False)), and that flag belongs to
    the pipe, shared by every copy of descriptor 1. A frame of at most PIPE_BUF is then written
    whole or refused whole (EAGAIN), never in part."""
    while True:
        try:
            return _os_write(fd, data)
        except BlockingIOError:
            _select([], [fd], [])


class FramedStderr(io.RawIOBase):
    """The raw layer under sys.stderr: frames in the stdout pipe (`out_fd`, a private copy of
    descriptor 1 taken at install, so that a script redirecting its stdout keeps its stderr);
    straight to descriptor 2 once the script has pointed that elsewhere itself."""

    def __init__(self, out_fd: int) -> None:
        super().__init__()
        self.out_fd = out_fd
        self.direct = False
        self.written = 0  # frame bytes written to the stdout pipe, headers included
        self.name = "<stderr>"

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2  # what the script (faulthandler, subprocess) expects of sys.stderr

    # Narrower than the base's Buffer: what the text layer and print() pass (len() is bytes).
    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self.direct:
            return _os_write(2, data)
        self.write_frames(data)
        return len(data)

    def write_frames(self, data: bytes | bytearray | memoryview) -> None:
        """`data` as stderr frames in the stdout pipe, whatever descriptor 2 is."""
        view = memoryview(data).cast("B")
        for start in range(0, len(view), STDERR_FRAME_PAYLOAD_BYTES):
            piece = view[start : start + STDERR_FRAME_PAYLOAD_BYTES]
            # At most PIPE_BUF: the pipe takes all of it or raises.
            self.written += write_waiting(
                self.out_fd, STDERR_FRAME_MAGIC + len(piece).to_bytes(2, "big") + piece
            )


class StderrRelay:
    """Sends on, as stderr frames, what child processes (and a forked child's sys.stderr) write
    to descriptor 2: a pipe, read by one daemon thread of the script's process.

    Started before the script arrives (as the flusher). `drain` sends what the pipe holds now and
    stops the relay: the runner calls it at the script's end, before the exit record, so that what
    a child wrote before then is the run's. One lock around read-and-send, so no byte read is
    lost to the drain.
    """

    def __init__(self, read_fd: int, send: Callable[[bytes], None]) -> None:
        self.read_fd = read_fd
        self._send = send
        self._lock = threading.Lock()
        self._closed = False
        os.set_blocking(read_fd, False)

    def start(self) -> bool:
        thread = threading.Thread(target=self._run, name="nodeengine-stderr-relay", daemon=True)
        try:
            thread.start()
        except RuntimeError:
            return False
        return True

    def _run(self) -> None:
        while not self._closed:
            try:
                select.select([self.read_fd], [], [])
                with self._lock:
                    if self._closed:
                        return
                    self._relay()
            except OSError:  # the script closed the pipe (os.closerange): nothing to relay
                self._closed = True
                return
            except BaseException:  # injected by the script (PyThreadState_SetAsyncExc): go on
                continue

    def _relay(self) -> bool:
        """Sends one read's worth; False when the pipe held nothing more."""
        try:
            data = _os_read(self.read_fd, RELAY_READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return False
        if not data:
            self._closed = True
            return False
        self._send(data)
        return True

    def drain(self) -> None:
        with self._lock:
            try:
                while not self._closed and self._relay():
                    pass
            except OSError:
                pass
            self._closed = True

    def after_fork_in_child(self) -> None:
        # The thread did not survive the fork, and the parent relays the pipe.
        self._closed = True
        self._lock = threading.Lock()


class Flusher:
    """One daemon thread that sends what the streams hold FLUSH_INTERVAL after it was written.

    Started before the script arrives (so a script that exhausts the pids limit cannot keep it
    from starting), idle (blocked on an event, no polling) while nothing waits.
    """

    def __init__(self) -> None:
        self.writers: list[PromptWriter] = []
        self._armed = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.RLock()  # a signal handler may print while it is held

    def arm(self) -> bool:
        """Have what is pending sent soon. False when no thread can do it (the caller sends)."""
        if self._thread is None and not self.start():
            return False
        self._armed.set()
        return True

    def start(self) -> bool:
        """Start the thread. False if it cannot run."""
        with self._start_lock:
            if self._stopping.is_set():
                return False
            if self._thread is None:
                thread = threading.Thread(
                    target=self._run, name="nodeengine-output-flusher", daemon=True
                )
                try:
                    thread.start()
                except RuntimeError:  # can't start new thread: the pids limit
                    return False
                self._thread = thread
        return True

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._armed.wait()
                # An interruptible sleep: stop() must not wait out the interval at exit.
                if self._stopping.wait(FLUSH_INTERVAL):
                    return
                # Cleared before flushing: a write after this point arms the next round.
                self._armed.clear()
                for writer in self.writers:
                    if writer.pending:
                        try:
                            writer.flush()
                        except Exception:  # closed by the script, broken pipe: its writes say so
                            writer.pending = False
            except BaseException:  # injected by the script (PyThreadState_SetAsyncExc): go on
                continue

    def stop(self) -> None:
        """Stop the thread and wait for it, so it holds no stream lock while the process exits
        (a daemon thread frozen mid-write would make the interpreter's last flush abort)."""
        self._stopping.set()
        self._armed.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def after_fork_in_child(self) -> None:
        # The thread did not survive the fork; the child starts its own when first needed.
        self._armed = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self._start_lock = threading.RLock()  # a signal handler may print while it is held


class PromptWriter(io.BufferedWriter):
    """A BufferedWriter on a descriptor that applies the module's flush policy on every write.

    The policy sits on the binary layer so that ``sys.stdout.buffer.write`` follows it too; the
    text layer above is write-through and holds nothing (the flusher thread touches only this
    layer, whose C implementation is thread-safe).
    """

    def __init__(
        self, fd: int, name: str, flusher: Flusher, raw: io.RawIOBase | None = None
    ) -> None:
        if raw is None:
            raw = CountedFileIO(fd, "w", closefd=False)
            raw.name = name  # as the interpreter names its own: repr(sys.stdout) stays familiar
        super().__init__(raw, buffer_size=BUFFER_BYTES)
        self._flusher = flusher
        self._flushed_at = float("-inf")
        self.pending = False
        self.sibling: PromptWriter | None = None

    # Called for every print (twice): kept to plain attribute reads and direct C calls.
    # Narrower than the base's Buffer, as FramedStderr.write.
    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        sibling = self.sibling
        if sibling is not None and sibling.pending:
            sibling.flush()
        written = _buffered_write(self, data)
        if (
            type(data) is bytes  # what the text layer passes
            and data.endswith(b"\n")
            and monotonic() - self._flushed_at >= FLUSH_INTERVAL
        ):
            self.flush()
        elif not self.pending:
            self.pending = True
            if not self._flusher.arm():
                self.flush()
        return written

    def flush(self) -> None:
        # Cleared first: a concurrent write after this point re-arms the flusher.
        self.pending = False
        _buffered_flush(self)
        self._flushed_at = monotonic()


_buffered_write = io.BufferedWriter.write
_buffered_flush = io.BufferedWriter.flush


class PromptReader(io.TextIOWrapper):
    """sys.stdin: every read first sends what stdout and stderr hold (a prompt, a question)."""

    flush_outputs: Callable[[], None] = staticmethod(lambda: None)

    def read(self, size: int | None = -1) -> str:
        self.flush_outputs()
        return super().read(size)

    # typeshed's TextIOWrapper.readline overrides IOBase's (bytes) with str as well.
    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        # Also what input(), iteration and readlines() call on a subclass.
        self.flush_outputs()
        return super().readline(-1 if size is None else size)


class ScriptOutput:
    """The installed policy: the new sys.stdin/stdout/stderr and the hooks that flush them."""

    def __init__(self) -> None:
        self.flusher = Flusher()
        self.stdout_writer = PromptWriter(1, "<stdout>", self.flusher)
        # BufferedWriter.raw is typed RawIOBase; PromptWriter made it a CountedFileIO.
        self.stdout_raw: CountedFileIO = self.stdout_writer.raw  # type: ignore[assignment]
        self.stderr_raw = FramedStderr(os.dup(1))  # not inherited by an exec'd child
        self.relay: StderrRelay | None = None
        self.stderr_writer = PromptWriter(2, "<stderr>", self.flusher, raw=self.stderr_raw)
        self.stdout_writer.sibling = self.stderr_writer
        self.stderr_writer.sibling = self.stdout_writer
        self.flusher.writers = [self.stdout_writer, self.stderr_writer]
        # The interpreter's own streams stay referenced: collecting the old sys.stdin would
        # close the BufferedReader that the new one shares.
        self.originals = (sys.stdin, sys.stdout, sys.stderr)

    def flush_all(self) -> None:
        """Send what both streams hold. Never raises: it runs on exit paths."""
        for writer in (self.stdout_writer, self.stderr_writer):
            try:
                writer.flush()
            except Exception:
                writer.pending = False

    def finish(self) -> None:
        """The script's end: what both streams hold, then what children wrote to descriptor 2."""
        self.flusher.stop()
        self.flush_all()
        if self.relay is not None:
            self.relay.drain()

    def bytes_out(self) -> int:
        """Bytes the script's process wrote to the stdout pipe so far (what is still buffered is
        not counted, nor what a child wrote)."""
        return self.stdout_raw.written + self.stderr_raw.written

    def install(self) -> None:
        original_in, original_out, original_err = self.originals
        stdout = io.TextIOWrapper(
            self.stdout_writer,
            encoding=original_out.encoding,
            errors=original_out.errors,
            newline="\n",
            write_through=True,
        )
        stderr = io.TextIOWrapper(
            self.stderr_writer,
            encoding=original_err.encoding,
            errors=original_err.errors,
            newline="\n",
            write_through=True,
        )
        # The same BufferedReader: the runner reads the script through it, and whatever stdin
        # it read ahead belongs to the script.
        self._install_stdin(original_in.buffer)
        sys.stdout, sys.stderr = stdout, stderr
        # The __std*__ names too: a script writing there must not overtake the buffer.
        # typeshed marks them Final: a program is not expected to replace them.
        sys.__stdout__, sys.__stderr__ = stdout, stderr  # type: ignore[misc]
        self._hook_process_exits()
        self.flusher.start()
        # Registered before the script runs, so it runs after the script's own atexit hooks
        # and after its non-daemon threads have been joined.
        atexit.register(self.finish)

    def _install_stdin(self, buffer: BinaryIO) -> None:
        original_in = self.originals[0]
        # newline="\n" as the interpreter's own streams on POSIX: no newline translation.
        stdin = PromptReader(
            buffer,
            encoding=original_in.encoding,
            errors=original_in.errors,
            newline="\n",
        )
        stdin.flush_outputs = self.flush_all
        sys.stdin = sys.__stdin__ = stdin  # type: ignore[misc]  # Final in typeshed, as above

    def reopen_stdin(self) -> None:
        """sys.stdin reads descriptor 0 afresh (a debug run has put a pipe there)."""
        self._install_stdin(io.BufferedReader(io.FileIO(0, "r", closefd=False)))

    def take_descriptor_2(self) -> int:
        """Move descriptor 2 to a private close-on-exec descriptor (returned: the side channel)
        and point 2 at a pipe that a relay thread reads and sends on as stderr frames, so that a
        child process's stderr cannot write where 2 went, and still arrives as stderr. This is
        not the script pointing 2 elsewhere (the unwrapped dup2): sys.stderr goes on framing."""
        private = os.dup(2)  # non-inheritable
        read_fd, write_fd = os.pipe()
        _dup2(write_fd, 2)
        _close(write_fd)
        relay = StderrRelay(read_fd, self.stderr_raw.write_frames)
        os.register_at_fork(after_in_child=relay.after_fork_in_child)
        relay.start()
        self.relay = relay
        return private

    def _hook_process_exits(self) -> None:
        flush_first = self._flush_first
        os.register_at_fork(before=self.flush_all, after_in_child=self.flusher.after_fork_in_child)
        for name in ("execv", "execve", "system", "posix_spawn", "posix_spawnp", "_exit"):
            if hasattr(os, name):
                setattr(os, name, flush_first(getattr(os, name)))
        # Pointing fd 1 or 2 elsewhere (or closing it): what was written before goes where it
        # would have gone unbuffered; from then on sys.stderr follows descriptor 2 itself.
        os.dup2 = self._stderr_follows(self._flush_first(os.dup2, fd_argument=1), fd_argument=1)
        os.close = self._stderr_follows(self._flush_first(os.close, fd_argument=0), fd_argument=0)
        os.write = self._counting_stdout(os.write)
        # subprocess binds this at import (a script imports it later), and it forks without
        # the at-fork hooks.
        try:
            import _posixsubprocess
        except ImportError:
            pass
        else:
            _posixsubprocess.fork_exec = flush_first(_posixsubprocess.fork_exec)
        signal.signal(signal.SIGXCPU, self._on_cpu_limit)

    def _flush_first(
        self, func: Callable[..., Any], fd_argument: int | None = None
    ) -> Callable[..., Any]:
        """`func` that first sends both streams (only when its descriptor argument at position
        `fd_argument`, if given, is stdout's or stderr's)."""

        @functools.wraps(func)
        def flushing(*args: object, **kwargs: object) -> object:
            if fd_argument is None or (len(args) > fd_argument and args[fd_argument] in (1, 2)):
                self.flush_all()
            return func(*args, **kwargs)

        return flushing

    def _stderr_follows(self, func: Callable[..., Any], fd_argument: int) -> Callable[..., Any]:
        """`func` that, when it changes descriptor 2, makes sys.stderr write to it directly
        (uncounted: it is no longer the stdout pipe); when it changes descriptor 1, stdout's
        bytes no longer count as reaching the pipe."""

        @functools.wraps(func)
        def following(*args: object, **kwargs: object) -> object:
            result = func(*args, **kwargs)
            if len(args) > fd_argument:
                if args[fd_argument] == 2:
                    self.stderr_raw.direct = True
                elif args[fd_argument] == 1:
                    self.stdout_raw.counting = False
            return result

        return following

    def _counting_stdout(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """`os.write` that counts what the script writes to descriptor 1 itself: a stderr or
        display frame after it then waits for those bytes too."""
        raw = self.stdout_raw

        @functools.wraps(func)
        def write(fd: int, data: bytes) -> int:
            written: int = func(fd, data)
            if fd == 1 and raw.counting:
                raw.written += written
            return written

        return write

    def write_stderr_now(self, data: bytes) -> None:
        """Unbuffered, in order with what sys.stderr sent: for a last word when the script's
        own stderr may not work (MemoryError while printing its traceback)."""
        self.stderr_raw.write(data)

    def _on_cpu_limit(self, signum: int, frame: FrameType | None) -> None:
        """The CPU limit's soft signal: send what is held, then die of it as the supervisor
        expects (the hard limit's SIGKILL follows anyway if this cannot run)."""
        self.flush_all()
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGXCPU)


_dup2, _close = os.dup2, os.close  # before install() wraps them
_installed: list[ScriptOutput] = []  # kept alive whatever the script does to atexit


def install() -> ScriptOutput:
    """Replace sys.stdin, sys.stdout and sys.stderr of this process (the script's)."""
    output = ScriptOutput()
    output.install()
    _installed.append(output)
    return output
