"""Says when the server `make run` started really serves: once /readyz answers 200 (the database,
the channel layer and a warm sandbox all ready), so a first Run after this line starts at once.

    python scripts/announce_ready.py http://127.0.0.1:8000 [give-up seconds, default 300]

Runs beside daphne (in the background) and stops by itself: at the first 200, or after
GIVE_UP_SECONDS, saying what was still missing. Asking /readyz is also what starts the embedded
pool (nodeengine/asgi.py), before anyone opens the editor.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request

POLL_SECONDS = 0.2
TELL_AFTER_SECONDS = 10.0
GIVE_UP_SECONDS = 300.0


def readiness(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except OSError as exc:  # not listening yet
        return 0, str(exc)


def main(url: str, give_up_seconds: float = GIVE_UP_SECONDS) -> int:
    url = url.rstrip("/")
    started = time.monotonic()
    told = False
    status, body = 0, "no answer"
    while time.monotonic() - started < give_up_seconds:
        status, body = readiness(url)
        if status == 200:
            warm = json.loads(body).get("checks", {}).get("workers", {}).get("warm", "?")
            print(
                f"Node Engine serves {url}/ (ready in {time.monotonic() - started:.1f} s,"
                f" {warm} warm sandboxes)",
                flush=True,
            )
            return 0
        if not told and time.monotonic() - started > TELL_AFTER_SECONDS and status:
            print(f"Node Engine: not ready yet at {url}/readyz: {body[:300]}", flush=True)
            told = True
        time.sleep(POLL_SECONDS)
    print(f"Node Engine: {url}/readyz never answered 200 (last: {body[:300]})", flush=True)
    return 1


if __name__ == "__main__":
    arguments = sys.argv[1:]
    sys.exit(
        main(
            arguments[0] if arguments else "http://127.0.0.1:8000",
            float(arguments[1]) if len(arguments) > 1 else GIVE_UP_SECONDS,
        )
    )
