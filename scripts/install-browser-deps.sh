#!/usr/bin/env bash
# Debian's Chromium for the browser tests (never `playwright install`: no download here).
# Installs it as root where apt-get exists; elsewhere says so, and the browser tests skip loudly.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium and chromium-driver for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null \
    && exit 0
  echo "WARNING: could not install chromium; browser tests will be skipped." >&2
else
  echo "WARNING: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" >&2
  echo "         browser tests will be skipped. Install Debian's 'chromium' package to run them." >&2
fi
exit 0
