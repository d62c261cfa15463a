# The registration-authority benchmark (section `ra` of bench/run.sh, which sources this
# file): applications submitted and approved per second, end to end through the HTTP API,
# on SQLite and on PostgreSQL. No anchor: the issue asks for the figure.
#
# Each approval issues an RSA-2048 certificate with a server-made key from the pre-filled
# pool, builds the PKCS#12, hashes the download password (argon2id) and records the fee,
# every step durably committed. The pool filler is off during the load, so the figure is
# the RA's own cost, not RSA key generation (measured by section `keys`).
# env: RA_N=160 applications per run (hey sends a multiple of CONC: RA_N is rounded down),
#      RA_BACKENDS="sqlite postgres", RA_PG_PORT=55460

RA_N=${RA_N:-160}
RA_BACKENDS=${RA_BACKENDS:-"sqlite postgres"}
RA_PG_PORT=${RA_PG_PORT:-55460}

# ra_fill_pool DATA N: start a server with two unpinned generator threads until N keys wait.
ra_fill_pool() {
  local data=$1 n=$2 t0 i cnt pid
  start_claimsca claimsca-ra-fill "$data" --set key_pool.threads="$(nproc)" --set key_pool.target="$n" || return 1
  pid=$SRV_PID t0=$(now)
  for i in $(seq 1200); do
    cnt=$(ra_sql "$data" "SELECT count(*) FROM key_pool" 2>/dev/null || echo 0)
    [ "${cnt:-0}" -ge "$n" ] && break
    sleep 0.5
  done
  stop_pid "$pid"
  log "key pool: $cnt RSA-2048 keys in $(since "$t0") s"
}

ra_sql() {  # ra_sql DATA SQL, on the section's current back end
  if [ "$RA_BACKEND" = postgres ]; then psql -tAq "$RA_PG_URL" -c "$2"; else sql "$1" "$2"; fi
}

