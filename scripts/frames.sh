#!/usr/bin/env bash
# The render's yardstick: renders the example job (three videos with shader transitions,
# crossfades, captions, a sticker and music) with seed 1 and prints the framemd5 of each video's
# decoded frames, so that a change meant to keep the pictures can be checked bit for bit:
#   scripts/frames.sh > before.txt; (change); scripts/frames.sh > after.txt; diff before.txt after.txt
# Environment switches (REELSMITH_SHADER_HOST, REELSMITH_SHADERS, …) apply as in the CLI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
npx tsx examples/sample-media.ts >/dev/null
npx tsx src/shells/cli/main.ts produce examples/hema/job.json --out "$out" --seed 1 >/dev/null 2>&1
for f in "$out"/*.mp4; do
  echo "# $(basename "$f")"
  ffmpeg -v error -i "$f" -map 0:v -f framemd5 - | grep -v '^#'
done
