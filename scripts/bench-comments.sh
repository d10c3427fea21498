#!/usr/bin/env bash
# Comments benchmark: server time to render the first page of a story with 5,000 comments.
#
#   scripts/bench-comments.sh                    # 5,000 comments, 200 requests per page
#   scripts/bench-comments.sh --comments 20000   # a bigger story
#   scripts/bench-comments.sh --check            # exit non-zero when over the 50 ms budget
#
# Requests go through the real router inside the benchmark process (no network, no browser):
# each time runs from the request to the last byte of the rendered page.
set -euo pipefail
cd "$(dirname "$0")/.."
# The value cargo-leptos compiles with, so this build shares its artefacts (see Makefile).
export LEPTOS_OUTPUT_NAME=newsroom
cargo build --quiet --release --no-default-features --features ssr --bin comments_bench
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite://$WORK/newsroom.db" LEPTOS_SITE_ROOT="$PWD/target/site" \
  NEWSROOM__STORAGE__MEDIA_DIR="$WORK/media" NEWSROOM__MAIL__OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn
target/release/comments_bench "$@"