s_ra_backend() {
  local R=$WORK/ra-$RA_BACKEND data form token op pid url n0 n1 t0 el ids
  RA_N=$(( RA_N / CONC * CONC ))
  mkdir -p "$R" && cd "$R" || return
  data=$R/d
  local init_args=()
  if [ "$RA_BACKEND" = postgres ]; then
    psql "postgresql://postgres@127.0.0.1:$RA_PG_PORT/postgres" -qc "CREATE DATABASE ra_bench" > /dev/null || { fail "ra: create database"; return; }
    RA_PG_URL="postgresql://postgres@127.0.0.1:$RA_PG_PORT/ra_bench"
    init_args=(--database "$RA_PG_URL")
  fi
  "$CLAIMSCA" init --data "$data" "${init_args[@]}" > "$data.init" 2>&1 || { fail "ra init: $(cat "$data.init")"; return; }
  op=$(sed -n 's/.*shown once.*: //p' "$data.init")
  "$CLAIMSCA" admin import-register --data "$data" --file "$ROOT/data/institutions-2025-08.csv" > /dev/null 2>&1 || { fail "ra: import register"; return; }
  echo 'bench-password-12345' | "$CLAIMSCA" admin create-account --data "$data" --id bench@example.jp \
    --kind institution --code 0110112489 > /dev/null || { fail "ra: create account"; return; }
  ra_fill_pool "$data" $(( (RUNS + 1) * RA_N + 20 )) || return

  local common=(--set server.threads=1 --set key_pool.threads=0 --set ra.max_active_certificates=0)
  PIN="taskset -c $SERVER_CPU" start_claimsca claimsca-ra "$data" "${common[@]}" || return
  url=$SRV_URL pid=$SRV_PID
  token=$(curl -s -H 'Content-Type: application/json' --data-binary \
    '{"account_id":"bench@example.jp","password":"bench-password-12345"}' "$url/api/v1/login" | jq -r .token)
  [ -n "$token" ] && [ "$token" != null ] || { fail "ra: login"; stop_pid "$pid"; return; }
  jq -n '{applicant_kind:"institution", category:"1", prefecture:"01", score_table:"1",
          facility_code:"0112489", institution_name:"医療法人 愛全病院", contact_name:"医事課 ベンチ",
          phone:"011-123-4567", email:"bench@example.jp", terminal_name:"受付PC"}' > form.json
  # One application, checked end to end before the load.
  curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary @form.json \
    "$url/api/v1/applications" > one.json
  {
    echo "== $RA_BACKEND: POST /api/v1/applications (register hit → automatic approval)"
    jq -c '{state, request_id, common_name, not_after_on, download_deadline_on}' one.json
  } >> "$RAW/validate-ra.txt"
  [ "$(jq -r .state one.json)" = issued ] || fail "ra $RA_BACKEND: the application was not approved: $(head -c 300 one.json)"

  # (a) submitted and approved in one request (automatic review).
  n0=$(ra_sql "$data" "SELECT count(*) FROM applications WHERE state='issued'")
  load_series "ra.$RA_BACKEND.auto" "$RA_BACKEND: POST /api/v1/applications, automatic approval (submit + review + RSA-2048 certificate + PKCS#12 + fee), server 1 core; hey -n $RA_N -c $CONC" \
    -n "$RA_N" -c "$CONC" -t 60 -m POST -T application/json -H "Authorization: Bearer $token" -D form.json "$url/api/v1/applications"
  n1=$(ra_sql "$data" "SELECT count(*) FROM applications WHERE state='issued'")
  record "ra.$RA_BACKEND.auto.stored" count "applications issued during the load (expected $((RUNS * RA_N)))" "$((n1 - n0))"
  [ "$((n1 - n0))" = "$((RUNS * RA_N))" ] || fail "ra $RA_BACKEND: $((n1 - n0)) issued, expected $((RUNS * RA_N))"
  stop_pid "$pid"

  # (b) manual review: submit (held), then operators approve them all.
  PIN="taskset -c $SERVER_CPU" start_claimsca claimsca-ra-manual "$data" "${common[@]}" --set ra.auto_review=false || return
  url=$SRV_URL pid=$SRV_PID
  token=$(curl -s -H 'Content-Type: application/json' --data-binary \
    '{"account_id":"bench@example.jp","password":"bench-password-12345"}' "$url/api/v1/login" | jq -r .token)
  RUNS=1 load_series "ra.$RA_BACKEND.submit" "$RA_BACKEND: POST /api/v1/applications held for review (submit only), server 1 core; hey -n $RA_N -c $CONC" \
    -n "$RA_N" -c "$CONC" -t 60 -m POST -T application/json -H "Authorization: Bearer $token" -D form.json "$url/api/v1/applications"
  ids=$(ra_sql "$data" "SELECT request_id FROM applications WHERE state='pending'")
  n0=$(wc -l <<< "$ids")
  t0=$(now)
  taskset -c "$CLIENT_CPU" xargs -P "$CONC" -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
    -H "Authorization: Bearer $op" "$url/api/v1/applications/{}/approve" <<< "$ids" > approve.codes
  el=$(since "$t0")
  [ "$(grep -c '^200$' approve.codes)" = "$n0" ] || fail "ra $RA_BACKEND: $(grep -vc '^200$' approve.codes) approvals failed"
  record "ra.$RA_BACKEND.approve" req/s "$RA_BACKEND: POST /api/v1/applications/{id}/approve of $n0 held applications, $CONC parallel curl, server 1 core (count / wall time, curl start-up included)" \
    "$(awk -v n="$n0" -v t="$el" 'BEGIN{printf "%.1f", n/t}')"
  stop_pid "$pid"
  "$CLAIMSCA" audit verify --data "$data" >> "$RAW/validate-ra.txt" 2>&1 || fail "ra $RA_BACKEND: audit chain"
  cd "$ROOT" || return
}

s_ra() {
  local b pg=""
  for b in $RA_BACKENDS; do
    RA_BACKEND=$b
    if [ "$b" = postgres ]; then
      pg=$WORK/pg
      CLAIMSCA_PG_PORT=$RA_PG_PORT "$ROOT/tests/integration/pg_server.sh" start "$pg" > "$RAW/pg.log" 2>&1 ||
        { fail "ra: PostgreSQL did not start (raw/pg.log)"; continue; }
    fi
    s_ra_backend
    if [ -n "$pg" ]; then CLAIMSCA_PG_PORT=$RA_PG_PORT "$ROOT/tests/integration/pg_server.sh" stop "$pg" >> "$RAW/pg.log" 2>&1; pg=""; fi
  done
}
