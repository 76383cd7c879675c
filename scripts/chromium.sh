#!/usr/bin/env bash
# scripts/chromium.sh: make sure Debian's Chromium is installed for the
# browser tests (web/e2e_test.go) and print its path. Installs it with
# apt-get when missing (needs root or sudo, as on CI).
set -euo pipefail
for c in chromium chromium-browser; do
  if p=$(command -v "$c"); then echo "$p"; exit 0; fi
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "chromium.sh: installing Debian's chromium package" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
command -v chromium
