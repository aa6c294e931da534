#!/usr/bin/env bash
# The system tools the report checks use (tests/reports/test_browser.py) and the weekly
# report's PDF engine: Chromium (headless, --print-to-pdf and screenshots) and pdftoppm
# (poppler-utils). Installs the Debian packages when a tool is missing and apt-get may run
# (root, or passwordless sudo); otherwise says what to install and exits 0, so `make test`
# goes on (the tests then skip, or fail under CI=true).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "socialops: missing ${missing[*]}; install them (apt-get install ${missing[*]})" \
         "to run the report's browser and PDF checks" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "socialops: missing ${missing[*]} and no apt-get here; install them by hand" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" \
    || { "${sudo[@]}" apt-get update && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; }
