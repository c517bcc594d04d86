"""The limits every sandboxed run is held to (and the runtime that enforces them), read once from
settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunLimits:
    wall_seconds: float = 30.0
    cpu_seconds: int = 10
    memory_mb: int = 128
    pids: int = 64
    output_bytes: int = 1024 * 1024
    stdin_total_bytes: int = 1024 * 1024
    script_bytes: int = 256 * 1024
    # A graph run's inputs as JSON: what one WebSocket message may carry (WS_MESSAGE_BYTES).
    inputs_bytes: int = 1024 * 1024
    scratch_mb: int = 16
    cpus: float = 1.0
    open_files: int = 256
    # A warm container that no script reaches in this long ends itself (its worker died): the
    # pool renews its own warm containers well before that.
    idle_seconds: float = 3600.0
    # A debug run's time paused at breakpoints, added up (the wall clock stops meanwhile).
    pause_seconds: float = 600.0
    # The OCI runtime of every container: "runsc" (gVisor: the script's system calls go to a
    # user-space kernel, not the host's), "runc" (the host kernel, namespaces and cgroups only),
    # or "auto": runsc when the Docker engine knows it, else runc (with a warning). The pool
    # resolves "auto" once, when it starts (container.resolve_runtime).
    runtime: str = "auto"
    # Whether warm interpreters import numpy, pandas and matplotlib before a script comes: "auto"
    # (when memory_mb allows it), "data" or "none" (sandbox_image/preload.py). Preloading makes a
    # run that uses them pay no import time, and costs each container start ~2 s of CPU.
    preload: str = "auto"

    @classmethod
    def from_settings(cls) -> RunLimits:
        from django.conf import settings

        return cls(
            wall_seconds=float(settings.RUN_WALL_SECONDS),
            cpu_seconds=int(settings.RUN_CPU_SECONDS),
            memory_mb=int(settings.RUN_MEMORY_MB),
            pids=int(settings.RUN_PIDS),
            output_bytes=int(settings.RUN_OUTPUT_BYTES),
            stdin_total_bytes=int(settings.RUN_STDIN_TOTAL_BYTES),
            script_bytes=int(getattr(settings, "RUN_SCRIPT_BYTES", cls.script_bytes)),
            inputs_bytes=int(getattr(settings, "WS_MESSAGE_BYTES", cls.inputs_bytes)),
            idle_seconds=float(getattr(settings, "SANDBOX_IDLE_SECONDS", cls.idle_seconds)),
            pause_seconds=float(getattr(settings, "RUN_PAUSE_SECONDS", cls.pause_seconds)),
            runtime=str(getattr(settings, "SANDBOX_RUNTIME", "") or cls.runtime),
            preload=str(getattr(settings, "SANDBOX_PRELOAD", "") or cls.preload),
        )
