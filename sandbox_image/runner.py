"""Runs one user script inside a sandbox container (the container's command, started ahead of time).

Protocol: once ready, the runner writes READY_MARKER to stdout (the pool consumes it: a
container is "warm" only when its interpreter really waits). Then on stdin: a header line
``NE1 <byte length>\\n``, then exactly that many bytes of Python source; everything after it is
the script's own stdin (for ``input()``). The script's stdout/stderr are buffered but sent within
milliseconds (script_output.py: the policy, installed before the ready marker so that it costs
the run nothing).

A debug run's header is ``NE1 <source length> <table length>\\n``: the source, then the debug
table, then framed stdin; debugger.py (imported only then) runs it (docs/debugging.md).

A graph run with inputs adds a last field ``inputs=<length>`` to either header: that many bytes
of UTF-8 JSON (an object) follow the source (and the table). The runner decodes them as JSON and
puts the object in the script's globals as ``_ne_inputs``: data, never code. The builtin
``_ne_output(name, value)`` records a graph's outputs, sent as one ``result`` frame on the side
channel at the script's end (graph_outputs.py; docs/interfaces.md).

Before the ready marker, in every run: descriptor 2 becomes the side channel (only runner
frames; descriptor 2 itself then points at a pipe whose bytes go on as stderr frames in the
stdout pipe: script_output.StderrRelay), the modules of
``--preload=`` are imported (``plot``: numpy, matplotlib with Agg; ``data``: pandas too; ``none``:
nothing; by default ``data`` unless under a 96 MiB memory limit; the pool's sandbox kinds), and
``show()`` is installed in builtins (side_channel.py, preload.py, display.py;
docs/rich_output.md).

The process forks right away. The parent stays PID 1 as a tiny supervisor: it reaps orphans
(a fork bomb's zombies) and turns the script's fate into the container's exit code, because the
kernel ignores default-action signals like SIGXCPU sent to a namespace's init. The child waits for
the script and runs it as ``__main__`` from a file called ``main.py``.

Two users: the pool starts the container as root with only CAP_SETUID, CAP_SETGID, CAP_SETPCAP
and CAP_KILL (execution/sandbox/container.py). Right after the fork, before anything else (the
preload, the ready marker, any byte of the script), the child empties its capability bounding
set and becomes uid/gid 10001 with no groups and no capabilities, and checks that it holds none
(drop_to_script_user; it exits 126 rather than run a script otherwise). The supervisor keeps
CAP_KILL alone (to signal the script's processes: the CPU watchdog under gVisor) and stays root,
so the script can neither signal nor ptrace PID 1 nor read /proc/1 (permission to signal is
symmetric in uid; under gVisor nothing else protects a namespace's init from SIGKILL). Started
as any other user (the image's own USER, for other callers), or not as a container's PID 1 (the
host's tests), the runner runs the script as the user it was started as.
Since the child cannot signal its root parent, it tells it "ready" and "script started" through
a pipe (NOTICE_*), closed before the script runs.

Exit codes: the script's own (``SystemExit`` honoured), 1 for an uncaught exception (its
traceback, limited to main.py's frames, on stderr), 152 when the CPU-time limit ended it,
128 + N for another signal N, 2 when the header (or a debug table) was malformed, 124 when the
supervisor's own wall clock ended it, 125 when no script came in time, 126 when the child could
not drop its privileges.

The exit record (docs/interfaces.md): the child computes the script's exit status itself (as
Python would from ``SystemExit``), then ends the script as Python's shutdown does (non-daemon
threads joined, atexit handlers run, output flushed, what children wrote to descriptor 2 relayed)
and writes the record into the stdout pipe before the interpreter tears down; the pool ends the
run on it. The supervisor writes one too once its child has ended (the only record when the
child died of a signal or ``os._exit``), so a container that dies without any record was killed
from outside.

The supervisor keeps time itself (``--wall-seconds``, ``--idle-seconds``, and for a debug run
``--pause-seconds`` more): the pool ends a run at its wall limit, but a pool worker that died (or
lost its Docker connection) cannot; then the script still ends a moment after its limit, and a
warm container nobody will use ends too.
"""

