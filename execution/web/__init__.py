"""The web side of a run: the WebSocket consumer and the REST views (run_views.py, rest_run.py),
one ClientRun per run, admission against the user's limits, the run's record and, for REST runs,
its event log.

It reaches pool workers only through execution/dispatch.py: messages on the channel layer (the
request; started, output, heartbeat and exit back; stdin, kill and debug controls out) and the
run-id claims that decide whether a run is started or cancelled (Redis, or a dict in this process
without REDIS_URL). In embedded mode (no REDIS_URL) the pool worker runs inside the web process,
and the in-memory channel layer and that dict are all the two share.

In embedded mode the in-process worker is started at one seam, outside this package:
nodeengine/asgi.py's StartsEmbeddedPool starts it with the process's first HTTP or WebSocket
connection (daphne has no lifespan event), before any consumer or view here runs.
"""
