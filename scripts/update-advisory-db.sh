#!/usr/bin/env bash
# Refreshes the vendored RustSec advisory database (tools/advisory-db) from a clone of
# https://github.com/rustsec/advisory-db, given as the only argument:
#   git clone https://github.com/rustsec/advisory-db /tmp/advisory-db
#   scripts/update-advisory-db.sh /tmp/advisory-db
# Copies the committed state of the clone's HEAD (not its work tree): the crate advisories and
# the licence texts, and records the commit and its date in tools/advisory-db/README.md.
# The tests read only this copy, so they never fetch anything (see docs/operations.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$#" -eq 1 ] || die "usage: $0 PATH_TO_ADVISORY_DB_CLONE"
SRC="$1"
git -C "$SRC" rev-parse --verify -q HEAD:crates >/dev/null || die "$SRC is not a clone of the RustSec advisory database"
commit="$(git -C "$SRC" rev-parse HEAD)"
date="$(git -C "$SRC" log -1 --format=%cs HEAD)"

DEST="$ROOT/tools/advisory-db"
rm -rf "$DEST"
mkdir -p "$DEST"
git -C "$SRC" archive --format=tar HEAD crates LICENSE.txt LICENSES | tar -x -C "$DEST"

cat >"$DEST/README.md" <<README
# RustSec advisory database (vendored)

The \`crates/\` advisories of the RustSec Advisory Database
(<https://github.com/rustsec/advisory-db>), copied unchanged from its commit
\`$commit\` (committed $date), with the database's licence
(\`LICENSE.txt\`, \`LICENSES/\`: CC0 1.0, and CC BY 4.0 for the advisories imported from the
GitHub Advisory Database, each of which names its licence and source URL).

\`scripts/test.sh\` runs \`cargo audit\` against this copy, offline (see docs/operations.md and
docs/architecture.md, "Dependencies and advisories"). To refresh it, clone the database and
run:

    scripts/update-advisory-db.sh PATH_TO_ADVISORY_DB_CLONE

Do not edit the files here by hand; an advisory that does not apply to Huji is ignored, with its
reason, in \`.cargo/audit.toml\`.
README
say "vendored the advisory database at $commit ($date): $(find "$DEST/crates" -name '*.md' | wc -l) advisories"
