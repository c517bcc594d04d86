"""How many examples a property test draws: all of them in `make test` (and CI), a fraction in
`make test-fast` (TEST_EXAMPLES_SCALE=0.2), so the edit-test loop stays under a minute while the
full suite keeps its reach."""

from __future__ import annotations

import os

SCALE = float(os.environ.get("TEST_EXAMPLES_SCALE", "1") or 1)


def examples(count: int) -> int:
    return max(5, round(count * SCALE))
