"""What a script can use in the sandbox: the image's Python and the packages installed in it.

Read from the image's `nodeengine.sandbox` label, which scripts/build_sandbox_image.sh writes by
asking the built image itself; an image built otherwise is asked directly (one throwaway container
when a worker starts, with the sandbox's own user and no network). Either way the answer is what
the image really holds, never a list kept by hand beside the Dockerfile.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from .container import SANDBOX_USER, docker_client

logger = logging.getLogger(__name__)

LABEL_SANDBOX = "nodeengine.sandbox"

# Run by the image's python3 in isolated mode: the version and every distribution it can import.
_DESCRIBE = """
import importlib.metadata as m, json, platform
packages = {}
for d in m.distributions():
    name = d.metadata["Name"]
    if name:
        packages[name.lower()] = {"name": name, "version": d.version}
print(json.dumps({"python": platform.python_version(),
                  "packages": sorted(packages.values(), key=lambda p: p["name"].lower())}))
"""


def describe_image(image: str) -> dict[str, Any]:
    """{"python": "3.11.2", "packages": [{"name", "version"}]} of `image`; {} when Docker or the
    image cannot answer (the heartbeat goes out without it, and the API says so)."""
    try:
        client = docker_client(timeout=30)
        try:
            label = (client.images.get(image).labels or {}).get(LABEL_SANDBOX)
            output = label or client.containers.run(
                image,
                ["python3", "-I", "-c", _DESCRIBE],
                user=SANDBOX_USER,
                network_disabled=True,
                remove=True,
                stdout=True,
                stderr=False,
                mem_limit="256m",
            )
        finally:
            client.close()
        description = json.loads(output)
        if isinstance(description, dict) and isinstance(description.get("python"), str):
            return description
    except Exception as exc:
        logger.warning("could not describe the sandbox image %s: %s", image, exc)
    return {}
