#!/usr/bin/env bash
# Big-news-day speed (issue #21): the release server against nginx serving the same bytes as
# static files, and through Varnish. Prints markdown tables and writes target/bench/results.md.
#
#   make bench                       # 6-9 minutes on 2 cores once built (more when disturbed)
#   BENCH_SECONDS=10 make bench      # longer measurements (default 5 s, after a 1 s warm-up)
#   BENCH_WARMUP=2 BENCH_CONNECTIONS="32 256 1024" make bench
#   BENCH_SKIP_BUILD=1 make bench    # use target/release/newsroom and target/site as they are
#   BENCH_RETRIES=0 make bench       # do not repeat runs disturbed by other work (default: once)
#   BENCH_NICE=0 make bench          # servers and wrk at normal priority (default: nice -10)
#
# Core 0 serves (the app, or nginx, or Varnish with the app behind it), core 1 runs the load
# generator (wrk, one thread). Every server gets a fresh demo database in a temporary folder.
# "cold": the rendered-page cache off (NEWSROOM__PAGE_CACHE__MAX_BYTES=0); "cached": default
# configuration. See BENCHMARKS.md, "Big-news-day speed (make bench)", for how to read the output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# The value cargo-leptos compiles with (see Makefile).
export LEPTOS_OUTPUT_NAME=newsroom

SECS="${BENCH_SECONDS:-5}"
WARM="${BENCH_WARMUP:-1}"
read -r -a CONNS <<<"${BENCH_CONNECTIONS:-32 256}"
BIN="$ROOT/target/release/newsroom"
SITE="$ROOT/target/site"
OUT="$ROOT/target/bench"
SERVE_CPU=0
LOAD_CPU=1
# Servers and load generator run at a raised priority (root only), all alike, so that background
# builds on a shared machine (run at nice 0 or 10) take less from them.
PRIO="${BENCH_NICE:--10}"
nice -n "$PRIO" true 2>/dev/null || PRIO=0
started_at=$SECONDS

say() { printf '\033[1m[bench %3ss]\033[0m %s\n' "$((SECONDS - started_at))" "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(nproc)" -ge 2 ] || die "needs 2 cores (one serves, one loads); this machine has $(nproc)"
# Anything else running shares these cores: say so, and put it in the report.
cpu_busy_pct() { # how busy both cores are over one second, in percent of all of them
  local a b
  a="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)"
  sleep 1
  b="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f", 100 * busy / (busy + idle + 0.001) }'
}
BUSY_START="$(cpu_busy_pct)"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$BUSY_START" -gt 10 ]; then
  say "warning: the cores are ${BUSY_START}% busy before we start (load average $LOAD_START): the numbers will be lower and noisier"
fi

# --- tools ------------------------------------------------------------------------------------
NGINX_BROTLI=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
XKEY_VMOD="$(find /usr/lib -path '*varnish/vmods/libvmod_xkey.so' -print -quit 2>/dev/null || true)"
apt_missing=()
command -v nginx >/dev/null || apt_missing+=(nginx)
[ -f "$NGINX_BROTLI" ] || apt_missing+=(libnginx-mod-http-brotli-static)
command -v wrk >/dev/null || apt_missing+=(wrk)
command -v brotli >/dev/null || apt_missing+=(brotli)
command -v varnishd >/dev/null || apt_missing+=(varnish)
[ -n "$XKEY_VMOD" ] || apt_missing+=(varnish-modules)
command -v curl >/dev/null || apt_missing+=(curl)
command -v taskset >/dev/null || apt_missing+=(util-linux)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  say "installing from Debian: ${apt_missing[*]} (about 1 min, once per machine)"
  # The nginx and varnish packages start system daemons (port 80, 6081) when installed; a
  # policy-rc.d that says "no" keeps them from it. Ours is removed again right after.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
  XKEY_VMOD="$(find /usr/lib -path '*varnish/vmods/libvmod_xkey.so' -print -quit)"
fi

# --- the release build ------------------------------------------------------------------------
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  if [ ! -x "$BIN" ] || [ ! -d "$SITE/pkg" ] \
    || [ -n "$(find src style public migrations Cargo.toml Cargo.lock Leptos.toml -newer "$BIN" -print -quit)" ]; then
    say "building the release server (make build; about 10 min on 2 cores from cold)"
    scripts/bootstrap.sh
    nice -n 10 make --no-print-directory build >&2
  fi
