# Shared by the scripts in this folder: paths, logging, and the pinned tool versions.
# shellcheck shell=bash

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.work"          # everything the scripts make at run time; git-ignored
mkdir -p "$WORK"
# tools/ holds wasm-opt from npm; it must come before any other wasm-opt on PATH.
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# 0.3.10: its wasm-split (0.2.3) reads wasm-bindgen 0.2.130's output and it hashes the split
# loader after rewriting it (issue 23 item 2); 0.3.11 needs a newer rustc to build --locked.
CARGO_LEPTOS_VERSION="0.3.10"
CARGO_AUDIT_VERSION="0.22.2"
CARGO_FUZZ_VERSION="0.13.2"
# wasm-bindgen-cli must be exactly the wasm-bindgen crate version in Cargo.lock.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"

# The demo's and the end-to-end tests' pool of 連結介面伺服器 / API Gateway addresses (seed 001
# step 6, HUJI_LINK_SERVER_POOL): loopback addresses, so that on this one machine a linked
# agency's calls really come from the address 資訊服務司 assigned (curl --interface 127.0.1.N).
DEMO_LINK_SERVER_POOL="127.0.1.0/24"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A clean clone's build with its tests takes about 9 GB: 5.5 GB the workspace (measured
# 2026-11-29), 3.5 GB the fuzz targets (2026-12-06); say so before it fails halfway.
report_free_disk() {
  local free_gb
  free_gb=$(df -P -BG "$ROOT" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
  echo "free disk at $ROOT: ${free_gb} GB"
  if [ "$free_gb" -lt 12 ]; then
    printf 'warning: less than 12 GB free; the build and the test databases may run out of space\n' >&2
  fi
}
