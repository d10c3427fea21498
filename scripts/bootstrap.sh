#!/usr/bin/env bash
# Installs what Newsroom needs to build (and, with `test`, to test), skipping what is present.
# Idempotent: safe to run before every `make` target. Says what it will install, how long that
# takes on a 2-core machine (measured, see BENCHMARKS.md "First run"), and how far it has got.
#
#   scripts/bootstrap.sh          # build tools: wasm32 target, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/bootstrap.sh test     # plus cargo-nextest, chromium, PostgreSQL, aiosmtpd,
#                                 # feedparser, Playwright
#   ... --head-start              # also start the project's release build (server and browser
#                                 # bundle) beside the tool builds, at the lowest priority
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-build}"
HEAD_START=""
[ "${2:-}" = "--head-start" ] && HEAD_START=1
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132.0.0"
NEXTEST_VERSION="0.9.143"

say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

# The tools are built once per machine and do little heavy work of their own (cargo-leptos mostly
# runs cargo), so build them with a cheap profile: no LTO, many codegen units, opt-level 1.
# They share one target directory, so a dependency two tools build alike compiles once.
# Measured in BENCHMARKS.md ("Tool installs").
tool_install() {
  local started=$SECONDS
  CARGO_TARGET_DIR="$PWD/target/tools" \
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install "$@"
  say "installed $1 in $((SECONDS - started)) s"
}

# --- what is missing ---
if [ ! -f Cargo.lock ]; then
  say "generating Cargo.lock"
  cargo generate-lockfile
fi
# wasm-bindgen CLI: exactly the version Cargo.lock pins.
WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"

steps=()      # step names, in order
minutes=()    # estimated minutes on 2 cores
need() { steps+=("$1"); minutes+=("$2"); }

rustup target list --installed | grep -qx wasm32-unknown-unknown || need wasm-target 1
cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION" || need cargo-leptos 11
wasm-bindgen --version 2>/dev/null | grep -q " ${WBG_VERSION}\$" || need wasm-bindgen 2
[ -x .tools/node_modules/.bin/wasm-opt ] || need wasm-opt 1

apt_missing=()
if [ "$MODE" = "test" ]; then
  cargo nextest --version >/dev/null 2>&1 || need cargo-nextest 4
  # Test tools from Debian: chromium for Playwright, PostgreSQL, a real SMTP server, the feed
  # parser that reads our RSS and Atom in the Rust tests, and Varnish.
  [ -x /usr/bin/chromium ] || apt_missing+=(chromium)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || apt_missing+=(postgresql)
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || apt_missing+=(python3-aiosmtpd)
  /usr/bin/python3 -c 'import feedparser' 2>/dev/null || apt_missing+=(python3-feedparser)
  # The example Varnish configuration is tested with a real varnishd and the xkey module.
  [ -x /usr/sbin/varnishd ] || apt_missing+=(varnish)
  compgen -G '/usr/lib/*/varnish/vmods/libvmod_xkey.so' >/dev/null || apt_missing+=(varnish-modules)
  [ "${#apt_missing[@]}" -eq 0 ] || need debian-packages 2
  [ -d end2end/node_modules/@playwright/test ] || need playwright 1
fi

total=0
for m in "${minutes[@]+"${minutes[@]}"}"; do total=$((total + m)); done
if [ "${#steps[@]}" -eq 0 ]; then
  exit 0
fi
say "to install (${MODE} tools), about ${total} min on 2 cores, once per machine:"
for i in "${!steps[@]}"; do
  printf '            %-16s ~%s min\n' "${steps[$i]}" "${minutes[$i]}"
done

begun=$SECONDS
step=0

