#!/usr/bin/env bash
# CRL shards (docs/revocation.md, "Sharded CRLs"): certificates name their shard's CRL;
# each shard CRL is fetched by the URL in the certificate's CRL distribution point, carries
# a critical IssuingDistributionPoint naming that URL, lists only its own shard's revoked
# certificates, and `openssl verify -crl_check` decides with it alone (revoked → "certificate
# revoked", good → OK); the full CRL still serves every certificate; a shard CRL is refused
# for a certificate of another shard; lowering crl.shards strands nobody.
# Usage: crl_shards_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
DATA=$WORK/data
ARGS=(--demo)
use_backend "${1:-sqlite}" crlshards
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" > "$WORK/init.out"
TOKEN=$(sed -n 's/.*shown once.*: //p' "$WORK/init.out")
R=$DATA/ca
PUBLIC=http://127.0.0.1:8080  # server.public_url of a demo data directory
SHARDS=4
start_server "$DATA" --set crl.shards=$SHARDS --set crl.debounce_seconds=0
cat "$R/issuing-1.pem" "$R/root.pem" > "$WORK/chain.pem"

issue() {  # issue NAME: certificate PEM in $WORK/NAME.pem, through the API
  new_csr "$1" ec
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data "{\"code\":\"1310000001\",\"terminal_name\":\"$1\",\"csr\":$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$WORK/$1.csr")}" \
    "$BASE/api/v1/certificates" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["certificate_pem"], end="")' > "$WORK/$1.pem"
}
revoke() {
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data '{"reason":"keyCompromise"}' "$BASE/api/v1/certificates/$(serial_of "$WORK/$1.pem")/revoke" >/dev/null
}
cdp_of() { openssl x509 -in "$1" -noout -ext crlDistributionPoints | sed -n 's/^ *URI://p'; }
fetch_crl() {  # fetch_crl URL OUT.pem: the CRL at a URL written for PUBLIC, from this server
  curl -fsS "$BASE${1#"$PUBLIC"}" -o "$2.der"
  openssl crl -inform DER -in "$2.der" -out "$2"
}
verify_with() {  # verify_with CERT CRL.pem: openssl verify -crl_check, output in $WORK/verify.out
  openssl verify -crl_check -CAfile "$WORK/chain.pem" -CRLfile "$2" "$1" >"$WORK/verify.out" 2>&1
}
listed() { openssl crl -in "$2" -noout -text | grep -qi "Serial Number: *$(serial_of "$1")\$"; }

NAMES=(c0 c1 c2 c3 c4 c5 c6 c7 c8 c9)
REVOKED=(c0 c2 c4 c6 c8)
for n in "${NAMES[@]}"; do issue "$n"; done
declare -A SHARD
for n in "${NAMES[@]}"; do
  cdp=$(cdp_of "$WORK/$n.pem")
  [[ "$cdp" =~ ^$PUBLIC/crl/issuing-1/([0-9]+)\.crl$ ]] || fail "$n: CRL DP '$cdp' is not a shard's"
  SHARD[$n]=${BASH_REMATCH[1]}
  [ "${SHARD[$n]}" -lt $SHARDS ] || fail "$n: shard ${SHARD[$n]} of $SHARDS"
  # The shard follows from the serial (its low 32 bits modulo the count) and is stored.
  want=$(python3 -c "print(int('$(serial_of "$WORK/$n.pem")', 16) % (1 << 32) % $SHARDS)")
  [ "${SHARD[$n]}" = "$want" ] || fail "$n: shard ${SHARD[$n]}, serial says $want"
  [ "$(sql "SELECT crl_shard FROM certificates WHERE serial = lower('$(serial_of "$WORK/$n.pem")')")" = "$want" ] ||
    fail "$n: stored shard"
done
ok "each certificate names its shard's CRL (${SHARD[*]}), stored with it"

for n in "${REVOKED[@]}"; do revoke "$n"; done
# Wait until every shard CRL lists its revoked certificates (debounce 0: the next poll).
for _ in $(seq 1 100); do
  all=1
  for n in "${REVOKED[@]}"; do
    fetch_crl "$(cdp_of "$WORK/$n.pem")" "$WORK/s.pem" && listed "$WORK/$n.pem" "$WORK/s.pem" || { all=0; break; }
  done
  [ $all = 1 ] && break
  sleep 0.1
done
[ $all = 1 ] || fail "the shard CRLs do not list the revoked certificates"

