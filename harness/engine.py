"""Real servers for the execution engine's tests and benches: daphne + `runpool` subprocesses, and
a WebSocket client that groups their events by run. No pytest here: the tests' fixtures around
it are in tests/engine_fixtures.py, and bench/ drives it from plain scripts.

How the subprocesses see the test database: pytest-django creates `test_<name>` once per
session (`django_db_setup`); the servers get a DATABASE_URL naming exactly that database, and
tests use `transactional_db`, so what a test creates (users, tokens, graphs) is committed and
visible to daphne, and what daphne writes (Execution rows) is visible to the test. pytest-django
truncates the tables after each test, which idle server connections do not block.

Each server set gets its own request channel name (POOL_REQUEST_CHANNEL) and worker names, so
it never takes runs from, or gives runs to, anyone else sharing the Redis database.
"""

# Test helpers take plain deadlines in seconds and poll external state (Docker, Redis).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from websockets.typing import Origin

from harness.waiting import receive_until, wait_until

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict[str, Any]) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    # conn_max_age: daphne's worker threads keep their connection instead of reconnecting per query.
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}?conn_max_age=600"


def redis_url() -> str:
    return (
        os.environ.get("ENGINE_TEST_REDIS_URL")
        or os.environ.get("TEST_REDIS_URL")
        or DEFAULT_REDIS_URL
    )


# What the tests' servers run with instead of the product's defaults: short limits, and cheap
# container starts (the data stack is imported by the scripts that use it).
TEST_SETTINGS = {
    "POOL_SIZE": "4",
    "RUN_WALL_SECONDS": "5",
    "RUN_PAUSE_SECONDS": "6",
    "SANDBOX_PRELOAD": "none",
}


