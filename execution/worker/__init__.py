"""The pool worker: takes run requests from the channel layer while it holds a warm sandbox,
runs them (execution/sandbox/) and streams their output back. `manage.py runpool`, or embedded
in the web process when there is no Redis."""