for n in "${NAMES[@]}"; do
  cdp=$(cdp_of "$WORK/$n.pem")
  fetch_crl "$cdp" "$WORK/$n.crl.pem"
  text=$(openssl crl -in "$WORK/$n.crl.pem" -noout -text)
  echo "$text" | grep -q "X509v3 Issuing Distribution Point: critical" || fail "$n: no critical IDP: $text"
  echo "$text" | grep -qF "URI:$cdp" || fail "$n: the IDP does not name $cdp: $text"
  echo "$text" | grep -q "Only User Certificates" || fail "$n: IDP scope: $text"
  openssl crl -in "$WORK/$n.crl.pem" -CAfile "$WORK/chain.pem" -noout 2>&1 | grep -q "verify OK" ||
    fail "$n: shard CRL signature"
  if [[ " ${REVOKED[*]} " == *" $n "* ]]; then
    ! verify_with "$WORK/$n.pem" "$WORK/$n.crl.pem" || fail "$n: revoked, verify passed"
    grep -q "certificate revoked" "$WORK/verify.out" || fail "$n: $(cat "$WORK/verify.out")"
  else
    verify_with "$WORK/$n.pem" "$WORK/$n.crl.pem" || fail "$n: good, verify: $(cat "$WORK/verify.out")"
    grep -q ": OK" "$WORK/verify.out" || fail "$n: $(cat "$WORK/verify.out")"
  fi
  # Only its own shard's revoked certificates.
  for m in "${REVOKED[@]}"; do
    if [ "${SHARD[$m]}" = "${SHARD[$n]}" ]; then
      listed "$WORK/$m.pem" "$WORK/$n.crl.pem" || fail "shard ${SHARD[$n]} misses $m"
    else
      ! listed "$WORK/$m.pem" "$WORK/$n.crl.pem" || fail "shard ${SHARD[$n]} lists $m of shard ${SHARD[$m]}"
    fi
  done
done
ok "openssl verify -crl_check with each certificate's shard CRL: revoked ×${#REVOKED[@]}, OK ×$((${#NAMES[@]} - ${#REVOKED[@]}))"
ok "each shard CRL: critical IDP naming its URL, onlyContainsUserCerts, only its own shard's entries"

# A shard CRL does not cover another shard's certificate (its IDP names another point).
other=""
for n in "${NAMES[@]}"; do [ "${SHARD[$n]}" != "${SHARD[c0]}" ] && other=$n && break; done
if [ -n "$other" ]; then
  ! verify_with "$WORK/c0.pem" "$WORK/$other.crl.pem" || fail "c0 verified with shard ${SHARD[$other]}'s CRL"
  grep -q "different CRL scope" "$WORK/verify.out" || fail "$(cat "$WORK/verify.out")"
  ok "a shard CRL is not taken for a certificate of another shard (different CRL scope)"
fi

# The full CRL: every revoked certificate, no IDP, and OpenSSL accepts it for sharded ones.
for _ in $(seq 1 100); do
  fetch_crl "$PUBLIC/crl/issuing-1.crl" "$WORK/full.pem"
  all=1
  for n in "${REVOKED[@]}"; do listed "$WORK/$n.pem" "$WORK/full.pem" || { all=0; break; }; done
  [ $all = 1 ] && break
  sleep 0.1
done
! openssl crl -in "$WORK/full.pem" -noout -text | grep -q "Issuing Distribution Point" ||
  fail "the full CRL has an IDP"
for n in "${NAMES[@]}"; do
  if [[ " ${REVOKED[*]} " == *" $n "* ]]; then
    ! verify_with "$WORK/$n.pem" "$WORK/full.pem" && grep -q "certificate revoked" "$WORK/verify.out" ||
      fail "$n with the full CRL: $(cat "$WORK/verify.out")"
  else
    verify_with "$WORK/$n.pem" "$WORK/full.pem" || fail "$n with the full CRL: $(cat "$WORK/verify.out")"
  fi
done
ok "the full CRL (no IDP) still decides for every certificate"

# NSS does not implement the IssuingDistributionPoint: crlutil refuses a shard CRL (an
# unknown critical extension) and imports the full CRL, which NSS clients therefore use
# (docs/revocation.md). Checked when NSS tools are installed, so that the doc stays true.
if command -v crlutil >/dev/null && command -v certutil >/dev/null; then
  mkdir "$WORK/nss"
  certutil -N -d "sql:$WORK/nss" --empty-password
  certutil -A -d "sql:$WORK/nss" -n root -t "C,," -i "$R/root.pem"
  certutil -A -d "sql:$WORK/nss" -n issuing -t ",," -i "$R/issuing-1.pem"
  ! crlutil -I -d "sql:$WORK/nss" -i "$WORK/c0.crl.pem.der" >"$WORK/nss.out" 2>&1 ||
    fail "NSS now imports a shard CRL: update docs/revocation.md"
  grep -q "UNKNOWN_CRITICAL_EXTENSION" "$WORK/nss.out" || fail "NSS: $(cat "$WORK/nss.out")"
  crlutil -I -d "sql:$WORK/nss" -i "$WORK/full.pem.der" >"$WORK/nss.out" 2>&1 ||
    fail "NSS refused the full CRL: $(cat "$WORK/nss.out")"
  ok "NSS crlutil: a shard CRL refused (critical IDP unknown to NSS), the full CRL imported"
