#!/usr/bin/env bash
# The TLS configuration of the listeners, checked from outside by testssl.sh (Debian package
# testssl.sh; docs/operations.md "TLS", src/web/tls_policy.h): a real `serve` with its HTTPS
# and mTLS listeners on loopback; neither may offer a protocol or cipher that Mozilla's
# "intermediate" profile (5.7) excludes: SSLv2, SSLv3, TLS 1.0, TLS 1.1; in TLS 1.2 anything
# but forward-secret AEAD suites (CBC, RC4, 3DES, NULL, EXPORT, anonymous, static RSA).
# Both must offer TLS 1.2 and 1.3 and the profile's suites, so that a scan that reached
# nothing cannot pass. testssl runs only the protocol (-p, via sockets) and per-cipher (-e)
# checks; --fast tests the ciphers with the local openssl, which is the library the server
# is built with: a suite it lacks, the server cannot offer either.
source "$(dirname "$0")/lib.sh"
command -v testssl >/dev/null || fail "no testssl (Debian package testssl.sh: scripts/install-deps.sh test)"
DATA=$WORK/data
"$CLAIMSCA" init --data "$DATA" --key-algorithm ecp256 >/dev/null
start_server "$DATA" --set server.tls_listen=127.0.0.1:0
[ -n "$HTTPS_PORT" ] && [ -n "$MTLS_PORT" ] || { cat "$WORK/server.out"; fail "no HTTPS or mTLS port"; }

# scan NAME PORT: testssl's findings in $WORK/NAME.json (its report in NAME.txt).
scan() {
  testssl --quiet --color 0 --warnings off --nodns none --ip 127.0.0.1 --fast -p -e \
    --jsonfile "$WORK/$1.json" "127.0.0.1:$2" >"$WORK/$1.txt" 2>&1 || true
  [ -s "$WORK/$1.json" ] || { cat "$WORK/$1.txt"; return 1; }
}
start=$(date +%s)
scan https "$HTTPS_PORT" & https_pid=$!
scan mtls "$MTLS_PORT" & mtls_pid=$!
wait "$https_pid" || fail "testssl produced no findings for the HTTPS listener"
wait "$mtls_pid" || fail "testssl produced no findings for the mTLS listener"
echo "# testssl took $(($(date +%s) - start)) s for both listeners"

for listener in https mtls; do
  python3 - "$WORK/$listener.json" "$listener" <<'PY' || { cat "$WORK/$listener.txt"; fail "$listener listener: see above"; }
import json, sys
findings = {f["id"]: f["finding"] for f in json.load(open(sys.argv[1]))}
# Mozilla "intermediate" 5.7: the TLS 1.3 suites and the TLS 1.2 ECDHE/DHE AEAD suites.
allowed = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
           "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
           "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
           "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
           "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305"}
problems = []
for proto in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    if not findings.get(proto, "").startswith("not offered"):
        problems.append(f"{proto}: {findings.get(proto, 'not tested')}")
for proto in ("TLS1_2", "TLS1_3"):
    if not findings.get(proto, "").startswith("offered"):
        problems.append(f"{proto} should be offered: {findings.get(proto, 'not tested')}")
offered = [f.split()[1] for i, f in findings.items() if i.startswith("cipher_x")]
problems += [f"cipher outside the profile offered: {c}" for c in offered if c not in allowed]
for needed in ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"):
    if needed not in offered:
        problems.append(f"{needed} not offered: did the scan reach the listener?")
if not any(c.startswith("ECDHE-") for c in offered):
    problems.append("no TLS 1.2 ECDHE suite offered")
if problems:
    print(f"{sys.argv[2]}: " + "\n  ".join(problems))
    sys.exit(1)
print(f"# {sys.argv[2]}: {', '.join(offered)}")
PY
done
ok "HTTPS and mTLS listeners: TLS 1.2/1.3 only, forward-secret AEAD suites only (testssl -p -e)"
finish
