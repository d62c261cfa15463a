#!/usr/bin/env bash
# The cluster at scale (issue 22, "How we will check it"; docs/benchmarks.md "Cluster at
# 1,000,000 certificates"), from nothing: scripts/cluster.sh up (PostgreSQL primary +
# synchronous standby, three read-write nodes, the read-only node, HAProxy) whose one-time
# setup (CLUSTER_SETUP) fills the shared database with COUNT certificates (bench_population,
# niced) and makes a portal account for the institution with 50 certificates; then
#   a. OCSP at the read-only node and at a read-write node (hey: one fixed request; wrk:
#      CLUSTER_OCSP_SAMPLE requests over the population in turn), and cfssl ocspserve with
#      the same certificates (cfssl_ocsp of bench/run.sh) pre-signed at each size of
#      CLUSTER_CFSSL_NS: targets p99 < 1 ms at the node, >= 2x cfssl;
#   b. the portal's 申請状況照会 (GET /portal/applications) of that institution, logged in
#      through the portal's form (bench/portal_client.py), through HAProxy and at a node:
#      target p99 < 20 ms;
#   c. with the read-write nodes stopped (their CRL updaters would race it), crl_shard_bench
#      on the cluster's database: one revocation -> its shard CRL regenerated, < 1 s (the
#      shard counters' last revocation time first set to the wall clock: see there);
# then scripts/cluster.sh down (--purge unless KEEP_WORK=1). Every cluster process (the
# nodes, HAProxy, both PostgreSQL servers) is pinned to SERVER_CPU once the population is
# in, every client to CLIENT_CPU; the 1-minute load average is recorded beside each figure.
#
# usage: bench/cluster.sh [COUNT]        runs `bench/run.sh cluster` (COUNT: CLUSTER_N, 1000000)
#        bench/run.sh cluster            the same, as a section of the benchmarks
# env (besides bench/run.sh's: WORK KEEP_WORK RUNS LOAD_SECS CONC SERVER_CPU CLIENT_CPU):
#        CLUSTER_PG_PORT=55480 CLUSTER_HTTP_PORT=18700 (scripts/cluster.sh; +5 for ocspserve)
#        CLUSTER_CFSSL_NS="10000 100000"  cfssl pre-signed subsets (the first N by serial)
#        CLUSTER_OCSP_SAMPLE=500  distinct OCSP requests replayed by wrk (within every subset)
#        PORTAL_REQUESTS=2000 PORTAL_CONCS="1 4"
#        POP_THREADS=2  bench_population's threads (each batch revokes in CRL shard order:
#                       two threads once deadlocked on the shard counter rows; 100,000 on a
#                       standalone PostgreSQL with 2 threads: 1,681/s, no deadlock)
#        CLUSTER_REUSE=DIR  a cluster state directory kept by an earlier run (KEEP_WORK=1):
#                           started again, nothing generated (e.g. $WORK/cluster)
# The data stay in $WORK/cluster with KEEP_WORK=1: `CLUSTER_DIR=$WORK/cluster
# CLUSTER_PG_PORT=… CLUSTER_HTTP_PORT=… scripts/cluster.sh up` starts them again.

CLUSTER_N=${CLUSTER_N:-1000000}
CLUSTER_CFSSL_NS=${CLUSTER_CFSSL_NS:-"10000 100000"}
CLUSTER_OCSP_SAMPLE=${CLUSTER_OCSP_SAMPLE:-500}
PORTAL_REQUESTS=${PORTAL_REQUESTS:-2000}
PORTAL_CONCS=${PORTAL_CONCS:-"1 4"}
CLUSTER_PASSWORD=bench-cluster-password-1