@dataclass
class Servers:
    """One daphne and any number of pool workers sharing one environment."""

    env: dict[str, str]
    port: int = 0
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ne-engine-")))
    daphne: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        db_settings: dict[str, Any],
        redis: str | None,
        *,
        test_settings: bool = True,
        **overrides: str,
    ) -> Servers:
        """`test_settings=False`: none of TEST_SETTINGS, so the servers run in the configuration
        the environment and `overrides` give (the benches measure the shipped one)."""
        tag = uuid.uuid4().hex[:8]
        env = {
            **os.environ,
            "DATABASE_URL": database_url(db_settings),
            "REDIS_URL": redis or "",
            "SECRET_KEY": "engine-test-secret-key",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "POOL_REQUEST_CHANNEL": f"pool.requests.test{tag}",
            "POOL_WORKER_NAME": f"enginetest-{tag}",
            **(TEST_SETTINGS if test_settings else {}),
            # Browser tests sign up many users from 127.0.0.1 (test_auth_* test the limit itself).
            "LOGIN_RATE_PER_IP": "10000/min",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(overrides)
        return cls(env=env)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/run/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_daphne(self) -> None:
        self.port = free_port()
        log = open(self.log_dir / "daphne.log", "ab")
        self.daphne = subprocess.Popen(
            [
                str(VENV_BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--websocket-max-message-size",
                str(4 * 1024 * 1024),
                "--websocket-max-frame-size",
                str(4 * 1024 * 1024),
                "nodeengine.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        daphne = self.daphne

        def listening() -> bool:
            if daphne.poll() is not None:
                raise RuntimeError(f"daphne exited early; see {self.log_dir / 'daphne.log'}")
            with socket.create_connection(("127.0.0.1", self.port), 0.2):
                return True

        wait_until(listening, 30, f"daphne to listen on {self.port}", retry_on=OSError)

    def start_worker(
        self,
        name: str | None = None,
        size: int = 4,
        wait: bool = True,
        env: dict[str, str] | None = None,
    ) -> str:
        """A `runpool` process; `env` adds to the servers' environment (e.g. its DOCKER_HOST)."""
        name = name or f"{self.env['POOL_WORKER_NAME']}-{len(self.workers) + 1}"
        log_path = self.log_dir / f"worker-{name}.log"
        log = open(log_path, "ab")
        process = subprocess.Popen(
            [str(VENV_BIN / "python"), "manage.py", "runpool", "--size", str(size), "--name", name],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers[name] = process
        if wait:

            def ready() -> bool:
                if process.poll() is not None:
                    raise RuntimeError(f"runpool exited early: {log_path.read_text()[-3000:]}")
                return b"ready" in log_path.read_bytes()

            wait_until(ready, 90, f"runpool {name} to say it is ready", retry_on=())
        return name

    def log(self, name: str = "daphne") -> str:
        path = self.log_dir / (f"{name}.log" if name == "daphne" else f"worker-{name}.log")
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_worker(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20) -> int | None:
        process = self.workers.pop(name)
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        return process.returncode

    def stop(self) -> None:
        for name in list(self.workers):
            self.stop_worker(name)
        if self.daphne is not None and self.daphne.poll() is None:
            self.daphne.terminate()
            try:
                self.daphne.wait(10)
            except subprocess.TimeoutExpired:
                self.daphne.kill()
                self.daphne.wait(5)
        self.remove_leftover_containers()

    def remove_leftover_containers(self) -> None:
        """Tests SIGKILL workers on purpose; their containers must not outlive the test session.

        In production the next worker on the host removes them; test workers have one-off names,
        so the harness removes every container named after this server set's worker prefix.
        """
        import docker

        prefix = self.env["POOL_WORKER_NAME"]
        client = docker.from_env()
        try:
            # The raw list: `containers.list()` inspects each one, and one that its worker
            # removes meanwhile would fail that with NotFound.
            for summary in client.api.containers(
                all=True, filters={"label": "nodeengine.managed=1"}
            ):
                if (summary.get("Labels") or {}).get("nodeengine.worker", "").startswith(prefix):
                    with contextlib.suppress(docker.errors.APIError):
                        client.api.remove_container(summary["Id"], force=True)
        finally:
            client.close()


class WsClient:
    """A websockets client that groups server events by run."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        self.by_ref: dict[str, str] = {}
        self.unrouted: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, servers: Servers, token: str, **kwargs: Any) -> WsClient:
        ws = await websockets.connect(
            f"{servers.ws_url}?token={token}",
            origin=Origin(servers.origin),
            max_size=8 * 1024 * 1024,
            open_timeout=20,
            **kwargs,
        )
        return cls(ws)

    async def send(self, **message: Any) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, timeout: float = 30) -> dict[str, Any]:
        event = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        run_id = event.get("run_id")
        if run_id is not None and event.get("ref") is not None:
            self.by_ref[event["ref"]] = run_id
        self.events[run_id].append(event)
        return event

    async def start(self, ref: str | None = None, timeout: float = 30, **run: Any) -> str:
        """Send a run and wait for its first event; returns its run_id (raises on `error`)."""
        ref = ref or uuid.uuid4().hex[:8]
        await self.send(type="run", ref=ref, **run)

        async def receive(seconds: float) -> None:
            event = await self.recv(seconds)
            if event["type"] == "error" and event.get("ref") == ref and "run_id" not in event:
                raise RunRefused(event)

        return await receive_until(
            lambda: self.by_ref.get(ref), receive, timeout, f"run {ref!r} to start"
        )

    async def wait_for(self, run_id: str, kind: str, timeout: float = 30) -> dict[str, Any]:
        def arrived() -> dict[str, Any] | None:
            return next((e for e in self.events[run_id] if e["type"] == kind), None)

        return await receive_until(arrived, self.recv, timeout, f"{kind!r} of run {run_id}")

    async def finish(self, run_id: str, timeout: float = 30) -> RunOutcome:
        await self.wait_for(run_id, "exit", timeout)
        return RunOutcome(self.events[run_id])

    async def run(self, timeout: float = 30, **run: Any) -> RunOutcome:
        return await self.finish(await self.start(**run), timeout)

    async def finish_refs(self, refs: list[str], timeout: float = 60) -> dict[str, RunOutcome]:
        """Outcomes of runs sent with these refs (each must end in `exit`)."""

        def done(ref: str) -> bool:
            run_id = self.by_ref.get(ref)
            return run_id is not None and any(e["type"] == "exit" for e in self.events[run_id])

        await receive_until(
            lambda: all(done(ref) for ref in refs), self.recv, timeout, f"the exits of {refs}"
        )
        return {ref: RunOutcome(self.events[self.by_ref[ref]]) for ref in refs}

    async def close(self) -> None:
        await self.ws.close()


class RunRefused(Exception):
    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__(event.get("message"))
        self.event = event


class RunOutcome:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = list(events)
        self.stdout = "".join(e["data"] for e in events if e["type"] == "stdout")
        self.stderr = "".join(e["data"] for e in events if e["type"] == "stderr")
        self.exit = next(e for e in events if e["type"] == "exit")
        self.errors = [e for e in events if e["type"] == "error"]

    @property
    def reason(self) -> str:
        return self.exit["reason"]


def make_token(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def run_async(coroutine: Any, timeout: float = 120) -> Any:
    """Tests stay synchronous (the ORM is used outside any event loop); each drives one loop."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))