fi
if [ ! -x "$BIN" ] || [ ! -d "$SITE/pkg" ]; then
  die "no release build at $BIN and $SITE (run make build)"
fi

# --- bookkeeping: every process we start is stopped, every temporary file removed ----------------
WORK="$(mktemp -d /tmp/newsroom-bench.XXXXXX)"
# nginx's worker and varnishd's child drop root; they must be able to read what is served.
chmod 755 "$WORK"
declare -A PIDS=()
stop() { # stop NAME: TERM, then KILL after 5 s
  local pid="${PIDS[$1]:-}"
  [ -n "$pid" ] || return 0
  unset "PIDS[$1]"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local name
  for name in "${!PIDS[@]}"; do stop "$name"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_200() { # wait_200 URL NAME LOG: up to 30 s
  for _ in $(seq 3000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = 200 ] && return 0
    if ! kill -0 "${PIDS[$2]}" 2>/dev/null; then
      tail -n 20 "$3" >&2 || true
      die "$2 exited while starting"
    fi
    sleep 0.01
  done
  tail -n 20 "$3" >&2 || true
  die "$2 did not answer 200 on $1 within 30 s"
}

# --- a fresh demo database --------------------------------------------------------------------
APP_PORT="$(free_port)"
APP="http://127.0.0.1:$APP_PORT"
app_env=(DATABASE_URL="sqlite://$WORK/newsroom.db" LEPTOS_SITE_ADDR="127.0.0.1:$APP_PORT"
  LEPTOS_SITE_ROOT="$SITE" NEWSROOM__SITE__BASE_URL="$APP"
  NEWSROOM__STORAGE__MEDIA_DIR="$WORK/media" RUST_LOG=warn)
say "fresh demo database in $WORK"
env "${app_env[@]}" "$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }
env "${app_env[@]}" "$BIN" seed-demo >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; die "seed-demo failed"; }
# The editor who changes a headline in step 4.
BENCH_EDITOR=bench-editor@example.org BENCH_PASSWORD="bench password $(date +%s)"
env "${app_env[@]}" NEWSROOM_PASSWORD="$BENCH_PASSWORD" "$BIN" create-editor --email "$BENCH_EDITOR" \
  --name "Bench Editor" --role editor >"$WORK/editor.log" 2>&1 || { cat "$WORK/editor.log" >&2; die "create-editor failed"; }

# Does this build know the page cache setting? (Unknown keys stop start-up.)
COLD_ENV=(NEWSROOM__PAGE_CACHE__MAX_BYTES=0)
COLD_NOTE=""
if ! env "${app_env[@]}" "${COLD_ENV[@]}" "$BIN" migrate >"$WORK/probe.log" 2>&1; then
  grep -qi page_cache "$WORK/probe.log" || { cat "$WORK/probe.log" >&2; die "migrate with ${COLD_ENV[*]} failed"; }
  COLD_ENV=()
  COLD_NOTE="This build has no page cache yet (page_cache.max_bytes is not a configuration key), so \"cold\" and \"cached\" ran the same configuration."
  say "no page cache in this build: the cold run uses the default configuration"
fi

# The cached server purges the Varnish of step 3 when the build knows cdn.varnish.
VARNISH_PORT="$(free_port)"
CACHED_ENV=(NEWSROOM__CDN__VARNISH="[\"http://127.0.0.1:$VARNISH_PORT/\"]")
PURGES_VARNISH=1
if ! env "${app_env[@]}" "${CACHED_ENV[@]}" "$BIN" migrate >"$WORK/probe.log" 2>&1; then
  grep -qi cdn "$WORK/probe.log" || { cat "$WORK/probe.log" >&2; die "migrate with ${CACHED_ENV[*]} failed"; }
  CACHED_ENV=()
  PURGES_VARNISH=""
fi

declare -A STARTUP_MS=() RSS_IDLE=() RSS_LOAD=() RSS_PEAK=()
start_app() { # start_app MODE
  local mode="$1" extra=() t0
  [ "$mode" = cold ] && extra=("${COLD_ENV[@]+"${COLD_ENV[@]}"}")
  [ "$mode" = cached ] && extra=("${CACHED_ENV[@]+"${CACHED_ENV[@]}"}")
  t0="$(now_ms)"
  env "${app_env[@]}" "${extra[@]+"${extra[@]}"}" nice -n "$PRIO" taskset -c "$SERVE_CPU" "$BIN" serve \
    >"$WORK/app-$mode.log" 2>&1 &
  PIDS[app]=$!
  wait_200 "$APP/healthz" app "$WORK/app-$mode.log"
  STARTUP_MS[$mode]=$(($(now_ms) - t0))
  sleep 1
  RSS_IDLE[$mode]="$(rss_kib "${PIDS[app]}")"
  RSS_LOAD[$mode]=0
  say "newsroom ($mode) pid ${PIDS[app]} on core $SERVE_CPU: first 200 on /healthz after ${STARTUP_MS[$mode]} ms, idle RSS $((RSS_IDLE[$mode] / 1024)) MiB"
}

