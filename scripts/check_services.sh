#!/usr/bin/env bash
# Says exactly what to start when a server the tests need is not answering.
set -u
db_url=$1
redis_url=$2
fail=0
db_hostport=$(python3 -c "from urllib.parse import urlparse as u; p=u('$db_url'); print(p.hostname or '127.0.0.1', p.port or 5432)")
redis_hostport=$(python3 -c "from urllib.parse import urlparse as u; p=u('$redis_url'); print(p.hostname or '127.0.0.1', p.port or 6379)")
if ! python3 - $db_hostport <<'PY'
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
PY
then
  echo "PostgreSQL is not answering at $db_hostport. Start it with:" >&2
  echo "  pg_ctlcluster --skip-systemctl-redirect 15 main start" >&2
  fail=1
fi
if ! python3 - $redis_hostport <<'PY'
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
PY
then
  echo "Redis is not answering at $redis_hostport. Start it with:" >&2
  echo "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no" >&2
  fail=1
fi
exit $fail
