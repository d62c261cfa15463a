#!/usr/bin/env bash
# The libraries only some commands need (libpq, libcurl, pango/cairo/glib) are opened with
# dlopen on first use (src/common/shared_library.h), not linked: each linked library costs
# every process start (docs/benchmarks.md, "Process start"). This checks that they stay out
# of the binary's NEEDED list and out of a SQLite command's process. The commands that need
# them are tested where they are used: notices_test (PDF), mail_test and reminders_test
# (SMTP), every *_postgres test (libpq).
source "$(dirname "$0")/lib.sh"

LAZY='libpq\.so|libcurl|libpango|libcairo|libglib|libgobject|libfontconfig|libharfbuzz'

needed=$(readelf -d "$CLAIMSCA" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED entries in $CLAIMSCA"
if grep -E "$LAZY" <<< "$needed"; then fail "linked although opened on first use"; fi
ok "NEEDED has none of libpq, libcurl, pango/cairo/glib ($(wc -l <<< "$needed") libraries)"

# loaded_by OUT CMD...: runs CMD with the dynamic loader's file log in OUT.
loaded_by() {
  local out=$1; shift
  LD_DEBUG=files LD_DEBUG_OUTPUT="$out" "$@" > "$WORK/cmd.out" 2>&1 || { cat "$WORK/cmd.out"; fail "$*"; }
  cat "$out".* > "$out"
}

loaded_by "$WORK/init" "$CLAIMSCA" init --data "$WORK/d" --at 2026-11-24T09:00
loaded_by "$WORK/crl" "$CLAIMSCA" crl --data "$WORK/d" --at 2026-11-24T10:00
for f in init crl; do
  grep -q 'file=libcrypto.so.3' "$WORK/$f" || fail "the loader log of $f does not list libcrypto (LD_DEBUG not working?)"
  if grep -E "file=($LAZY)" "$WORK/$f"; then fail "claimsca $f on SQLite loaded a lazy library"; fi
done
ok "init and crl on SQLite load none of them"
