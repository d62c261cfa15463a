#include "billing/zengin.h"

#include <gtest/gtest.h>

#include <functional>

#include "billing/zengin_test_writer.h"
#include "common/iso_date.h"

namespace claimsca::billing {
namespace {

using testing::DataRecord;
using testing::HeaderRecord;
using testing::Join;
using testing::Records;
using testing::TestTransfer;
using testing::TrailerRecord;

const Date kToday{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{6}};

std::vector<TestTransfer> TwoTransfers() {
  TestTransfer a;
  a.payer_name = "2612000123\xB8\xD8\xC6\xC2\xB8";  // 2612000123ｸﾘﾆﾂｸ
  TestTransfer b;
  b.inquiry = "000002";
  b.booking = b.value = "081203";
  b.amount = 3000;
  b.other_bank = 1000;
  b.payer_code = "2612000124";
  b.payer_name = "\xBB\xC4\xB3 \xB2\xB2\xDD";  // ｻﾄｳ ｲｲﾝ
  b.edi = "EDI-REF-1";
  return {a, b};
}

TEST(ParseZengin, ReadsEveryFieldOfAValidFile) {
  const Result<ZenginFile> f = ParseZengin(Join(Records(TwoTransfers())), kToday);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->layout, ZenginFile::Layout::kNoNewlines);
  EXPECT_FALSE(f->utf8_kana);
  ASSERT_EQ(f->accounts.size(), 1u);
  const ZenginAccount& a = f->accounts[0];
  EXPECT_EQ(a.record, 1);
  EXPECT_EQ(IsoDate(a.created), "2026-12-05");
  EXPECT_EQ(IsoDate(a.booking_from), "2026-12-01");
  EXPECT_EQ(IsoDate(a.booking_to), "2026-12-04");
  EXPECT_EQ(a.bank_code, "0005");
  EXPECT_EQ(a.bank_name.text, "テスト ギンコウ");
  EXPECT_EQ(a.bank_name.raw.size(), 15u);
  EXPECT_EQ(a.branch_code, "001");
  EXPECT_EQ(a.branch_name.text, "ホンテン");
  EXPECT_EQ(a.account_type, '1');
  EXPECT_EQ(a.account_number, "1234567");
  EXPECT_EQ(a.account_name.text, "シャ)テストキョウカイ");
  ASSERT_EQ(a.transfers.size(), 2u);
  const ZenginTransfer& t = a.transfers[0];
  EXPECT_EQ(t.record, 2);
  EXPECT_EQ(t.inquiry_number, "000001");
  EXPECT_EQ(IsoDate(t.booking_date), "2026-12-04");
  EXPECT_EQ(IsoDate(t.value_date), "2026-12-04");
  EXPECT_EQ(t.amount, 1500);
  EXPECT_EQ(t.other_bank_amount, 0);
  EXPECT_EQ(t.payer_code, "0000000000");
  EXPECT_EQ(t.payer_name.text, "2612000123クリニツク");
  EXPECT_EQ(t.payer_name.raw.substr(0, 15), "2612000123\xB8\xD8\xC6\xC2\xB8");
  EXPECT_EQ(t.payer_name.raw.size(), 48u);
  EXPECT_EQ(t.remitting_bank.text, "ミズホ");
  EXPECT_EQ(t.remitting_branch.text, "トウキョウ");
  EXPECT_FALSE(t.cancelled);
  const ZenginTransfer& u = a.transfers[1];
  EXPECT_EQ(u.record, 3);
  EXPECT_EQ(u.amount, 3000);
  EXPECT_EQ(u.other_bank_amount, 1000);
  EXPECT_EQ(u.payer_code, "2612000124");
  EXPECT_EQ(u.payer_name.text, "サトウ イイン");
  EXPECT_EQ(u.edi.text, "EDI-REF-1");
  EXPECT_EQ(TransferKey(a, t), "0005-001-1-1234567:000001:2026-12-04");
}

TEST(ParseZengin, AcceptsCrLfLfEofMarkAndUtf8Kana) {
  const std::vector<std::string> records = Records(TwoTransfers());
  const Result<ZenginFile> plain = ParseZengin(Join(records), kToday);
  ASSERT_TRUE(plain.ok());
  const struct {
    std::string bytes;
    ZenginFile::Layout layout;
  } cases[] = {
      {Join(records, "\r\n"), ZenginFile::Layout::kCrLf},
      {Join(records, "\r\n").substr(0, Join(records, "\r\n").size() - 2),
       ZenginFile::Layout::kCrLf},
      {Join(records, "\n"), ZenginFile::Layout::kLf},
      {Join(records) + "\x1A", ZenginFile::Layout::kNoNewlines},
      {Join(records, "\r\n") + "\x1A", ZenginFile::Layout::kCrLf},
  };
  for (const auto& c : cases) {
    const Result<ZenginFile> f = ParseZengin(c.bytes, kToday);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(f->layout, c.layout);
    EXPECT_EQ(f->accounts[0].transfers[1].payer_name, plain->accounts[0].transfers[1].payer_name);
  }
  // The same file with its kana as UTF-8 (3 bytes each): 200 characters a record.
  const std::string utf8 = testing::KanaAsUtf8(Join(records, "\r\n"));
  const Result<ZenginFile> f = ParseZengin(utf8, kToday);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->utf8_kana);
  EXPECT_EQ(f->accounts[0].transfers[0].payer_name, plain->accounts[0].transfers[0].payer_name);
}

