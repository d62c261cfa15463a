#!/usr/bin/env bash
# The portal's 請求明細 at scale (issue 19, "Performance": "the portal's 請求明細 page
# answers in p99 < 20 ms at that size"; docs/billing.md "web"). On SQLite and on
# PostgreSQL: CHARGES ledger entries of INSTITUTIONS institutions (bench/billing_seed.sh,
# the data of bench/billing.sh), billed by `claimsca billing run --month MONTH` (so the
# page reads bills, bill items and deduction results, not only the ledger), SAMPLE
# institution accounts (`claimsca admin create-account`, spread over the register, one in
# ten paying by invoice) logged in through the portal's form, then `claimsca serve` and
# bench/portal_client.py: REQUESTS × GET /portal/billing (first page) over the SAMPLE
# sessions in turn, at each concurrency of CONCS, on keep-alive connections. Prints
# count, p50, p90, p99, max in ms as the client sees them (send to last byte) and the
# server's own time of the same requests (access log, duration_us), and PASS/FAIL of the
# client's p99 against TARGET_MS. A benchmark: not registered with ctest.
#
# usage: bench/statement.sh [sqlite] [postgres]     (default: both)
# env:   BUILD=build  INSTITUTIONS=200000  CHARGES=1000000  MONTH=2027-01  SAMPLE=200
#        REQUESTS=2000  CONCS="1 4"  TARGET_MS=20  BILL=1 (0: no billing run, ledger only)
#        SERVER_CPU= CLIENT_CPU= (taskset cores; default: not pinned)
#        WORK=<mktemp> (deleted at the end unless KEEP_WORK=1)
#        PG_URL=postgresql://… to use a running server (a database is created on it);
#        otherwise a throwaway cluster on 127.0.0.1:${CLAIMSCA_PG_PORT:-55439} is started
#        with tests/integration/pg_server.sh and stopped at the end.
# Output: one line per back end and concurrency, starting "statement <mode> conc=C", then
# "RESULT <mode> <conc> <count> <p50> <p90> <p99> <max> <server_p50> <server_p99>
# <server_max> <PASS|FAIL>" (read by bench/run.sh). Exit status 1 when a figure misses.
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
SAMPLE=${SAMPLE:-200}
REQUESTS=${REQUESTS:-2000}
CONCS=${CONCS:-"1 4"}
TARGET_MS=${TARGET_MS:-20}
BILL=${BILL:-1}
PASSWORD=bench-statement-password-1
WORK=${WORK:-$(mktemp -d /tmp/claimsca-bench-statement.XXXXXX)}
mkdir -p "$WORK"
MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(sqlite postgres)
PG_STARTED=0
SRV_PID=
export CLAIMSCA_PG_PORT=${CLAIMSCA_PG_PORT:-55439}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# shellcheck source=bench/billing_data.sh
source "$HERE/billing_data.sh"
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
pin() { if [ -n "${1:-}" ]; then echo "taskset -c $1"; fi; }
stop_server() {
  [ -n "$SRV_PID" ] || return 0
  kill "$SRV_PID" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$SRV_PID" 2>/dev/null
  wait "$SRV_PID" 2>/dev/null
  SRV_PID=
}
cleanup() {
  stop_server
  [ "$PG_STARTED" = 1 ] && bash "$ROOT/tests/integration/pg_server.sh" stop "$WORK/pg" >/dev/null 2>&1
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -x "$CLAIMSCA" ] || { log "no $CLAIMSCA: build first"; exit 1; }
[ "$SAMPLE" -le "$INSTITUTIONS" ] || { log "SAMPLE > INSTITUTIONS"; exit 2; }
# The billing run's day (as bench/billing.sh) and the portal's day: the 28th of MONTH,
# after the invoices' issue date and before their due date (請求書送付済み, 請求予定).
AT="${MONTH}-28T07:00"
SERVE_AT="${MONTH}-28T10:00"
rc=0

