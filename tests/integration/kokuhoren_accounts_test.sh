#!/usr/bin/env bash
# 国保連 offices and agents from the command line (docs/kokuhoren.md "Offices, agents and
# accounts"): `kokuhoren office import` registers 120 offices with their kj_office
# accounts and writes one notice PDF (a page each, mode 0600) read back with pdftotext /
# pdfinfo; a bad file is refused whole; `agent add` registers an agent for all 120 offices;
# the lists; an administrator's reset of a lost login password; only argon2id hashes are
# stored.
# Usage: kokuhoren_accounts_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" kjacct
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null

# 120 valid 介護保険事業所番号 (東京都, 区分 7, the 2-1 check digit over the first 9).
python3 - "$WORK" <<'PY'
import sys
def check(p):
    s, w = 0, 2
    for ch in reversed(p):
        v = int(ch) * w
        s += v // 10 + v % 10
        w = 3 - w
    return str((10 - s % 10) % 10)
nums = [p + check(p) for p in ("13710%04d" % i for i in range(1, 121))]
with open(sys.argv[1] + "/offices.csv", "w") as f:
    f.write("care_office_number,name,postal_code,address,email\r\n")
    for i, n in enumerate(nums):
        f.write('%s,"訪問介護ステーション %d",100-0001,東京都千代田区千代田1-%d,\r\n' % (n, i + 1, i + 1))
with open(sys.argv[1] + "/numbers.txt", "w") as f:
    f.write("\n".join(nums) + "\n")
with open(sys.argv[1] + "/bad.csv", "w") as f:
    f.write("care_office_number,name,postal_code,address,email\n")
    f.write("1371234566,ok,,,\n%s,wrong check digit,,,\n" % (nums[0][:9] + str((int(nums[0][9]) + 1) % 10)))
PY

expect_fail "an offices file with a bad number" "$CLAIMSCA" kokuhoren office import --data "$DATA" \
  --file "$WORK/bad.csv" --notice "$WORK/bad.pdf"
grep -q "line 3, care_office_number: invalid" "$WORK/expect_fail.out" || fail "the refusal names the line: $(cat "$WORK/expect_fail.out")"
[ "$(sql "SELECT count(*) FROM accounts WHERE kind = 'kj_office'")" = 0 ] || fail "a refused file registered offices"
[ ! -e "$WORK/bad.pdf" ] || fail "a refused file wrote notices"
ok "a bad offices file is refused whole"

"$CLAIMSCA" kokuhoren office import --data "$DATA" --file "$WORK/offices.csv" --notice "$WORK/offices.pdf" \
  --by 佐藤 > "$WORK/import.out" || fail "import: $(cat "$WORK/import.out")"
[ "$(grep -c '^KJ[0-9]\{8\}	kj_office	' "$WORK/import.out")" = 120 ] || fail "120 user IDs: $(head "$WORK/import.out")"
[ "$(stat -c %a "$WORK/offices.pdf")" = 600 ] || fail "the notices are readable by others"
pdfinfo "$WORK/offices.pdf" | grep -q "^Pages: *120$" || fail "one page per office: $(pdfinfo "$WORK/offices.pdf")"
pdftotext -layout -f 1 -l 1 "$WORK/offices.pdf" "$WORK/page1.txt"
first=$(head -1 "$WORK/import.out" | cut -f1)
grep -q "電子請求登録結果に関するお知らせ" "$WORK/page1.txt" && grep -q "$first" "$WORK/page1.txt" &&
  grep -q "仮パスワード" "$WORK/page1.txt" && grep -q "証明書発行用パスワード" "$WORK/page1.txt" ||
  fail "page 1: $(cat "$WORK/page1.txt")"
[ "$(sql "SELECT count(*) FROM accounts WHERE kind = 'kj_office' AND password_hash LIKE '\$argon2id\$%'")" = 120 ] ||
  fail "argon2id login hashes"
[ "$(sql "SELECT count(*) FROM kj_issuance_passwords WHERE generation = 1 AND password_hash LIKE '\$argon2id\$%'")" = 120 ] ||
  fail "argon2id issuance password hashes"