# cluster_populate DATA (CLUSTER_SETUP of scripts/cluster.sh, run once after `claimsca init`
# on the shared database): CLUSTER_N certificates by bench_population (niced; its output,
# "count seconds rate big_code AT", in population.tsv beside DATA), and the portal account
# clinic-CODE@bench.example.jp of the institution with 50 certificates.
cluster_populate() {
  local data=$1 dir out code
  dir=$(dirname "$data")
  # A bulk load: its commits do not wait for their flush, here or on the standby (PGOPTIONS
  # reaches only this process's sessions; the nodes keep synchronous_commit = on). Measured
  # at 10,000: 64 certificates/s with it on (two synchronous commits per certificate).
  out=$(PGOPTIONS="-c synchronous_commit=off" nice -n 10 "$CLUSTER_BUILD/bench/bench_population" "$data" "$CLUSTER_N" \
    "$CLUSTER_ROOT/data/institutions-2025-08.csv" auto "${POP_THREADS:-2}" \
    2> >(grep -v -e '"kind":"signing_intent"' -e '"kind":"certificate_issued"' > "$dir/population.log")) ||
    { echo "bench_population: $(tail -3 "$dir/population.log")" >&2; return 1; }
  echo "$out" > "$dir/population.tsv"
  code=$(cut -f4 <<< "$out")
  echo "$CLUSTER_PASSWORD" | "$CLUSTER_BUILD/claimsca" admin create-account --data "$data" \
    --id "clinic-$code@bench.example.jp" --kind institution --code "$code" --name "ベンチ病院 $code" \
    > "$dir/account.log" 2>&1 || { cat "$dir/account.log" >&2; return 1; }
}

cluster_psql() { psql -X -qtA -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U postgres -d claimsca -c "$1"; }
cluster_cmd() { "$ROOT/scripts/cluster.sh" "$@" >> "$RAW/cluster.log" 2>&1; }
cluster_stop() {
  [ -n "${CLUSTER_DIR:-}" ] && [ -d "$CLUSTER_DIR" ] || return 0
  if [ "${KEEP_WORK:-0}" = 1 ] || [ -n "${CLUSTER_REUSE:-}" ]; then
    cluster_cmd down
  else
    cluster_cmd down --purge
  fi
}
# load_note KEY: the 1-minute load average now, recorded beside KEY's figures
load_note() { record "$1.load" load "1-minute load average as $1 starts" "$(cut -d' ' -f1 /proc/loadavg)"; }
# cluster_pids: every process of the cluster (nodes, HAProxy, both PostgreSQL servers and
# their children, found from their recorded pids)
cluster_pids() {
  local f pm pgdirs
  for f in "$CLUSTER_DIR"/{node1,node2,node3,ro,haproxy}.pid; do [ -f "$f" ] && cat "$f"; done
  read -ra pgdirs < "$CLUSTER_DIR/pgdirs"
  for pm in "${pgdirs[@]}"; do
    [ -f "$pm/postmaster.pid" ] || continue
    head -1 "$pm/postmaster.pid"
    pgrep -P "$(head -1 "$pm/postmaster.pid")"
  done
}

