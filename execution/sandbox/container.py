"""Blocking Docker calls for sandbox containers: how one is created, attached, started and
removed. The pool runs these in its own threads; nothing here touches the event loop."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, replace
from typing import Any

import docker
from docker.types import Ulimit

from execution.sandbox_kind import DATA, KINDS, LIGHT, PLOT

from .limits import RunLimits

LABEL_MANAGED = "nodeengine.managed"
LABEL_WORKER = "nodeengine.worker"
LABEL_SLOT = "nodeengine.slot"
LABEL_KIND = "nodeengine.kind"  # light, plot or data: what the runner preloads
SCRATCH_DIR = "/tmp"
# The container starts as root, with only SUPERVISOR_CAPABILITIES: the runner's supervisor (PID 1)
# stays root and the script's process drops to SANDBOX_USER before it reads any of the script
# (sandbox_image/runner.py, drop_to_script_user), so the script can neither signal nor ptrace its
# supervisor (permission to signal is symmetric in uid; gVisor does not protect a namespace's
# init from SIGKILL). SETUID and SETGID: for that drop; SETPCAP: to empty the script's bounding
# set too; KILL: for the supervisor to signal the script's processes (the CPU watchdog under
# gVisor), the only capability it keeps after the fork. no-new-privileges still holds.
SUPERVISOR_USER = "0:0"
SUPERVISOR_CAPABILITIES = ["SETUID", "SETGID", "SETPCAP", "KILL"]
SANDBOX_USER = "10001:10001"  # the script's user (and any container that runs no runner)
RUNNER_PATH = "/opt/nodeengine/runner.py"
RUNNER_COMMAND = ["python3", "-I", "-u", RUNNER_PATH]
# gVisor (as Debian ships it) accounts CPU time but does not enforce RLIMIT_CPU: a busy loop would
# run to the wall limit and end as "timeout", not "cpu_limit". Under runsc the runner therefore
# starts through this bootstrap, which gives the supervisor (PID 1, once it has forked the
# script's process) a thread doing what the kernel does under runc: every process of the sandbox
# gets SIGXCPU once past the soft RLIMIT_CPU (then once a second) and SIGKILL at the hard one.
# The runner then reports exit 152 exactly as under runc (its supervisor recognises both deaths).
# It also ignores, in PID 1 only, the signals Linux would drop for a namespace's init (gVisor
# delivers them: SIGTERM from the script would end the supervisor, and the run, as "error").
# Only PID 1 runs it, after the fork: the script's process and its own forks keep every default.
# The watchdog thread holds only CAP_KILL (as the supervisor: the kernel keeps capabilities per
# thread) and keeps SIGALRM off itself (the supervisor's clock must interrupt its main thread).
GVISOR_CPU_BOOTSTRAP = """\
import os, resource, runpy, signal, sys, threading, time


def cpu_watchdog(soft, hard):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGCHLD})
    keep_only_kill = getattr(sys.modules.get("__main__"), "keep_only_kill", None)
    if keep_only_kill is not None:
        keep_only_kill()
    tick, warned = os.sysconf("SC_CLK_TCK"), {}
    while True:
        time.sleep(0.05)
        for name in os.listdir("/proc"):
            if not name.isdigit() or name == "1":
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                used = (int(fields[11]) + int(fields[12])) / tick
                if used >= hard:
                    os.kill(int(name), signal.SIGKILL)
                elif used >= soft and time.monotonic() - warned.get(name, -9) >= 1:
                    warned[name] = time.monotonic()
                    os.kill(int(name), signal.SIGXCPU)
            except (OSError, IndexError, ValueError):
                pass


def shield_supervisor():
    # What Linux does for a namespace's init: a signal with no handler, sent from inside, is
    # dropped. gVisor delivers it. (SIGKILL and SIGSTOP cannot be ignored: see the README.)
    names = "SIGTERM SIGHUP SIGQUIT SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGIO SIGPWR SIGSTKFLT"
    numbers = [getattr(signal, n) for n in names.split() + ["SIGTSTP", "SIGTTIN", "SIGTTOU"]]
    for number in numbers + list(range(signal.SIGRTMIN, signal.SIGRTMAX + 1)):
        try:
            if signal.getsignal(number) == signal.SIG_DFL:
                signal.signal(number, signal.SIG_IGN)
        except (OSError, ValueError):
            pass


