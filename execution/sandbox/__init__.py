"""Warm Docker sandboxes that run users' Python: see docs/interfaces.md, "Sandbox pool"."""

from .container import remove_worker_containers
from .limits import RunLimits
from .pool import PoolClosed, SandboxPool, SandboxUnavailable
from .sandbox import RunResult, Sandbox, SandboxError, StdinLimitExceeded

__all__ = [
    "PoolClosed",
    "RunLimits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "SandboxPool",
    "SandboxUnavailable",
    "StdinLimitExceeded",
    "remove_worker_containers",
]
