#!/usr/bin/env bash
# The spoken CAPTCHA's voices (issue 20 item 17): the digits 1 to 9 in Mandarin (for the zh-TW
# pages) and in English, made for this project with espeak-ng (Debian's `espeak-ng`) and
# committed in app/voices/, so that building needs no speech synthesiser. Run it again to
# remake them; the silence before and after each digit is cut.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
command -v espeak-ng >/dev/null || { echo "install espeak-ng first (apt-get install espeak-ng)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for voice in cmn en; do
  mkdir -p "$ROOT/app/voices/$voice"
  for digit in 1 2 3 4 5 6 7 8 9; do
    case "$voice" in
      cmn) espeak-ng -v cmn -s 130 -w "$TMP/raw.wav" "$digit" ;;
      en) espeak-ng -v en-us -s 140 -w "$TMP/raw.wav" "$digit" ;;
    esac
    python3 - "$TMP/raw.wav" "$ROOT/app/voices/$voice/$digit.wav" <<'PY'
import array, sys, wave
with wave.open(sys.argv[1]) as raw:
    params = raw.getparams()
    samples = array.array("h", raw.readframes(raw.getnframes()))
loud = [at for at, sample in enumerate(samples) if abs(sample) > 500]
pad = params.framerate // 50
start, end = max(loud[0] - pad, 0), min(loud[-1] + pad, len(samples))
with wave.open(sys.argv[2], "wb") as out:
    out.setparams(params)
    out.writeframes(samples[start:end].tobytes())
PY
  done
done
ls -l "$ROOT/app/voices"/*