# --- the pages --------------------------------------------------------------------------------
start_app cold
SECTION="$(awk '/^\[\[sections\]\]/ { s = 1 } s && /^slug *=/ { gsub(/"/, "", $3); print $3; exit }' Leptos.toml)"
curl -sf "$APP/" -o "$WORK/front.html"
# The first link of the form /<section>/<slug> on the front page is an article.
sections_re="$(awk '/^\[\[sections\]\]/ { s = 1; next } /^\[/ { s = 0 } s && /^slug *=/ { gsub(/"/, "", $3); printf "%s%s", sep, $3; sep = "|" }' Leptos.toml)"
ARTICLE="$(grep -oE "href=\"/($sections_re)/[a-z0-9][a-z0-9-]*\"" "$WORK/front.html" | head -1 | cut -d'"' -f2 || true)"
[ -n "$ARTICLE" ] || die "no article link on the front page"
PAGE_NAMES=(front article section news-feed feed)
declare -A PAGE_URL=([front]=/ [article]="$ARTICLE" [section]="/$SECTION" [news-feed]=/news-feed [feed]=/feed.xml)
declare -A PAGE_TYPE=()
mkdir -p "$WORK/www"
for p in "${PAGE_NAMES[@]}"; do
  code_type="$(curl -s -o "$WORK/www/$p" -w '%{http_code} %{content_type}' "$APP${PAGE_URL[$p]}")"
  [ "${code_type%% *}" = 200 ] || die "${PAGE_URL[$p]} answered ${code_type%% *}"
  PAGE_TYPE[$p]="${code_type#* }"
  # nginx serves these next to the page with Accept-Encoding (brotli_static, gzip_static).
  brotli -q 11 -k -f "$WORK/www/$p"
  gzip -9 -k -f "$WORK/www/$p"
  say "page $p ${PAGE_URL[$p]}: $(wc -c <"$WORK/www/$p") bytes, ${PAGE_TYPE[$p]}"
done
chmod -R a+rX "$WORK/www"

# --- bytes on the wire --------------------------------------------------------------------------
wire() { # wire URL ENCODING -> bytes of the response body as sent
  if [ "$2" = identity ]; then
    curl -s -o /dev/null -w '%{size_download}' "$1"
  else
    curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $2" "$1"
  fi
}
BYTES_TSV="$WORK/bytes.tsv"
for p in "${PAGE_NAMES[@]}"; do
  printf 'page\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "${PAGE_URL[$p]}" \
    "$(wire "$APP${PAGE_URL[$p]}" identity)" "$(wire "$APP${PAGE_URL[$p]}" gzip)" \
    "$(wire "$APP${PAGE_URL[$p]}" br)" "$(wc -c <"$WORK/www/$p.br")" >>"$BYTES_TSV"
done
# The assets the front page loads (CSS, JS, WASM; the split-off WASM chunks load on demand).
for f in "$SITE"/pkg/*.css "$SITE"/pkg/*.js "$SITE"/pkg/*.wasm; do
  [ -f "$f" ] || continue
  name="${f##*/}"
  printf 'asset\t%s\t/pkg/%s\t%s\t%s\t%s\t%s\n' "$name" "$name" \
    "$(wire "$APP/pkg/$name" identity)" "$(wire "$APP/pkg/$name" gzip)" \
    "$(wire "$APP/pkg/$name" br)" "$(brotli -q 11 -c "$f" | wc -c)" >>"$BYTES_TSV"
done

