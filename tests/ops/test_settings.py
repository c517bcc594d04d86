"""Bad configuration stops start-up with a non-zero exit and a message naming the variable.

Each case starts a fresh interpreter with a crafted environment, because settings are read once
per process. The good case runs the whole `django.setup()`; the bad ones only import the settings
module (where every check lives, and 5x cheaper). The cases run side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); print('settings ok')"
IMPORT_SETTINGS = "import nodeengine.settings"
GOOD = {
    "SECRET_KEY": "a-test-secret",
    "DEBUG": "false",
    "DATABASE_URL": "postgres://root@127.0.0.1:5432/ne_settings_check",
    "REDIS_URL": "",
}

# (case id, changes to GOOD (None removes the variable), text the error must contain)
CASES: list[tuple[str, dict[str, str | None], str]] = [
    ("secret_key_missing", {"SECRET_KEY": None}, "SECRET_KEY is required when DEBUG is off"),
    ("database_url_garbage", {"DATABASE_URL": "garbage"}, "DATABASE_URL has an invalid value"),
    ("database_url_scheme", {"DATABASE_URL": "foo://x/y"}, "DATABASE_URL has an invalid value"),
    ("database_url_port", {"DATABASE_URL": "postgres://h:abc/x"}, "DATABASE_URL has an invalid"),
    ("database_url_no_name", {"DATABASE_URL": "postgres://h:5432"}, "no database name"),
    ("pool_size_text", {"POOL_SIZE": "abc"}, "POOL_SIZE has an invalid value 'abc'"),
    ("pool_size_negative", {"POOL_SIZE": "-1"}, "POOL_SIZE has an invalid value -1: must be >= 0"),
    ("redis_url_http", {"REDIS_URL": "http://x"}, "REDIS_URL has an invalid value 'http://x'"),
    ("debug_maybe", {"DEBUG": "maybe"}, "DEBUG has an invalid value 'maybe'"),
    ("max_body_tiny", {"MAX_BODY_BYTES": "10"}, "MAX_BODY_BYTES has an invalid value 10"),
    ("login_rate", {"LOGIN_RATE_PER_IP": "lots"}, "LOGIN_RATE_PER_IP has an invalid value 'lots'"),
    ("login_rate_zero", {"LOGIN_RATE_PER_USERNAME": "0/min"}, "LOGIN_RATE_PER_USERNAME has an"),
    ("wall_seconds", {"RUN_WALL_SECONDS": "soon"}, "RUN_WALL_SECONDS has an invalid value"),
    ("webhook_rate", {"WEBHOOK_RATE": "often"}, "WEBHOOK_RATE has an invalid value 'often'"),
    ("webhook_runs_zero", {"WEBHOOK_RUNS": "0"}, "WEBHOOK_RUNS has an invalid value 0: must be"),
    ("webhook_queued", {"WEBHOOK_RUNS_QUEUED": "-1"}, "WEBHOOK_RUNS_QUEUED has an invalid value"),
    ("webhook_body", {"WEBHOOK_BODY_BYTES": "big"}, "WEBHOOK_BODY_BYTES has an invalid value"),
]


def _environment(changes: dict[str, str | None]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in GOOD}
    env.update({key: value for key, value in GOOD.items() if value is not None})
    env["DJANGO_SETTINGS_MODULE"] = "nodeengine.settings"
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture(scope="module")
def outcomes() -> dict[str, subprocess.CompletedProcess]:
    cases = [("good", {}, ""), *CASES]
    running = {
        case_id: subprocess.Popen(
            [sys.executable, "-c", SETUP if case_id == "good" else IMPORT_SETTINGS],
            cwd=BASE_DIR,
            env=_environment(changes),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for case_id, changes, _ in cases
    }
    results = {}
    for case_id, process in running.items():
        stdout, stderr = process.communicate(timeout=60)
        results[case_id] = subprocess.CompletedProcess(
            process.args, process.returncode, stdout, stderr
        )
    return results


def test_good_environment_starts(outcomes):
    result = outcomes["good"]
    assert result.returncode == 0, result.stderr
    assert "settings ok" in result.stdout


@pytest.mark.parametrize(("case_id", "changes", "text"), CASES, ids=[case[0] for case in CASES])
def test_bad_environment_stops_with_a_named_variable(outcomes, case_id, changes, text):
    result = outcomes[case_id]
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert text in result.stderr, result.stderr[-2000:]


def test_debug_without_secret_key_is_allowed_for_development():
    env = _environment({"SECRET_KEY": None, "DEBUG": "true"})
    result = subprocess.run(
        [sys.executable, "-c", SETUP],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
