"""Blocking Docker calls for sandbox containers: how one is created, attached, started and
removed. The pool runs these in its own threads; nothing here touches the event loop."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

import docker
from docker.types import Ulimit

from .limits import RunLimits

LABEL_MANAGED = "nodeengine.managed"
LABEL_WORKER = "nodeengine.worker"
LABEL_SLOT = "nodeengine.slot"
SCRATCH_DIR = "/tmp"
SANDBOX_USER = "10001:10001"
RUNNER_COMMAND = ["python3", "-I", "-u", "/opt/nodeengine/runner.py"]
# The whole environment of a run: what Python needs, nothing from the host.
SANDBOX_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "HOME": SCRATCH_DIR,
}
FILE_SIZE_LIMIT_BYTES = 8 * 1024 * 1024


def docker_client(timeout: float = 30.0) -> docker.DockerClient:
    # version="auto": the engine here (Debian's 20.10) is older than docker-py's default API.
    return docker.DockerClient.from_env(version="auto", timeout=timeout)


@dataclass
class StartedContainer:
    id: str
    name: str
    sock: socket.socket  # the attach stream: stdin in, multiplexed stdout/stderr out


def container_options(worker_name: str, image: str, limits: RunLimits) -> dict:
    """Keyword arguments for APIClient.create_container: the whole sandbox policy in one place."""
    slot = uuid.uuid4().hex[:12]
    memory = f"{limits.memory_mb}m"
    return {
        "image": image,
        # The runner's own clock: it ends a run past its wall limit (and a warm container past
        # its idle time) even when no pool worker is left to do it.
        "command": [
            *RUNNER_COMMAND,
            f"--wall-seconds={limits.wall_seconds:g}",
            f"--idle-seconds={limits.idle_seconds:g}",
            # A debug run's clock stops while paused; the runner allows this much more.
            f"--pause-seconds={limits.pause_seconds:g}",
        ],
        "name": f"ne-{worker_name}-{slot}",
        "user": SANDBOX_USER,
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
        "labels": {LABEL_MANAGED: "1", LABEL_WORKER: worker_name, LABEL_SLOT: slot},
        # The runner is PID 1 and ignores SIGTERM: `docker stop` and an engine shutdown would
        # otherwise wait out their timeout for every sandbox.
        "stop_signal": "SIGKILL",
        "host_config_kwargs": {
            "network_mode": "none",
            "read_only": True,
            "tmpfs": {SCRATCH_DIR: f"rw,noexec,nosuid,nodev,size={limits.scratch_mb}m,mode=1777"},
            # /dev/shm is another tmpfs (noexec by default): as small as scratch, not 64 MiB.
            # Its pages count against mem_limit too, like /tmp's.
            "shm_size": f"{limits.scratch_mb}m",
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "mem_limit": memory,
            "memswap_limit": memory,
            "nano_cpus": int(limits.cpus * 1e9),
            "pids_limit": limits.pids,
            "ulimits": [
                Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
                Ulimit(name="fsize", soft=FILE_SIZE_LIMIT_BYTES, hard=FILE_SIZE_LIMIT_BYTES),
                # Soft: SIGXCPU (the runner reports it); hard: SIGKILL if the script ignores it.
                Ulimit(name="cpu", soft=limits.cpu_seconds, hard=limits.cpu_seconds + 1),
                Ulimit(name="core", soft=0, hard=0),
            ],
            "ipc_mode": "private",
            "init": False,
            "auto_remove": False,
            "log_config": {"Type": "none", "Config": {}},
        },
    }


def _own_socket(attached) -> socket.socket:
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
    api: docker.APIClient, worker_name: str, image: str, limits: RunLimits
) -> StartedContainer:
    """Create a container, attach to it, then start it: attached first, so nothing the runner
    does can race our stdin or lose output."""
    options = container_options(worker_name, image, limits)
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
    api.wait(container_id, timeout=timeout)
    state = api.inspect_container(container_id)["State"]
    return int(state["ExitCode"]), bool(state.get("OOMKilled"))


def list_worker_containers(api: docker.APIClient, worker_name: str) -> list[dict]:
    return api.containers(
        all=True, filters={"label": [f"{LABEL_MANAGED}=1", f"{LABEL_WORKER}={worker_name}"]}
    )


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
