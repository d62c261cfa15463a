// The notice batch on a real SQLite store: registered name and address (never the form's),
// passwords opened from their sealed copies and printed, nothing erased until the commit,
// everything erased by it, codes missing from the register left for an operator.

#include "notice/batch.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

namespace claimsca::notice {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

std::string PdfText(const fs::path& dir, const std::string& pdf) {
  const fs::path path = dir / "b.pdf";
  std::ofstream(path, std::ios::binary) << pdf;
  std::string out;
  FILE* p = popen(("pdftotext -enc UTF-8 '" + path.string() + "' -").c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  EXPECT_EQ(pclose(p), 0);
  std::string flat;
  for (char c : out) {
    if (c != ' ' && c != '\n' && c != '\f') flat += c;
  }
  return flat;
}

class BatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("claimsca_batch_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "store.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->Migrate().ok());
    auto box = crypto::SealedBox::Create(std::string(crypto::kSealKeyBytes, 'k'));
    ASSERT_TRUE(box.ok());
    sealer_.emplace(std::move(box).value());
    store::RegisterEntry e;
    e.institution_code = "1312345678";
    e.name = "医療法人社団 登録クリニック";
    e.postal_code = "1000013";
    e.address = "東京都千代田区霞が関一丁目2番2号";
    e.category = "1";
    e.billing_method = "deduction";
    ASSERT_TRUE(store_->ImportRegister({e}, "test", "operator:t", now_).ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  store::AuditEvent Audit(const std::string& action, const std::string& subject) {
    return {now_, "operator:t", action, subject, "{}"};
  }

  // An issued application whose sealed password opens to `password`.
  void Issue(const std::string& rid, const std::string& code, const std::string& password) {
    store::ApplicationRecord a;
    a.request_id = rid;
    a.program = "common";
    a.channel = "portal";
    a.account_id = "clinic@example.jp";
    a.applicant_kind = "institution";
    a.category = "1";
    a.prefecture = "13";
    a.score_table = "1";
    a.facility_code = code.substr(3);
    a.institution_code = code;
    a.institution_name = "<b>フォームに入力した名前</b>";
    a.contact_name = "医事課 山田";
    a.phone = "03-1234-5678";
    a.email = "yamada@example.jp";
    a.terminal_name = "受付PC1";
    a.submitted_at = now_;
    bool created = false;
    ASSERT_TRUE(store_->InsertApplication(a, Audit("submit", rid), &created).ok());
    ASSERT_TRUE(store_->ClaimApplication(rid, "h", now_, seconds(60)).ok());
    const std::string serial = "5e" + rid.substr(8);
    store::CertificateRecord c;
    c.serial = serial;
    c.issuer_id = "issuing-1";
    c.program = "common";
    c.institution_code = code;
    c.common_name = "cn" + serial;
    c.terminal_name = "t";
    c.key_algorithm = "rsa2048";
    c.not_before = now_;
    c.not_after = now_ + seconds(86400 * 1000);
    c.tbs_der = "tbs";
    c.created_at = now_;
    c.request_id = rid;
    ASSERT_TRUE(store_->InsertIntent(c).ok());
    ASSERT_TRUE(store_->MarkIssued(serial, "der").ok());
    store::IssuanceResult r;
    r.serial = serial;
    r.common_name = c.common_name;
    r.issued_at = now_;
    r.not_after = *ParseInstant("2030-02-24T10:00");
    r.download_deadline = *ParseInstant("2027-05-23T23:59:59");
    r.download_password_hash = "$argon2id$x";
    r.pkcs12_der = "p12";
    r.sealed_password = *sealer_->Seal(password, rid);
    store::FeeCharge f;
    f.request_id = rid;
    f.kind = "new_application";
    f.charge_date = "2026-11-24";
    f.created_at = now_;
    ASSERT_TRUE(
        store_->RecordIssued(rid, "h", "reviewer:s", now_, r, f, Audit("approve", rid)).ok());
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::optional<crypto::SealedBox> sealer_;
  Instant now_ = *ParseInstant("2026-11-24T10:30:00");
};

TEST_F(BatchTest, PrintsRegisteredDataErasesOnlyOnCommit) {
  Issue("20261124000001", "1312345678", "PwFirst2345678ab");
  Issue("20261124000002", "1312345678", "PwSecond345678ab");
  Issue("20261124000003", "1399999999", "PwNotInRegister9");  // code absent from the register

  auto prepared = PrepareNoticeBatch(*store_, *sealer_, NoticeSender{}, now_, 100, "system:t");
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_TRUE(prepared->has_value());
  const PreparedBatch& b = **prepared;
  EXPECT_EQ(b.skipped_not_in_register, std::vector<std::string>{"20261124000003"});
  ASSERT_EQ(b.record.items.size(), 2u);
  EXPECT_EQ(b.record.printed_on, "2026-11-24");
  EXPECT_EQ(b.record.dispatch_on, "2026-11-25");  // by 15:00 on a Tuesday → Wednesday
  EXPECT_EQ(b.record.pdf_file, "notices-20261124T103000.pdf");
  EXPECT_EQ(b.record.pdf_sha256.size(), 64u);

  const std::string text = PdfText(dir_, b.pdf);
  for (const char* want : {"PwFirst2345678ab", "PwSecond345678ab", "医療法人社団登録クリニック",
                           "東京都千代田区霞が関一丁目2番2号", "〒100-0013", "1/2", "2/2"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want;
  }
  EXPECT_EQ(text.find("フォームに入力した名前"), std::string::npos);  // the register's name only
  EXPECT_EQ(text.find("PwNotInRegister9"), std::string::npos);
  EXPECT_EQ(b.csv.find("PwFirst"), std::string::npos);
  EXPECT_NE(b.csv.find("\"医療法人社団 登録クリニック\",\"医事課 山田\",\"20261124000001\""),
            std::string::npos)
      << b.csv;

  // Not committed (a crash after writing the files): nothing lost, the next run prints the
  // same applications with the same passwords.
  auto again =
      PrepareNoticeBatch(*store_, *sealer_, NoticeSender{}, now_ + seconds(60), 100, "system:t");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->record.items.size(), 2u);
  EXPECT_NE(PdfText(dir_, (*again)->pdf).find("PwFirst2345678ab"), std::string::npos);

  auto id = CommitNoticeBatch(*store_, b);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(store_->GetApplication("20261124000001")->sealed_password.empty());
  EXPECT_FALSE(store_->GetApplication("20261124000003")->sealed_password.empty());
  // The stale second preparation can no longer be committed: its passwords are gone.
  EXPECT_EQ(CommitNoticeBatch(*store_, **again).status().code(), Code::kFailedPrecondition);

  auto after = PrepareNoticeBatch(*store_, *sealer_, NoticeSender{}, now_, 100, "system:t");
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->has_value());  // only the skipped one remains, and it is not printed
  EXPECT_TRUE((*after)->record.items.empty());
  EXPECT_TRUE((*after)->pdf.empty());
  EXPECT_EQ((*after)->skipped_not_in_register, std::vector<std::string>{"20261124000003"});
  int64_t rows = 0;
  EXPECT_TRUE(store_->VerifyAuditChain(&rows).ok());
}

// Issue 24: the 15:00 cut-off applies to the approval, not to the print. A batch printed
// at 16:00 on Tuesday 2026-11-24 holds the application approved at 14:30 (→ Wednesday);
// the one approved at 15:30 goes out Thursday, in a second batch of its own.
TEST_F(BatchTest, TheCutOffAppliesToTheApprovalNotToThePrint) {
  now_ = *ParseInstant("2026-11-24T14:30:00");
  Issue("20261124000001", "1312345678", "PwFirst2345678ab");
  now_ = *ParseInstant("2026-11-24T15:30:00");
  Issue("20261124000002", "1312345678", "PwSecond345678ab");
  now_ = *ParseInstant("2026-11-24T16:00:00");

  auto first = PrepareNoticeBatch(*store_, *sealer_, NoticeSender{}, now_, 100, "system:t");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->has_value());
  ASSERT_EQ((*first)->record.items.size(), 1u);
  EXPECT_EQ((*first)->record.items[0].request_id, "20261124000001");
  EXPECT_EQ((*first)->record.dispatch_on, "2026-11-25");  // not 11-26: approved by 15:00
  EXPECT_EQ((*first)->record.pdf_file, "notices-20261124T160000.pdf");
  EXPECT_EQ((*first)->later_dispatch, std::vector<std::string>{"20261124000002"});
  EXPECT_EQ(PdfText(dir_, (*first)->pdf).find("PwSecond345678ab"), std::string::npos);
  ASSERT_TRUE(CommitNoticeBatch(*store_, **first).ok());
  // The later one keeps its sealed password until its own batch.
  EXPECT_FALSE(store_->GetApplication("20261124000002")->sealed_password.empty());

  auto second = PrepareNoticeBatch(*store_, *sealer_, NoticeSender{}, now_, 100, "system:t");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->has_value());
  ASSERT_EQ((*second)->record.items.size(), 1u);
  EXPECT_EQ((*second)->record.dispatch_on, "2026-11-26");  // after 15:00 → counted Wed → Thu
  EXPECT_EQ((*second)->record.pdf_file, "notices-20261124T160000-20261126.pdf");
  EXPECT_TRUE((*second)->later_dispatch.empty());

  // Printed the next morning, it goes out on the first shipping day after the print.
  auto late = PrepareNoticeBatch(*store_, *sealer_, NoticeSender{},
                                 *ParseInstant("2026-11-26T10:00:00"), 100, "system:t");
  ASSERT_TRUE(late.ok());
  EXPECT_EQ((*late)->record.dispatch_on, "2026-11-27");
  EXPECT_EQ((*late)->record.pdf_file, "notices-20261126T100000.pdf");
}

TEST_F(BatchTest, NothingAwaitingAndWrongKey) {
  auto none = PrepareNoticeBatch(*store_, *sealer_, NoticeSender{}, now_, 100, "system:t");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Issue("20261124000001", "1312345678", "PwFirst2345678ab");
  auto other = crypto::SealedBox::Create(std::string(crypto::kSealKeyBytes, 'x'));
  auto wrong = PrepareNoticeBatch(*store_, *other, NoticeSender{}, now_, 100, "system:t");
  EXPECT_EQ(wrong.status().code(), Code::kInternal);
  EXPECT_EQ(wrong.status().message().find("PwFirst"), std::string::npos);
  EXPECT_FALSE(store_->GetApplication("20261124000001")->sealed_password.empty());
}

}  // namespace
}  // namespace claimsca::notice
