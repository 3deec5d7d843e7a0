#!/usr/bin/env bash
# `make test`: install what the tests need, start a throwaway PostgreSQL and Redis on loopback,
# run the whole suite on SQLite and then on PostgreSQL, stop the servers, fail on any failure.
# Extra arguments go to pytest (e.g. `make test ARGS="tests/core -x"`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
. scripts/ensure-uv.sh

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
WORK="$(mktemp -d /tmp/livehouse-test.XXXXXX)"
chmod 755 "$WORK"
PG_STARTED=""
REDIS_PIDFILE="$WORK/redis.pid"

as_postgres() {
  # PostgreSQL refuses to run as root; as any other user it runs as that user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  set +e
  if [ -n "$PG_STARTED" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1; fi
  if [ -f "$REDIS_PIDFILE" ]; then kill "$(cat "$REDIS_PIDFILE")" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "==> syncing dependencies"
$UV sync --frozen --quiet

if ! command -v redis-server >/dev/null 2>&1; then
  echo "==> installing redis-server (Debian package)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
if [ -f tests/js/package.json ] && [ ! -d tests/js/node_modules ]; then
  echo "==> installing the JavaScript test clients (npm ci)"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "==> starting PostgreSQL (throwaway, loopback)"
PG_PORT="$(free_port)"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
# Durability is pointless for a database thrown away in minutes; speed is not.
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null
PG_STARTED=1

echo "==> starting Redis (throwaway, loopback)"
REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$WORK/redis.log" --dir "$WORK"
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

export LIVEHOUSE_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export LIVEHOUSE_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/postgres"

# Most tests wait (on sockets, subprocesses, the outbox): a few workers per core finish the suite
# in a fraction of the time. Each worker has its own database and Redis database. Files stay
# whole on one worker (module fixtures start servers). LIVEHOUSE_TEST_WORKERS=0: one process.
WORKERS="${LIVEHOUSE_TEST_WORKERS:-3}"
PARALLEL=()
[ "$WORKERS" != 0 ] && PARALLEL=(-n "$WORKERS" --dist loadfile)

run_suite() {
  local name="$1" url="$2"; shift 2
  echo "==> test suite on $name"
  set +e
  LIVEHOUSE_TEST_DATABASE_URL="$url" $UV run --frozen pytest -p no:cacheprovider "${PARALLEL[@]}" "$@"
  local rc=$?
  set -e
  # pytest exits 5 when it collected no tests: that is not a pass.
  if [ "$rc" = 5 ]; then echo "!! no tests ran on $name"; rc=1; fi
  return "$rc"
}

SQLITE_RC=0; PG_RC=0
run_suite sqlite "sqlite+aiosqlite:///$WORK/test.db" "$@" || SQLITE_RC=$?
run_suite postgresql "$LIVEHOUSE_TEST_POSTGRES_URL" "$@" || PG_RC=$?

echo "==> summary: sqlite exit $SQLITE_RC, postgresql exit $PG_RC"
if [ "$SQLITE_RC" != 0 ] || [ "$PG_RC" != 0 ]; then
  echo "FAILED"
  exit 1
fi
echo "PASSED on SQLite and PostgreSQL"
cd "$ROOT"
