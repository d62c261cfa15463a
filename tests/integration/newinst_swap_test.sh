#!/usr/bin/env bash
# The bureau's 新規指定医療機関一覧表 through the real binary (docs/newinst.md "The bureau's list
# and the code swap"): a clinic with 医科 and 歯科 gets two 仮コード and two 受付番号; the list,
# written by libxlsxwriter (newinst_xlsx_tool) with its codes as number cells and checked with
# an outside reader (xlsx2csv), is refused whole when a column is missing, a row is repeated,
# a check digit is wrong or a row matches nothing (the database unchanged), then imported:
# each number swapped for its own real code; a re-import is a no-op.
# Usage: newinst_swap_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
TOOL=${CLAIMSCA_BINARY_DIR:?}/src/newinst/newinst_xlsx_tool
use_backend "$MODE" newinst_swap
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
"$CLAIMSCA" admin import-register --data "$DATA" \
  --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" >/dev/null 2>&1 || fail "register import"

NAME="さくら医院"
issue() {
  "$CLAIMSCA" newinst issue --data "$DATA" --prefecture 13 --score-table "$1" --category "$2" \
    --name "$NAME" --postal 1008916 --address "東京都千代田区霞が関１－２－２" --opening-month 2027-04 2>/dev/null
}
P1=$(issue 1 1) || fail "issue 医科"
P3=$(issue 3 2) || fail "issue 歯科"
R1=1310123455
R3=1330123455
echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" --id sakura@example.jp \
  --kind institution --code "$P1" --code "$P3" --name "$NAME" >/dev/null || fail "account"
"$CLAIMSCA" newinst present "$P1" "$R1" --data "$DATA" --at 2027-03-01T09:00 >/dev/null || fail "present 医科"
"$CLAIMSCA" newinst present "$P3" "$R3" --data "$DATA" --at 2027-03-01T09:00 >/dev/null || fail "present 歯科"
ok "a clinic with 医科 and 歯科: 仮コード $P1 / $P3, 受付番号 $R1 / $R3"

# xlsx LIST.tsv OUT: the bureau's layout, the header on row 3 below two title rows.
xlsx() {
  { printf '新規指定医療機関一覧表\n関東信越厚生局\n'; cat "$1"; } | "$TOOL" "$2" || fail "writing $2"
}
HEADER=$'都道府県\t点数表\t医療機関コード\t医療機関名称\t受付番号\t仮コード\t指定年月日'
ROW1=$'#13\t#1\t#123455\t'"$NAME"$'\t#1310123455\t\t@2027-04-01'
ROW3=$'#13\t#3\t#123455\t'"$NAME"$'\t\t#'"$P3"$'\t@2027-04-01'
printf '%s\n%s\n%s\n' "$HEADER" "$ROW1" "$ROW3" > "$WORK/good.tsv"
xlsx "$WORK/good.tsv" "$WORK/good.xlsx"
xlsx2csv "$WORK/good.xlsx" > "$WORK/good.csv" || fail "xlsx2csv cannot read the list"
grep -q "^13,3,123455,$NAME,,$P3,04-01-27\|^13,3,123455,$NAME,,$P3," "$WORK/good.csv" ||
  fail "xlsx2csv reads: $(cat "$WORK/good.csv")"
ok "the list written by libxlsxwriter opens in xlsx2csv"

dump() {
  sql "SELECT provisional_code || ' ' || state || ' ' || coalesce(real_code, '-') FROM newinst_institutions ORDER BY 1"
  sql "SELECT account_id || ' ' || institution_code FROM account_institutions ORDER BY 1"
  sql "SELECT count(*) FROM newinst_swaps"
  sql "SELECT count(*) FROM audit_log"
}
dump > "$WORK/before.txt"
refused() {  # refused WHAT TSV REASON_CODE ROW
  printf '%s\n' "$2" > "$WORK/bad.tsv"
  xlsx "$WORK/bad.tsv" "$WORK/bad.xlsx"
  if "$CLAIMSCA" newinst import-designations "$WORK/bad.xlsx" --data "$DATA" > "$WORK/bad.out" 2>&1; then
    fail "$1: accepted: $(cat "$WORK/bad.out")"
  fi
  grep -q "$3" "$WORK/bad.out" || fail "$1: $(cat "$WORK/bad.out")"
  [ -z "$4" ] || grep -q "^$4	refused	.*	$3	$4行目: " "$WORK/bad.out" || fail "$1, row $4 named: $(cat "$WORK/bad.out")"
  dump | cmp -s - "$WORK/before.txt" || fail "$1: the database changed"
  ok "$1: refused whole, the row named, nothing changed"
}
refused "a missing column" "${HEADER%	指定年月日}"$'\n'"${ROW1%	@2027-04-01}" "必須の列「指定年月日」がありません" ""
refused "a duplicate row" "$HEADER"$'\n'"$ROW1"$'\n'"$ROW3"$'\n'"$ROW1" duplicate_row 6
refused "a wrong check digit" "$HEADER"$'\n'"$ROW3"$'\n'"${ROW1/\#123455/#123456}" bad_check_digit 5
refused "a row matching nothing" "$HEADER"$'\n'"$ROW1"$'\n'$'#13\t#1\t#123463\tよその医院\t#1310123463\t\t@2027-04-01' no_match 5

# The console's upload page (operator, newinst_manage): a dry run and a refused file change nothing.
echo 'operator-password-1' | "$CLAIMSCA" admin create-account --data "$DATA" --id ope --kind operator \
  --role operator --password-file - >/dev/null || fail "operator account"
