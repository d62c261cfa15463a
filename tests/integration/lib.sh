# Shared helpers for the integration tests (sourced). Each test gets a scratch directory,
# starts the real binary and real servers on loopback, and cleans up on exit.
# No pipefail: checks are written as `producer | grep -q`, where grep exiting early
# would make the producer fail with SIGPIPE; the grep decides.
set -eu

CLAIMSCA=${CLAIMSCA_BIN:-${CLAIMSCA_BINARY_DIR:?}/claimsca}
WORK=$(mktemp -d /tmp/claimsca-it.XXXXXX)
SERVER_PID=""
EXTRA_PIDS=()
PASSED=0

cleanup() {
  local rc=$?
  if [ $rc -eq 0 ]; then check_contract || rc=1; fi
  for pid in "${EXTRA_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  stop_cluster
  if [ $rc -ne 0 ] && [ -f "$WORK/server.log" ]; then
    echo "--- server log (tail) ---"; tail -n 30 "$WORK/server.log"
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Answers checked against the contract (docs/architecture.md, "API contract"): every curl of
# a test runs through this function, which records the exchange (method, URL, status,
# Content-Type, body) in $WORK/exchanges.log; at exit, a test that passed is failed if any
# recorded answer does not match docs/openapi.yaml (tests/contract/validate_exchanges.js).
# The test's own -o FILE, -D FILE, -w and stdout behave as with curl itself.
CONTRACT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../contract" && pwd)
# shellcheck source=scripts/cluster_lib.sh
source "$CONTRACT_DIR/../../scripts/cluster_lib.sh"
curl() {
  local dir=$WORK/exchanges args=() out="" hdr="" method="" url="" data="" prev="" a rc=0
  mkdir -p "$dir"
  local id
  id=$(mktemp "$dir/XXXXXXXX")
  for a in "$@"; do
    case $prev in
      -o | --output) out=$a; args+=("$id.body"); prev=""; continue ;;
      -D | --dump-header) hdr=$a ;;
      -X | --request) method=$a ;;
    esac
    case $a in
      -d | --data* | -F | --form) data=1 ;;
      http://* | https://*) url=$a ;;
    esac
    args+=("$a"); prev=$a
  done
  [ -n "$out" ] && [ "$out" != - ] || args+=(-o "$id.body")
  [ -n "$hdr" ] || { hdr=$id.headers; args+=(-D "$hdr"); }
  command curl "${args[@]}" >"$id.stdout" || rc=$?
  # Recorded before the output is passed on: in `curl … | grep -q` the reader may be gone.
  local status ctype body=-
  status=$(sed -n 's|^HTTP/[0-9.]* \([0-9]*\).*|\1|p' "$hdr" 2>/dev/null | tail -1)
  ctype=$(sed -n 's|^[Cc]ontent-[Tt]ype: *\([^\r]*\).*|\1|p' "$hdr" 2>/dev/null | tail -1)
  [ -n "$method" ] || { [ -n "$data" ] && method=POST || method=GET; }
  # curl -f (exit 22) keeps an error's body from the test, and so from the check.
  if [ -f "$id.body" ] && [ $rc -ne 22 ]; then body=$id.body; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$method" "$url" "${status:-000}" "$ctype" "$body" >>"$WORK/exchanges.log"
  if [ -n "$out" ] && [ "$out" != - ]; then
    [ ! -f "$id.body" ] || [ "$out" = /dev/null ] || cp "$id.body" "$out"
  else
    [ ! -f "$id.body" ] || cat "$id.body"
  fi
  cat "$id.stdout"
  return $rc
}
check_contract() {
  [ -s "$WORK/exchanges.log" ] || return 0
  [ -d "${CLAIMSCA_BINARY_DIR:?}/contract/node_modules" ] ||
    { echo "FAIL: no $CLAIMSCA_BINARY_DIR/contract/node_modules (ctest fixture contract_npm_ci)"; return 1; }
  NODE_PATH=${CLAIMSCA_BINARY_DIR:?}/contract/node_modules node "$CONTRACT_DIR/validate_exchanges.js" \
    "$CONTRACT_DIR/../../docs/openapi.yaml" "$WORK/exchanges.log"
}
ok() { PASSED=$((PASSED + 1)); echo "ok $PASSED - $*"; }

