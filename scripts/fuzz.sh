#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer + UBSan) in a separate
# build directory and runs each one for a bounded time (docs/fuzzing.md).
#
#   scripts/fuzz.sh --ci                 every target 10 s from its seeds (the ctest test
#                                        fuzz_smoke); fails on any crash, leak, UB or timeout
#   scripts/fuzz.sh --long SECONDS       every target SECONDS, keeping the grown corpus in the
#                                        build directory between runs; prints a table of
#                                        executions, coverage (cov/ft) and findings
#   options: --build-dir DIR (default build-fuzz), --seconds N (per target in --ci),
#            --build-only, and target names (csr der ...) to run only those.
# A crashing input is saved as DIR/artifacts/<target>/crash-…; reproduce with
#   DIR/fuzz/<target>_fuzz DIR/artifacts/<target>/crash-…
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=ci
seconds=10
build_dir="$root/build-fuzz"
build_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) mode=ci ;;
    --long) mode=long; seconds="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ]; then
  echo "fuzz.sh: clang++ not found (scripts/install-deps.sh test installs clang)" >&2
  exit 1
fi

# -O1 keeps the instrumented build quick; NDEBUG as in the main (RelWithDebInfo) build;
# the main build's -Wshadow=local is GCC's.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
flags+=" -fno-omit-frame-pointer -Wno-unknown-warning-option"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
  -DCMAKE_CXX_FLAGS="$flags" -DCLAIMSCA_FUZZ=ON -DCLAIMSCA_MALLOC=system >/dev/null
mkdir -p "$build_dir/logs"
if ! cmake --build "$build_dir" --target fuzz_targets -j "${FUZZ_JOBS:-2}" -- -k 0 \
  >"$build_dir/logs/build.log" 2>&1; then
  grep -v '^\[' "$build_dir/logs/build.log" | tail -60 >&2
  echo "fuzz.sh: build failed ($build_dir/logs/build.log)" >&2
  exit 1
fi
[ "$build_only" -eq 1 ] && exit 0

if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build_dir"/fuzz/*_fuzz; do targets+=("$(basename "$f" _fuzz)"); done
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
rows=()
for t in "${targets[@]}"; do
  bin="$build_dir/fuzz/${t}_fuzz"
  seeds="$root/fuzz/corpus/$t"
  work="$build_dir/corpus/$t"
  [ "$mode" = ci ] && work="$build_dir/corpus-ci/$t"
  artifacts="$build_dir/artifacts/$t"
  log="$build_dir/logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  # CI starts from the seeds alone each time (reproducible); --long keeps what it grew.
  [ "$mode" = ci ] && rm -rf "${work:?}"/*
  echo "== $t: ${seconds}s"
  status=0
  "$bin" "$work" "$seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  covft=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p')
  cov=${covft% *}
  ft=${covft#* }
  finding="none"
  if [ "$status" -ne 0 ]; then
    finding=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant violated' "$log" || echo "exit $status")
    failed+=("$t")
    echo "--- $t failed (exit $status); last lines of $log:"
    tail -40 "$log"
  fi
  rows+=("| $t | ${execs:-?} | ${cov:-?} | ${ft:-?} | $(ls "$work" | wc -l) | $finding |")
  echo "   executions ${execs:-?}, cov ${cov:-?}, ft ${ft:-?}, finding: $finding"
done

echo
echo "| target | executions | cov | ft | corpus | finding |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