TEST(ParseZengin, SeveralAccountsAndCancellations) {
  std::vector<TestTransfer> first = TwoTransfers();
  TestTransfer cancel = first[0];
  cancel.cancel = '1';
  first.push_back(cancel);  // same 照会番号, cancelled: another key
  TestTransfer other;
  other.inquiry = "000001";
  std::vector<std::string> records = Records(first);
  records.pop_back();  // end
  records.push_back(HeaderRecord("081205", "081204", "081204", "7654321"));
  records.push_back(DataRecord(other));
  records.push_back(TrailerRecord({other}));
  records.push_back(testing::EndRecord());
  const Result<ZenginFile> f = ParseZengin(Join(records), kToday);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->accounts.size(), 2u);
  EXPECT_EQ(f->accounts[0].transfers.size(), 3u);
  EXPECT_TRUE(f->accounts[0].transfers[2].cancelled);
  EXPECT_EQ(TransferKey(f->accounts[0], f->accounts[0].transfers[2]),
            "0005-001-1-1234567:000001:2026-12-04:C");
  EXPECT_EQ(f->accounts[1].account_number, "7654321");
  EXPECT_EQ(f->accounts[1].transfers[0].record, 7);
}

// Puts `bytes` at 1-based byte `pos` of record `index` (0-based).
std::function<void(std::vector<std::string>&)> Put(size_t index, size_t pos, std::string bytes) {
  return [=](std::vector<std::string>& r) { r[index].replace(pos - 1, bytes.size(), bytes); };
}

