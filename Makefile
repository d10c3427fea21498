# Newsroom — two commands on a fresh machine:
#   make run    serve the demo newsroom on http://127.0.0.1:3000 (embedded SQLite)
#   make test   run every test (Rust unit/integration + Playwright in Chromium)
# Both install what is missing first (scripts/bootstrap.sh).

SHELL := /bin/bash
# Tools cargo installs live in $CARGO_HOME/bin (by default ~/.cargo/bin).
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
export LEPTOS_SITE_ROOT ?= target/site
export LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
export CARGO_TERM_COLOR ?= always
# leptos_config reads LEPTOS_OUTPUT_NAME at compile time and cargo-leptos sets it; every other
# cargo command run from here (tests, budget, benchmarks) must see the same value, or it
# recompiles leptos_config and everything above it, and the next build compiles them back.
export LEPTOS_OUTPUT_NAME := newsroom

BIN := target/release/newsroom

.PHONY: run demo-live dev test build bootstrap bootstrap-test bootstrap-run test-rust test-e2e attack budget bench bench-hot-story bench-live bench-comments bench-watch lighthouse fmt lint clean

# The server prints its address and, in development mode, the demo staff sign-in when it is ready.
run: bootstrap-run build
	@$(BIN) migrate
	@$(BIN) seed-demo
	@$(BIN) serve

# Next to `make run`, in a second terminal: a new fictional News Feed update every minute.
demo-live:
	$(BIN) demo-live

dev: bootstrap
	cargo leptos watch

build:
	cargo leptos build --release --precompress --split

bootstrap:
	@scripts/bootstrap.sh

bootstrap-test:
	@env $(LEPTOS_BUILD_ENV) scripts/bootstrap.sh test --head-start

# For `make run`: the release build starts beside the tool builds (scripts/bootstrap.sh).
bootstrap-run:
	@env $(LEPTOS_BUILD_ENV) scripts/bootstrap.sh build --head-start

# Everything CI runs. The release build is shared by the Rust tests, the budget check and the
# browser tests, so dependencies compile once.
test: bootstrap-test build test-rust budget attack test-e2e

# `cargo leptos build` compiles the server with these variables set; cargo tracks them for the
# crates that read them, so a test build without them would recompile those crates and every
# crate above them. The Rust tests get exactly cargo-leptos' environment (BENCHMARKS.md,
# "One build").
LEPTOS_BUILD_ENV := LEPTOS_OUTPUT_NAME=newsroom LEPTOS_SITE_ROOT=target/site \
	LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 \
	LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=. LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true \
	LEPTOS_HASH_FILE_NAME=hash.txt

# The dependencies are the release build's; only the newsroom crate itself is compiled for the
# tests without optimisation (1 min instead of 6 on 2 cores). The server the browser tests and the
# attack suite use is the optimised release build.
TEST_RUST_OPT := --config 'profile.release.package.newsroom.opt-level=0'

test-rust:
	env $(LEPTOS_BUILD_ENV) cargo nextest run --release --no-default-features --features ssr --no-fail-fast $(TEST_RUST_OPT)

budget:
	SKIP_BUILD=1 scripts/budget.sh --check

# The attack suite against the release server (SECURITY.md); about half a minute.
attack:
	scripts/attack-suite.sh

test-e2e:
	cd end2end && npx playwright test

# Big-news-day speed (issue #21): the release server against nginx serving the same bytes, and
# through Varnish; installs nginx, wrk, brotli and Varnish from Debian if missing. 6-9 min.
# BENCH_SECONDS=10 for longer runs; results in target/bench/results.md (BENCHMARKS.md).
# Big-news-day speed against nginx and through Varnish (BENCHMARKS.md), then a hot story
# edited under load.
bench:
	scripts/bench.sh
	scripts/bench-hot-story.sh

bench-hot-story:
	scripts/bench-hot-story.sh

bench-live:
	scripts/bench-live.sh

bench-comments:
	scripts/bench-comments.sh

bench-watch:
	scripts/watch-timing.sh

lighthouse:
	scripts/lighthouse.sh

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --no-default-features --features ssr -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

clean:
	cargo clean
	rm -rf data .tools end2end/node_modules
