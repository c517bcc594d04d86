"""Reading settings from the environment, with errors that name the variable at fault.

django-environ parses; this module turns its many failure modes (missing variable, bad URL,
bad integer) into one `ImproperlyConfigured` whose message starts with the variable's name,
so a bad deployment stops at start-up with a sentence an operator can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import environ
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


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
        except Exception as exc:  # noqa: BLE001 - every parse error becomes one clear message
            raw = self.env.str(name, default="")
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {exc}") from None

    def str(self, name: str, default: Any = environ.Env.NOTSET) -> str:
        return self._read(name, self.env.str, default)

    def bool(self, name: str, default: Any = environ.Env.NOTSET) -> bool:
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

    def int(self, name: str, default: Any = environ.Env.NOTSET, minimum: int | None = None) -> int:
        value = self._read(name, self.env.int, default)
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} has an invalid value {value!r}: must be >= {minimum}.")
        return value

    def float(self, name: str, default: Any = environ.Env.NOTSET, minimum: float | None = None) -> float:
        value = self._read(name, self.env.float, default)
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} has an invalid value {value!r}: must be >= {minimum}.")
        return value

    def list(self, name: str, default: Any = environ.Env.NOTSET) -> list[str]:
        return self._read(name, self.env.list, default)

    def db(self, name: str, default: str) -> dict[str, Any]:
        raw = self.env.str(name, default=default)
        try:
            parsed = environ.Env.db_url_config(raw)
        except Exception as exc:  # noqa: BLE001
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: {exc}") from None
        if not parsed.get("ENGINE"):
            raise ImproperlyConfigured(f"{name} has an invalid value {raw!r}: unknown database scheme.")
        return parsed

    def redis_url(self, name: str) -> str | None:
        raw = self.env.str(name, default="").strip()
        if not raw:
            return None
        if not raw.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(
                f"{name} has an invalid value {raw!r}: expected redis://host:port/db."
            )
        return raw
