#!/usr/bin/env bash
# Installs everything the local stack and the tests need, and nothing outside the repo except
# Go's module/build caches and Debian packages. Idempotent: a second run only checks stamps.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"

TEMPORAL_MODULE="github.com/temporalio/cli/cmd/temporal"
TEMPORAL_VERSION="v1.5.1"
MINIO_MODULE="github.com/minio/minio"
# The last commit of MinIO's final source release; its go.mod asks for this toolchain.
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MINIO_TOOLCHAIN="go1.24.8"
# The Compose Specification's own JSON schema ships inside its reference Go loader.
COMPOSE_SPEC_MODULE="github.com/compose-spec/compose-go/v2"
COMPOSE_SPEC_VERSION="v2.16.2"
# Python tools the suite drives, from PyPI into a project-local virtualenv: the OpenAPI fuzzer
# (test/fuzz/) and OpenAI's own Python SDK (test/python-sdk.e2e.test.ts).
PYTHON_TOOLS="schemathesis==4.32.5 openai==3.57.0"
VENV="$TOOLS/venv"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
need_go() { command -v go >/dev/null 2>&1 || die "Go is required to build $1 (install Go >= 1.24 and re-run)"; }

# The module version a Go binary was built from, so binaries built before stamps existed are recognised.
built_version() { go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'; }

# go_tool <name> <module path> <version> [fallback toolchain]
go_tool() {
  local name="$1" module="$2" version="$3" fallback="${4:-}"
  local binary="$BIN/$name" stamp="$BIN/$name.version"
  if [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
    return 0
  fi
  need_go "$name"
  mkdir -p "$BIN"
  if [ -x "$binary" ] && [ "$(built_version "$binary")" = "$version" ]; then
    say "$name $version already built; recording its version"
    printf '%s\n' "$version" >"$stamp"
    return 0
  fi
  say "building $name $version (CGO_ENABLED=0); the first build takes several minutes"
  local started=$SECONDS
  if ! GOBIN="$BIN" CGO_ENABLED=0 go install "$module@$version"; then
    [ -n "$fallback" ] || die "building $name failed"
    say "retrying $name with GOTOOLCHAIN=$fallback (fetched through the Go module proxy)"
    GOTOOLCHAIN="$fallback" GOBIN="$BIN" CGO_ENABLED=0 go install "$module@$version" ||
      die "building $name failed with the default toolchain and with $fallback"
  fi
  printf '%s\n' "$version" >"$stamp"
  say "built $name in $((SECONDS - started)) s"
}

node_deps() {
  if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies (scripts/npm-install.sh: npm ci, or npm install of the locked versions)"
    bash "$ROOT/scripts/npm-install.sh" || die "installing npm dependencies failed"
  fi
}

compose_schema() {
  local target="$TOOLS/compose-spec.json" stamp="$TOOLS/compose-spec.version"
  if [ -f "$target" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$COMPOSE_SPEC_VERSION" ]; then
    return 0
  fi
  need_go "the Compose schema download"
  say "fetching the Compose Specification schema from $COMPOSE_SPEC_MODULE@$COMPOSE_SPEC_VERSION"
  local dir
  dir="$(go mod download -json "$COMPOSE_SPEC_MODULE@$COMPOSE_SPEC_VERSION" |
    awk -F'"' '$2 == "Dir" { print $4 }')"
  [ -f "$dir/schema/compose-spec.json" ] || die "compose-spec.json not found in $COMPOSE_SPEC_MODULE@$COMPOSE_SPEC_VERSION"
  mkdir -p "$TOOLS"
  # The module cache is read-only; the copy should not be.
  cp "$dir/schema/compose-spec.json" "$target"
  chmod 644 "$target"
  printf '%s\n' "$COMPOSE_SPEC_VERSION" >"$stamp"
}

debian_packages() {
  local missing=()
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
  # The browser tests (test/browser.e2e.test.ts) drive Debian's own Chromium through playwright-core.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Debian splits venv's pip bootstrap (ensurepip) into python3-venv.
  command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    missing+=(python3 python3-venv)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! is_root; then
    die "missing system packages: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends ${missing[*]}) and re-run"
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing system packages: ${missing[*]} and apt-get is not available; install them by hand"
  say "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

python_tools() {
  local stamp="$VENV/tools.version"
  # The interpreter check catches a venv whose base Python was removed or upgraded since.
  if [ -x "$VENV/bin/schemathesis" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PYTHON_TOOLS" ] &&
    "$VENV/bin/python" -c '' >/dev/null 2>&1; then
    return 0
  fi
  say "installing $PYTHON_TOOLS from PyPI into $VENV"
  python3 -m venv --clear "$VENV" ||
    die "python3 -m venv failed (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends python3 python3-venv)"
  # shellcheck disable=SC2086 # one word per package
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $PYTHON_TOOLS ||
    die "installing $PYTHON_TOOLS failed"
  printf '%s\n' "$PYTHON_TOOLS" >"$stamp"
}

node_deps
debian_packages
go_tool temporal "$TEMPORAL_MODULE" "$TEMPORAL_VERSION"
go_tool minio "$MINIO_MODULE" "$MINIO_VERSION" "$MINIO_TOOLCHAIN"
compose_schema
python_tools
say "ready"
