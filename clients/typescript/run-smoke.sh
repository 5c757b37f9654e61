#!/usr/bin/env bash
# The TypeScript smoke client against a live demo server: npm ci, types generated from
# openapi/openapi.json with openapi-typescript's default options, tsc --strict, then the
# compiled script against `bdtx serve` on a throwaway SQLite database with the demo loaded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${BDTX_BIN:-$root/.venv/bin}"
cd "$here"

npm ci --no-audit --no-fund --loglevel=error
npm run --silent generate
npx tsc -p tsconfig.json   # strict: tsconfig.json

work="$(mktemp -d)"
port="$("$bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export BDTX_DATABASE_URL="sqlite:///$work/demo.db" BDTX_HOST=127.0.0.1 BDTX_PORT="$port"
unset BDTX_TEST_DATABASE_URL
"$bin/bdtx" seed-demo >/dev/null
"$bin/bdtx" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
BDTX_URL="http://127.0.0.1:$port" node build/smoke.js
