#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/browser), driven by Playwright over CDP.
# Never `playwright install`: no browser download here, only the distribution's package.
# Installs it as root where apt-get exists; elsewhere says so and the browser tests skip
# loudly -- unless REQUIRE_BROWSER=1 (.ci/run), where a missing browser is an error.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq \
      chromium fonts-dejavu-core >/dev/null; then
    exit 0
  fi
  echo "WARNING: could not install chromium; browser tests will be skipped." >&2
else
  echo "WARNING: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" >&2
  echo "         browser tests will be skipped. Install Debian's 'chromium' package to run them." >&2
fi
if [ "${REQUIRE_BROWSER:-}" = "1" ]; then
  echo "ERROR: REQUIRE_BROWSER=1 but Chromium is not available." >&2
  exit 1
fi
exit 0
