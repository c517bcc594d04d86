#!/usr/bin/env bash
# End-to-end check of docker-compose.yml on this machine: builds every image from the local
# Debian base (deploy/build_images.sh), starts the stack under its own project name on a free
# port, waits for /readyz, runs a program over the WebSocket as a fresh user, checks its output
# and /metrics, then removes the stack and its volumes. Usage: deploy/smoke_compose.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=${PROJECT:-nodeengine-smoke}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
COMPOSE=(docker-compose)
docker compose version >/dev/null 2>&1 && COMPOSE=(docker compose)

deploy/build_images.sh all

export SECRET_KEY=smoke-$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export POSTGRES_PASSWORD=smoke-password POSTGRES_IMAGE=nodeengine-postgres:15 REDIS_IMAGE=nodeengine-redis:7
export BASE_IMAGE=nodeengine-base:bookworm WEB_PORT=$PORT POOL_SIZE=2 SEED_EXAMPLE_GRAPHS=false
export ALLOWED_HOSTS=127.0.0.1,localhost CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT
# A request channel of its own: the smoke stack never serves (or steals) anyone else's runs.
export POOL_REQUEST_CHANNEL=pool.requests.smoke
compose() { "${COMPOSE[@]}" -p "$PROJECT" "$@"; }
cleanup() {
  compose logs --no-color --tail=30 >"${TMPDIR:-/tmp}/$PROJECT.log" 2>&1 || true
  compose down -v --remove-orphans >/dev/null 2>&1 || true
}
trap cleanup EXIT

started=$(date +%s)
compose up -d --no-build
echo "smoke: waiting for /readyz on 127.0.0.1:$PORT" >&2
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/readyz"; echo
echo "smoke: ready $(( $(date +%s) - started )) s after 'up'" >&2

token=$(compose exec -T web python3 manage.py shell -c "
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user, _ = get_user_model().objects.get_or_create(username='smoke')
print(Token.objects.get_or_create(user=user)[0].key)" | tail -n 1 | tr -d '\r')

.venv/bin/python - "$PORT" "$token" <<'PY'
import asyncio, json, sys, time
import websockets

port, token = sys.argv[1], sys.argv[2]

async def main() -> None:
    url = f"ws://127.0.0.1:{port}/ws/run/?token={token}"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{port}") as ws:
        sent = time.monotonic()
        await ws.send(json.dumps({"type": "run", "ref": "smoke", "code": "print(6 * 7)"}))
        output, first = "", None
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if event["type"] == "stdout":
                first = first or time.monotonic() - sent
                output += event["data"]
            if event["type"] in ("exit", "error"):
                break
    assert event["type"] == "exit" and event["reason"] == "ok", event
    assert output == "42\n", output
    print(f"smoke: run ok, output {output!r}, first output after {first * 1000:.0f} ms")

asyncio.run(main())
PY
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^nodeengine_(runs_total\{reason="ok"\}|worker_pool_warm_containers)'
echo "smoke: compose stack served a run end to end" >&2
