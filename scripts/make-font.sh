#!/usr/bin/env bash
# The portal's own Traditional Chinese typeface (issue 24, the design system's typography):
# Noto Sans CJK TC Bold (SIL Open Font License 1.1, Debian's `fonts-noto-cjk`), cut down to
# the characters the portal's own text uses, so that headings, labels and table headings are
# set in a real bold instead of one the browser smears from a regular weight. Only the bold:
# every system has a regular Traditional Chinese face, and a second weight would double what
# a phone downloads (about 140 KB each). The file is committed in public/fonts/ (building
# needs no font tools); its name carries a hash of its content, so the server lets browsers
# keep it for a year.
#
# What is kept: printable ASCII, CJK and full-width punctuation, and every other character in
# app/src (its pages' text). The list is written to style/font-characters.txt; the app's unit
# test `issue_24_the_served_font_covers_every_character_of_the_portals_text` fails when a page
# gains a character the font lacks: run this script again then. Text the portal does not write
# itself (a person's name, an address) falls back to the system's fonts character by character.
#
# Needs: fonts-noto-cjk, python3-fonttools, python3-brotli (apt-get install them first).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3
NOTO=/usr/share/fonts/opentype/noto
[ -f "$NOTO/NotoSansCJK-Bold.ttc" ] || { echo "install fonts-noto-cjk first" >&2; exit 1; }
"$PY" -c 'import fontTools, brotli' 2>/dev/null \
  || { echo "install python3-fonttools and python3-brotli first" >&2; exit 1; }

# The characters: the rule app/src/typeface.rs checks.
"$PY" - "$ROOT" <<'PY'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
chars = set(chr(c) for c in range(0x20, 0x7F))
chars |= set(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
chars |= set(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
for path in sorted((root / "app/src").rglob("*.rs")):
    chars |= set(c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F)
chars.discard("\n")
text = "".join(sorted(chars))
(root / "style/font-characters.txt").write_text(text + "\n", encoding="utf-8")
print(f"{len(chars)} characters")
PY

OUT="$ROOT/public/fonts"
mkdir -p "$OUT"
rm -f "$OUT"/huji-sans-tc-*.woff2
"$PY" -m fontTools.subset "$NOTO/NotoSansCJK-Bold.ttc" --font-number=3 \
  --text-file="$ROOT/style/font-characters.txt" \
  --layout-features='' --no-hinting --desubroutinize \
  --name-IDs='0,1,2,3,4,5,6,13,14' --flavor=woff2 \
  --output-file="$OUT/new.woff2"
hash="$(sha256sum "$OUT/new.woff2" | cut -c1-12)"
file="huji-sans-tc-bold-$hash.woff2"
mv "$OUT/new.woff2" "$OUT/$file"
# The stylesheet names the new file.
sed -i -E "s|/fonts/huji-sans-tc-bold-[0-9a-f]+\.woff2|/fonts/$file|" "$ROOT/style/main.css"
grep -q "/fonts/$file" "$ROOT/style/main.css" \
  || { echo "style/main.css has no @font-face for $file" >&2; exit 1; }
cp /usr/share/doc/fonts-noto-cjk/copyright "$OUT/LICENSE"
ls -l "$OUT"
