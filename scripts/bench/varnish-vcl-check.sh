#!/usr/bin/env bash
# Checks deploy/varnish/newsroom.vcl against a stub backend (scripts/bench/stub_backend.py):
# pass rules, cookies, Accept-Encoding variants, tags stripped, xkey purge and its ACL,
# stale-while-revalidate and stale-if-error. About 25 s; needs varnish and varnish-modules.
# Prints one line per check and "N passed, N failed"; exits non-zero when one failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="$(mktemp -d /tmp/newsroom-vcl-check.XXXXXX)"
chmod 755 "$WORK"
STUB="" VARNISH=""
cleanup() {
  local pid
  for pid in $VARNISH $STUB; do
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
BPORT="$(free_port)"
VPORT="$(free_port)"
python3 scripts/bench/stub_backend.py "$BPORT" & STUB=$!
sed -e "s/\.port = \"3000\";/.port = \"$BPORT\";/" deploy/varnish/newsroom.vcl >"$WORK/newsroom.vcl"
chmod 644 "$WORK/newsroom.vcl"
varnishd -F -n "$WORK/state" -a "127.0.0.1:$VPORT" -T 127.0.0.1:0 -f "$WORK/newsroom.vcl" \
  -s malloc,16M -p http_gzip_support=off >"$WORK/varnishd.log" 2>&1 & VARNISH=$!
U="http://127.0.0.1:$VPORT"
for _ in $(seq 100); do curl -sf "$U/healthz" >/dev/null && break; sleep 0.1; done

passed=0 failed=0
# get ARGS... -> "STATUS|X-Varnish|Age|body" (headers lower-cased names)
get() {
  curl -s -D "$WORK/h" -o "$WORK/b" "$@" || true
  printf '%s|%s|%s|%s|%s\n' "$(awk 'NR == 1 { print $2 }' "$WORK/h")" \
    "$(tr -d '\r' <"$WORK/h" | awk -F': ' 'tolower($1) == "x-varnish" { print $2 }')" \
    "$(tr -d '\r' <"$WORK/h" | awk -F': ' 'tolower($1) == "age" { print $2 }')" \
    "$(tr -d '\r' <"$WORK/h" | grep -ciE '^(xkey|surrogate-key):' || true)" \
    "$(cat "$WORK/b")"
}
# check NAME RESULT PATTERN: RESULT must match the extended regex PATTERN
check() {
  if [[ "$2" =~ $3 ]]; then
    passed=$((passed + 1)); printf 'ok    %s\n' "$1"
  else
    failed=$((failed + 1)); printf 'FAIL  %s: got "%s"\n' "$1" "$2"
  fi
}
HIT='^200\|[0-9]+ [0-9]+\|'   # two ids in X-Varnish: served from the cache
MISS='^200\|[0-9]+\|'

r1="$(get "$U/a")"
check "first GET is fetched, tags stripped" "$r1" "${MISS}[0-9]+\|0\|render"
check "second GET is a hit" "$(get "$U/a")" "$HIT"
check "analytics cookies are dropped: hit, backend saw none" "$(get -H 'Cookie: _ga=GA1.2.3; consent=yes' "$U/a")" "${HIT}.*cookie=None"
check "nr_session passes with its cookies" "$(get -H 'Cookie: _ga=1; nr_session=abc' "$U/a")" "${MISS}.*cookie=_ga=1; nr_session=abc"
check "nr_reader passes" "$(get -H 'Cookie: nr_reader=abc' "$U/a")" "${MISS}.*cookie=nr_reader=abc"
check "?flash= passes with its cookie" "$(get -H 'Cookie: nr_flash=x' "$U/a?flash=1")" "${MISS}.*cookie=nr_flash=x"
check "Accept-Encoding br is normalised and has its own copy" "$(get -H 'Accept-Encoding: gzip, deflate, br' "$U/a")" "${MISS}.*ae=br"
check "… which the next br reader gets" "$(get -H 'Accept-Encoding: br;q=1.0, gzip' "$U/a")" "$HIT"
check "Accept-Encoding gzip is normalised" "$(get -H 'Accept-Encoding: deflate, gzip' "$U/a")" "${MISS}.*ae=gzip"
check "Accept-Encoding without br/gzip shares the plain copy" "$(get -H 'Accept-Encoding: deflate' "$U/a")" "$HIT"
check "POST passes" "$(get -X POST -d x "$U/a")" "${MISS}.*posted"
get "$U/plain" >/dev/null
check "no Cache-Control: not stored" "$(get "$U/plain")" "$MISS"
get "$U/cookie" >/dev/null
check "Set-Cookie: not stored" "$(get "$U/cookie")" "$MISS"
check "PURGE without xkey-purge: 400" "$(get -X PURGE "$U/")" '^400'
check "PURGE from outside the ACL: 403" "$(get --interface 127.0.0.2 -X PURGE -H 'xkey-purge: front' "$U/")" '^403'
check "PURGE by tag: 200 and the count (at least the 3 copies of /a)" "$(get -X PURGE -H 'xkey-purge: front' "$U/")" '^200\|.*purged [3-9]'
check "purged page is fetched again" "$(get "$U/a")" "$MISS"
get "$U/s" >/dev/null
sleep 3.2
check "expired, within stale-while-revalidate: stale copy at once" "$(get "$U/s")" "${HIT}[3-9]\|"
sleep 0.5
check "… refreshed in the background" "$(get "$U/s")" "${HIT}0\|"
sleep 6
check "past stale-while-revalidate, app up: fresh fetch" "$(get "$U/s")" "${MISS}[0-9]+\|0\|"
curl -s "http://127.0.0.1:$BPORT/fail" >/dev/null
for _ in $(seq 150); do
  varnishadm -n "$WORK/state" backend.list 2>/dev/null | grep -q sick && break
  sleep 0.1
done
sleep 5.5
check "past stale-while-revalidate, app down: stale-if-error copy" "$(get "$U/s")" "^200\|.*render"
echo "VCL checks: $passed passed, $failed failed"
[ "$failed" = 0 ]
