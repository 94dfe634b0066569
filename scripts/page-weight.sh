#!/usr/bin/env bash
# The first-visit weight of the portal's public pages (issue 23 item 3): what a browser with an
# empty cache downloads for each page — its HTML, the stylesheet it links and, only when the
# page holds an island (the loader in app/src/shell.rs fetches the client then, and only
# then), the client's JavaScript and WebAssembly — as brotli and as gzip, each as served by the
# release server; the chunks from the build's split manifest (target/site/pkg, or SITE_PKG).
# Prints one line a page and exits 1 when a page is over its budget. What a
# page loads is read from its HTML as the loader decides it; that the browser fetches exactly
# that is end2end/tests/islands-only.hydrate.spec.ts's to prove.
# The portal's font is printed last, on its own line (see there).
# Usage: scripts/page-weight.sh BASE_URL   (a running release portal, e.g. scripts/test.sh's)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BASE_URL="${1:?usage: scripts/page-weight.sh BASE_URL}"

# The budgets, in one place: bytes as brotli (what browsers are sent over HTTPS).
# Pages without islands load no client at all: their budget is their HTML and stylesheet.
BUDGET_STATIC=12000
# Pages with islands load the client's runtime, which holds the form islands (fields, buttons);
# a page with a card island also loads that island's chunks (issue 23 item 2, the split
# client). The issue's target is 100 KB for the heaviest page; the split brought the form
# pages from ~312 KB to ~143 KB and the card pages to ~216 KB, and counting characters with
# the browser's Intl.Segmenter to ~136 KB and ~209 KB (docs/benchmarks.md); these budgets hold
# that, so that nothing grows them unnoticed.
BUDGET_ISLANDS=142000
BUDGET_CARD=215000
# The pages, and whether they hold islands, and card islands among them (checked: a page that
# gains or loses islands must be moved on purpose, as its budget changes).
PAGES=(
  "/ static"
  "/agency-link/procedure static"
  "/api-service static"
  "/id-card/loss static"
  "/id-card/loss/report islands"
  "/id-card/loss/query islands"
  "/certificate/status islands"
  "/certificate/apply islands"
  "/company/sign-in card"
)

# The split client (issue 23 item 2): the card islands (#[island(lazy)]) are chunks of their
# own, with the chunks they share, fetched only by a page that holds one; the form islands are
# in the client's runtime. The build's manifest names, for each lazy island's loader, every
# chunk it fetches.
SITE_PKG="${SITE_PKG:-$ROOT/target/site/pkg}"
manifests=("$SITE_PKG"/__wasm_split_manifest.*.json)
[ "${#manifests[@]}" -eq 1 ] && [ -f "${manifests[0]}" ] \
  || die "expected one split manifest in $SITE_PKG (cargo leptos build --release --split)"
MANIFEST="${manifests[0]}"

# The chunks (/pkg/… paths) that the islands of the HTML on standard input fetch: a lazy island
# `<leptos-island data-component="CardSignIn_123">` is hydrated by the loader the manifest calls
# `card_sign_in_loader_…`; an island the manifest does not name is in the runtime.
chunks_of() {
  python3 -c '
import json, re, sys
manifest = json.load(open(sys.argv[1]))
chunks = set()
for component in set(re.findall(r"<leptos-island[^>]*data-component=\"([A-Za-z0-9]+)_[0-9]+\"", sys.stdin.read())):
    # As the loader in app/src/shell.rs compares them: without case and underscores.
    loaders = [key for key in manifest
               if re.sub(r"_loader_[0-9]+$", "", key).replace("_", "") == component.lower()]
    if len(loaders) > 1:
        sys.exit(f"more than one chunk list for the island {component}: {loaders}")
    for loader in loaders:
        chunks.update(manifest[loader])
for chunk in sorted(chunks):
    print(f"/pkg/{chunk}.wasm")
' "$MANIFEST"
}

# Encoded size of $1 (a path) as $2 (br or gzip).
encoded() {
  curl -sS --fail -H "Accept-Encoding: $2" -o - "$BASE_URL$1" | wc -c
}

html_of() {
  curl -sS --fail -H 'Accept-Encoding: identity' "$BASE_URL$1"
}

over=0
printf '%-28s %-8s %10s %10s %10s %10s\n' page kind "html br" "total br" "total gz" budget
for entry in "${PAGES[@]}"; do
  read -r path kind <<<"$entry"
  chunk_list=""
  html="$(html_of "$path")"
  pattern='/pkg/[A-Za-z0-9_.-]+\.css'
  if grep -q '<leptos-island' <<<"$html"; then
    found=islands
    # The client's script and WebAssembly, and the split loader and manifest, all named by the
    # page's loader (app/src/shell.rs).
    pattern='/pkg/[A-Za-z0-9_.-]+\.(css|json|js|wasm)\b'
  else
    found=static
  fi
  mapfile -t assets < <(grep -oE "$pattern" <<<"$html" | sort -u || true)
  if [ "$found" = islands ]; then
    # The chunks of its lazy islands, which the page names only through the manifest.
    chunk_list="$(chunks_of <<<"$html")" || die "$path: its islands' chunks are not known"
    [ -z "$chunk_list" ] || mapfile -t -O "${#assets[@]}" assets <<<"$chunk_list"
  fi
  if [ "$found" = islands ] && [ -n "$chunk_list" ]; then
    found=card
  fi
  if [ "$found" != "$kind" ]; then
    echo "$path: expected a $kind page, found $found; move it in scripts/page-weight.sh" >&2
    over=1
  fi
  html_br=$(encoded "$path" br)
  total_br=$html_br
  total_gz=$(encoded "$path" gzip)
  for asset in "${assets[@]}"; do
    total_br=$((total_br + $(encoded "$asset" br)))
    total_gz=$((total_gz + $(encoded "$asset" gzip)))
  done
  budget=$BUDGET_STATIC
  [ "$found" = islands ] && budget=$BUDGET_ISLANDS
  [ "$found" = card ] && budget=$BUDGET_CARD
  printf '%-28s %-8s %10d %10d %10d %10d\n' "$path" "$found" "$html_br" "$total_br" "$total_gz" "$budget"
  if [ "$total_br" -gt "$budget" ]; then
    echo "$path: $total_br bytes (brotli) on a first visit, over its budget of $budget" >&2
    over=1
  fi
done
# The portal's bold face (scripts/make-font.sh): fetched once for the whole site, after the
# text is shown, and only by a browser whose system lacks Noto Sans CJK TC Bold; cached for a
# year. Counted on its own, not in each page's first visit.
BUDGET_FONT=150000
stylesheet="$(grep -oE '/pkg/[A-Za-z0-9_.-]+\.css' <<<"$(html_of /)" | head -n1)"
font="$(html_of "$stylesheet" | grep -oE '/fonts/huji-sans-tc-bold-[0-9a-f]+\.woff2' | head -n1)"
font_bytes=$(curl -sS --fail -o - "$BASE_URL$font" | wc -c)
printf '%-28s %-8s %10s %10d %10d %10d\n' "$font" font - "$font_bytes" "$font_bytes" "$BUDGET_FONT"
if [ "$font_bytes" -gt "$BUDGET_FONT" ]; then
  echo "$font: $font_bytes bytes, over its budget of $BUDGET_FONT" >&2
  over=1
fi
exit "$over"
