#!/usr/bin/env bash
# The editor's API types come from the server's OpenAPI schema, never by hand:
#   scripts/api_types.sh          writes frontend/src/lib/api-schema.ts (`make api-types`)
#   scripts/api_types.sh --check  fails if the committed file differs from a fresh one (`make lint`)
# The schema is made offline (manage.py spectacular) in a clean environment, so that no local
# setting (GRAPH_MAX_NODES, ...) changes the committed file; openapi-typescript turns it into types.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
TARGET=frontend/src/lib/api-schema.ts
check=false
[[ ${1:-} == --check ]] && check=true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
env -i PATH="$PATH" HOME="$HOME" DEBUG=false SECRET_KEY=openapi-schema-only \
  "$PY" manage.py spectacular --fail-on-warn --format openapi-json --file "$work/openapi.json"
(cd frontend && npx --no-install openapi-typescript "$work/openapi.json" -o "$work/api-schema.ts" >/dev/null)

if ! $check; then
  # Only a change is written: an untouched file keeps its time, so make rebuilds nothing.
  if ! cmp -s "$work/api-schema.ts" "$TARGET"; then
    cp "$work/api-schema.ts" "$TARGET"
    echo "wrote $TARGET"
  fi
elif ! diff -u "$TARGET" "$work/api-schema.ts" >"$work/diff"; then
  head -n 60 "$work/diff" >&2
  echo "$TARGET is stale: the API's schema changed. Run \`make api-types\` and commit the file." >&2
  exit 1
fi
