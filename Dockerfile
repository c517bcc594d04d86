# The web (daphne) and pool worker (manage.py runpool) image: one image, two commands.
#
#   docker build -t nodeengine-app .                                   # from python:3.11-slim
#   docker build --build-arg BASE_IMAGE=nodeengine-base:bookworm -t nodeengine-app .   # offline
#
# Python packages come from PyPI, or, when deploy/wheelhouse/ holds wheels, only from there.
# deploy/build_images.sh fills it on the host, whose pip trusts this network's TLS proxy CA: the
# Docker here (Debian's 20.10 engine, no buildx) has only the classic builder, so BuildKit's
# `--secret` is not available, and a CA bundle must never be baked into a layer.
ARG BASE_IMAGE=python:3.11-slim

# --- builder: a virtualenv with the dependencies (the wheels never reach the final image) ---
FROM ${BASE_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 LANG=C.UTF-8
# The bare Debian base has python3 only: venv support comes from Debian's mirror.
RUN set -eu; \
    if ! python3 -m venv /opt/venv 2>/dev/null; then \
        rm -rf /opt/venv; \
        apt-get update -qq; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3-venv >/dev/null; \
        python3 -m venv /opt/venv; \
    fi; \
    /opt/venv/bin/python -c "import sys; assert sys.version_info >= (3, 11), sys.version"
WORKDIR /src
# Dependencies first, as their own layer: source edits do not reinstall them.
COPY pyproject.toml constraints.txt /src/
COPY deploy/wheelhouse/ /wheels/
RUN set -eu; \
    if ls /wheels/*.whl >/dev/null 2>&1; then export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels; fi; \
    /opt/venv/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt; \
    /opt/venv/bin/pip install -q -c constraints.txt -r requirements.txt
COPY . /src/
RUN set -eu; \
    if ls /wheels/*.whl >/dev/null 2>&1; then export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels; fi; \
    [ -e README.md ] || echo "Node Engine" > README.md; \
    /opt/venv/bin/pip install -q --no-deps -c constraints.txt .

# --- the image ---
FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app
RUN getent passwd app >/dev/null || \
    useradd --uid 10002 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
# The application (with the built editor, frontend/dist, when it exists: see .dockerignore).
COPY . /app/
WORKDIR /app
RUN SECRET_KEY=build-check DEBUG=false python3 manage.py check --deploy --fail-level ERROR >/dev/null

EXPOSE 8000
USER app
# The web process. The worker service runs `python3 manage.py runpool` instead, as root, since it
# drives the Docker engine through /var/run/docker.sock.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "nodeengine.asgi:application"]
