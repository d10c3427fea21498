#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12, Debian chromium) on an article page of a freshly seeded demo
# newsroom. Prints the four category scores and fails if accessibility, SEO or best
# practices fall under 95. Needs a release build (make build).
#
#   scripts/lighthouse.sh            # desktop preset
#   FORM_FACTOR=mobile scripts/lighthouse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LIGHTHOUSE_VERSION="12.2.3"
if [ ! -x .tools/node_modules/.bin/lighthouse ]; then
  echo "[lighthouse] installing lighthouse@$LIGHTHOUSE_VERSION into .tools/"
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION"
fi
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$WORK/newsroom.db" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
  LEPTOS_SITE_ROOT="$PWD/target/site" NEWSROOM__SITE__BASE_URL="http://127.0.0.1:$PORT" \
  NEWSROOM__STORAGE__MEDIA_DIR="$WORK/media" RUST_LOG=warn
target/release/newsroom seed-demo >/dev/null
target/release/newsroom serve & SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
ARTICLE="$(curl -s "http://127.0.0.1:$PORT/" | grep -o 'href="/news/[a-z0-9-]*"' | head -1 | cut -d'"' -f2)"
URL="http://127.0.0.1:$PORT$ARTICLE"
PRESET=()
[ "${FORM_FACTOR:-desktop}" = "desktop" ] && PRESET=(--preset=desktop)
CHROME_PATH=/usr/bin/chromium .tools/node_modules/.bin/lighthouse "$URL" "${PRESET[@]}" \
  --quiet --output=json --output-path="$WORK/report.json" \
  --only-categories=performance,accessibility,seo,best-practices \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync"
python3 - "$WORK/report.json" "$URL" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cats = r["categories"]
print(f"Lighthouse {r['lighthouseVersion']} on {sys.argv[2]} ({r['configSettings']['formFactor']})")
low = []
for k in ["performance", "accessibility", "seo", "best-practices"]:
    score = round(cats[k]["score"] * 100)
    print(f"  {cats[k]['title']:<16} {score}")
    if k != "performance" and score < 95:
        low.append(k)
for k in ["accessibility", "seo", "best-practices"]:
    for ref in cats[k]["auditRefs"]:
        a = r["audits"][ref["id"]]
        if a.get("score") is not None and a["score"] < 1 and ref.get("weight", 0) > 0:
            print(f"  - {k}: {a['id']}: {a['title']}")
for m in ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"]:
    print(f"  {r['audits'][m]['title']:<28} {r['audits'][m]['displayValue']}")
sys.exit(1 if low else 0)
PY
