#!/usr/bin/env bash
# `make run`: install, migrate the embedded SQLite database, load the demo once, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-uv.sh
echo "==> syncing dependencies"
$UV sync --frozen --quiet
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Links the service hands out (media, e-mails, the demo's WebSocket address) name where it runs.
export LIVEHOUSE_BASE_URL="${LIVEHOUSE_BASE_URL:-http://${HOST}:${PORT}}"
echo "==> migrating ${LIVEHOUSE_DATABASE_URL:-the embedded SQLite database under ./var/}"
$UV run --frozen livehouse migrate
$UV run --frozen livehouse demo
echo "==> serving on http://${HOST}:${PORT} (API docs: http://${HOST}:${PORT}/docs)"
exec $UV run --frozen livehouse serve --host "$HOST" --port "$PORT"
