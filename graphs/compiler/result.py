"""What the compiler gives back: the code, the diagnostics, and a line -> node source map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    node_id: str | None = None
    port: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "node_id": self.node_id,
            "port": self.port,
        }


@dataclass
class CompileResult:
    code: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    source_map: dict[int, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "source_map": {str(line): node for line, node in sorted(self.source_map.items())},
        }