s_cluster() {
  local C O t0 p n code at count revoked url pid serial maxn where base out c k u
  C=${CLUSTER_REUSE:-$WORK/cluster}
  export CLUSTER_DIR=$C CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-55480} CLUSTER_HTTP_PORT=${CLUSTER_HTTP_PORT:-18700}
  export CLAIMSCA CLUSTER_N CLUSTER_PASSWORD CLUSTER_BUILD=$BUILD CLUSTER_ROOT=$ROOT
  # Measured nodes do nothing else: no scheduled jobs, no key generation.
  export CLUSTER_SERVE_ARGS="--set jobs.enabled=false --set key_pool.threads=0 --set portal.login_per_minute=1000000"
  export CLUSTER_SETUP="bash $HERE/cluster.sh _populate"
  local H=$CLUSTER_HTTP_PORT
  chmod 711 "$WORK"  # the postgres user keeps its two data directories under $C/pg
  EXIT_HOOKS+=(cluster_stop)
  log "cluster up in $C ($([ -n "${CLUSTER_REUSE:-}" ] && echo "reused" || echo "with $CLUSTER_N certificates: bench_population, niced"))"
  t0=$(now)
  cluster_cmd up || { fail "scripts/cluster.sh up: $(tail -5 "$RAW/cluster.log")"; return 1; }
  [ -s "$C/population.tsv" ] || { fail "no population.tsv in $C"; return 1; }
  IFS=$'\t' read -r count _ _ code at < "$C/population.tsv"
  if [ -z "${CLUSTER_REUSE:-}" ]; then
    record cluster.up s "scripts/cluster.sh up from nothing: initdb, standby, init, $CLUSTER_N certificates generated into the primary (synchronous standby), nodes, HAProxy" "$(since "$t0")"
    record cluster.population.rate certs/s "bench_population into the cluster's primary (${POP_THREADS:-2} threads, niced, commits not waiting for their flush)" "$(cut -f3 "$C/population.tsv")"
  fi
  revoked=$(cluster_psql "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL")
  record cluster.certificates count "certificates issued in the cluster's database ($revoked revoked); the institution with 50: $code; population at $at" \
    "$(cluster_psql "SELECT count(*) FROM certificates WHERE state = 'issued'")"
  # What autovacuum would have done by now: statistics and the visibility map (index-only
  # status reads), then wait until the standby has replayed it all.
  t0=$(now)
  cluster_psql "VACUUM (ANALYZE)" || fail "VACUUM"
  for _ in $(seq 600); do
    [ "$(cluster_psql "SELECT count(*) FROM pg_stat_replication WHERE replay_lsn = pg_current_wal_lsn() AND sync_state = 'sync'")" = 1 ] && break
    sleep 1
  done
  record cluster.vacuum s "VACUUM (ANALYZE) of the primary and the standby's replay" "$(since "$t0")"
  for p in $(cluster_pids); do taskset -a -cp "$SERVER_CPU" "$p" > /dev/null 2>&1; done
  {
    echo "== cluster: every process pinned to CPU $SERVER_CPU"
    for p in $(cluster_pids); do echo "$(cat "/proc/$p/comm" 2>/dev/null) $p: $(taskset -cp "$p" 2>/dev/null | sed 's/.*: //')"; done | sort | uniq -c
    "$ROOT/scripts/cluster.sh" status
  } >> "$RAW/validate-cluster.txt" 2>&1

  # --- a. OCSP --------------------------------------------------------------------------
  O=$WORK/cluster-ocsp
  mkdir -p "$O" && cd "$O" || return 1
  maxn=$(tr ' ' '\n' <<< "$CLUSTER_CFSSL_NS" | sort -g | tail -1)
  # Not the placeholder rows (cert_der 'der') that section c's crl_shard_bench leaves in a kept
  # cluster: cfssl ocsprefresh stops at the first certificate it cannot parse.
  cluster_psql "COPY (SELECT serial, translate(encode(cert_der, 'base64'), E'\n', ''), not_after,
      coalesce(revoked_at, 0), coalesce(revocation_reason, 0) FROM certificates
      WHERE state = 'issued' AND cert_der <> 'der'::bytea ORDER BY serial LIMIT $maxn) TO STDOUT" > certs.tsv || { fail "export"; return 1; }
  openssl x509 -in "$C/data/ca/issuing-1.pem" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :' |
    tr 'A-F' 'a-f' > aki
  # certdb-N.sql for each N; the sample (spread over the smallest subset, so in every one)
  # as sample-K.pem; the first good one of it is the fixed request.
  # shellcheck disable=SC2086
  python3 - "$O" "$CLUSTER_OCSP_SAMPLE" $CLUSTER_CFSSL_NS <<'PY' || { fail "certdb"; return 1; }
