"""Reading settings from the environment, with errors that name the variable at fault.

django-environ parses; this module turns its many failure modes (missing variable, bad URL,
bad integer) into one `ImproperlyConfigured` whose message starts with the variable's name,
so a bad deployment stops at start-up with a sentence an operator can act on.
"""

from __future__ import annotations

import builtins
import re
import warnings
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

# The schemes this project has a driver for (psycopg for PostgreSQL, the stdlib for SQLite).
SUPPORTED_DB_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
_RATE_RE = re.compile(r"(?P<count>[0-9]{1,9})\s*/\s*(?P<period>[a-z]+)")
RATE_PERIODS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """`"5/min"` -> `(5, 60)`: how many events are allowed per how many seconds."""
    match = _RATE_RE.fullmatch(rate.strip())
    if not match or int(match["count"]) < 1 or match["period"] not in RATE_PERIODS:
        raise ValueError(
            "expected COUNT/PERIOD with COUNT >= 1 and PERIOD one of "
            "s, sec, m, min, h, hour, d, day "
            "(e.g. 5/min)."
        )
    return int(match["count"]), RATE_PERIODS[match["period"]]


class Config:
    def __init__(self, env: environ.Env) -> None:
        self.env = env

    def _read(self, name: str, reader: Callable[..., T], default: Any) -> T:
        try:
            if default is environ.Env.NOTSET:
                return reader(name)
            return reader(name, default=default)
        except ImproperlyConfigured:
            raise ImproperlyConfigured(f"{name} is required but not set.") from None
        except Exception as exc:
            raw = self.env.str(name, default="")
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {exc}") from None

    def str(self, name: str, default: Any = environ.Env.NOTSET) -> str:
        return self._read(name, self.env.str, default)

    def bool(self, name: builtins.str, default: Any = environ.Env.NOTSET) -> bool:
        raw = self.env.str(name, default="").strip().lower()
        if raw == "":
            if default is environ.Env.NOTSET:
                raise ImproperlyConfigured(f"{name} is required but not set.")
            return bool(default)
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off"}:
            return False
        raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: expected true or false.")

    def int(
        self, name: builtins.str, default: Any = environ.Env.NOTSET, minimum: int | None = None
    ) -> int:
        value = self._read(name, self.env.int, default)
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(
                f"{name} has an invalid value {value!r}: must be >= {minimum}."
            )
        return value

    def float(
        self, name: builtins.str, default: Any = environ.Env.NOTSET, minimum: float | None = None
    ) -> float:
        value = self._read(name, self.env.float, default)
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(
                f"{name} has an invalid value {value!r}: must be >= {minimum}."
            )
        return value

    def list(self, name: builtins.str, default: Any = environ.Env.NOTSET) -> list[builtins.str]:
        return self._read(name, self.env.list, default)

    def db(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, Any]:
        raw = self.env.str(name, default=default).strip()
        scheme = urlsplit(raw).scheme if "://" in raw else ""
        if scheme not in SUPPORTED_DB_SCHEMES:
            raise ImproperlyConfigured(
                f"{name} has an invalid value {raw!r}: expected postgres://user@host:port/name "
                "or sqlite:///path/to/file.sqlite3."
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # django-environ warns instead of failing
                parsed = environ.Env.db_url_config(raw)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {exc}") from None
        if not parsed.get("NAME"):
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: no database name.")
        return parsed

    def rate(self, name: builtins.str, default: builtins.str) -> builtins.str:
        """A rate such as `5/min` (count per s, sec, m, min, h, hour, d, day)."""
        raw = self.str(name, default=default).strip()
        try:
            parse_rate(raw)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {exc}") from None
        return raw

    def redis_url(self, name: builtins.str) -> builtins.str | None:
        raw = self.env.str(name, default="").strip()
        if not raw:
            return None
        if not raw.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(
                f"{name} has an invalid value {raw!r}: expected redis://host:port/db."
            )
        return raw