for mode in "${MODES[@]}"; do
  billing_data "$mode" bench_statement
  if [ "$BILL" = 1 ]; then
    t0=$(date +%s.%N)
    "$CLAIMSCA" billing run --data "$data" --month "$MONTH" --at "$AT" > "$WORK/$mode.run.log" 2>&1 ||
      { log "$mode: billing run failed: $(tail -3 "$WORK/$mode.run.log")"; exit 1; }
    log "$mode: billing run of $MONTH in $(since "$t0") s"
  fi
  # SAMPLE institutions spread over the register: codes 01 + 8 digits of i (billing_seed.sh),
  # i = k·step + 1 + k mod 10, so one in ten has i divisible by 10 (職域診療所, invoice).
  step=$((INSTITUTIONS / SAMPLE))
  : > "$WORK/$mode.accounts"
  t0=$(date +%s.%N)
  for k in $(seq 0 $((SAMPLE - 1))); do
    i=$((k * step + 1 + k % 10))
    [ "$i" -le "$INSTITUTIONS" ] || i=$((k * step + 1))
    code=$(printf '01%08d' "$i")
    id="bench$k@example.jp"
    echo "$PASSWORD" | "$CLAIMSCA" admin create-account --data "$data" --id "$id" --kind institution \
      --code "$code" --name "医療法人 ベンチ会 $i" --at "$SERVE_AT" >/dev/null 2>"$WORK/$mode.account.err" ||
      { log "$mode: create-account $id: $(tail -2 "$WORK/$mode.account.err")"; exit 1; }
    echo "$id" >> "$WORK/$mode.accounts"
  done
  log "$mode: $SAMPLE portal accounts in $(since "$t0") s"

  # shellcheck disable=SC2046
  $(pin "${SERVER_CPU:-}") "$CLAIMSCA" serve --data "$data" --listen 127.0.0.1:0 --at "$SERVE_AT" \
    --set server.mtls_listen= --set jobs.enabled=false --set key_pool.threads=0 \
    --set portal.login_per_minute=1000000 > "$WORK/$mode.serve.out" 2> "$WORK/$mode.serve.log" &
  SRV_PID=$!
  for _ in $(seq 1200); do grep -q 'Press Ctrl-C' "$WORK/$mode.serve.out" 2>/dev/null && break; sleep 0.05; done
  base=$(sed -n 's|.*CA certificates, thumbprints \(http://[^/]*\)/ca/.*|\1|p' "$WORK/$mode.serve.out")
  [ -n "$base" ] || { log "$mode: serve did not start: $(tail -3 "$WORK/$mode.serve.log")"; exit 1; }
  # shellcheck disable=SC2046,SC2086
  out=$(timeout 1800 $(pin "${CLIENT_CPU:-}") python3 "$HERE/portal_client.py" "$base" "$WORK/$mode.accounts" \
    "$PASSWORD" "$REQUESTS" $CONCS 2> "$WORK/$mode.client.err")
  crc=$?
  sed 's/^/  client: /' "$WORK/$mode.client.err" >&2
  stop_server
  [ -n "$out" ] || { log "$mode: client failed ($crc)"; rc=1; continue; }
  [ "$crc" = 0 ] || rc=1
  while read -r line; do
    c=$(sed -n 's/^conc=\([0-9]*\) .*/\1/p' <<< "$line")
    # The server's time of the same requests: its access log between the phase markers.
    read -r sn s50 s99 smax < <(awk -v c="$c" '
      index($0, "\"path\":\"/__bench/phase-" c "-start\"") {on = 1; next}
      index($0, "\"path\":\"/__bench/phase-" c "-end\"") {on = 0}
      on && index($0, "\"kind\":\"access\"") && index($0, "\"path\":\"/portal/billing\"") {
        if (match($0, /"duration_us":[0-9]+/)) print substr($0, RSTART + 14, RLENGTH - 14) / 1000 }' \
      "$WORK/$mode.serve.log" | sort -g | awk '{v[NR] = $1} END {
        if (NR == 0) {print 0, "NA", "NA", "NA"; exit}
        i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
        printf "%d %.2f %.2f %.2f\n", NR, v[i50], v[i99], v[NR] }')
    read -r count p50 p90 p99 pmax <<< "$(sed 's/[a-z0-9]*=//g' <<< "$line" | awk '{print $2, $3, $4, $5, $6}')"
    verdict=$(awk -v p="$p99" -v t="$TARGET_MS" 'BEGIN{print (p + 0 < t + 0) ? "PASS" : "FAIL"}')
    [ "$verdict" = PASS ] || rc=1
    printf 'statement %s %s (ms, client: send to last byte); server (access log, %s requests): p50=%s p99=%s max=%s; p99 < %s ms: %s\n' \
      "$mode" "$line" "$sn" "$s50" "$s99" "$smax" "$TARGET_MS" "$verdict"
    printf 'RESULT %s %s %s %s %s %s %s %s %s %s %s\n' "$mode" "$c" "$count" "$p50" "$p90" "$p99" "$pmax" \
      "$s50" "$s99" "$smax" "$verdict"
  done <<< "$out"
done
exit $rc