# --- load -----------------------------------------------------------------------------------------
RESULTS="$WORK/results.tsv"
to_ms() { # wrk's 1.23ms / 850.00us / 1.02s -> milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 } }'
}
# Other work on the serving core during a run: its busy time (user, nice, system) less what the
# server's processes used. Interrupt time is left out (loopback traffic is accounted there).
SERVER_PIDS=""
server_ticks() {
  local pid all=() t=0
  for pid in $SERVER_PIDS; do
    all+=("$pid")
    mapfile -t -O "${#all[@]}" all < <(pgrep -P "$pid" || true)
  done
  for pid in "${all[@]}"; do
    # utime and stime: fields 14 and 15, counted after the ")" that ends the command name
    t=$((t + $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0)))
  done
  echo "$t"
}
core_ticks() { # busy and total ticks of the serving core
  awk -v c="cpu$SERVE_CPU" '$1 == c { print $2 + $3 + $4, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}
# attempt URL CONNECTIONS OUT [PID] [wrk header args...]: one warm-up and one measured run;
# prints the share of the serving core that other work took meanwhile.
attempt() {
  local url="$1" c="$2" out="$3" pid="$4" sampler="" core0 server0 core1 server1
  shift 4
  nice -n "$PRIO" taskset -c "$LOAD_CPU" wrk -t1 -c"$c" -d"${WARM}s" --timeout 10s "$@" "$url" >/dev/null
  rm -f "$WORK/rss-sample"
  if [ -n "$pid" ]; then
    ( sleep "$(awk -v s="$SECS" 'BEGIN { print s / 2 }')"; rss_kib "$pid" >"$WORK/rss-sample" ) &
    sampler=$!
  fi
  core0="$(core_ticks)"
  server0="$(server_ticks)"
  nice -n "$PRIO" taskset -c "$LOAD_CPU" wrk -t1 -c"$c" -d"${SECS}s" --timeout 10s --latency "$@" "$url" >"$out"
  core1="$(core_ticks)"
  server1="$(server_ticks)"
  [ -z "$sampler" ] || wait "$sampler"
  awk -v a="$core0" -v b="$core1" -v s0="$server0" -v s1="$server1" 'BEGIN {
    split(a, x, " "); split(b, y, " "); o = (y[1] - x[1]) - (s1 - s0); if (o < 0) o = 0;
    printf "%.0f", 100 * o / (y[2] - x[2] + 0.001) }'
}
# A run that shared the serving core with other work (over 10 %) is tried again, up to
# BENCH_RETRIES more times; the least disturbed attempt counts.
RETRIES="${BENCH_RETRIES:-1}"
# load SERVER BASE PAGE CONNECTIONS ENCODING [PID to sample RSS from]
load() {
  local server="$1" base="$2" page="$3" c="$4" enc="$5" pid="${6:-}" hdr=() out rps p50 p99 errs
  local others best=101 try r
  [ "$enc" = br ] && hdr=(-H "Accept-Encoding: br")
  out="$WORK/wrk-$server-$page-$c-$enc.txt"
  for try in $(seq 0 "$RETRIES"); do
    others="$(attempt "$base${PAGE_URL[$page]}" "$c" "$out.try" "$pid" "${hdr[@]+"${hdr[@]}"}")"
    if [ -n "$pid" ] && [ -s "$WORK/rss-sample" ]; then
      r="$(cat "$WORK/rss-sample")"
      [ "$r" -le "${RSS_LOAD[$cur_mode]}" ] || RSS_LOAD[$cur_mode]="$r"
    fi
    if [ "$others" -lt "$best" ]; then
      best="$others"
      mv "$out.try" "$out"
    fi
    [ "$best" -gt 10 ] || break
    [ "$try" = "$RETRIES" ] || say "$server $page $c $enc: other work took ${others}% of core $SERVE_CPU; again"
  done
  others="$best"
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
  errs="$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$page" "$c" "$enc" "$rps" "$p50" "$p99" "$errs" "$others" >>"$RESULTS"
  say "$(printf '%-14s %-9s %4s conns %-8s %9s req/s  p50 %8s ms  p99 %8s ms%s%s' "$server" "$page" "$c" "$enc" "$rps" "$p50" "$p99" \
    "$([ "$errs" = 0 ] || echo "  ($errs errors)")" "$([ "$others" -le 5 ] || echo "  (other work took ${others}% of core $SERVE_CPU)")")"
}
# Every page at every connection count, plus front and article with Accept-Encoding: br.
run_all() { # run_all SERVER BASE [PID]
  local p c
  for c in "${CONNS[@]}"; do
    for p in "${PAGE_NAMES[@]}"; do load "$1" "$2" "$p" "$c" identity "${3:-}"; done
    for p in front article; do load "$1" "$2" "$p" "$c" br "${3:-}"; done
  done
}
runs=$(( ${#CONNS[@]} * 7 * 3 + ${#CONNS[@]} * 4 ))
say "$runs runs of ${WARM}+${SECS} s: about $(( runs * (WARM + SECS) / 60 + 1 )) min of load from here"

# nginx: one worker on the serving core, its own prefix, config and port; no daemon.
NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx/logs"
{
  echo "worker_processes 1;"
  echo "worker_cpu_affinity $((1 << SERVE_CPU));"
  echo "daemon off;"
  echo "pid $WORK/nginx/nginx.pid;"
  echo "error_log $WORK/nginx/logs/error.log warn;"
  echo "load_module $NGINX_BROTLI;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off; server_tokens off; sendfile on; tcp_nopush on; tcp_nodelay on;"
  echo "  keepalive_requests 1000000; keepalive_timeout 65;"
  for d in client_body proxy fastcgi uwsgi scgi; do echo "  ${d}_temp_path $WORK/nginx/$d;"; done
  echo "  brotli_static on; gzip_static on;"
  echo "  server {"
  echo "    listen 127.0.0.1:$NGINX_PORT;"
  echo "    root $WORK/www;"
  for p in "${PAGE_NAMES[@]}"; do
    echo "    location = ${PAGE_URL[$p]} { types { } default_type \"${PAGE_TYPE[$p]}\"; try_files /$p =404; }"
  done
  echo "  }"
  echo "}"
} >"$WORK/nginx/nginx.conf"
nice -n "$PRIO" taskset -c "$SERVE_CPU" nginx -e "$WORK/nginx/logs/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS[nginx]=$!
NGINX="http://127.0.0.1:$NGINX_PORT"
wait_200 "$NGINX/" nginx "$WORK/nginx/logs/error.log"
for p in "${PAGE_NAMES[@]}"; do
  curl -s -o "$WORK/check" "$NGINX${PAGE_URL[$p]}"
  cmp -s "$WORK/check" "$WORK/www/$p" || die "nginx does not serve the bytes of $p"
  [ "$(curl -s -o /dev/null -w '%{content_type}' "$NGINX${PAGE_URL[$p]}")" = "${PAGE_TYPE[$p]}" ] \
    || die "nginx serves $p with another Content-Type"
  [ "$(curl -s -o /dev/null -w '%header{content-encoding}' -H 'Accept-Encoding: br' "$NGINX${PAGE_URL[$p]}")" = br ] \
    || die "nginx does not serve $p.br"
done
say "nginx $(nginx -v 2>&1 | cut -d/ -f2) pid ${PIDS[nginx]} on core $SERVE_CPU serves the same bytes"
cur_mode=nginx
SERVER_PIDS="${PIDS[nginx]}"
RSS_LOAD[nginx]=0
run_all nginx "$NGINX"
stop nginx

cur_mode=cold
SERVER_PIDS="${PIDS[app]}"
run_all newsroom-cold "$APP" "${PIDS[app]}"
RSS_PEAK[cold]="$(hwm_kib "${PIDS[app]}")"
stop app

start_app cached
cur_mode=cached
SERVER_PIDS="${PIDS[app]}"
run_all newsroom-cached "$APP" "${PIDS[app]}"
RSS_PEAK[cached]="$(hwm_kib "${PIDS[app]}")"

# --- Varnish in front of the cached server ---------------------------------------------------------
# The serving core is shared by varnishd and the app behind it, as nginx had that core alone.
mkdir -p "$WORK/varnish"
sed -e "s/\.port = \"3000\";/.port = \"$APP_PORT\";/" deploy/varnish/newsroom.vcl >"$WORK/varnish/newsroom.vcl"
chmod -R a+rX "$WORK/varnish"
nice -n "$PRIO" taskset -c "$SERVE_CPU" varnishd -F -n "$WORK/varnish/state" -a "127.0.0.1:$VARNISH_PORT" \
  -T 127.0.0.1:0 -f "$WORK/varnish/newsroom.vcl" -s malloc,256M -p http_gzip_support=off \
  >"$WORK/varnish/varnishd.log" 2>&1 &
PIDS[varnish]=$!
VARNISH="http://127.0.0.1:$VARNISH_PORT"
wait_200 "$VARNISH/healthz" varnish "$WORK/varnish/varnishd.log"
for p in front article; do
  for enc in identity br; do wire "$VARNISH${PAGE_URL[$p]}" "$enc" >/dev/null; done
  hits="$(curl -s -o /dev/null -w '%header{x-varnish}' "$VARNISH${PAGE_URL[$p]}")"
  [ "$(wc -w <<<"$hits")" = 2 ] || die "Varnish does not cache $p (X-Varnish: $hits)"
done
say "varnishd $(varnishd -V 2>&1 | head -1 | grep -oE 'varnish-[0-9.]+') pid ${PIDS[varnish]} on core $SERVE_CPU (with the app) caches front and article"
SERVER_PIDS="${PIDS[varnish]} ${PIDS[app]}"
for c in "${CONNS[@]}"; do
  for p in front article; do
    for enc in identity br; do load varnish "$VARNISH" "$p" "$c" "$enc"; done
  done
done

# --- an edited headline through Varnish --------------------------------------------------------------
PURGE_NOTE=""
purge_answer="$(curl -s -X PURGE -H 'xkey-purge: bench-no-such-tag' -w ' %{http_code}' "$VARNISH/")"
[ "${purge_answer##* }" = 200 ] || die "Varnish PURGE answered: $purge_answer"
if [ -n "$PURGES_VARNISH" ]; then
  # The editor saves a new headline through the app (its own form, posted as a browser
  # without JavaScript does); readers poll Varnish every 10 ms from the moment the save is
  # answered. Three edits; the slowest counts.
  purge_ms=()
  for _ in 1 2 3; do
    ms="$(scripts/bench/edit_headline.py "$APP" "$VARNISH" "$ARTICLE" "$BENCH_EDITOR" "$BENCH_PASSWORD")" \
      || die "editing the headline failed"
    purge_ms+=("$ms")
    sleep 0.5
  done
  worst="$(printf '%s\n' "${purge_ms[@]}" | sort -n | tail -1)"
  PURGE_NOTE="edited headline visible through Varnish after ${purge_ms[*]} ms (three edits; target 1,000 ms): the app's purge by tag (xkey) reached Varnish. Varnish's side answers: PURGE with xkey-purge -> ${purge_answer% *}."
  PURGE_NOTE="${PURGE_NOTE/after ${purge_ms[*]} ms/after ${purge_ms[*]} ms, slowest $worst ms}"
else
  PURGE_NOTE="purge not wired yet: this build has no cdn.varnish setting and sends no PURGE, so an edited headline shows through Varnish only when the stored copy expires (s-maxage, 30 s in this build). Varnish's side answers: PURGE with xkey-purge -> ${purge_answer% *}."
fi
say "edited headline through Varnish: ${PURGE_NOTE%%:*}"
stop varnish
stop app

# The example VCL's rules, against a stub backend that sends every header the rules read.
say "checking deploy/varnish/newsroom.vcl against a stub backend (about 25 s)"
scripts/bench/varnish-vcl-check.sh >"$WORK/vcl-check.txt" 2>&1 || true
sed 's/^/    /' "$WORK/vcl-check.txt" >&2
VCL_CHECK="$(tail -n 1 "$WORK/vcl-check.txt")"

# --- the report --------------------------------------------------------------------------------------
mkdir -p "$OUT"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel=$(uname -sr)"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src style Cargo.toml Cargo.lock Leptos.toml || echo ' (with uncommitted changes)')"
  echo "nginx=$(nginx -v 2>&1 | cut -d/ -f2)"
  echo "varnish=$(varnishd -V 2>&1 | head -1 | grep -oE 'varnish-[0-9.]+')"
  echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{ print $2 }')"
  echo "load=${BUSY_START}% busy (load average $LOAD_START)"
  echo "prio=$PRIO"
  echo "seconds=$SECS"
  echo "warmup=$WARM"
  echo "cold_note=$COLD_NOTE"
  echo "purge_note=$PURGE_NOTE"
  echo "vcl_check=$VCL_CHECK"
  for m in cold cached; do
    echo "startup_$m=${STARTUP_MS[$m]}"
    echo "rss_idle_$m=${RSS_IDLE[$m]}"
    echo "rss_load_$m=${RSS_LOAD[$m]}"
    echo "rss_peak_$m=${RSS_PEAK[$m]}"
  done
  echo "article=$ARTICLE"
  echo "section=/$SECTION"
} >"$WORK/meta.txt"
python3 scripts/bench/report.py "$WORK/meta.txt" "$RESULTS" "$BYTES_TSV" >"$OUT/results.md"
cat "$OUT/results.md"
say "done in $(((SECONDS - started_at) / 60)) min $(((SECONDS - started_at) % 60)) s; written to target/bench/results.md"