# expect_fail DESCRIPTION CMD...: the command must exit non-zero.
expect_fail() {
  local what=$1; shift
  if "$@" >"$WORK/expect_fail.out" 2>&1; then
    cat "$WORK/expect_fail.out"; fail "$what: succeeded but should have failed"
  fi
  ok "$what (refused)"
}

# start_server DATA [extra serve args]: starts `claimsca serve` on free ports and sets
# PORT, MTLS_PORT and BASE. In cluster mode (CLAIMSCA_TEST_CLUSTER=1 on postgres), several
# nodes behind HAProxy instead: start_cluster below.
start_server() {
  if cluster_mode; then start_cluster "$@"; return; fi
  local data=$1; shift
  # Emptied here, not only by the redirection below: that happens in the background child,
  # and the loop could otherwise still read an earlier server's "Press Ctrl-C" and then parse
  # a file the child has just truncated (seen once in CI: "no port in server output").
  : >"$WORK/server.out"
  : >"$WORK/server.log"
  # Jobs off unless a test turns them on: a notice batch printed by the server's own
  # schedule would take the download passwords the tests read with `admin download-password`.
  "$CLAIMSCA" serve --data "$data" --listen 127.0.0.1:0 --set server.mtls_listen=127.0.0.1:0 \
    --set jobs.enabled=false "$@" >"$WORK/server.out" 2>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if grep -q "Press Ctrl-C" "$WORK/server.out" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; fail "server exited"; }
    sleep 0.05
  done
  BASE=$(sed -n 's|.*CA certificates, thumbprints \(http://[^/]*\)/ca/.*|\1|p' "$WORK/server.out")
  PORT=${BASE##*:}
  MTLS_PORT=$(sed -n 's|.*mTLS) *https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/server.out")
  HTTPS_PORT=$(sed -n 's|^ *HTTPS *https://127.0.0.1:\([0-9]*\).*|\1|p' "$WORK/server.out")
  [ -n "$PORT" ] || { cat "$WORK/server.out"; fail "no port in server output"; }
}

stop_server() {
  if cluster_mode; then stop_cluster; return; fi
  kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
}

# ---- cluster mode ---------------------------------------------------------------------
# CLAIMSCA_TEST_CLUSTER=1 and a test on postgres (use_backend): start_server starts
# CLAIMSCA_TEST_CLUSTER_NODES (default 3) read-write `serve` nodes on the test's database,
# each with the same serve arguments, and HAProxy in front (scripts/cluster_lib.sh, the
# configuration of scripts/cluster.sh without health checks): HTTP round-robin per request,
# so that a client's consecutive requests land on different nodes; the mTLS and HTTPS
# listeners as TCP passthrough (the client certificate reaches the node), round-robin per
# connection. BASE, PORT, MTLS_PORT and HTTPS_PORT are HAProxy's. Each node runs on its own
# copy of DATA made at start_server, as on several machines (docs/operations.md "Cluster"):
# what the test put there before (keys, claimsca.toml, secrets) reaches every node, what it
# puts there later does not (restart the server to hand it out, as an operator would). The
# directories whose files any node may write, for people or for `audit verify`, are DATA's
# own, shared (symbolic links): jobs.notices_dir `notices` and the billing run's `billing`
# (a shared directory, as docs/operations.md asks of a deployment) and `audit` (the
# checkpoint file, appended under flock). The test's CLI calls (--data DATA) reach the same
# database. Every node's log goes to $WORK/server.log
# (one log, as a log collector would have it); $WORK/server.out is node 1's output.
# tests/integration/cluster_suite.sh runs the suite so.
CLUSTER_PIDS=()
CLUSTER_NODES=()  # the nodes' HTTP listeners, ADDR:PORT
cluster_mode() { [ "${CLAIMSCA_TEST_CLUSTER:-0}" = 1 ] && [ "${MODE:-}" = postgres ]; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_cluster() {
  local data=$1; shift
  local n=${CLAIMSCA_TEST_CLUSTER_NODES:-3} i dir pid out d
  local HA_HTTP=() HA_MTLS=() HA_HTTPS=() LB_HTTP LB_MTLS="" LB_HTTPS="" LB_STATS="" HA_RO="" HA_CHECKS=0 HA_TIMEOUT=600s
  stop_cluster  # what is left of a cluster whose node 1 the test killed
  : >"$WORK/server.out"
  : >"$WORK/server.log"
  for d in notices billing audit; do mkdir -p "$data/$d"; done
  for i in $(seq 1 "$n"); do
    dir=$WORK/cluster/node$i
    rm -rf "$dir"; mkdir -p "$WORK/cluster"
    cp -a "$data" "$dir"
    for d in notices billing audit; do rm -rf "${dir:?}/$d"; ln -s "$(cd "$data/$d" && pwd)" "$dir/$d"; done
    "$CLAIMSCA" serve --data "$dir" --listen 127.0.0.1:0 --set server.mtls_listen=127.0.0.1:0 \
      --set jobs.enabled=false "$@" >"$WORK/cluster/node$i.out" 2>>"$WORK/server.log" &
    CLUSTER_PIDS+=($!)
  done
  for i in $(seq 1 "$n"); do
    out=$WORK/cluster/node$i.out pid=${CLUSTER_PIDS[i - 1]}
    for _ in $(seq 1 400); do
      if grep -q "Press Ctrl-C" "$out" 2>/dev/null; then break; fi
      kill -0 "$pid" 2>/dev/null || { cat "$WORK/server.log"; fail "cluster node $i exited"; }
      sleep 0.05
    done
    HA_HTTP+=("$(sed -n 's|.*CA certificates, thumbprints http://\([^/]*\)/ca/.*|\1|p' "$out")")
    HA_MTLS+=("127.0.0.1:$(sed -n 's|.*mTLS) *https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out")")
    HA_HTTPS+=("127.0.0.1:$(sed -n 's|^ *HTTPS *https://127.0.0.1:\([0-9]*\).*|\1|p' "$out")")
    [ -n "${HA_HTTP[i - 1]}" ] || { cat "$out"; fail "no port in cluster node $i's output"; }
  done
  cp "$WORK/cluster/node1.out" "$WORK/server.out"
  CLUSTER_NODES=("${HA_HTTP[@]}")
  SERVER_PID=${CLUSTER_PIDS[0]}  # a test's `kill -9 "$SERVER_PID"` kills node 1
  PORT=$(free_port)
  LB_HTTP=127.0.0.1:$PORT
  MTLS_PORT="" HTTPS_PORT=""
  if [ "${HA_MTLS[0]}" != 127.0.0.1: ]; then MTLS_PORT=$(free_port); LB_MTLS=127.0.0.1:$MTLS_PORT; fi
  if [ "${HA_HTTPS[0]}" != 127.0.0.1: ]; then HTTPS_PORT=$(free_port); LB_HTTPS=127.0.0.1:$HTTPS_PORT; fi
  haproxy_cfg "$WORK/cluster/haproxy.cfg" || fail "haproxy.cfg does not validate"
  haproxy -db -f "$WORK/cluster/haproxy.cfg" >"$WORK/cluster/haproxy.log" 2>&1 &
  CLUSTER_PIDS+=($!)
  BASE=http://127.0.0.1:$PORT
  for _ in $(seq 1 200); do
    if [ "$(command curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)" != 000 ]; then
      echo "# cluster: $n serve nodes behind HAProxy $BASE (mTLS ${MTLS_PORT:--})" >&2; return 0
    fi
    kill -0 "${CLUSTER_PIDS[n]}" 2>/dev/null || { cat "$WORK/cluster/haproxy.log"; fail "haproxy exited"; }
    sleep 0.05
  done
  fail "haproxy does not answer on $BASE"
}
stop_cluster() {
  local pid
  for pid in "${CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${CLUSTER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  CLUSTER_PIDS=() SERVER_PID=""
}

# kill_server: SIGKILL of the server in the middle of its work (the crash tests); in cluster
# mode of every node at once (HAProxy stays until the next start_server).
kill_server() {
  local pids=("$SERVER_PID") pid
  if cluster_mode; then pids=("${CLUSTER_PIDS[@]:0:${#CLUSTER_NODES[@]}}"); fi
  kill -9 "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  SERVER_PID=""
}

# metrics: what Prometheus scrapes, the server's /metrics; in cluster mode every node's, one
# after the other (each node counts what it served).
metrics() {
  if ! cluster_mode; then curl -fsS "$BASE/metrics"; return; fi
  local node
  for node in "${CLUSTER_NODES[@]}"; do curl -fsS "http://$node/metrics"; done
}

# new_csr NAME [rsa|ec]: key NAME.key and CSR NAME.csr in $WORK.
new_csr() {
  local alg=${2:-rsa}
  if [ "$alg" = rsa ]; then
    openssl req -new -newkey rsa:2048 -nodes -keyout "$WORK/$1.key" -subj "/CN=ignored" \
      -out "$WORK/$1.csr" 2>/dev/null
  else
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/$1.key" \
      -subj "/CN=ignored" -out "$WORK/$1.csr" 2>/dev/null
  fi
}

serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

# ocsp_status CERT DATA: prints good / revoked / unknown as openssl ocsp sees it (and
# fails unless the response verifies).
ocsp_status() {
  local out
  out=$(openssl ocsp -issuer "$2/ca/issuing-1.pem" -cert "$1" -url "$BASE/ocsp" \
    -CAfile "$2/ca/root.pem" 2>&1) || { echo "$out" >&2; return 1; }
  echo "$out" | grep -q "Response verify OK" || { echo "$out" >&2; return 1; }
  echo "$out" | sed -n "s|^$1: *||p" | head -1
}

# use_backend MODE NAME: on postgres, a fresh database NAME_<time>_<pid> on the test
# cluster (the pg fixture sets CLAIMSCA_TEST_PG_URL): sets PG_URL and adds --database to
# ARGS (for `claimsca init`). `sql TEXT` then runs one statement on the test's database
# ($DATA/claimsca.db on sqlite).
use_backend() {
  MODE=$1
  [ "$MODE" = postgres ] || return 0
  : "${CLAIMSCA_TEST_PG_URL:?PostgreSQL URL (the pg fixture sets it)}"
  local db
  db="$2_$(date +%s)_$$"
  psql "$CLAIMSCA_TEST_PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  PG_URL="${CLAIMSCA_TEST_PG_URL%/*}/$db"
  ARGS+=(--database "$PG_URL")
}
sql() {
  if [ "$MODE" = postgres ]; then psql -tAq "$PG_URL" -c "$1"
  else sqlite3 -cmd '.timeout 10000' "$DATA/claimsca.db" "$1"; fi
}

finish() { echo "$PASSED passed, 0 failed"; }

# use_softhsm DATA: a fresh SoftHSM2 token "claimsca-it" (user PIN in DATA/secrets) and
# the `claimsca init` arguments for it appended to INIT_ARGS.
use_softhsm() {
  export SOFTHSM2_CONF=$WORK/softhsm2.conf
  mkdir -p "$WORK/tokens"
  echo "directories.tokendir = $WORK/tokens" > "$SOFTHSM2_CONF"
  softhsm2-util --init-token --free --label claimsca-it --so-pin 1234 --pin 5678 >/dev/null
  mkdir -p "$1/secrets"; echo 5678 > "$1/secrets/pkcs11.pin"
  INIT_ARGS+=(--signer pkcs11 --pkcs11-token claimsca-it)
}

# ocsp_at CERT UNIX_TIME: ocsp_status ($DATA's CA) for a server whose clock runs at
# another time (--at): the response is verified at that time.
ocsp_at() {
  local out
  out=$(openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -cert "$1" -url "$BASE/ocsp" \
    -CAfile "$DATA/ca/root.pem" -attime "$2" -validity_period 400000000 2>&1) || { echo "$out" >&2; return 1; }
  echo "$out" | grep -q "Response verify OK" || { echo "$out" >&2; return 1; }
  echo "$out" | sed -n "s|^$1: *||p" | head -1
}

# clinic_terminal_setup: a demo CA in $DATA (backend per use_backend/ARGS) with the real
# register, a clinic account (0110112489), the server started; sets J, TOKEN and FORM
# (a clean application form that automatic review approves).
clinic_terminal_setup() {
  "$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
  clinic_terminal_start
}

# clinic_terminal_start: clinic_terminal_setup's steps after init, on the data directory
# $DATA that the caller has made.
clinic_terminal_start() {
  "$CLAIMSCA" admin import-register --data "$DATA" \
    --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" >/dev/null 2>&1
  echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" \
    --id clinic@example.jp --kind institution --code 0110112489 --name "医療法人 愛全病院" >/dev/null
  start_server "$DATA"
  J=(-H "Content-Type: application/json")
  TOKEN=$(curl -fsS "${J[@]}" \
    --data-binary '{"account_id":"clinic@example.jp","password":"clinic-password-1234"}' \
    "$BASE/api/v1/login" | jq -r .token)
  FORM='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
    "facility_code":"0112489","institution_name":"医療法人 愛全病院","contact_name":"医事課",
    "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"受付PC1"}'
}

# apply_terminal: submits $FORM and takes the notice's password; sets RID and PASSWORD.
apply_terminal() {
  RID=$(curl -fsS "${J[@]}" -H "Authorization: Bearer $TOKEN" --data-binary "$FORM" \
    "$BASE/api/v1/applications" | jq -r .request_id)
  "$CLAIMSCA" admin download-password --data "$DATA" --request-id "$RID" --by printer > "$WORK/pw.out" 2>/dev/null
  PASSWORD=$(sed -n 's/^password=//p' "$WORK/pw.out")
  [ ${#PASSWORD} = 16 ] || fail "no download password for $RID"
}

# issue_terminal NAME: apply_terminal, then the PKCS#12 downloaded as the terminal does and
# split into $WORK/NAME.pem (certificate) and $WORK/NAME.key; sets RID and PASSWORD.
issue_terminal() {
  apply_terminal
  curl -fsS -o "$WORK/$1.p12" "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/download"
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/$1.pem" 2>/dev/null
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$PASSWORD" -nocerts -nodes -out "$WORK/$1.key" 2>/dev/null
}

# csrf_of HTML: the first form's CSRF token. portal_login ID PASSWORD JAR: signs in
# through the portal's login form (its CSRF token and cookie), the session cookie in JAR.
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }
portal_login() {
  local anon
  anon=$(curl -fsS -c "$WORK/anon.jar" "$BASE/portal/login" -o "$WORK/login.html" && csrf_of "$WORK/login.html")
  curl -fsS -b "$WORK/anon.jar" -c "$3" --data-urlencode "csrf=$anon" --data-urlencode "account_id=$1" \
    --data-urlencode "password=$2" "$BASE/portal/login" -o /dev/null || fail "login $1"
}

# start_smtp_sink DIR: a real SMTP server on loopback (src/mail/testdata/smtp_sink.py) that
# saves every message it receives into DIR; sets SMTP_PORT and SMTP_PID. stop_smtp_sink.
start_smtp_sink() {
  mkdir -p "$1"
  SMTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  /usr/bin/python3 "${CLAIMSCA_SOURCE_DIR:?}/src/mail/testdata/smtp_sink.py" "$1" "$SMTP_PORT" &
  SMTP_PID=$!
  EXTRA_PIDS+=("$SMTP_PID")
  for _ in $(seq 1 100); do [ -f "$1/ready" ] && return 0; sleep 0.1; done
  fail "SMTP sink did not start"
}
stop_smtp_sink() { kill "$SMTP_PID" 2>/dev/null || true; wait "$SMTP_PID" 2>/dev/null || true; }
