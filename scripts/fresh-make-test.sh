#!/usr/bin/env bash
# Times `make test` as on a fresh machine with only Rust, Node and npm: a clean clone, an empty
# CARGO_HOME (no cargo-leptos, wasm-bindgen, nextest, no crate downloads), an empty npm cache,
# then a second `make test` with nothing changed. Prints both times; logs go to $OUT.
#
#   scripts/fresh-make-test.sh [REV]          # default: HEAD of this repository
#
# Debian's packages (chromium, postgresql, python3-aiosmtpd, python3-feedparser) are
# system-wide: remove them first (`apt-get remove -y chromium postgresql\* python3-aiosmtpd
# python3-feedparser && apt-get clean`) for the full picture; bootstrap installs them again.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
REV="${1:-HEAD}"
FRESH="${FRESH:-/tmp/fresh-machine}"
OUT="${OUT:-$FRESH/logs}"
rm -rf "$FRESH"
mkdir -p "$FRESH/cargo/bin" "$FRESH/rust" "$OUT"
# Rust itself (rustup and its toolchain) counts as installed: link its proxies, nothing else.
for t in cargo rustc rustup rustdoc; do ln -s "$(command -v rustup)" "$FRESH/rust/$t"; done
# /usr/local/bin without any cargo tool a machine image may carry (cargo-nextest here).
mkdir -p "$FRESH/local"
for f in /usr/local/bin/*; do
  case "$(basename "$f")" in cargo-*|wasm-*) ;; *) ln -s "$f" "$FRESH/local/" ;; esac
done
export CARGO_HOME="$FRESH/cargo" npm_config_cache="$FRESH/npm-cache"
export PATH="$FRESH/cargo/bin:$FRESH/rust:$FRESH/local:/usr/bin:/bin"
git clone -q "$REPO" "$FRESH/newsroom"
cd "$FRESH/newsroom"
git checkout -q "$REV"
# CPU use every 20 s (idle time shows what could still run side by side).
vmstat -t 20 >"$OUT/vmstat.log" &
trap 'kill $! 2>/dev/null || true' EXIT
# Each line of the log starts with the seconds since that `make test` began.
stamp() { local t0=$SECONDS l; while IFS= read -r l; do printf '%5d %s\n' $((SECONDS - t0)) "$l"; done; }
run() {
  local name="$1" t0=$SECONDS
  if make test 2>&1 | stamp >"$OUT/$name.log"; then
    echo "$name: passed in $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s"
  else
    echo "$name: FAILED after $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s (see $OUT/$name.log)"
    return 1
  fi
}
run first
run second
