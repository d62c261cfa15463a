#!/usr/bin/env bash
# The monthly billing run at scale (issue 19, "Performance"; docs/billing.md "run"): the
# run of one month over CHARGES ledger entries of INSTITUTIONS institutions (one in ten
# by invoice), on SQLite and on PostgreSQL. Prints the seconds of each step as the run
# reports them and the total apart from the invoice PDFs (target < 60 s); the invoice
# batch (PDF + mailing list) is timed on its own. A benchmark: not registered with ctest.
#
# usage: bench/billing.sh [sqlite] [postgres]     (default: both)
# env:   BUILD=build  INSTITUTIONS=200000  CHARGES=1000000  MONTH=2027-01
#        WORK=<mktemp> (deleted at the end unless KEEP_WORK=1)
#        PG_URL=postgresql://… to use a running server (a database is created on it);
#        otherwise a throwaway cluster on 127.0.0.1:${CLAIMSCA_PG_PORT:-55439} is started
#        with tests/integration/pg_server.sh and stopped at the end.
set -uo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CLAIMSCA=$BUILD/claimsca
INSTITUTIONS=${INSTITUTIONS:-200000}
CHARGES=${CHARGES:-1000000}
MONTH=${MONTH:-2027-01}
WORK=${WORK:-$(mktemp -d /tmp/claimsca-bench-billing.XXXXXX)}
MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(sqlite postgres)
PG_STARTED=0
export CLAIMSCA_PG_PORT=${CLAIMSCA_PG_PORT:-55439}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# shellcheck source=bench/billing_data.sh
source "$HERE/billing_data.sh"
cleanup() {
  [ "$PG_STARTED" = 1 ] && bash "$ROOT/tests/integration/pg_server.sh" stop "$WORK/pg" >/dev/null 2>&1
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
[ -x "$CLAIMSCA" ] || { log "no $CLAIMSCA: build first"; exit 1; }
# The invoice day of MONTH (the 10th rolled forward; 07:00 JST there is past it whatever the day).
AT="${MONTH}-28T07:00"

for mode in "${MODES[@]}"; do
  billing_data "$mode" bench_billing
  t0=$(date +%s.%N)
  out=$("$CLAIMSCA" billing run --data "$data" --month "$MONTH" --at "$AT" 2>&1) || { log "$mode: run failed: $out"; exit 1; }
  wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
  echo "$out" | sed "s/^/  $mode | /"
  read -r plan files invoices done_s < <(echo "$out" | sed -n 's/^seconds: plan=\([0-9.]*\) files=\([0-9.]*\) (invoices=\([0-9.]*\)) done=\([0-9.]*\)/\1 \2 \3 \4/p')
  apart=$(awk -v w="$wall" -v i="$invoices" 'BEGIN{printf "%.2f", w-i}')
  printf '%s: %s charges, %s institutions: run %s s wall (plan %s, files %s of which invoice PDFs + mailing list %s, done %s); apart from the PDFs %s s (target < 60 s)\n' \
    "$mode" "$CHARGES" "$INSTITUTIONS" "$wall" "$plan" "$files" "$invoices" "$done_s" "$apart"
  t0=$(date +%s.%N)
  "$CLAIMSCA" billing run --data "$data" --month "$MONTH" --at "$AT" >/dev/null 2>&1 || log "$mode: re-run failed"
  printf '%s: re-run of the done month (files rewritten, nothing in the database): %s s\n' "$mode" \
    "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')"
done
