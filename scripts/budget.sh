#!/usr/bin/env bash
# The browser-bundle budget: builds in release mode (unless SKIP_BUILD=1), then prints raw,
# gzip and brotli bytes of the JS, WASM and CSS an article page loads. With --check it fails
# when JS + WASM brotli exceeds 100 KB.
#
#   scripts/budget.sh            # build and print
#   scripts/budget.sh --check    # build, print and enforce (part of `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."
# The value cargo-leptos compiles with, so this build shares its artefacts (see Makefile).
export LEPTOS_OUTPUT_NAME=newsroom
export PATH="$PWD/.tools/node_modules/.bin:$PATH"
if [ -z "${SKIP_BUILD:-}" ]; then
  cargo leptos build --release --precompress --split >/dev/null
fi
cargo run --quiet --release --no-default-features --features ssr --bin budget -- "$@"