import base64, datetime, sys, textwrap
out, sample, sizes = sys.argv[1], int(sys.argv[2]), sorted(int(x) for x in sys.argv[3:])
aki = open(out + "/aki").read().strip()
rows = [l.rstrip("\n").split("\t") for l in open(out + "/certs.tsv")]
t = lambda s: datetime.datetime.fromtimestamp(int(s), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
pem = lambda b: "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(b, 64)) + "\n-----END CERTIFICATE-----\n"
for n in sizes:
    with open(f"{out}/certdb-{n}.sql", "w") as f:
        f.write("BEGIN TRANSACTION;\n")
        for serial, der, not_after, revoked_at, reason in rows[:n]:
            rev = revoked_at != "0"
            f.write("INSERT INTO certificates VALUES('%d','%s','','%s',%s,'%s','%s','%s');\n" % (
                int(serial, 16), aki, "revoked" if rev else "good", reason if rev else 0, t(not_after),
                t(revoked_at) if rev else "0001-01-01 00:00:00+00:00", pem(der)))
        f.write("COMMIT;\n")
small = min(sizes[0], len(rows))
step = max(1, small // sample)
picked = [r for r in rows[:small:step]][:sample]
good = [r for r in picked if r[3] == "0"]
picked.remove(good[0])
for k, r in enumerate([good[0]] + picked):
    open(f"{out}/sample-{k}.pem", "w").write(pem(r[1]))
print(len(rows), file=sys.stderr)
PY
  for f in sample-*.pem; do
    openssl ocsp -issuer "$C/data/ca/issuing-1.pem" -cert "$f" -no_nonce -reqout "${f%.pem}.der" 2> /dev/null ||
      { fail "openssl ocsp -reqout $f"; return 1; }
    echo "$O/${f%.pem}.der"
  done > bodies.txt
  cp sample-0.der req.der
  serial=$(openssl x509 -in sample-0.pem -noout -serial | cut -d= -f2)
  clear_key "$C/data" ocsp ocsp.key || { fail "ocsp key"; return 1; }
  # ocsp_url WHERE: the read-only node, read-write node1, HAProxy
  ocsp_url() { case $1 in ro) echo "http://127.0.0.1:$((H + 19))/ocsp" ;; rw) echo "http://127.0.0.1:$((H + 11))/ocsp" ;;
    *) echo "http://127.0.0.1:$H/ocsp" ;; esac; }
  for where in ro rw lb; do
    url=$(ocsp_url $where)
    {
      echo "== cluster OCSP, $where node ($url): $(wc -l < bodies.txt) requests, fixed serial $serial"
      curl -s -m 10 --data-binary @req.der -H 'Content-Type: application/ocsp-request' "$url" -o "resp-$where.der" \
        -w 'POST http=%{http_code} bytes=%{size_download}\n'
      openssl ocsp -reqin req.der -respin "resp-$where.der" -CAfile "$C/data/ca/root.pem" \
        -issuer "$C/data/ca/issuing-1.pem" -serial "0x$serial" 2>&1 | head -3
    } >> "$RAW/validate-ocsp.txt" 2>&1
    openssl ocsp -reqin req.der -respin "resp-$where.der" -CAfile "$C/data/ca/root.pem" -issuer "$C/data/ca/issuing-1.pem" \
      -serial "0x$serial" 2>&1 | grep -q ': good' || fail "OCSP at $where: no verified 'good' (raw/validate-ocsp.txt)"
    # Warm-up: every request of the sample once signed and cached (the steady state of a
    # responder; a cached answer still reads the status from the database each time).
    BODY_LIST=$O/bodies.txt timeout 60 taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONC" -d3s -s "$HERE/post_file.lua" "$url" > /dev/null 2>&1
  done
  local desc d
  for where in ro rw; do
    url=$(ocsp_url $where)
    pid=$(cat "$C/$([ $where = ro ] && echo ro || echo node1).pid")
    desc="claimsca serve$([ $where = ro ] && echo " --read-only (status from the standby)" || echo " node1 (status from the primary)"), $count certs, cluster pinned to CPU $SERVER_CPU"
    load_note "cluster.ocsp.$where"
    CPU_PID=$pid load_series "cluster.ocsp.$where" "$desc; POST, one fixed request, hey -z ${LOAD_SECS}s -c $CONC" \
      -z "${LOAD_SECS}s" -c "$CONC" -t 10 -m POST -T application/ocsp-request -D req.der "$url"
    BODY_LIST=$O/bodies.txt CPU_PID=$pid wrk_series "cluster.ocsp.$where" "$desc; $(wc -l < bodies.txt) requests in turn" \
      "$O/req.der" application/ocsp-request "$url"
    target "cluster.ocsp.$where.p99" "OCSP p99 at the $where node, $count certificates (hey, one request)" "$(get "cluster.ocsp.$where.p99")" ms le 1
    target "cluster.ocsp.$where.wrk.p99" "OCSP p99 at the $where node, $count certificates (wrk, requests in turn)" "$(get "cluster.ocsp.$where.wrk.p99")" ms le 1
  done
  load_note cluster.ocsp.lb
  RUNS=1 load_series cluster.ocsp.lb "OCSP through HAProxy (to the read-only node), $count certs; hey -z ${LOAD_SECS}s -c $CONC" \
    -z "${LOAD_SECS}s" -c "$CONC" -t 10 -m POST -T application/ocsp-request -D req.der "$(ocsp_url lb)"
  for n in $CLUSTER_CFSSL_NS; do
    mkdir -p "$O/cfssl-$n" && cp "$O/certdb-$n.sql" "$O/cfssl-$n/certdb.sql" && cp req.der "$O/cfssl-$n/" || return 1
    load_note "cluster.cfssl.$n"
    BODY_LIST=$O/bodies.txt cfssl_ocsp "cluster.cfssl.$n" "$O/cfssl-$n" "$C/data" "$O/ocsp.key" "$n" req.der "$serial" $((H + 5)) || return 1
  done
  for where in ro rw; do
    target "cluster.ocsp.$where.vs_cfssl" "OCSP req/s, claimsca $where node ($count certs) / cfssl ocspserve ($maxn pre-signed) (hey)" \
      "$(get "cluster.ocsp.$where.rps")" req/s ge 2 "$(get "cluster.cfssl.$maxn.rps")"
    target "cluster.ocsp.$where.vs_cfssl.wrk" "OCSP req/s, claimsca $where node / cfssl ocspserve ($maxn) (wrk, requests in turn)" \
      "$(get "cluster.ocsp.$where.wrk.rps")" req/s ge 2 "$(get "cluster.cfssl.$maxn.wrk.rps")"
  done
  cd "$ROOT" || return 1

  # --- b. the portal's 申請状況照会 of the institution with 50 certificates ----------------
  echo "clinic-$code@bench.example.jp" > "$WORK/cluster-accounts"
  for where in lb node; do
    base=http://127.0.0.1:$([ $where = lb ] && echo "$H" || echo $((H + 11)))
    load_note "cluster.portal.$where"
    # shellcheck disable=SC2086
    out=$(timeout 1800 taskset -c "$CLIENT_CPU" python3 "$HERE/portal_client.py" --path /portal/applications \
      --title 電子証明書申請状況照会 --row 'data-request-id="([0-9]{14})"' --min-rows 50 \
      "$base" "$WORK/cluster-accounts" "$CLUSTER_PASSWORD" "$PORTAL_REQUESTS" $PORTAL_CONCS 2> "$RAW/portal-$where.err") ||
      fail "portal client at $where: $(tail -2 "$RAW/portal-$where.err")"
    echo "$out" >> "$RAW/portal-$where.err"
    while read -r line; do
      [ -n "$line" ] || continue
      c=$(sed -n 's/^conc=\([0-9]*\) .*/\1/p' <<< "$line")
      d="portal 申請状況照会 (GET /portal/applications, 50 certificates of $code) $([ $where = lb ] && echo "through HAProxy (3 nodes)" || echo "at node1"), $count certs, concurrency $c, $PORTAL_REQUESTS requests"
      for k in p50 p99 max rps errors; do
        case $k in rps) u=req/s ;; errors) u=count ;; *) u=ms ;; esac
        record "cluster.portal.$where.c$c.$k" "$u" "$d ($k)" "$(sed -n "s/.* $k=\([0-9.]*\).*/\1/p" <<< "$line")"
      done
      [ "$(get "cluster.portal.$where.c$c.errors")" = 0 ] || fail "portal at $where: wrong answers"
      target "cluster.portal.$where.c$c" "$d: p99" "$(get "cluster.portal.$where.c$c.p99")" ms le 20
    done <<< "$out"
  done

  # --- c. shard CRL regeneration after a revocation ---------------------------------------
  # The read-write nodes' CRL updaters would publish the shard first: stopped (by their pids).
  for n in 1 2 3; do
    pid=$(cat "$C/node$n.pid" 2>/dev/null) || continue
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  done
  # The population's revocation times lie at its simulated instant (AT, ahead of the wall
  # clock): the shard counters' last revocation is set to when the rows were written, or the
  # updater's debounce (now - last revocation) would wait for AT. Nothing else is changed.
  cluster_psql "UPDATE crl_state SET last_revocation_at = extract(epoch FROM now())::bigint
    WHERE last_revocation_at > extract(epoch FROM now())" > /dev/null || fail "crl_state"
  load_note cluster.crl
  out=$(timeout 1800 taskset -c "$CLIENT_CPU" "$TOOLS/crl_shard_bench" "$C/node1" "${CRL_SHARDS:-64}" 5 2> "$RAW/cluster-crl.err") ||
    { fail "crl_shard_bench: $(tail -3 "$RAW/cluster-crl.err")"; return 1; }
  echo "$out" >> "$RAW/cluster-crl.err"
  crl_shard_figures cluster.crl "$count certificates ($revoked revoked), ${CRL_SHARDS:-64} shards, PostgreSQL primary + synchronous standby" \
    < <(sed 's/^/RESULT /' <<< "$out")
  cluster_stop
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  if [ "${1:-}" = _populate ]; then
    shift
    cluster_populate "$@"
    exit
  fi
  CLUSTER_N=${1:-$CLUSTER_N} exec bash "$(dirname "$0")/run.sh" cluster
fi