# The head start: while the tools compile, the project's own release build runs at nice 19 and
# fills the stretches a tool build leaves one core idle (build scripts, the vendored OpenSSL, the
# last crate and its link); it also takes a share of the busy ones, so the tools finish later, but
# `make test` as a whole finishes sooner (BENCHMARKS.md, "First run"). It runs exactly the two cargo
# commands `cargo leptos build --release --split` runs, with the environment the Makefile passes
# (LEPTOS_BUILD_ENV), so that build finds their output fresh and waits for them if they are not
# done yet. Not waited for here; its log is target/head-start.log.
head_start() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
  mkdir -p target
  say "starting the project's release build beside the tools (log: target/head-start.log)"
  (
    nice -n 19 cargo build --package=newsroom --bin=newsroom --no-default-features \
      --features=ssr --release
    RUSTFLAGS="-Clink-args=--emit-relocs" nice -n 19 cargo build --package=newsroom --lib \
      --target-dir="$PWD/target/front" --target=wasm32-unknown-unknown \
      --no-default-features --features=hydrate --profile=wasm-release
  ) >target/head-start.log 2>&1 </dev/null &
}
case " ${steps[*]} " in
  *" cargo-leptos "* | *" wasm-bindgen "* | *" cargo-nextest "*)
    [ -n "$HEAD_START" ] && [ -n "${LEPTOS_OUTPUT_NAME:-}" ] && head_start
    ;;
esac
progress() {
  step=$((step + 1))
  say "[$step/${#steps[@]}, $(((SECONDS - begun) / 60)) of ~${total} min so far] $*"
}

# Downloads (Debian packages, npm) wait on the network more than on the CPU: they run beside
# the builds, logged to target/bootstrap-downloads.log, and are waited for at the end.
downloads() {
  for s in "$@"; do
    case "$s" in
      wasm-opt)
        # npm's binaryen (Debian's binaryen is too old).
        echo "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
        npm install --prefix .tools --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
        ;;
      debian-packages)
        echo "installing from Debian: ${apt_missing[*]}"
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}"
        ;;
      playwright)
        # Playwright and friends (the browser itself is Debian's chromium, never downloaded).
        echo "installing end-to-end test packages (npm ci in end2end/)"
        (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
        ;;
    esac
  done
}
fetched=()
for s in "${steps[@]}"; do
  case "$s" in wasm-opt|debian-packages|playwright) fetched+=("$s") ;; esac
done
downloads_pid=""
if [ "${#fetched[@]}" -gt 0 ]; then
  mkdir -p target
  say "downloading beside the builds: ${fetched[*]} (log: target/bootstrap-downloads.log)"
  downloads "${fetched[@]}" >target/bootstrap-downloads.log 2>&1 &
  downloads_pid=$!
fi

for s in "${steps[@]}"; do
  case "$s" in
    wasm-target)
      progress "adding the wasm32-unknown-unknown target"
      rustup target add wasm32-unknown-unknown
      ;;
    cargo-leptos)
      # 0.3.11 needs a newer rustc; without no_downloads it tries the internet.
      progress "building cargo-leptos $CARGO_LEPTOS_VERSION (~11 min; cargo prints each crate)"
      tool_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
      ;;
    wasm-bindgen)
      # No --locked: its lockfile names a crate version the registry does not serve.
      progress "building wasm-bindgen-cli $WBG_VERSION (~2 min)"
      tool_install wasm-bindgen-cli --version "=$WBG_VERSION"
      ;;
    cargo-nextest)
      # Without self-update (an HTTP and TLS stack): the build nextest recommends to
      # distributors, with less to compile.
      progress "building cargo-nextest $NEXTEST_VERSION (~4 min)"
      tool_install cargo-nextest --version "$NEXTEST_VERSION" --locked \
        --no-default-features --features default-no-update
      ;;
    *)
      progress "$s (downloading beside the builds)"
      ;;
  esac
done
if [ -n "$downloads_pid" ]; then
  if ! wait "$downloads_pid"; then
    cat target/bootstrap-downloads.log
    say "a download step failed (above)"
    exit 1
  fi
  say "downloads finished: ${fetched[*]}"
fi
say "done in $(((SECONDS - begun) / 60)) min $(((SECONDS - begun) % 60)) s"