start_server "$DATA"
ANON=$(curl -fsS -D - -o /dev/null "$BASE/portal/login" | sed -n 's/^Set-Cookie: claimsca_csrf=\([0-9a-f]*\).*/\1/ip')
curl -sS -c "$WORK/ope.jar" -b "claimsca_csrf=$ANON" --data-urlencode "csrf=$ANON" \
  --data-urlencode "account_id=ope" --data-urlencode "password=operator-password-1" "$BASE/portal/login" -o /dev/null
PAGE=/console/newinst/designations
curl -fsS -b "$WORK/ope.jar" "$BASE/console/" | grep -q "href=\"$PAGE\"" || fail "the console links the page"
curl -fsS -b "$WORK/ope.jar" "$BASE$PAGE" > "$WORK/page.html" || fail "GET $PAGE"
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/page.html" | head -1)
[ -n "$CSRF" ] || fail "no csrf on $PAGE"
dump > "$WORK/before.txt"  # the operator's account and login are audited
STATUS=$(curl -sS -b "$WORK/ope.jar" -o "$WORK/console-dry.html" -w '%{http_code}' -F "csrf=$CSRF" \
  -F "dry_run=1" -F "file=@$WORK/good.xlsx" "$BASE$PAGE")
[ "$STATUS" = 200 ] && grep -q '確認のみ: 2 件を切り替えられます' "$WORK/console-dry.html" &&
  [ "$(grep -o '切替可（未実行）' "$WORK/console-dry.html" | wc -l)" = 2 ] || fail "console dry run: $STATUS"
STATUS=$(curl -sS -b "$WORK/ope.jar" -o "$WORK/console-bad.html" -w '%{http_code}' -F "csrf=$CSRF" \
  -F "file=@$WORK/bad.xlsx" "$BASE$PAGE")
[ "$STATUS" = 422 ] && grep -q '5行目: ' "$WORK/console-bad.html" && grep -q 'no_match' "$WORK/console-bad.html" ||
  fail "console refusal: $STATUS"
dump | cmp -s - "$WORK/before.txt" || fail "the console's dry run or refusal changed the database"
ok "the console page: dry run (2 rows), a refused file with its row, nothing changed"

"$CLAIMSCA" newinst import-designations "$WORK/good.xlsx" --dry-run --data "$DATA" > "$WORK/dry.out" 2>&1 ||
  fail "dry run: $(cat "$WORK/dry.out")"
[ "$(grep -c '	would_swap	' "$WORK/dry.out")" = 2 ] || fail "dry run: $(cat "$WORK/dry.out")"
dump | cmp -s - "$WORK/before.txt" || fail "the dry run changed the database"
ok "--dry-run reports two swaps and changes nothing"

"$CLAIMSCA" newinst import-designations "$WORK/good.xlsx" --data "$DATA" --by tanaka \
  > "$WORK/import.out" 2>&1 || fail "import: $(cat "$WORK/import.out")"
grep -q "^4	swap	$R1	$P1	$R1	" "$WORK/import.out" && grep -q "^5	swap	$R3	$P3	$R3	" "$WORK/import.out" ||
  fail "import: $(cat "$WORK/import.out")"
[ "$(sql "SELECT state || ' ' || real_code FROM newinst_institutions WHERE provisional_code = '$P1'")" = "designated $R1" ] ||
  fail "医科 row designated"
[ "$(sql "SELECT state || ' ' || real_code FROM newinst_institutions WHERE provisional_code = '$P3'")" = "designated $R3" ] ||
  fail "歯科 row designated"
[ "$(sql "SELECT institution_code FROM account_institutions WHERE account_id = 'sakura@example.jp' ORDER BY 1" | tr '\n' ' ')" = "$R1 $R3 " ] ||
  fail "the account holds the real codes only: $(sql "SELECT institution_code FROM account_institutions")"
[ "$(sql "SELECT count(*) FROM newinst_swaps s JOIN newinst_imports i ON i.import_id = s.import_id WHERE i.imported_by = 'operator:tanaka'")" = 2 ] ||
  fail "the swaps are logged"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'newinst.designate' AND actor = 'operator:tanaka'")" = 2 ] ||
  fail "the swaps are audited"
"$CLAIMSCA" newinst show "$R3" --data "$DATA" | grep -q "^state	designated$" || fail "show by the real code"
ok "the import swaps 医科 and 歯科 each to its own real code (newinst rows, account, log, audit)"

dump > "$WORK/after.txt"
"$CLAIMSCA" newinst import-designations "$WORK/good.xlsx" --data "$DATA" > "$WORK/again.out" 2>&1 ||
  fail "re-import: $(cat "$WORK/again.out")"
[ "$(grep -c '	already_done	' "$WORK/again.out")" = 2 ] && grep -q "nothing to do" "$WORK/again.out" ||
  fail "re-import: $(cat "$WORK/again.out")"
dump | cmp -s - "$WORK/after.txt" || fail "the re-import changed the database"
STATUS=$(curl -sS -b "$WORK/ope.jar" -o "$WORK/console-again.html" -w '%{http_code}' -F "csrf=$CSRF" \
  -F "file=@$WORK/good.xlsx" "$BASE$PAGE")
[ "$STATUS" = 200 ] && grep -q 'すべての行が切替済みです' "$WORK/console-again.html" || fail "console re-import: $STATUS"
dump | cmp -s - "$WORK/after.txt" || fail "the console re-import changed the database"
stop_server
ok "a re-import is a no-op and says so (CLI and console)"
finish
