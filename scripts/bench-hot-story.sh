#!/usr/bin/env bash
# A hot story edited while readers hammer it: renders per edit, time until every reader has
# the new headline, errors (issue #21). See src/bin/hot_story_bench.rs.
#
#   scripts/bench-hot-story.sh                        # 32 readers, 6 s, 3 edits
#   scripts/bench-hot-story.sh --connections 256      # more readers
set -euo pipefail
cd "$(dirname "$0")/.."
# The value cargo-leptos compiles with, so this build shares its artefacts (see Makefile).
export LEPTOS_OUTPUT_NAME=newsroom
cargo build --quiet --release --no-default-features --features ssr --bin hot_story_bench
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
ulimit -n 65536 2>/dev/null || true
export DATABASE_URL="sqlite://$WORK/newsroom.db" LEPTOS_SITE_ROOT="$PWD/target/site" \
  NEWSROOM__STORAGE__MEDIA_DIR="$WORK/media" NEWSROOM__MAIL__OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn
target/release/hot_story_bench "$@"
