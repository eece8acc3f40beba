#!/usr/bin/env bash
# Installs the locked npm dependencies; shared by scripts/setup.sh and the Dockerfile so both
# install the same way. `npm ci` first. Some registries carry only the platform binaries they serve
# (no darwin/win32 builds of @swc/core and friends), so a lock written there lacks those optional
# entries and `npm ci` refuses it as out of sync; `npm install --no-save` then installs exactly the
# locked versions, skipping what the registry does not have, and leaves the lock untouched.
# Usage: scripts/npm-install.sh [extra npm ci/install flags, e.g. --omit=dev]
set -euo pipefail

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if npm ci --no-audit --no-fund "$@" 2>&1 | tee "$log"; then
  exit 0
fi
if ! grep -q 'can only install packages when your package.json and package-lock.json' "$log"; then
  echo "npm-install: npm ci failed" >&2
  exit 1
fi
echo "npm-install: the lock lacks optional packages this registry does not carry; installing the locked versions with npm install"
npm install --no-save --no-audit --no-fund "$@"
