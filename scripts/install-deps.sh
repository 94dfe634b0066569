#!/usr/bin/env bash
# Installs whatever is missing to build, run and test Huji on Debian, as root. Idempotent:
# each step checks first, so a second run does nothing and needs no network.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v cargo >/dev/null || die "Rust (cargo) is required: install it with rustup first"

# Debian packages: the browser for the end-to-end tests (with CJK fonts, so that their
# screenshots show the pages as people see them), PostgreSQL, nginx (the load balancer of
# scripts/cluster-test.sh), the PC/SC stack with the virtual reader, the headers the pcsc
# crate links against, sqlite3 (the e2e specs read the CAPTCHA answer from the portal's
# database, as a person reads the picture) and g++ (libfuzzer-sys builds libFuzzer).
apt_packages=(g++ chromium chromium-driver fonts-noto-cjk postgresql nginx pcscd vsmartcard-vpcd libpcsclite-dev pkg-config nodejs npm python3-venv sqlite3)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# The image may ship its own node/npm/python outside Debian's packages; those do as well.
filtered=()
for pkg in "${missing[@]}"; do
  case "$pkg" in
    nodejs) command -v node >/dev/null || filtered+=("$pkg") ;;
    npm) command -v npm >/dev/null || filtered+=("$pkg") ;;
    python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null || filtered+=("$pkg") ;;
    *) filtered+=("$pkg") ;;
  esac
done
if [ "${#filtered[@]}" -gt 0 ]; then
  say "installing Debian packages: ${filtered[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${filtered[@]}"
fi

if command -v rustup >/dev/null && ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; about 15 minutes)"
  # no_downloads: a missing tool fails loudly instead of being fetched from the internet.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once)"
  # Not --locked: its lock file names a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# cargo-audit, which checks Cargo.lock against the vendored advisory database (scripts/test.sh);
# this release builds with rustc 1.88 or later.
if ! cargo audit --version 2>/dev/null | grep -q " $CARGO_AUDIT_VERSION\$"; then
  say "installing cargo-audit $CARGO_AUDIT_VERSION (once; several minutes)"
  cargo install cargo-audit --version "$CARGO_AUDIT_VERSION" --locked
fi

# cargo-fuzz, which builds and runs the fuzz targets (scripts/fuzz.sh) on the stable toolchain.
if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION (once; about a minute)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

# wasm-opt (binaryen) from npm; see tools/package.json for why not Debian's.
if [ ! -x "$ROOT/tools/node_modules/.bin/wasm-opt" ] \
   || [ "$ROOT/tools/package-lock.json" -nt "$ROOT/tools/node_modules/.package-lock.json" ]; then
  say "installing wasm-opt (binaryen) from npm"
  (cd "$ROOT/tools" && npm ci --no-audit --no-fund)
fi

# Playwright and axe from npm; Chromium is Debian's, so no browser is downloaded.
if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
   || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
  say "installing the end-to-end test tools from npm"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# The SMTP sink the tests deliver mail to, and schemathesis, which tests the verification API
# against its OpenAPI document.
if [ ! -x "$WORK/venv/bin/python" ] || ! "$WORK/venv/bin/python" -c 'import aiosmtpd' 2>/dev/null \
  || [ "$("$WORK/venv/bin/st" --version 2>/dev/null)" != "st, version 4.32.5" ]; then
  say "installing the SMTP sink (aiosmtpd) and schemathesis into $WORK/venv"
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q aiosmtpd==1.4.6 schemathesis==4.32.5
fi