import atexit
import builtins
import contextlib
import ctypes
import json
import linecache
import os
import resource
import signal
import sys
import threading
import traceback
import types
from typing import TYPE_CHECKING, Any, NamedTuple

RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))


def import_sibling(name: str) -> types.ModuleType:
    """A module next to this file (-I leaves this directory off sys.path), not importable by
    that name from the script afterwards: a module of its own may carry it."""
    sys.path.insert(0, RUNNER_DIR)
    try:
        module = __import__(name)
    finally:
        del sys.path[0]
    del sys.modules[name]
    return module


if TYPE_CHECKING:  # mypy reads the siblings as the modules they are
    import display
    import graph_outputs
    import preload
    import script_output
    import side_channel
else:
    script_output = import_sibling("script_output")
    side_channel = import_sibling("side_channel")
    preload = import_sibling("preload")
    display = import_sibling("display")
    graph_outputs = import_sibling("graph_outputs")

# Imported before the script arrives, so their import time is spent while the container waits.
PRELOADED_MODULES = (
    "collections",
    "functools",
    "itertools",
    "json",
    "math",
    "random",
    "re",
    "string",
    "time",
)
for _module in PRELOADED_MODULES:
    __import__(_module)

OUTPUT: list[script_output.ScriptOutput] = []  # the installed output policy, once there is one
# The name the script is compiled under (its tracebacks' `File "main.py"`). Defined here only:
# display.py and debugger.py are given it; the pool reads tracebacks by the same name
# (execution/sandbox/protocol.py, another program:
# tests/sandbox/test_sandbox_protocol.py checks it).
SCRIPT_FILENAME = "main.py"
HEADER_MAGIC = b"NE1"
READY_MARKER = b"NE1 READY\n"
HEADER_MAX_BYTES = 64
# The header's optional last field: the length of the inputs' JSON after the source (and table).
INPUTS_FIELD = b"inputs="
EXIT_BAD_HEADER = 2
EXIT_CPU_LIMIT = 128 + signal.SIGXCPU
EXIT_WALL_LIMIT = 124
EXIT_IDLE = 125
# Past the pool's own limit: while a pool worker is alive, it ends the run first and says why.
WALL_GRACE_SECONDS = 2.0
# A debug run's time paused at breakpoints, on top of its wall limit (the pool's RUN_PAUSE_SECONDS).
DEFAULT_PAUSE_SECONDS = 600.0
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
CAP_KILL = 5
CAPABILITY_COUNT = 64  # past the kernel's last capability PR_CAPBSET_DROP answers EINVAL
LINUX_CAPABILITY_VERSION_3 = 0x20080522
# Who runs the script when the runner starts as root (the image's `sandbox` user).
SCRIPT_UID = SCRIPT_GID = 10001
EXIT_PRIVILEGES = 126
# The child's notices to the supervisor (a pipe: it cannot signal its root parent).
NOTICE_READY = b"R"  # the ready marker goes out now: the idle clock starts
NOTICE_STARTED = b"S"  # the script starts now: the wall clock starts
NOTICE_DEBUG_STARTED = b"D"  # a debug run starts now: the wall clock with its pause allowance
NOTICE_FD: list[int] = []  # the child's end, until the script starts
# For the child to get ready (the preload) before the idle clock starts.
READY_SECONDS = 60.0
# A process's first compile() costs about 1 ms (the parser's and compiler's state is built on
# first use; a later compile of a short script takes tens of microseconds): compiling this
# before the ready marker takes it off the run's path. Only compiled, never run; the more kinds
# of statement and expression it has, the less a script's own first use of one costs.
WARM_UP_SOURCE = """\
import math


def f(x, *args, k=1, **kwargs):
    return [i for i in range(x) if i] or {"a": f"{x!r}", "b": (lambda y: y)(x)}


class C:
    async def g(self, x):
        with open(x) as h:
            for j in h:
                try:
                    yield j
                except Exception as e:
                    raise ValueError(e) from None


print(f(2))
"""


