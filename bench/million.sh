#!/usr/bin/env bash
# A million certificates (issue 22, docs/benchmarks.md "A million certificates"):
#   1. bench_population fills a fresh data directory (SQLite, or PostgreSQL with
#      BACKEND=postgres PG_URL=postgresql://…/db — the database must exist and be empty) with
#      N certificates over the institutions of data/ in realistic states;
#   2. the daily reminders job: the first run of a deployment (the whole 75-day window), then
#      the next day's run (only what became due since, domain::NewlyDueEndDates, and the
#      applications written since the day before, applications.changed_at), then the same
#      day again (skipped: done today); each e-mail once (dedup keys unique, counts add up).
# Target of the issue: the daily job over the million in < 10 s with each mail once.
#
#   bench/million.sh [N]          N defaults to MILLION_N or 1,000,000
#   env: BUILD=build WORK=/tmp/… KEEP_WORK=1 BACKEND=sqlite|postgres PG_URL=… THREADS=2
#        DATA=DIR AT=… : no generation; the reminders job on DIR, a data directory that
#        bench_population filled at AT (its fifth output field; bench/cluster.sh keeps it in
#        population.tsv), e.g. a cluster's node (with BACKEND=postgres, PG_URL = its database).
#        JOBS_ARGS: more `jobs run` arguments (--force where a live `serve` ran on the database)
# Prints RESULT lines (key value unit) and exits non-zero when a step cannot measure.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
N=${1:-${MILLION_N:-1000000}}
BACKEND=${BACKEND:-sqlite}
THREADS=${THREADS:-2}
CLAIMSCA=$BUILD/claimsca
POP=$BUILD/bench/bench_population
WORK=${WORK:-$(mktemp -d /tmp/claimsca-million.XXXXXX)}
D=${DATA:-$WORK/d}
read -ra JOBS_ARGS <<< "${JOBS_ARGS:-}"

die() { echo "million: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
result() { echo "RESULT $*"; }
cleanup() { [ "${KEEP_WORK:-0}" = 1 ] || case $WORK in /tmp/*) rm -rf "$WORK" ;; esac; }
trap cleanup EXIT

[ -x "$CLAIMSCA" ] && [ -x "$POP" ] || die "build first ($CLAIMSCA, $POP)"
sql() {
  if [ "$BACKEND" = postgres ]; then psql -tAq "$PG_URL" -c "$1"; else sqlite3 "$D/claimsca.db" "$1"; fi
}
DB=()
if [ "$BACKEND" = postgres ]; then
  [ -n "${PG_URL:-}" ] || die "BACKEND=postgres needs PG_URL"
  DB=(--database "$PG_URL")
fi
mkdir -p "$WORK"
if [ -n "${DATA:-}" ]; then
  [ -n "${AT:-}" ] || die "DATA needs AT (the population's instant)"
  at=$AT
  result population.certificates "$(sql "SELECT count(*) FROM certificates WHERE state = 'issued'")" count \
    "certificates in $D (not generated here)"
else
  "$CLAIMSCA" init --data "$D" "${DB[@]}" > "$WORK/init.log" 2>&1 || die "init: $(tail -3 "$WORK/init.log")"

  t0=$(now)
  # (the issuer's two audit events per certificate are left out of the log)
  out=$("$POP" "$D" "$N" "$ROOT/data/institutions-2025-08.csv" auto "$THREADS" \
    2> >(grep -v -e '"kind":"signing_intent"' -e '"kind":"certificate_issued"' > "$WORK/population.log")) ||
    die "bench_population: $(tail -3 "$WORK/population.log")"
  read -r count secs rate big at <<< "$out"
  [ "$count" = "$N" ] || die "bench_population wrote $count of $N"
  result population.seconds "$(since "$t0")" s "$N applications/certificates, $BACKEND, $THREADS threads ($rate/s)"
  result population.institutions "$(sql "SELECT count(DISTINCT institution_code) FROM applications")" count \
    "institutions holding them; the one with 50 terminals: $big"
  while IFS='|' read -r state n; do result "population.$state" "$n" count "applications $state"; done \
    < <(sql "SELECT state, count(*) FROM applications GROUP BY state ORDER BY state")
  result population.certificates "$(sql "SELECT count(*) FROM certificates WHERE state = 'issued'")" count \
    "certificates signed by the issuing CA"
fi

# The generator writes its rows in SQL: each gets the changed_at (migration 097) the
# application operations would have left, its last write (revocation, download, issuance), so
# the next day's run reads the writes of the day before as it would in service.
sql "UPDATE applications SET changed_at = coalesce(revoked_at, last_downloaded_at, issued_at)
     WHERE issued_at IS NOT NULL" > /dev/null || die "changed_at of the generated rows"

# The reminders job runs at 10:00 JST (due from jobs.reminders_at, 09:00).
day1=$(TZ=Asia/Tokyo date -d "$at" +%F)
day2=$(TZ=Asia/Tokyo date -d "$day1 + 1 day" +%F)
run_job() {  # run_job DAY KEY DESCRIPTION -> sets MAILS READ
  local t0 out
  t0=$(now)
  out=$("$CLAIMSCA" jobs run --data "$D" --at "${1}T10:00:00+09:00" --job reminders "${JOBS_ARGS[@]}" 2>&1) ||
    die "jobs run at $1: $out"
  local s
  s=$(since "$t0")
  MAILS=$(sed -n 's/.*expiry_mails=\([0-9]*\).*/\1/p' <<< "$out")
  READ=$(sed -n 's/.* read=\([0-9]*\).*/\1/p' <<< "$out")
  [ -n "$MAILS" ] && [ -n "$READ" ] || die "jobs run at $1 printed no counts: $out"
  result "$2" "$s" s "$3 ($MAILS expiry mails, $READ applications read)"
}
run_job "$day1" reminders.first "first run of a deployment ($day1): the whole 75-day window"
first=$MAILS
run_job "$day2" reminders.daily "the next day's daily run ($day2): what became due since"
daily=$MAILS
again=$("$CLAIMSCA" jobs run --data "$D" --at "${day2}T11:00:00+09:00" --job reminders "${JOBS_ARGS[@]}" 2>&1)
[[ "$again" == *"skipped"* ]] || die "the same day again was not skipped: $again"
rows=$(sql "SELECT count(*) FROM mail_outbox WHERE kind = 'expiry_reminder'")
distinct=$(sql "SELECT count(DISTINCT dedup_key) FROM mail_outbox WHERE kind = 'expiry_reminder'")
[ "$rows" = $((first + daily)) ] && [ "$rows" = "$distinct" ] ||
  die "outbox holds $rows expiry mails ($distinct distinct), runs wrote $first + $daily"
result reminders.mails_once "$rows" count "expiry mails in the outbox, each dedup key once"
echo "million: done ($WORK)"