def after_fork_in_parent():
    if os.getpid() != 1:
        return
    shield_supervisor()
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft != resource.RLIM_INFINITY:
        hard = soft + 1 if hard == resource.RLIM_INFINITY else hard
        threading.Thread(target=cpu_watchdog, args=(soft, hard), daemon=True).start()


os.register_at_fork(after_in_parent=after_fork_in_parent)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
# The whole environment of a run: what Python needs, nothing from the host.
SANDBOX_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "HOME": SCRATCH_DIR,
}
FILE_SIZE_LIMIT_BYTES = 8 * 1024 * 1024
RUNTIME_GVISOR = "runsc"
RUNTIME_RUNC = "runc"
RUNTIMES = (RUNTIME_GVISOR, RUNTIME_RUNC)
RUNTIME_AUTO = "auto"
# Under gVisor the cgroup's pids limit counts the host threads and processes of gVisor itself
# (its kernel, its file server and, on the ptrace platform, a stub process per address space),
# ~40 for a warm sandbox, not the script's tasks: a limit as low as RunLimits.pids keeps the
# sandbox from starting at all. The script's tasks are held instead by RLIMIT_NPROC, which gVisor
# counts per sandbox (its own user namespace; under runc the kernel would count every sandbox of
# uid 10001 on the host together, so runc keeps the cgroup limit). The cgroup limit stays as a
# backstop against gVisor's own threads running away, and it must sit above what a fork bomb
# costs: every fork a bomb tries, refused or not, gets a host stub process that gVisor reaps
# later, so a shell bomb held at 32 tasks was measured at 1,604 host tasks at its peak (2,285 at
# 64 tasks). Were the backstop reached, gVisor's kernel could not start a stub and would panic,
# ending the whole sandbox (exit 2) where runc lets the script go on. Host room for it:
# scripts/ensure_docker.sh raises kernel.pid_max (the README says so for production hosts).
RUNSC_HOST_PIDS_BASE = 2048
RUNSC_HOST_PIDS_PER_TASK = 32
# gVisor's own memory (its kernel, file server and page tables: ~27 MiB in a warm sandbox, measured
# by bench/sandbox.py) is charged to the container's cgroup. Added to the limit under runsc, so a
# script has the memory RUN_MEMORY_MB promises under either runtime, and the same script ends with
# "memory" at the same size.
RUNSC_MEMORY_OVERHEAD_MB = 32
# The runner preloads the data stack only under a limit this large (sandbox_image/preload.py,
# PRELOAD_MIN_MEMORY_BYTES); it reads the limit from inside, which under runsc includes the
# overhead above, so under runsc the pool decides from RUN_MEMORY_MB, as the runner does under runc.
PRELOAD_MIN_MEMORY_MB = 96


def pool_kinds(limits: RunLimits) -> tuple[str, ...]:
    """The kinds of sandbox a pool keeps (execution/sandbox_kind.py) under SANDBOX_PRELOAD:
    `none` light ones only, `data` fully preloaded ones only, `auto` all three (by demand) when
    RUN_MEMORY_MB leaves room for a preload, else light ones only. Decided here from
    RUN_MEMORY_MB, since under runsc the runner would read a limit that includes gVisor's own
    overhead."""
    if limits.preload == "none":
        return (LIGHT,)
    if limits.preload == "data":
        return (DATA,)
    return KINDS if limits.memory_mb >= PRELOAD_MIN_MEMORY_MB else (LIGHT,)


def preload_option(limits: RunLimits, kind: str | None = None) -> str:
    """The runner's --preload for a sandbox of `kind` (None: the richest kind the limits allow):
    none, plot or data (sandbox_image/preload.py, PRELOAD_MODULES)."""
    if kind is None:
        kind = pool_kinds(limits)[-1]
    return {LIGHT: "none", PLOT: "plot"}.get(kind, "data")


def docker_client(timeout: float = 30.0) -> docker.DockerClient:
    # version="auto": the engine here (Debian's 20.10) is older than docker-py's default API.
    # types-docker says int; docker-py hands it to requests, which takes seconds as a float.
    return docker.DockerClient.from_env(version="auto", timeout=timeout)  # type: ignore[arg-type]


def engine_runtimes(api: docker.APIClient) -> set[str]:
    """The OCI runtimes the Docker engine knows (`docker info`)."""
    return set((api.info().get("Runtimes") or {}).keys())


