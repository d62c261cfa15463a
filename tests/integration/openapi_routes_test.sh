#!/usr/bin/env bash
# docs/openapi.yaml documents every JSON route the server registers (src/cmd/routes_*.cc):
# an exact route must be a path of the document; a prefix route ("/x/") must have at least
# one documented path under it. The portal's HTML pages are docs/portal.md's business.
set -eu
ROOT=${CLAIMSCA_SOURCE_DIR:?}
DOC=$ROOT/docs/openapi.yaml
documented=$(sed -n 's|^  \(/[^:]*\):.*|\1|p' "$DOC")
missing=0 checked=0
while read -r path; do
  case $path in /api/* | /network/v1/* | /ocsp* | /crl/* | /ca/* | /healthz | /metrics | /terminal/*) ;; *) continue ;; esac
  checked=$((checked + 1))
  if [ "${path%/}" != "$path" ]; then
    grep -q "^${path}" <<<"$documented" || { echo "undocumented prefix route: $path"; missing=$((missing + 1)); }
  else
    grep -qx "$path" <<<"$documented" || { echo "undocumented route: $path"; missing=$((missing + 1)); }
  fi
done < <(grep -ho 'Handle([^,]*, *"/[^"]*"' "$ROOT"/src/cmd/routes_*.cc "$ROOT"/src/web/server.cc |
         sed 's/.*"\(\/[^"]*\)"/\1/' | sort -u)
[ "$checked" -ge 10 ] || { echo "found only $checked routes: the pattern no longer matches the code"; exit 1; }
[ "$missing" = 0 ] || exit 1
echo "ok - $checked routes, all in docs/openapi.yaml"