TEST(ParseZengin, RefusesABadFileWholeNamingRecordFieldAndRule) {
  using Records_ = std::vector<std::string>;
  const struct {
    const char* name;
    std::function<std::string(Records_&)> make;
    int record;
    const char* field;
    const char* rule;
  } cases[] = {
      {"truncated", [](Records_& r) { return Join(r).substr(0, 790); }, 4, "record", "truncated"},
      {"short line",
       [](Records_& r) {
         r[2].pop_back();
         return Join(r, "\r\n");
       },
       3, "record", "wrong length: 199"},
      {"long line",
       [](Records_& r) {
         r[1] += "X";
         return Join(r, "\n");
       },
       2, "record", "wrong length: 201"},
      {"lone LF in CRLF file",
       [](Records_& r) {
         return r[0] + "\r\n" + r[1] + "\n" + r[2] + "\r\n" + r[3] + "\r\n" + r[4];
       },
       2, "record", "wrong length"},
      {"letter in 金額",
       [](Records_& r) {
         Put(1, 25, "A")(r);
         return Join(r);
       },
       2, "金額 (bytes 20-29)", "not a digit"},
      {"space in 照会番号",
       [](Records_& r) {
         Put(2, 2, " ")(r);
         return Join(r);
       },
       3, "照会番号 (bytes 2-7)", "not a digit"},
      {"unknown record type",
       [](Records_& r) {
         Put(2, 1, "3")(r);
         return Join(r);
       },
       3, "データ区分", "unknown record type '3'"},
      {"data before header",
       [](Records_& r) {
         std::swap(r[0], r[1]);
         return Join(r);
       },
       1, "データ区分", "out of order"},
      {"no trailer",
       [](Records_& r) {
         r.erase(r.begin() + 3);
         return Join(r);
       },
       4, "データ区分", "out of order: a エンド・レコード after a データ・レコード"},
      {"no end",
       [](Records_& r) {
         r.pop_back();
         return Join(r);
       },
       5, "データ区分", "without an エンド・レコード"},
      {"after end",
       [](Records_& r) {
         r.push_back(r[0]);
         return Join(r);
       },
       6, "データ区分", "out of order"},
      {"trailer count",
       [](Records_& r) {
         Put(3, 2, "000003")(r);
         return Join(r);
       },
       4, "振込合計件数", "3 written, but the data records since record 1 have 2"},
      {"trailer sum",
       [](Records_& r) {
         Put(3, 8, "000000004501")(r);
         return Join(r);
       },
       4, "振込合計金額", "4501 written"},
      {"trailer cancel count",
       [](Records_& r) {
         Put(3, 20, "000001")(r);
         return Join(r);
       },
       4, "取消合計件数", "1 written"},
      {"bad day",
       [](Records_& r) {
         Put(1, 8, "081232")(r);
         return Join(r);
       },
       2, "勘定日", "not a date"},
      {"Western year",
       [](Records_& r) {
         Put(0, 5, "261205")(r);
         return Join(r);
       },
       1, "作成日", "after today"},
      {"Heisei-looking date",
       [](Records_& r) {
         Put(0, 11, "010401")(r);
         return Join(r);
       },
       1, "勘定日(自)", "before 令和"},
      {"booking outside header",
       [](Records_& r) {
         Put(1, 8, "081130")(r);
         return Join(r);
       },
       2, "勘定日 (bytes 8-13)", "outside the header"},
      {"from after to",
       [](Records_& r) {
         Put(0, 11, "081205")(r);
         return Join(r);
       },
       1, "勘定日(至)", "before 勘定日(自)"},
      {"入出金取引明細",
       [](Records_& r) {
         Put(0, 2, "03")(r);
         return Join(r);
       },
       1, "種別コード", "only 01"},
      {"EBCDIC",
       [](Records_& r) {
         Put(0, 4, "1")(r);
         return Join(r);
       },
       1, "コード区分", "only 0"},
      {"account type",
       [](Records_& r) {
         Put(0, 60, "3")(r);
         return Join(r);
       },
       1, "預金種目", "not 1, 2, 4 or 9"},
      {"control byte in name",
       [](Records_& r) {
         Put(1, 60, "\t")(r);
         return Join(r);
       },
       2, "振込依頼人名 (bytes 50-97)", "byte 60"},
      {"Shift_JIS double byte",
       [](Records_& r) {
         Put(2, 55, "\x83\x4E")(r);
         return Join(r);
       },
       3, "振込依頼人名", "not a half-width character"},
      {"byte E0+ not UTF-8 kana",
       [](Records_& r) {
         Put(0, 30, "\xE3\x81\x82")(r);
         return Join(r);
       },
       1, "銀行名", "not a half-width"},
      {"cancel flag",
       [](Records_& r) {
         Put(1, 128, "2")(r);
         return Join(r);
       },
       2, "取消区分", "not blank, 0 or 1"},
      {"zero amount",
       [](Records_& r) {
         Put(1, 20, "0000000000")(r);
         return Join(r);
       },
       2, "金額", "zero amount"},
      {"other bank above amount",
       [](Records_& r) {
         Put(2, 30, "0000003001")(r);
         return Join(r);
       },
       3, "うち他店券金額", "larger than"},
      {"duplicate 照会番号",
       [](Records_& r) {
         Put(2, 2, "000001")(r);
         Put(2, 8, "081204")(r);
         return Join(r);
       },
       3, "照会番号", "already in record 2"},
      {"dummy of end record",
       [](Records_& r) {
         Put(4, 200, "\x7F")(r);
         return Join(r);
       },
       5, "ダミー (bytes 2-200)", "byte 200"},
      {"empty", [](Records_&) { return std::string(); }, 0, "", "empty file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Records_ records = Records(TwoTransfers());
    const std::string bytes = c.make(records);
    ZenginError e;
    const Result<ZenginFile> f = ParseZengin(bytes, kToday, &e);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(e.record, c.record) << e.ToString();
    EXPECT_NE(e.field.find(c.field), std::string::npos) << e.ToString();
    EXPECT_NE(e.rule.find(c.rule), std::string::npos) << e.ToString();
    EXPECT_NE(f.status().message().find(e.ToString()), std::string::npos);
  }
}

}  // namespace
}  // namespace claimsca::billing
