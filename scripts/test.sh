#!/usr/bin/env bash
# The one test command: installs what the tests need, starts a throwaway PostgreSQL cluster on
# 127.0.0.1, builds with warnings as errors and runs every test, including the interop checks against
# the openssl CLI and Python's joserfc, cryptography and jsonschema.
#
#   ./scripts/test.sh                 # everything
#   ./scripts/test.sh --filter Zlib   # extra arguments go to `swift test`
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

# --- system packages -------------------------------------------------------------------------------
missing=()
for package in libssl-dev zlib1g-dev libsqlite3-dev postgresql openssl python3 python3-pip; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# python3/pip may come from outside Debian (pyenv); only ask apt for them when no python3 runs at all.
if command -v python3 >/dev/null && python3 -m pip --version >/dev/null 2>&1; then
    filtered=()
    for package in "${missing[@]}"; do
        [[ "$package" == python3 || "$package" == python3-pip ]] || filtered+=("$package")
    done
    missing=("${filtered[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# --- Python packages for the independent interop checks --------------------------------------------
if ! python3 -c 'import joserfc, cryptography, jsonschema' 2>/dev/null; then
    log "installing joserfc, cryptography and jsonschema from PyPI"
    python3 -m pip install --quiet joserfc cryptography jsonschema \
        || python3 -m pip install --quiet --break-system-packages joserfc cryptography jsonschema
fi
export SEAMLESS_REQUIRE_INTEROP=1

# --- a throwaway PostgreSQL cluster ----------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/seamless-pg.XXXXXX)
cleanup() {
    if [ -f "$pg_dir/data/postmaster.pid" ]; then
        run_as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
}
run_as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
trap cleanup EXIT
if [ -n "$pg_bin" ]; then
    [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
    pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    log "starting PostgreSQL ($pg_bin) on 127.0.0.1:$pg_port"
    run_as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U seamless --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1
    run_as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c fsync=off" start >/dev/null
    export SEAMLESS_POSTGRES_URL="postgres://seamless@127.0.0.1:$pg_port/postgres"
    export SEAMLESS_REQUIRE_POSTGRES=1
else
    log "PostgreSQL is not installed; tests that need it are skipped"
fi

# --- build and test --------------------------------------------------------------------------------
log "swift build --build-tests (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors
log "swift test"
swift test --skip-build "$@"
