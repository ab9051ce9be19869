#!/usr/bin/env bash
# Make PostgreSQL and Redis reachable for the tests; stop afterwards only what this script started.
# Also installs Debian's chromium and chromium-driver for the browser tests (when root; the
# tests skip with a reason otherwise). No browser is ever downloaded from elsewhere.
#   scripts/test-services.sh up     # start what is missing (installs Debian packages when root)
#   scripts/test-services.sh down   # stop what 'up' started
set -euo pipefail

PG_PORT="${KCC_TEST_PG_PORT:-5432}"
REDIS_PORT="${KCC_TEST_REDIS_PORT:-6379}"
STATE_DIR="${KCC_TEST_STATE_DIR:-$(pwd)/var/test-services}"
mkdir -p "$STATE_DIR"

log() { echo "[test-services] $*" >&2; }
reachable() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  if ! is_root; then
    log "cannot install $* without root; start the service yourself or run as root"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}

wait_port() {
  for _ in $(seq 1 100); do reachable "$1" && return 0; sleep 0.1; done
  log "port $1 did not open"; return 1
}

pg_up() {
  if reachable "$PG_PORT"; then log "PostgreSQL already reachable on $PG_PORT"; return; fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$bindir" ]; then apt_install postgresql; bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1); fi
  local data="$STATE_DIR/pgdata" run=(); local owner
  if is_root; then run=(runuser -u postgres --); owner=postgres; else owner=$(id -un); fi
  rm -rf "$data"; mkdir -p "$data"; chown "$owner" "$data" "$STATE_DIR"
  # A private throw-away cluster with trust auth on loopback only: nothing of the system's is touched.
  "${run[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data -c fsync=off" start >/dev/null
  echo "$bindir" > "$STATE_DIR/pg.started"
  wait_port "$PG_PORT"; log "PostgreSQL started on $PG_PORT"
}

redis_up() {
  if reachable "$REDIS_PORT"; then log "Redis already reachable on $REDIS_PORT"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STATE_DIR" --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log"
  touch "$STATE_DIR/redis.started"
  wait_port "$REDIS_PORT"; log "Redis started on $REDIS_PORT"
}

pg_down() {
  [ -f "$STATE_DIR/pg.started" ] || return 0
  local bindir; bindir=$(cat "$STATE_DIR/pg.started")
  local run=(); is_root && run=(runuser -u postgres --)
  "${run[@]}" "$bindir/pg_ctl" -D "$STATE_DIR/pgdata" -m fast -w stop >/dev/null || true
  rm -rf "$STATE_DIR/pgdata" "$STATE_DIR/pg.started"; log "PostgreSQL stopped"
}

redis_down() {
  [ -f "$STATE_DIR/redis.started" ] || return 0
  [ -f "$STATE_DIR/redis.pid" ] && kill "$(cat "$STATE_DIR/redis.pid")" 2>/dev/null || true
  rm -f "$STATE_DIR/redis.started" "$STATE_DIR/redis.pid"; log "Redis stopped"
}

browser_up() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return; fi
  if ! is_root; then log "chromium is not installed and this is not root: browser tests will skip"; return; fi
  apt_install chromium chromium-driver; log "chromium installed"
}

case "${1:-}" in
  up) pg_up; redis_up; browser_up ;;
  down) redis_down; pg_down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
