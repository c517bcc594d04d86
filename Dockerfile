# The web (daphne) and pool worker (manage.py runpool) image: one image, two commands.
#
#   docker build -t nodeengine-app .                                   # from python:3.11-slim
#   docker build --build-arg BASE_IMAGE=nodeengine-base:bookworm -t nodeengine-app .   # offline base
#
# Python packages come from PyPI, or, when deploy/wheelhouse/ holds wheels, only from there
# (deploy/build_images.sh fills it on the host, whose pip already trusts this network's CA:
# the classic builder here has no BuildKit `--secret`, and a CA bundle must never be baked in).
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PATH=/opt/venv/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# A virtualenv; the bare Debian base (python3 only) first gets python3-venv from Debian's mirror.
RUN set -eu; \
    if ! python3 -m venv /opt/venv 2>/dev/null; then \
        rm -rf /opt/venv; \
        apt-get update -qq; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3 python3-venv >/dev/null; \
        rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
        python3 -m venv /opt/venv; \
    fi; \
    python3 -c "import sys; assert sys.version_info >= (3, 11), sys.version"; \
    getent passwd app >/dev/null || \
        useradd --uid 10002 --user-group --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Dependencies first (a layer that survives source edits): the project's dependency list,
# pinned by constraints.txt.
COPY pyproject.toml constraints.txt /app/
COPY deploy/wheelhouse/ /wheels/
WORKDIR /app
RUN set -eu; \
    if ls /wheels/*.whl >/dev/null 2>&1; then export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels; fi; \
    python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt; \
    pip install -q -c constraints.txt -r /tmp/requirements.txt; \
    rm -rf /tmp/requirements.txt

# The application (the built frontend, frontend/dist, comes along when it exists: see .dockerignore).
COPY . /app/
RUN set -eu; \
    if ls /wheels/*.whl >/dev/null 2>&1; then export PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels; fi; \
    [ -e README.md ] || echo "Node Engine" > README.md; \
    pip install -q --no-deps -c constraints.txt .; \
    rm -rf /wheels /app/build /app/*.egg-info; \
    SECRET_KEY=build-only DEBUG=false python3 manage.py collectstatic --noinput -v 0; \
    python3 -m compileall -q /app >/dev/null; \
    chown -R app:app /app/staticfiles

EXPOSE 8000
USER app
# The web process; the worker service runs `python3 manage.py runpool` instead (as root, since it
# drives the Docker engine through /var/run/docker.sock).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "nodeengine.asgi:application"]
