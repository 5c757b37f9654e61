# syntax=docker/dockerfile:1

# ---- Stage 1: build the application into a virtualenv ----
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
COPY pyproject.toml README.md ./
COPY app/ ./app/
RUN pip install --no-cache-dir .

# ---- Stage 2: runtime image ----
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BDTX_HOST=0.0.0.0 \
    BDTX_PORT=8000 \
    BDTX_WORKERS=2 \
    BDTX_ENV=production

COPY --from=builder /opt/venv /opt/venv

# `bdtx serve` looks for alembic.ini and migrations/ in the working directory.
WORKDIR /srv/bdtx
COPY alembic.ini ./
COPY migrations/ ./migrations/

RUN groupadd --system --gid 10001 bdtx \
    && useradd --system --uid 10001 --gid bdtx --no-create-home --shell /usr/sbin/nologin bdtx

USER bdtx

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["bdtx", "serve"]