def resolve_runtime(api: docker.APIClient, wanted: str) -> tuple[str, str | None]:
    """(the runtime to use, a warning or None). "auto" is runsc when the engine knows it, else
    runc with a warning; an explicit runtime is used as given (Docker refuses an unknown one, and
    the pool reports that error: no silent downgrade of a runtime the operator asked for)."""
    if wanted != RUNTIME_AUTO:
        if wanted not in RUNTIMES:
            raise ValueError(f"unknown sandbox runtime {wanted!r}: expected one of {RUNTIMES}")
        return wanted, None
    if RUNTIME_GVISOR in engine_runtimes(api):
        return RUNTIME_GVISOR, None
    return RUNTIME_RUNC, (
        "gVisor (runsc) is not registered with the Docker engine: sandboxes run under runc, "
        "with the host kernel as their only wall. Run scripts/ensure_docker.sh as root "
        "(or set SANDBOX_RUNTIME=runc to accept this)."
    )


@dataclass
class StartedContainer:
    id: str
    name: str
    sock: socket.socket  # the attach stream: stdin in, multiplexed stdout/stderr out


def container_options(
    worker_name: str, image: str, limits: RunLimits, kind: str | None = None
) -> dict[str, Any]:
    """Keyword arguments for APIClient.create_container: the whole sandbox policy in one place.
    `kind` (execution/sandbox_kind.py) decides only whether the runner preloads the data stack;
    every limit is the same for both kinds."""
    slot = uuid.uuid4().hex[:12]
    gvisor = limits.runtime == RUNTIME_GVISOR
    memory = f"{limits.memory_mb + (RUNSC_MEMORY_OVERHEAD_MB if gvisor else 0)}m"
    task_limits = [Ulimit(name="nproc", soft=limits.pids, hard=limits.pids)] if gvisor else []
    host_pids = (
        RUNSC_HOST_PIDS_BASE + RUNSC_HOST_PIDS_PER_TASK * limits.pids if gvisor else limits.pids
    )
    return {
        "image": image,
        # The runner's own clock: it ends a run past its wall limit (and a warm container past
        # its idle time) even when no pool worker is left to do it.
        "command": [
            *(
                ["python3", "-I", "-u", "-c", GVISOR_CPU_BOOTSTRAP, RUNNER_PATH]
                if gvisor
                else RUNNER_COMMAND
            ),
            f"--wall-seconds={limits.wall_seconds:g}",
            f"--idle-seconds={limits.idle_seconds:g}",
            # A debug run's clock stops while paused; the runner allows this much more.
            f"--pause-seconds={limits.pause_seconds:g}",
            f"--preload={preload_option(limits, kind)}",
        ],
        "name": f"ne-{worker_name}-{slot}",
        "user": SUPERVISOR_USER,
        "working_dir": SCRATCH_DIR,
        "environment": dict(SANDBOX_ENVIRONMENT),
        # stdin_open without detach makes docker-py set StdinOnce: half-closing our attach
        # socket then closes the script's stdin (EOF for input()).
        "stdin_open": True,
        "detach": False,
        "tty": False,
        # Never copy proxy settings from the host's ~/.docker/config.json into the sandbox.
        "use_config_proxy": False,
        "network_disabled": True,
        "labels": {
            LABEL_MANAGED: "1",
            LABEL_WORKER: worker_name,
            LABEL_SLOT: slot,
            LABEL_KIND: kind or pool_kinds(limits)[-1],
        },
        # The runner is PID 1 and ignores SIGTERM: `docker stop` and an engine shutdown would
        # otherwise wait out their timeout for every sandbox.
        "stop_signal": "SIGKILL",
        "host_config_kwargs": {
            # gVisor (runsc): the script's system calls reach gVisor's user-space kernel, not
            # the host's; a kernel bug is then a bug in gVisor's Go code, behind the seccomp
            # filter gVisor holds itself to. runc: the host kernel, namespaces and cgroups only.
            # The same flags below apply to both; limits report the same reasons under both
            # (tests/sandbox/test_sandbox_limits.py and test_sandbox_hostile.py run under each).
            "runtime": limits.runtime,
            "network_mode": "none",
            "read_only": True,
            "tmpfs": {SCRATCH_DIR: f"rw,noexec,nosuid,nodev,size={limits.scratch_mb}m,mode=1777"},
            # /dev/shm is another tmpfs (noexec by default): as small as scratch, not 64 MiB.
            # Its pages count against mem_limit too, like /tmp's.
            "shm_size": f"{limits.scratch_mb}m",
            "cap_drop": ["ALL"],
            "cap_add": list(SUPERVISOR_CAPABILITIES),  # see SUPERVISOR_USER
            "security_opt": ["no-new-privileges"],
            "mem_limit": memory,
            "memswap_limit": memory,
            "nano_cpus": int(limits.cpus * 1e9),
            # Threads and processes: the cgroup under runc, RLIMIT_NPROC under runsc (above).
            "pids_limit": host_pids,
            "ulimits": [
                Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                Ulimit(name="fsize", soft=FILE_SIZE_LIMIT_BYTES, hard=FILE_SIZE_LIMIT_BYTES),
                # Soft: SIGXCPU (the runner reports it); hard: SIGKILL if the script ignores it.
                Ulimit(name="cpu", soft=limits.cpu_seconds, hard=limits.cpu_seconds + 1),
                Ulimit(name="core", soft=0, hard=0),
                *task_limits,
            ],
            "ipc_mode": "private",
            "init": False,
            "auto_remove": False,
            "log_config": {"Type": "none", "Config": {}},
        },
    }


