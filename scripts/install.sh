#!/usr/bin/env bash
# Installs what reelsmith needs on a Debian/Ubuntu machine: FFmpeg, espeak-ng, CJK fonts, PostgreSQL and the
# build tools for better-sqlite3 through apt (only what is missing), then the Node packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
{ command -v fc-list >/dev/null 2>&1 && fc-list | grep "Noto Sans CJK" >/dev/null; } || need+=(fonts-noto-cjk fontconfig)
fc-list 2>/dev/null | grep "AR PL UKai" >/dev/null || need+=(fonts-arphic-ukai)
# DejaVu: a small TTF the tests rename to make fonts with hostile family names.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || need+=(fonts-dejavu-core)
command -v g++ >/dev/null 2>&1 || need+=(g++)
# A C compiler builds the native transition shaders (without one, a slower JS engine draws them).
command -v cc >/dev/null 2>&1 || need+=(gcc)
# Chromium (WebGL) is the reference the transition tests compare with; the engine never needs it.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# PostgreSQL: the scaled deployment's database (the tests start a throwaway cluster of their own).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)

if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "installing with apt-get: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "reelsmith needs these system packages: ${need[*]}" >&2
    echo "this script installs them with apt-get; install them with your system's package manager and run it again" >&2
    exit 1
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "reelsmith needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

npm ci --no-audit --no-fund
# The web console (served by reelsmith serve at /): built here, nothing fetched at run time.
npm run build:console
echo "ready: $(ffmpeg -hide_banner -version | head -1); espeak-ng $(espeak-ng --version | awk '{print $4}')"
