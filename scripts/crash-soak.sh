#!/usr/bin/env bash
# The long crash soak (docs/crash-testing.md): tests/integration/crash_soak_test.sh with many
# rounds, on SQLite and on PostgreSQL (a throwaway cluster of its own,
# tests/integration/pg_server.sh), and the figures summed for the docs.
#
#   scripts/crash-soak.sh [ROUNDS] [BUILD_DIR]     (defaults: 50 rounds, ./build)
#   CRASH_BACKENDS="sqlite postgres"  CRASH_SEED=N (the same seed for every backend)
#
# Each round kills four processes (serve mid-workload, the reminders job, the mail job, the
# notice batch), so 50 rounds on both back ends are 400 kills. It stops at the first broken
# invariant, with the seed that reproduces its kill delays.
set -euo pipefail
ROUNDS=${1:-50}
BUILD=$(cd "${2:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$BUILD/claimsca" ] || { echo "no $BUILD/claimsca: build first" >&2; exit 1; }
# The answers are checked against docs/openapi.yaml at the end (tests/integration/lib.sh).
[ -d "$BUILD/contract/node_modules" ] ||
  { echo "no $BUILD/contract/node_modules: run 'ctest -R contract_npm_ci' in $BUILD first" >&2; exit 1; }
STATS=$(mktemp /tmp/claimsca-soak-stats.XXXXXX)
export CLAIMSCA_BINARY_DIR=$BUILD CLAIMSCA_SOURCE_DIR=$SRC CRASH_ROUNDS=$ROUNDS CRASH_STATS=$STATS

PG_DIR=""
cleanup() { [ -z "$PG_DIR" ] || CLAIMSCA_PG_PORT=$PG_PORT "$SRC/tests/integration/pg_server.sh" stop "$PG_DIR" || true; }
trap cleanup EXIT
for backend in ${CRASH_BACKENDS:-sqlite postgres}; do
  if [ "$backend" = postgres ] && [ -z "$PG_DIR" ]; then
    # A cluster of its own, on a port beside the build tree's test fixture.
    PG_PORT=$(( $(sed -n 's/^CLAIMSCA_TEST_PG_PORT:STRING=//p' "$BUILD/CMakeCache.txt" || echo 25000) + 1 ))
    PG_DIR=$BUILD/pg-soak
    export CLAIMSCA_TEST_PG_URL
    CLAIMSCA_TEST_PG_URL=$(CLAIMSCA_PG_PORT=$PG_PORT "$SRC/tests/integration/pg_server.sh" start "$PG_DIR")
  fi
  start=$(date +%s)
  bash "$SRC/tests/integration/crash_soak_test.sh" "$backend"
  echo "seconds=$(( $(date +%s) - start ))" >> "$STATS"
done

echo "=== figures (for docs/crash-testing.md) ==="
cat "$STATS"
rm -f "$STATS"
