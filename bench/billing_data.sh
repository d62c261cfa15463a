# shellcheck shell=bash disable=SC2034  # sets globals of the scripts that source it
# Sourced by bench/billing.sh and bench/statement.sh: one month of billing data at scale.
# billing_data MODE NAME: a fresh data directory $WORK/MODE (SQLite, or a new PostgreSQL
# database NAME_<time>_<pid> on $PG_URL, starting a throwaway cluster when PG_URL is
# unset), initialised at the first of $MONTH and filled by billing_seed.sh with $CHARGES
# charges of $INSTITUTIONS institutions. Sets `data` and `target`; exits on failure.
# Needs from the caller: ROOT, HERE, WORK, CLAIMSCA, MONTH, INSTITUTIONS, CHARGES,
# CLAIMSCA_PG_PORT, PG_STARTED (set to 1 when it starts the cluster) and log().
billing_data() {
  local mode=$1 name=$2 db url t0
  local args=(--demo --key-algorithm ecp256)
  data=$WORK/$mode
  if [ "$mode" = postgres ]; then
    if [ -z "${PG_URL:-}" ]; then
      bash "$ROOT/tests/integration/pg_server.sh" start "$WORK/pg" >/dev/null || { log "pg_server start failed"; exit 1; }
      PG_STARTED=1
      PG_URL=postgresql://postgres@127.0.0.1:$CLAIMSCA_PG_PORT/claimsca_test
    fi
    db="${name}_$(date +%s)_$$"
    psql -qX "$PG_URL" -c "CREATE DATABASE $db" >/dev/null || exit 1
    url="${PG_URL%/*}/$db"
    args+=(--database "$url")
    target=$url
  else
    target=$data/claimsca.db
  fi
  "$CLAIMSCA" init --data "$data" "${args[@]}" --at "${MONTH}-01T09:00" >/dev/null 2>&1 || { log "$mode: init failed"; exit 1; }
  log "$mode: generating $CHARGES charges of $INSTITUTIONS institutions"
  t0=$(date +%s.%N)
  bash "$HERE/billing_seed.sh" "$mode" "$target" "$INSTITUTIONS" "$CHARGES" "$MONTH" || { log "$mode: seed failed"; exit 1; }
  log "$mode: generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
}
