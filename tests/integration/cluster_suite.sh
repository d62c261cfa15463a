#!/usr/bin/env bash
# The single-node functional suite against a cluster (issue 22: "the same functional test
# suite that runs against one node passes against the cluster"). Runs every PostgreSQL
# integration test with CLAIMSCA_TEST_CLUSTER=1: each start_server of lib.sh starts
# CLAIMSCA_TEST_CLUSTER_NODES (default 3) serve nodes on the test's database behind HAProxy,
# round-robin per request (docs/operations.md "Cluster", "The functional suite on a cluster").
# Prints pass/FAIL and the time of each test, the tests left out and why, the known product
# bugs (xfail), and exits 1 if one failed.
#
# Usage: tests/integration/cluster_suite.sh [TEST...]   (names without _test.sh; default all)
#   CLAIMSCA_BINARY_DIR  the build (default ./build), CLAIMSCA_SOURCE_DIR (default the checkout)
#   CLAIMSCA_TEST_PG_URL a PostgreSQL for the tests' databases; without it, one is started with
#                        tests/integration/pg_server.sh on CLAIMSCA_PG_PORT (default 55470)
#                        and stopped at the end
#   CLUSTER_SUITE_LOGS   each test's output (default $CLAIMSCA_BINARY_DIR/cluster-suite)
# ctest runs a few of them (integration_cluster_<test>: tests/integration/CMakeLists.txt).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export CLAIMSCA_SOURCE_DIR=${CLAIMSCA_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
export CLAIMSCA_BINARY_DIR=${CLAIMSCA_BINARY_DIR:-$CLAIMSCA_SOURCE_DIR/build}
CLAIMSCA_BINARY_DIR=$(cd "$CLAIMSCA_BINARY_DIR" && pwd)
LOGS=${CLUSTER_SUITE_LOGS:-$CLAIMSCA_BINARY_DIR/cluster-suite}
mkdir -p "$LOGS"

# Every test that ctest runs on postgres, in that order.
TESTS=(pki multiprocess crl_shards admin crash ra_api ra_crash console_notices notices
  reminders terminal_page mail_events renewal cmp audit_anchor rehearsal crash_soak
  billing_payments billing_ledger billing billing_crash kokuhoren_walk kokuhoren_accounts
  kokuhoren_ca kokuhoren_fees newinst_swap newinst newinst_walk apply read_only multinode)

# Left out, with the reason (the same test runs on one node in ctest).
declare -A NOT_HERE=(
  # No serve process: CLI commands on the database only, nothing a cluster changes.
  [admin]="no server (CLI only)"
  [billing_crash]="no server (CLI only)"
  [billing_ledger]="no server (CLI only)"
  [kokuhoren_accounts]="no server (CLI only)"
  [kokuhoren_fees]="no server (CLI only)"
  [kokuhoren_walk]="no server (CLI only)"
  [multinode]="starts its own two nodes (no start_server): multi-node by construction"
)

# Product bugs the cluster finds and that are not fixed yet: the test runs, and its failure
# is reported as xfail; should it pass, XPASS fails the suite (remove the entry).
declare -A KNOWN_BUG=()

# Longer than the default 900 s: reminders walks ~1,200 `jobs run` processes (CLI, no server).
declare -A TIMEOUT=([reminders]=2400)

if [ $# -gt 0 ]; then TESTS=("$@"); fi

PG_STARTED=""
if [ -z "${CLAIMSCA_TEST_PG_URL:-}" ]; then
  export CLAIMSCA_PG_PORT=${CLAIMSCA_PG_PORT:-55470}
  PG_STARTED=$CLAIMSCA_BINARY_DIR/pg-cluster-suite
  "$HERE/pg_server.sh" start "$PG_STARTED" >/dev/null || { echo "cluster_suite: PostgreSQL did not start" >&2; exit 1; }
  export CLAIMSCA_TEST_PG_URL=postgresql://postgres@127.0.0.1:$CLAIMSCA_PG_PORT/claimsca_test
fi
trap '[ -z "$PG_STARTED" ] || "$HERE/pg_server.sh" stop "$PG_STARTED" >/dev/null' EXIT

passed=0 failed=0 known=0 left=0 total_s=0
for t in "${TESTS[@]}"; do
  if [ -n "${NOT_HERE[$t]:-}" ]; then
    printf '%-6s %-20s %s\n' skip "$t" "${NOT_HERE[$t]}"; left=$((left + 1)); continue
  fi
  start=$(date +%s)
  rc=0
  CLAIMSCA_TEST_CLUSTER=1 CRASH_ROUNDS=${CRASH_ROUNDS:-1} timeout "${TIMEOUT[$t]:-900}" \
    bash "$HERE/${t}_test.sh" postgres >"$LOGS/$t.log" 2>&1 || rc=$?
  s=$(($(date +%s) - start)); total_s=$((total_s + s))
  if [ -n "${KNOWN_BUG[$t]:-}" ]; then
    if [ $rc = 0 ]; then
      printf '%-6s %-20s %4ss  passes: remove it from KNOWN_BUG\n' XPASS "$t" "$s"; failed=$((failed + 1))
    else
      printf '%-6s %-20s %4ss  %s (%s)\n' xfail "$t" "$s" "${KNOWN_BUG[$t]}" "$LOGS/$t.log"; known=$((known + 1))
    fi
  elif [ $rc = 0 ]; then
    printf '%-6s %-20s %4ss  %s\n' pass "$t" "$s" "$(tail -1 "$LOGS/$t.log")"; passed=$((passed + 1))
  else
    printf '%-6s %-20s %4ss  exit %s, %s\n' FAIL "$t" "$s" "$rc" "$LOGS/$t.log"; failed=$((failed + 1))
  fi
done
echo "cluster suite: $passed passed, $failed failed, $known known product bugs, $left left out, ${total_s}s"
[ $failed = 0 ]
