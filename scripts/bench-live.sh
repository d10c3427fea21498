#!/usr/bin/env bash
# Live push benchmark: N concurrent SSE connections to a fresh server, M posted updates;
# prints publish-to-deliver latency p50/p99 and server memory per connection.
#
#   scripts/bench-live.sh 1000          # N = 1,000 connections
#   scripts/bench-live.sh 10000 20      # N = 10,000 connections, 20 posts
#   scripts/bench-live.sh 50000         # past one address's ephemeral ports (see below)
#
# Needs a release build (make build). Client and server share this machine's cores, so the
# latency includes the benchmark client's own scheduling.
set -euo pipefail
cd "$(dirname "$0")/.."
# The value cargo-leptos compiles with, so this build shares its artefacts (see Makefile).
export LEPTOS_OUTPUT_NAME=newsroom
N="${1:-1000}"
POSTS="${2:-20}"
# Server and client each hold N sockets.
# Raising the hard limit needs CAP_SYS_RESOURCE (not granted in this container: 20,000)
ulimit -Hn 200000 2>/dev/null || true
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# One loopback source address has only the ephemeral port range (32768-60999 by default,
# about 28,000 ports): past 20,000 connections the client spreads them over 127.0.0.2,
# 127.0.0.3, … (one per 20,000). No sysctl is changed.
SOURCES=0
if [ "$N" -gt 20000 ]; then SOURCES=$(((N + 19999) / 20000)); fi
cargo build --quiet --release --no-default-features --features ssr --bin live_bench
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$WORK/newsroom.db" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
  LEPTOS_SITE_ROOT="$PWD/target/site" NEWSROOM__SITE__BASE_URL="http://127.0.0.1:$PORT" \
  NEWSROOM__STORAGE__MEDIA_DIR="$WORK/media" RUST_LOG=warn \
  NEWSROOM__LIMITS__LIVE_CONNECTIONS=$((N + 100)) \
  NEWSROOM__LIMITS__LIVE_CONNECTIONS_PER_CLIENT=$((N + 100))
target/release/newsroom migrate >/dev/null
NEWSROOM_PASSWORD="bench password 1234" target/release/newsroom create-editor \
  --email bench@example.org --name Bench --role editor >/dev/null
target/release/newsroom serve & SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
echo "N = $N connections, $POSTS posts, server pid $SERVER ($(nproc) cores shared with the client)"
target/release/live_bench --addr "127.0.0.1:$PORT" --pid "$SERVER" --connections "$N" \
  --posts "$POSTS" --email bench@example.org --password "bench password 1234" --sources "$SOURCES"
