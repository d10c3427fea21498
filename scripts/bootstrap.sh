#!/usr/bin/env bash
# Installs what Newsroom needs to build (and, with `test`, to test), skipping what is present.
# Idempotent: safe to run before every `make` target. Says what it installs.
#
#   scripts/bootstrap.sh          # build tools: wasm32 target, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/bootstrap.sh test     # plus cargo-nextest, chromium, PostgreSQL, aiosmtpd, Playwright
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-build}"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132.0.0"

say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

# The tools are built once per machine and do little heavy work of their own (cargo-leptos mostly
# runs cargo), so build them with a cheap profile: no LTO, many codegen units, opt-level 1.
# Measured in BENCHMARKS.md ("Tool installs").
tool_install() {
  local started=$SECONDS
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install "$@"
  say "installed $1 in $((SECONDS - started)) s"
}

# --- Rust: the browser target ---
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- cargo-leptos: 0.3.11 needs a newer rustc; without no_downloads it tries the internet ---
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 8 minutes on 2 cores, once)"
  tool_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# --- wasm-bindgen CLI: exactly the version Cargo.lock pins (no --locked: its lockfile names a
#     crate version the registry does not serve) ---
if [ ! -f Cargo.lock ]; then
  say "generating Cargo.lock"
  cargo generate-lockfile
fi
WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WBG_VERSION}\$"; then
  say "installing wasm-bindgen-cli $WBG_VERSION"
  tool_install wasm-bindgen-cli --version "=$WBG_VERSION"
fi

# --- wasm-opt from npm's binaryen (Debian's binaryen is too old) ---
if [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
fi

[ "$MODE" = "test" ] || exit 0

# --- the Rust test runner (preinstalled on some machines; otherwise built once) ---
if ! cargo nextest --version >/dev/null 2>&1; then
  say "installing cargo-nextest (takes a few minutes, once)"
  tool_install cargo-nextest --version 0.9.143 --locked
fi

# --- test tools from Debian: chromium for Playwright, PostgreSQL, a real SMTP server ---
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || apt_missing+=(postgresql)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || apt_missing+=(python3-aiosmtpd)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  say "installing from Debian: ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}"
fi

# --- Playwright and friends (the browser itself is Debian's chromium, never downloaded) ---
if [ ! -d end2end/node_modules/@playwright/test ]; then
  say "installing end-to-end test packages (npm ci in end2end/)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
