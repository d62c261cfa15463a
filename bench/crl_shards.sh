#!/usr/bin/env bash
# CRL shards at scale (docs/revocation.md, "Sharded CRLs"; figures in docs/benchmarks.md):
# fills a fresh SQLite data directory with COUNT revoked certificates spread over SHARDS
# shards (bench_seed revoked, direct SQL), then runs crl_shard_bench: the full CRL's and
# the largest shard's size, the time to publish everything, and the time to regenerate one
# shard after a revocation (revoke + the updater's publication, repeated REVOCATIONS times).
# Fails loudly when a step cannot measure.
#
# usage: bench/crl_shards.sh [COUNT] [SHARDS] [REVOCATIONS]   (default 100000 64 5)
#        BUILD=build (the build directory)  KEEP=1 keeps the scratch directory
set -euo pipefail
COUNT=${1:-100000}
SHARDS=${2:-64}
REVOCATIONS=${3:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
CLAIMSCA=$BUILD/claimsca
for tool in "$CLAIMSCA" "$BUILD/bench/bench_seed" "$BUILD/bench/crl_shard_bench"; do
  [ -x "$tool" ] || { echo "FAIL: $tool not built (cmake --build $BUILD)" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/claimsca-crlshards.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT

"$CLAIMSCA" init --data "$WORK/d" > "$WORK/init.out" 2>&1 ||
  { echo "FAIL: claimsca init: $(cat "$WORK/init.out")" >&2; exit 1; }
seed=$("$BUILD/bench/bench_seed" revoked "$WORK/d" "$COUNT" "$WORK" "$SHARDS") ||
  { echo "FAIL: bench_seed revoked" >&2; exit 1; }
sync  # the seed's writes, flushed before anything is timed
out=$("$BUILD/bench/crl_shard_bench" "$WORK/d" "$SHARDS" "$REVOCATIONS") ||
  { echo "FAIL: crl_shard_bench" >&2; exit 1; }
get() { awk -v k="$1" '$1 == k { print $2 }' <<< "$out"; }
for k in full_crl_bytes shard_bytes_max shard_regen_ms_median shard_regen_ms_max full_regen_s; do
  [ -n "$(get "$k")" ] || { echo "FAIL: no $k in: $out" >&2; exit 1; }
done
[ "$(get full_crl_entries)" -ge "$COUNT" ] || { echo "FAIL: the full CRL lists $(get full_crl_entries) of $COUNT" >&2; exit 1; }

echo "CRL shards: $COUNT revoked certificates, $SHARDS shards, SQLite ($(cut -f3 <<< "$seed" | cut -d. -f1) rows/s seeded)"
printf '  full CRL                 %10s bytes, %s entries, published in %s s, regenerated in %s s\n' \
  "$(get full_crl_bytes)" "$(get full_crl_entries)" "$(get full_crl_publish_s)" "$(get full_regen_s)"
printf '  largest shard CRL        %10s bytes (%s entries; smallest %s bytes)\n' \
  "$(get shard_bytes_max)" "$(get shard_entries_max)" "$(get shard_bytes_min)"
printf '  all %s shards published  %10s s\n' "$SHARDS" "$(get shards_publish_all_s)"
printf '  one revocation → its shard CRL regenerated: median %s ms, max %s ms (%s runs)\n' \
  "$(get shard_regen_ms_median)" "$(get shard_regen_ms_max)" "$REVOCATIONS"
sed 's/^/RESULT /' <<< "$out"  # for bench/run.sh (section crl_shards)
awk -v b="$(get shard_bytes_max)" 'BEGIN { exit !(b <= 1048576) }' ||
  echo "  NOTE: the largest shard exceeds 1 MB: raise crl.shards"
awk -v m="$(get shard_regen_ms_max)" 'BEGIN { exit !(m < 1000) }' ||
  { echo "FAIL: a shard took 1 s or more to regenerate" >&2; exit 1; }