fi

# The 国保連 issuing CA shards too; a shard number out of range is 404.
curl -fsS "$BASE/crl/issuing-kj-1/$((SHARDS - 1)).crl" -o "$WORK/kj.der"
openssl crl -inform DER -in "$WORK/kj.der" -noout -text |
  grep -qF "URI:$PUBLIC/crl/issuing-kj-1/$((SHARDS - 1)).crl" || fail "kj shard IDP"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/crl/issuing-1/$SHARDS.crl")
[ "$code" = 404 ] || fail "shard $SHARDS: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/crl/issuing-1/01.crl")
[ "$code" = 404 ] || fail "shard 01: HTTP $code"
ok "the 国保連 issuing CA's shards are served; other shard names are 404"

# Lowering crl.shards: a certificate of a shard beyond the new count keeps its CRL, and a
# revocation reaches it.
stop_server
start_server "$DATA" --set crl.shards=1 --set crl.debounce_seconds=0
high=""
for n in "${NAMES[@]}"; do
  [[ " ${REVOKED[*]} " == *" $n "* ]] && continue
  [ "${SHARD[$n]}" -ge 1 ] && high=$n && break
done
if [ -n "$high" ]; then
  revoke "$high"
  for _ in $(seq 1 100); do
    fetch_crl "$(cdp_of "$WORK/$high.pem")" "$WORK/high.pem" && listed "$WORK/$high.pem" "$WORK/high.pem" && break
    sleep 0.1
  done
  ! verify_with "$WORK/$high.pem" "$WORK/high.pem" && grep -q "certificate revoked" "$WORK/verify.out" ||
    fail "$high (shard ${SHARD[$high]}) after crl.shards=1: $(cat "$WORK/verify.out")"
  issue late
  [ "$(cdp_of "$WORK/late.pem")" = "$PUBLIC/crl/issuing-1/0.crl" ] || fail "late: $(cdp_of "$WORK/late.pem")"
  ok "after crl.shards 4 → 1 shard ${SHARD[$high]} is still published and revocations reach it"
fi

# Without a server (cron): `claimsca jobs run --job crl` publishes the revoked
# certificate's shard (and the full CRL), then nothing until something changes. Served
# afterwards by a read-only node, which publishes nothing itself.
stop_server
pick=""
for n in "${NAMES[@]}"; do [[ " ${REVOKED[*]} $high " == *" $n "* ]] || { pick=$n; break; }; done
"$CLAIMSCA" revoke --data "$DATA" --serial "$(serial_of "$WORK/$pick.pem")" --reason keyCompromise > /dev/null 2>&1 ||
  fail "claimsca revoke $pick"
# (crl.shards as the last server had it: with another count, shards never published are due.)
"$CLAIMSCA" jobs run --data "$DATA" --set crl.shards=1 --job crl > "$WORK/jobs.out" 2>&1 || fail "jobs run: $(cat "$WORK/jobs.out")"
grep -Eq '^crl: published crls=[1-9][0-9]* shards=1$' "$WORK/jobs.out" || fail "jobs run --job crl: $(cat "$WORK/jobs.out")"
"$CLAIMSCA" jobs run --data "$DATA" --set crl.shards=1 --job crl > "$WORK/jobs.out" 2>&1 || fail "jobs run again: $(cat "$WORK/jobs.out")"
grep -q '^crl: current$' "$WORK/jobs.out" || fail "jobs run --job crl again: $(cat "$WORK/jobs.out")"
start_server "$DATA" --read-only
fetch_crl "$(cdp_of "$WORK/$pick.pem")" "$WORK/pick.pem" && listed "$WORK/$pick.pem" "$WORK/pick.pem" ||
  fail "$pick's shard CRL after jobs run does not list it"
! verify_with "$WORK/$pick.pem" "$WORK/pick.pem" && grep -q "certificate revoked" "$WORK/verify.out" ||
  fail "$pick after jobs run: $(cat "$WORK/verify.out")"
ok "jobs run --job crl (no server): the revoked certificate's shard published (then 'current'), openssl verify says revoked"
finish
