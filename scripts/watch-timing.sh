#!/usr/bin/env bash
# Measures the `cargo leptos watch` loop: seconds from a saved change to the server answering
# with it, for (a) a CSS change, (b) a change inside a page's `view!`, (c) a change in server
# code. Each edit adds a unique marker, the script polls until the marker is served, then puts
# the file back (and waits for that rebuild too, untimed). Prints one line per case.
#
#   scripts/watch-timing.sh            # uses a temporary database on 127.0.0.1:3300
#   ROUNDS=1 scripts/watch-timing.sh   # each case once instead of twice
#
# The live-reload websocket reloads open browser tabs when the rebuild is served, so "served"
# is what a developer waits for, less the browser's own reload (a few milliseconds).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

PORT="${PORT:-3300}"
BASE="http://127.0.0.1:$PORT"
DATA="$(mktemp -d)"
LOG="$DATA/watch.log"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_RELOAD_PORT="$((PORT + 1))"
export DATABASE_URL="sqlite://$DATA/newsroom.db" NEWSROOM__STORAGE__MEDIA_DIR="$DATA/media"
export NEWSROOM__MAIL__OUTBOX_DIR="$DATA/outbox" NEWSROOM__SITE__BASE_URL="$BASE"

CSS=style/main.css
VIEW=src/app/components/layout.rs
SERVER=src/server/infra/syndication/sitemaps.rs
for f in "$CSS" "$VIEW" "$SERVER"; do cp "$f" "$DATA/$(basename "$f").orig"; done
restore() {
  for f in "$CSS" "$VIEW" "$SERVER"; do cp "$DATA/$(basename "$f").orig" "$f"; done
}
watch_pid=""
cleanup() {
  restore
  [ -z "$watch_pid" ] || kill -- "-$watch_pid" 2>/dev/null || true
}
trap cleanup EXIT

# Start the watcher in its own process group so it and the server it runs stop together.
started=$SECONDS
set -m
cargo leptos watch >"$LOG" 2>&1 &
watch_pid=$!
set +m
until curl -fs "$BASE/healthz" >/dev/null 2>&1; do
  kill -0 "$watch_pid" 2>/dev/null || { tail -40 "$LOG"; echo "cargo leptos watch stopped"; exit 1; }
  sleep 1
done
echo "first dev build and start: $((SECONDS - started)) s"
# cargo-leptos sets up its file watcher only after the server is up; an edit before that is
# never seen. Wait until it says so.
until grep -q "Creating.*ignore list" "$LOG"; do sleep 0.5; done
sleep 3

# Seconds (to 0.1 s) until `path` on the server contains `marker`.
wait_for() {
  local path="$1" marker="$2" t0 t1
  t0=$(date +%s.%N)
  until curl -fs "$BASE$path" 2>/dev/null | grep -q -- "$marker"; do sleep 0.1; done
  t1=$(date +%s.%N)
  printf '%.1f' "$(echo "$t1 - $t0" | bc)"
}
wait_gone() {
  local path="$1" marker="$2"
  while curl -fs "$BASE$path" 2>/dev/null | grep -q -- "$marker"; do sleep 0.2; done
}

# In watch mode cargo-leptos rewrites the unhashed stylesheet and tells open pages over the
# live-reload socket to swap their stylesheet for it (no page reload): that file is what to poll.
css_path() { echo "/pkg/newsroom.css"; }

for round in $(seq 1 "${ROUNDS:-2}"); do
  m="probe-css-$round-$RANDOM"
  printf '\n.%s { color: red; }\n' "$m" >>"$CSS"
  t0=$(date +%s.%N)
  until p="$(css_path)" && [ -n "$p" ] && curl -fs "$BASE$p" | grep -q -- "$m"; do sleep 0.1; done
  t1=$(date +%s.%N)
  printf '(a) CSS change, round %s: %.1f s\n' "$round" "$(echo "$t1 - $t0" | bc)"
  cp "$DATA/main.css.orig" "$CSS"; sleep 2

  m="probe-view-$round-$RANDOM"
  sed -i "s/\"All newsletters\"/\"All newsletters $m\"/" "$VIEW"
  printf '(b) view! change, round %s: %s s\n' "$round" "$(wait_for / "$m")"
  cp "$DATA/layout.rs.orig" "$VIEW"; wait_gone / "$m"

  m="probe-server-$round-$RANDOM"
  sed -i "s|User-agent: \\*\\\\n|User-agent: *\\\\n# $m\\\\n|" "$SERVER"
  grep -q "$m" "$SERVER" || { echo "could not place the server-code probe"; exit 1; }
  printf '(c) server code change, round %s: %s s\n' "$round" "$(wait_for /robots.txt "$m")"
  cp "$DATA/sitemaps.rs.orig" "$SERVER"; wait_gone /robots.txt "$m"
done
