# shellcheck shell=bash
# Pieces of a claimsca cluster shared by scripts/cluster.sh and the integration tests'
# cluster mode (tests/integration/lib.sh, CLAIMSCA_TEST_CLUSTER=1). Sourced; defines
# functions only. docs/operations.md "Cluster".

# haproxy_cfg FILE: writes HAProxy's configuration for the cluster described by
#   LB_HTTP        HTTP frontend, ADDR:PORT: round-robin per request over HA_HTTP
#   LB_MTLS        terminals' mTLS frontend, ADDR:PORT (empty: none): TCP passthrough over
#                  HA_MTLS, the TLS session and client-certificate check end at a node
#   LB_HTTPS       HTTPS frontend (empty: none): TCP passthrough over HA_HTTPS
#   LB_STATS       statistics page (empty: none)
#   HA_HTTP HA_MTLS HA_HTTPS  arrays of the nodes' listeners, ADDR:PORT, node i at index i-1
#   HA_RO          the read-only node's ADDR:PORT (empty: none); /ocsp, /ocsp/… and /crl/… go
#                  to it, the read-write nodes as its backups
#   HA_CHECKS      1: health checks on /healthz (a failing node is taken out); 0: none, every
#                  node takes its turn whatever its /healthz says (tests that look at it)
#   HA_TIMEOUT     client/server timeout (default 60s)
# and checks it with `haproxy -c`.
haproxy_cfg() {
  local out=$1 i n=${#HA_HTTP[@]} check="" mtls_check=""
  if [[ ${HA_CHECKS:-1} = 1 ]]; then check=" check"; fi
  {
    cat <<CFG
# Written by scripts/cluster_lib.sh (deploy/haproxy.cfg is the several-machine version).
global
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client ${HA_TIMEOUT:-60s}
  timeout server ${HA_TIMEOUT:-60s}
  # A request that could not be sent (connection refused: a node just died) goes to
  # another node; one that was sent is never replayed (it may have been acted on).
  retries 3
  option redispatch 1
  default-server inter 1s fastinter 500ms downinter 1s fall 2 rise 2

frontend claimsca
  bind $LB_HTTP
  option forwardfor
CFG
    if [[ -n ${HA_RO:-} ]]; then
      cat <<CFG
  # Revocation checking goes to the read-only node (the standby's data).
  acl revocation path /ocsp || path_beg /ocsp/ || path_beg /crl/
  use_backend revocation if revocation
CFG
    fi
    cat <<CFG
  default_backend nodes

backend nodes
  balance roundrobin
CFG
    [[ -z $check ]] || printf '  option httpchk GET /healthz\n  http-check expect status 200\n'
    for ((i = 1; i <= n; i++)); do echo "  server node$i ${HA_HTTP[i - 1]}$check"; done
    if [[ -n ${HA_RO:-} ]]; then
      printf '\nbackend revocation\n  balance roundrobin\n'
      [[ -z $check ]] || printf '  option httpchk GET /healthz\n  http-check expect status 200\n'
      echo "  server ro $HA_RO$check"
      echo "  # The read-write nodes answer OCSP too: they take over while the read-only node is down."
      for ((i = 1; i <= n; i++)); do echo "  server node$i ${HA_HTTP[i - 1]}$check backup"; done
    fi
    if [[ -n ${LB_MTLS:-} ]]; then
      cat <<CFG

# Terminals (mTLS): TCP passthrough, the TLS session ends at the node (client certificates).
frontend terminals
  mode tcp
  bind $LB_MTLS
  default_backend terminals

backend terminals
  mode tcp
CFG
      # One connection per request from the tests' clients: round-robin makes consecutive
      # ones land on different nodes; the cluster's long-lived terminals spread by load.
      if [[ -n $check ]]; then
        printf '  balance leastconn\n  option httpchk GET /healthz\n  http-check expect status 200\n'
      else
        printf '  balance roundrobin\n'
      fi
      for ((i = 1; i <= n; i++)); do
        # Checked on the node's HTTP port (the mTLS one asks for a client certificate).
        [[ -z $check ]] || mtls_check=" check port ${HA_HTTP[i - 1]##*:}"
        echo "  server node$i ${HA_MTLS[i - 1]}$mtls_check"
      done
    fi
    if [[ -n ${LB_HTTPS:-} ]]; then
      printf '\nfrontend https\n  mode tcp\n  bind %s\n  default_backend https\n' "$LB_HTTPS"
      printf '\nbackend https\n  mode tcp\n  balance roundrobin\n'
      for ((i = 1; i <= n; i++)); do echo "  server node$i ${HA_HTTPS[i - 1]}"; done
    fi
    if [[ -n ${LB_STATS:-} ]]; then
      cat <<CFG

listen stats
  bind $LB_STATS
  stats enable
  stats uri /
  stats refresh 5s
CFG
    fi
  } > "$out"
  haproxy -c -q -f "$out"
}