# The exit record (docs/interfaces.md, "The exit record"): in the stdout pipe, shaped like a stderr
# frame whose length field holds a value no stderr frame has, then the exit code, flags and the
# side channel's byte count. One atomic pipe write, so no other writer's bytes can tear it. The
# frame marker is 20 bytes, 16 of them random (script_output.STDERR_FRAME_MAGIC): no output holds
# it by accident, so nothing printed ends a run; a script that forges a record on purpose only
# ends its own run (docs/interfaces.md).
EXIT_RECORD_LENGTH = b"\xff\xff"
EXIT_RECORD_MEMORY = 1  # the sandbox's memory cgroup has OOM-killed a process
EXIT_RECORD_SUPERVISOR = 2  # written by PID 1 after its child ended
SIDE_BYTES_UNKNOWN = 2**64 - 1  # the side channel is complete only at the end of the stream
# Where the kernel counts OOM kills, as the container sees its own memory cgroup (v1, v2); gVisor
# shows neither (there the OOM killer ends the whole sandbox, and nothing in it reports).
OOM_KILL_COUNTERS = ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events")
# Bound now: the script shares these modules and may replace their attributes.
# threading._shutdown is private (what Python's own shutdown calls): not in typeshed.
_thread_shutdown = threading._shutdown  # type: ignore[attr-defined]
_run_exitfuncs = atexit._run_exitfuncs
_os_write, _os_open, _os_read, _os_close = os.write, os.open, os.read, os.close
_getpid = os.getpid


def oom_kills() -> int:
    """How many processes the sandbox's memory cgroup has OOM-killed (0 when it cannot tell)."""
    for path in OOM_KILL_COUNTERS:
        try:
            fd = _os_open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            text = _os_read(fd, 4096)
        except OSError:
            continue
        finally:
            _os_close(fd)
        for line in text.splitlines():
            name, _, count = line.partition(b" ")
            if name == b"oom_kill" and count.strip().isdigit():
                return int(count)
    return 0


def exit_record(status: int, *, supervisor: bool, side_bytes: int) -> bytes:
    flags = (EXIT_RECORD_MEMORY if oom_kills() else 0) | (
        EXIT_RECORD_SUPERVISOR if supervisor else 0
    )
    return (
        script_output.STDERR_FRAME_MAGIC
        + EXIT_RECORD_LENGTH
        + bytes((status & 0xFF, flags))
        + min(side_bytes, SIDE_BYTES_UNKNOWN).to_bytes(8, "big")
    )


def write_exit_record(fd: int, record: bytes) -> None:
    # Waiting out a full pipe the script may have made non-blocking, as the stderr frames do.
    with contextlib.suppress(OSError):
        script_output.write_waiting(fd, record)