def _own_socket(attached: socket.SocketIO | socket.socket) -> socket.socket:
    """A plain socket of our own for docker-py's attach stream.

    docker-py hands back the HTTP response's SocketIO (unix) or socket (tcp); we duplicate its
    descriptor so that asyncio can own a real socket, then close docker-py's objects so no second
    reference keeps the connection, or closes it under us when garbage collected.
    """
    fd = os.dup(attached.fileno())
    sock = socket.socket(fileno=fd)
    inner = getattr(attached, "_sock", None)
    for obj in (attached, inner):
        if obj is not None:
            try:
                obj.close()
            except OSError:
                pass
    return sock


def create_and_start(
    api: docker.APIClient,
    worker_name: str,
    image: str,
    limits: RunLimits,
    kind: str | None = None,
) -> StartedContainer:
    """Create a container, attach to it, then start it: attached first, so nothing the runner
    does can race our stdin or lose output."""
    if limits.runtime == RUNTIME_AUTO:  # a caller without a pool (the pool resolves it once)
        limits = replace(limits, runtime=resolve_runtime(api, RUNTIME_AUTO)[0])
    options = container_options(worker_name, image, limits, kind)
    host_config = api.create_host_config(**options.pop("host_config_kwargs"))
    created = api.create_container(host_config=host_config, **options)
    container_id = created["Id"]
    try:
        attached = api.attach_socket(
            container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        )
        sock = _own_socket(attached)
        try:
            api.start(container_id)
        except BaseException:
            sock.close()
            raise
    except BaseException:
        remove_container(api, container_id)
        raise
    return StartedContainer(id=container_id, name=options["name"], sock=sock)


def remove_container(api: docker.APIClient, container_id: str) -> None:
    """Kill and remove; a container that is already gone counts as removed."""
    try:
        api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        # "removal already in progress" is success for us.
        if exc.response is None or exc.response.status_code != 409:
            raise


def kill_container(api: docker.APIClient, container_id: str) -> None:
    try:
        api.kill(container_id)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if exc.response is None or exc.response.status_code != 409:  # 409: not running
            raise


def exit_state(api: docker.APIClient, container_id: str, timeout: float) -> tuple[int, bool]:
    """(exit code, OOM-killed) once the container has stopped."""
    api.wait(container_id, timeout=timeout)  # type: ignore[arg-type]  # a float too, as above
    state = api.inspect_container(container_id)["State"]
    return int(state["ExitCode"]), bool(state.get("OOMKilled"))


def list_worker_containers(api: docker.APIClient, worker_name: str) -> list[dict[str, Any]]:
    summaries: list[dict[str, Any]] = api.containers(
        all=True, filters={"label": [f"{LABEL_MANAGED}=1", f"{LABEL_WORKER}={worker_name}"]}
    )
    return summaries


def rename_container(api: docker.APIClient, container_id: str, name: str) -> None:
    api.rename(container_id, name)


def remove_worker_containers(worker_name: str, api: docker.APIClient | None = None) -> int:
    """Remove every container labelled with this worker name (a dead worker's leftovers).
    Returns how many were removed."""
    return remove_all_of_worker(api or docker_client().api, worker_name)


def remove_all_of_worker(api: docker.APIClient, worker_name: str) -> int:
    removed = 0
    for summary in list_worker_containers(api, worker_name):
        remove_container(api, summary["Id"])
        removed += 1
    return removed
