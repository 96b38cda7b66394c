#!/usr/bin/env bash
# Headless Chromium from Debian's `chromium` package, for the report's screenshot test. Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends chromium
/usr/bin/chromium --version
