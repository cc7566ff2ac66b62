#!/usr/bin/env bash
# Installs hsm-audit from the action's own checkout (the ref the workflow pinned), exactly as its lock file says.
# A checkout already built for this ref (a self-hosted runner's cache) is used as it is.
set -euo pipefail
cd "${GITHUB_ACTION_PATH:?the folder of the action}"
if [ -f dist/bundle/main.js ] && [ -d node_modules ]; then
  echo "hsm-audit $(node bin/hsm-audit.js --version) is installed in $PWD"
  exit 0
fi
npm ci --no-audit --no-fund
echo "hsm-audit $(node bin/hsm-audit.js --version) installed in $PWD"