[ "$(sql "SELECT count(*) FROM kj_password_change")" = 120 ] || fail "every temporary password is to be changed"
temp=$(grep -A1 "仮パスワード" "$WORK/page1.txt" | grep -o '[A-Za-z0-9]\{12\}' | head -1)
[ -n "$temp" ] || fail "no temporary password on page 1"
[ "$(sql "SELECT count(*) FROM accounts WHERE password_hash LIKE '%$temp%'")" = 0 ] || fail "a password in clear"
ok "office import: 120 offices, accounts and notices"

expect_fail "the same offices again" "$CLAIMSCA" kokuhoren office import --data "$DATA" \
  --file "$WORK/offices.csv" --notice "$WORK/again.pdf"
grep -qi "already registered" "$WORK/expect_fail.out" || fail "conflict: $(cat "$WORK/expect_fail.out")"
[ "$(sql "SELECT count(*) FROM accounts WHERE kind = 'kj_office'")" = 120 ] || fail "a second account for an office"
ok "an office is registered once"

"$CLAIMSCA" kokuhoren agent add --data "$DATA" --name "介護請求代行株式会社" --offices-file "$WORK/numbers.txt" \
  --notice "$WORK/agent.pdf" > "$WORK/agent.out" || fail "agent add: $(cat "$WORK/agent.out")"
grep -q '^KJ[0-9]\{8\}	kj_agent	介護請求代行株式会社	120$' "$WORK/agent.out" || fail "agent: $(cat "$WORK/agent.out")"
pdftotext -layout "$WORK/agent.pdf" "$WORK/agent.txt"
grep -q "代理人申請登録結果に関するお知らせ" "$WORK/agent.txt" && grep -q "120 事業所" "$WORK/agent.txt" ||
  fail "agent notice: $(cat "$WORK/agent.txt")"
agent=$(cut -f1 "$WORK/agent.out" | head -1 | tr 'A-Z' 'a-z')
[ "$(sql "SELECT count(*) FROM account_institutions WHERE account_id = '$agent'")" = 120 ] || fail "the agent's 120 offices"
expect_fail "an agent for an unregistered office" "$CLAIMSCA" kokuhoren agent add --data "$DATA" --name 代理人 \
  --office 1371234566 --notice "$WORK/a2.pdf"
grep -q "not_registered 1371234566" "$WORK/expect_fail.out" || fail "unregistered: $(cat "$WORK/expect_fail.out")"
ok "an agent for 120 offices"

"$CLAIMSCA" kokuhoren account reset "$first" --data "$DATA" --notice "$WORK/reset.pdf" > "$WORK/reset.out" ||
  fail "reset: $(cat "$WORK/reset.out")"
pdftotext -layout "$WORK/reset.pdf" "$WORK/reset.txt"
grep -q "仮パスワード再発行のお知らせ" "$WORK/reset.txt" && grep -q "$first" "$WORK/reset.txt" ||
  fail "reset notice: $(cat "$WORK/reset.txt")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'kokuhoren.password.reset'")" = 1 ] || fail "reset audited"
expect_fail "a reset of an unknown account" "$CLAIMSCA" kokuhoren account reset KJ00000000 --data "$DATA" \
  --notice "$WORK/r2.pdf"
ok "an administrator resets a lost login password"

"$CLAIMSCA" kokuhoren office list --data "$DATA" > "$WORK/olist.out" || fail "office list"
[ "$(wc -l < "$WORK/olist.out")" = 121 ] || fail "office list: $(head -3 "$WORK/olist.out")"
"$CLAIMSCA" kokuhoren agent list --data "$DATA" > "$WORK/alist.out" || fail "agent list"
grep -q "	介護請求代行株式会社	120$" "$WORK/alist.out" || fail "agent list: $(cat "$WORK/alist.out")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'kokuhoren.office.register'")" = 120 ] || fail "audited"
ok "office and agent lists"
finish