def harden_supervisor() -> None:
    """Shield PID 1 from the script, which runs as another user (drop_to_script_user).

    Only CAP_KILL kept: the supervisor signals the script's processes (uid 10001; the CPU
    watchdog under gVisor) and needs nothing else. Not dumpable: even under a runtime or a
    configuration that leaves the script PID 1's uid, it cannot ptrace PID 1 (attaching stops
    it, so the run would hang until the wall limit, or could be made to lie about the exit) nor
    read /proc/1/*. SIGINT ignored: Python's own handler would raise KeyboardInterrupt here and
    end the run with the runner's traceback. SIGUSR1 and SIGUSR2 ignored: once the clock's
    notices (a script run as PID 1's user, on the host, would end PID 1 with them).
    """
    for number in (signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        os.write(2, b"runner: could not make the supervisor undumpable\n")
        return
    keep_only_kill()


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def keep_only_kill() -> None:
    """The supervisor's capabilities: CAP_KILL alone, in its effective, permitted and bounding
    sets (what the container granted for the child's drop is no use to it any more). The kernel
    keeps them per thread: this thread's, and those of threads it starts later (gVisor's CPU
    watchdog, started at the fork, calls this itself)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in range(CAPABILITY_COUNT):
        if capability != CAP_KILL:
            libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    header = _CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(_CapData(1 << CAP_KILL, 1 << CAP_KILL, 0), _CapData(0, 0, 0))
    if libc.capset(ctypes.byref(header), data) != 0:
        os.write(2, b"runner: the supervisor could not give up its other capabilities\n")


def privilege_state(libc: ctypes.CDLL) -> dict[str, str]:
    """The lines of /proc/self/status that say who this process is and what it may do."""
    with open("/proc/self/status") as status:
        lines = dict(line.rstrip("\n").split(":", 1) for line in status if ":" in line)
    wanted = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
    state = {name: lines[name].strip() for name in wanted if name in lines}
    state["NoNewPrivs"] = str(libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0))
    return state


def drop_to_script_user() -> None:
    """In the child, right after the fork, before it runs any code a script could influence:
    no capabilities (bounding set emptied while CAP_SETPCAP allows it), no groups, uid and gid
    SCRIPT_UID (real, effective, saved), no new privileges, and a check that all of it holds.
    Started as any user but root, the runner has nothing to drop; nor outside a container (not
    under PID 1: the host's tests run the runner as a plain subprocess)."""
    if (os.getuid() != 0 and os.geteuid() != 0) or os.getppid() != 1:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in range(CAPABILITY_COUNT):
            libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
        os.setgroups([])
        os.setresgid(SCRIPT_GID, SCRIPT_GID, SCRIPT_GID)
        # From root to a user with no uid 0 left: the kernel empties the permitted, effective
        # and ambient sets (no PR_SET_KEEPCAPS).
        os.setresuid(SCRIPT_UID, SCRIPT_UID, SCRIPT_UID)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        state = privilege_state(libc)
        ids = f"{SCRIPT_UID}\t{SCRIPT_UID}\t{SCRIPT_UID}\t{SCRIPT_UID}"
        held = [
            name
            for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
            if name in state and int(state[name], 16) != 0
        ]
        if (
            state.get("Uid") != ids
            or state.get("Gid") != ids.replace(str(SCRIPT_UID), str(SCRIPT_GID))
            or state.get("Groups", "")
            or held
            or "CapEff" not in state
            or "CapBnd" not in state
            or state["NoNewPrivs"] != "1"
        ):
            raise OSError(f"still privileged: {state}")
        # A change of user made the process undumpable: its /proc/self would be root's. The
        # script's processes are ordinary ones of uid 10001 (they hold nothing worth hiding).
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    except (OSError, AttributeError, ValueError) as exc:
        os.write(2, f"runner: could not drop privileges: {exc}\n".encode())
        os._exit(EXIT_PRIVILEGES)


def notify_supervisor(notice: bytes) -> None:
    if NOTICE_FD:
        with contextlib.suppress(OSError):
            _os_write(NOTICE_FD[0], notice)


def close_notices() -> None:
    """Before the script runs: it must not reach the supervisor's clock."""
    while NOTICE_FD:
        with contextlib.suppress(OSError):
            _os_close(NOTICE_FD.pop())


def option(name: str, default: float) -> float:
    """`--name=<seconds>` from the command line the pool gave the container; 0 = no limit."""
    prefix = f"--{name}="
    for argument in sys.argv[1:]:
        if argument.startswith(prefix):
            with contextlib.suppress(ValueError):
                return max(0.0, float(argument[len(prefix) :]))
    return default


def text_option(name: str, default: str) -> str:
    """`--name=<text>` from the command line."""
    prefix = f"--{name}="
    for argument in sys.argv[1:]:
        if argument.startswith(prefix):
            return argument[len(prefix) :]
    return default


def keep_time(wall_seconds: float, idle_seconds: float, pause_seconds: float, notices: int) -> None:
    """The supervisor's clock: READY_SECONDS for the child to get ready (the preload), then (from
    its NOTICE_READY just before the ready marker) `idle_seconds` for a script to come, then
    (from NOTICE_STARTED when the script starts) the wall limit and a grace; from
    NOTICE_DEBUG_STARTED instead (a debug run, whose pauses stop the pool's clock)
    `pause_seconds` more. When it rings, PID 1 exits, and the kernel kills every process of the
    container with it.

    The notices come on the pipe `notices`, read by a thread. Only the first "ready" and the
    first "started" count (a "ready" after the script started, none), and the child closes its
    end before the script runs, so a script cannot wind the clock back nor lengthen it.
    """
    started = False
    ready = False

    def child_ready() -> None:
        nonlocal ready
        if not ready and not started:
            ready = True
            signal.setitimer(signal.ITIMER_REAL, idle_seconds)

    def script_started(debug: bool) -> None:
        nonlocal started
        if not started:
            started = True
            seconds = wall_seconds + WALL_GRACE_SECONDS if wall_seconds else 0.0
            if seconds and debug:
                seconds += pause_seconds
            signal.setitimer(signal.ITIMER_REAL, seconds)

    def time_is_up(signum: int, frame: object) -> None:
        status = EXIT_WALL_LIMIT if started else EXIT_IDLE
        write_exit_record(1, exit_record(status, supervisor=True, side_bytes=SIDE_BYTES_UNKNOWN))
        os._exit(status)

    def listen() -> None:
        # SIGALRM must reach the main thread, which waits in wait4(): a signal taken by this
        # thread would run its Python handler only once wait4() returned.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGCHLD})
        while True:
            try:
                data = os.read(notices, 64)
            except InterruptedError:
                continue
            except OSError:
                return
            if not data:
                return
            for notice in data:
                if notice == NOTICE_READY[0]:
                    if idle_seconds:
                        child_ready()
                elif notice in (NOTICE_STARTED[0], NOTICE_DEBUG_STARTED[0]):
                    script_started(notice == NOTICE_DEBUG_STARTED[0])

    signal.signal(signal.SIGALRM, time_is_up)
    threading.Thread(target=listen, name="notices", daemon=True).start()
    if idle_seconds:
        signal.setitimer(signal.ITIMER_REAL, idle_seconds + READY_SECONDS)


def supervise(child_pid: int) -> int:
    """The child's fate as an exit code, announced by an exit record (the pool ends a run on it
    when the child wrote none: its record is then the only proof that PID 1 ended by itself)."""
    status = child_status(child_pid)
    write_exit_record(1, exit_record(status, supervisor=True, side_bytes=SIDE_BYTES_UNKNOWN))
    return status


def child_status(child_pid: int) -> int:
    while True:
        try:
            pid, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return 70
        if pid != child_pid:
            continue  # an orphan re-parented to us: reaped, nothing more
        if os.WIFEXITED(status):
            return os.WEXITSTATUS(status)
        sig = os.WTERMSIG(status)
        soft_cpu, _ = resource.getrlimit(resource.RLIMIT_CPU)
        cpu_used = usage.ru_utime + usage.ru_stime
        # Past the soft limit the kernel sends SIGXCPU; a script that ignores it gets SIGKILL at
        # the hard limit, which we recognise by the CPU time it had used.
        if sig == signal.SIGXCPU or (
            sig == signal.SIGKILL
            and soft_cpu != resource.RLIM_INFINITY
            and cpu_used >= soft_cpu - 0.05
        ):
            return EXIT_CPU_LIMIT
        return 128 + sig


class Script(NamedTuple):
    source: bytes
    table: bytes | None  # a debug run's table (None: a plain run)
    inputs: dict[str, Any] | None  # a graph run's inputs (None: none were sent)


def read_script() -> Script | None:
    """The script the pool sends, or None for a malformed header (or inputs that are not a
    JSON object)."""
    notify_supervisor(NOTICE_READY)  # the supervisor's idle clock starts now
    _os_write(1, READY_MARKER)  # not os.write: the policy counts the script's writes to 1 there
    stdin = sys.stdin.buffer
    header = stdin.readline(HEADER_MAX_BYTES)
    parts = header.split()
    inputs_length: int | None = None
    if len(parts) > 2 and parts[-1].startswith(INPUTS_FIELD):
        field = parts.pop()[len(INPUTS_FIELD) :]
        if not field.isdigit():
            return None
        inputs_length = int(field)
    if (
        len(parts) not in (2, 3)
        or parts[0] != HEADER_MAGIC
        or not all(part.isdigit() for part in parts[1:])
    ):
        return None
    lengths = [int(part) for part in parts[1:]]
    if inputs_length is not None:
        lengths.append(inputs_length)
    pieces = []
    for length in lengths:
        piece = stdin.read(length) if length else b""
        if len(piece) != length:
            return None
        pieces.append(piece)
    inputs = None
    if inputs_length is not None:
        inputs = decode_inputs(pieces.pop())
        if inputs is None:
            return None
    return Script(pieces[0], pieces[1] if len(pieces) == 2 else None, inputs)


def decode_inputs(data: bytes) -> dict[str, Any] | None:
    """The inputs' JSON, decoded as data (never evaluated); None unless it is an object."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def print_user_traceback(exc: BaseException) -> None:
    # Drop the runner's own frames: the user should see only main.py.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != SCRIPT_FILENAME:
        tb = tb.tb_next
    try:
        traceback.print_exception(type(exc), exc, tb)
    except BaseException:  # e.g. MemoryError again while formatting
        # What the traceback got out comes first: the pool reads the last line as the type.
        with contextlib.suppress(BaseException):
            sys.stderr.flush()
        OUTPUT[0].write_stderr_now(f"{type(exc).__name__}\n".encode())


def exit_status(exc: SystemExit) -> int:
    """The process exit status Python gives a SystemExit that reaches the top (the text of a
    non-integer code is printed on stderr, as Python prints it)."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF if -(2**63) <= code < 2**63 else 0xFF
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def end_script(
    status: int,
    channel: side_channel.Channel,
    outputs: graph_outputs.GraphOutputs,
    script_pid: int,
) -> int:
    """The script's end, in the order of Python's own shutdown: its non-daemon threads joined,
    then its atexit handlers (and the runner's: displays at exit, the debugger's last frame, the
    output policy's flush, registered first so they run last). Then the graph's `result` frame
    (when `_ne_output` was called: after the handlers, so an output recorded by one counts, and
    after all output, which its `out` counts) and the exit record go out, and only after them
    does the interpreter tear down (module and GC finalisation): the pool ends
    the run on the record, so a slow finaliser cannot delay it. A process the script forked
    that returns here ends as usual, without a record: the run is its parent's."""
    try:
        _thread_shutdown()
    except BaseException:  # Python's own shutdown reports it and goes on
        with contextlib.suppress(BaseException):
            print("Exception ignored in: <module 'threading'>", file=sys.stderr)
    with contextlib.suppress(BaseException):
        _run_exitfuncs()  # each handler's exception is reported (sys.unraisablehook), as usual
    try:
        OUTPUT[0].finish()
        if _getpid() == script_pid:
            with contextlib.suppress(Exception):  # e.g. MemoryError: the run still ends
                outputs.send()
            record = exit_record(status, supervisor=False, side_bytes=channel.sent_so_far())
            write_exit_record(OUTPUT[0].stderr_raw.out_fd, record)
    except BaseException:  # e.g. MemoryError: then the supervisor's record reports the status
        pass
    return status


def run_script() -> int:
    # Before the ready marker: the policy's set-up is paid while the container waits. It is
    # flushed at exit (atexit), after the script's own exit hooks and threads.
    OUTPUT.append(script_output.install())
    # The side channel, the data stack and show(): also paid while the container waits.
    channel = side_channel.Channel(OUTPUT[0].take_descriptor_2())
    preload.prepare_environment()
    preload.preload(text_option("preload", "auto"), display.figure_png)
    shows = display.Display(channel, OUTPUT[0], SCRIPT_FILENAME)
    shows.install()
    outputs = graph_outputs.GraphOutputs(channel, OUTPUT[0])
    outputs.install()
    compile(WARM_UP_SOURCE, "<warm-up>", "exec", dont_inherit=True)
    script = read_script()
    session = None
    if script is not None and script.table is not None:
        debugger = import_sibling("debugger")  # only now: a plain run never loads it
        debug_source = import_sibling("debug_source")
        table = debugger.parse_table(script.table)
        session = (
            None if table is None else debugger.Session(table, OUTPUT[0], channel, SCRIPT_FILENAME)
        )
        if session is None:
            script = None
    if script is None:
        channel.write_raw(b"runner: malformed script header\n")
        return EXIT_BAD_HEADER
    source = script.source
    # The supervisor's wall clock starts now (a debug run's with its pause allowance).
    notify_supervisor(NOTICE_STARTED if session is None else NOTICE_DEBUG_STARTED)
    close_notices()
    text = source.decode("utf-8", "replace")
    # Tracebacks show main.py's lines although no such file exists; mtime None = never rechecked.
    linecache.cache[SCRIPT_FILENAME] = (len(text), None, text.splitlines(True), SCRIPT_FILENAME)
    module = types.ModuleType("__main__")
    module.__file__ = SCRIPT_FILENAME
    module.__dict__["__builtins__"] = builtins
    if script.inputs is not None:
        module.__dict__["_ne_inputs"] = script.inputs  # data: decoded JSON, never evaluated
    sys.modules["__main__"] = module
    sys.argv = [SCRIPT_FILENAME]
    sys.path.insert(0, os.getcwd())
    if session is not None:
        session.start(module.__dict__)
    # Registered after the debugger's exit hook, so it runs before it: open figures are shown
    # after the script's last output and before the last trace frame.
    shows.register_at_exit()
    script_pid = _getpid()
    try:
        code = compile(source, SCRIPT_FILENAME, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except SystemExit as exc:
        return end_script(exit_status(exc), channel, outputs, script_pid)
    except BaseException as exc:
        if session is not None:
            # Quote the lines as the user's code panel shows them, without the value taps.
            with contextlib.suppress(Exception):
                shown = debug_source.shown_lines(text)
                linecache.cache[SCRIPT_FILENAME] = (len(text), None, shown, SCRIPT_FILENAME)
        print_user_traceback(exc)
        if session is not None:
            session.exception(exc)  # paused at the failing node until resumed
        return end_script(1, channel, outputs, script_pid)
    return end_script(0, channel, outputs, script_pid)


def main() -> int:
    wall_seconds, idle_seconds = option("wall-seconds", 0.0), option("idle-seconds", 0.0)
    # Before the fork: the script may signal PID 1 before the parent runs again (when it runs
    # as PID 1's user; under gVisor it often does), and Python's SIGINT handler would end the
    # supervisor.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    notices, notice_out = os.pipe()
    child_pid = os.fork()
    if child_pid:
        os.close(notice_out)
        harden_supervisor()
        keep_time(
            wall_seconds,
            idle_seconds,
            option("pause-seconds", DEFAULT_PAUSE_SECONDS),
            notices,
        )
        return supervise(child_pid)
    # First of all: nothing the script can influence ever runs with the supervisor's privileges.
    drop_to_script_user()
    os.close(notices)
    NOTICE_FD.append(notice_out)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the script's Ctrl-C, as usual
    return run_script()


if __name__ == "__main__":
    sys.exit(main())
