// The subsidy payment file: its layout (pure), and on both back ends what it takes, that a
// re-run is byte-identical and takes nothing more, and that marking it paid records the
// payments once and refuses edited bytes.

#include "subsidy/payment_file.h"

#include <gtest/gtest.h>

#include "crypto/ossl.h"
#include "store/store.h"
#include "subsidy/store_test_fixture.h"

namespace claimsca::subsidy {
namespace {

using namespace testing;  // NOLINT: the fixture's names

TEST(PaymentFileLayout, HeaderLinesQuotingAndTotals) {
  auto bytes =
      RenderPaymentFile({{"1310000017", "医療法人 A会, 本院", 31000, "SUB000001", "2024-12-01"},
                         {"1310000025", "B \"歯科\"", 3000, "SUB000002", "2024-12-02"}});
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes,
            "institution_code,institution_name,amount_yen,application_id,approval_date\r\n"
            "1310000017,\"医療法人 A会, 本院\",31000,SUB000001,2024-12-01\r\n"
            "1310000025,\"B \"\"歯科\"\"\",3000,SUB000002,2024-12-02\r\n"
            "TOTAL,2,34000,,\r\n");
  EXPECT_EQ(*RenderPaymentFile({}),
            "institution_code,institution_name,amount_yen,application_id,approval_date\r\n"
            "TOTAL,0,0,,\r\n");
  EXPECT_FALSE(RenderPaymentFile({{"1310000017", "A", 0, "SUB000001", "2024-12-01"}}).ok());
  EXPECT_EQ(PaymentFileName(Day(2024, 12, 5)), "subsidy-payment-20241205.csv");
}

TEST_P(SubsidyStoreTest, PaymentFileIsMadeOnceAndMarkPaidRecordsIt) {
  ASSERT_TRUE(ApplyFor(kClinic, 100'000).ok());  // SUB000001: 31,000
  ASSERT_TRUE(ApplyFor(kClinic2, 4'001).ok());   // SUB000002: 3,000
  ASSERT_TRUE(subsidies_->Approve("SUB000001", "operator:r").ok());
  const Instant dec2 = ParseInstant("2024-12-02T09:00:00+09:00").value();
  // Not for a future date.
  EXPECT_CODE(MakePaymentFile(*store_, Day(2024, 12, 3), "operator:p", dec2).status(),
              kFailedPrecondition);
  Result<PaymentFile> f = MakePaymentFile(*store_, Day(2024, 12, 2), "operator:p", dec2);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->created);
  EXPECT_EQ(f->file_name, "subsidy-payment-20241202.csv");
  EXPECT_EQ(f->content,
            "institution_code,institution_name,amount_yen,application_id,approval_date\r\n"
            "1310000017,\"医療法人 テスト診療所, 本院\",31000,SUB000001,2024-12-01\r\n"
            "TOTAL,1,31000,,\r\n");
  EXPECT_EQ(f->sha256_content, crypto::Sha256Hex(f->content) + "  subsidy-payment-20241202.csv\n");
  EXPECT_EQ(subsidies_->Get("SUB000001")->payment_file_date, "2024-12-02");
  Result<PaymentFile> stored = StoredPaymentFile(*store_, Day(2024, 12, 2));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->content, f->content);
  EXPECT_CODE(StoredPaymentFile(*store_, Day(2024, 12, 1)).status(), kNotFound);

  // Approved later: not in the re-run of the same date, which is byte-identical.
  clock_.Set(dec2);
  ASSERT_TRUE(subsidies_->Approve("SUB000002", "operator:r").ok());
  Result<PaymentFile> again = MakePaymentFile(*store_, Day(2024, 12, 2), "operator:p", dec2);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->content, f->content);
  EXPECT_EQ(again->sha256_content, f->sha256_content);

  // An edited file is refused; the real one marks SUB000001 paid, once.
  std::string edited = f->content;
  edited.replace(edited.find("31000"), 5, "91000");
  EXPECT_CODE(MarkPaid(*store_, edited, "operator:p", dec2).status(), kNotFound);
  Result<int64_t> n = MarkPaid(*store_, f->content, "operator:p", dec2);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*MarkPaid(*store_, f->content, "operator:p", dec2), 0);
  Result<Application> paid = subsidies_->Get("SUB000001");
  EXPECT_EQ(paid->state, State::kPaid);
  EXPECT_EQ(paid->paid_at, dec2);
  EXPECT_EQ(subsidies_->Get("SUB000002")->state, State::kApproved);

  // The next day's file takes SUB000002 only.
  const Instant dec3 = ParseInstant("2024-12-03T09:00:00+09:00").value();
  Result<PaymentFile> next = MakePaymentFile(*store_, Day(2024, 12, 3), "operator:p", dec3);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->lines, 1);
  EXPECT_EQ(next->total_yen, 3'000);
  EXPECT_NE(next->content.find("SUB000002"), std::string::npos);

  auto audit = store_->AuditBySubject("SUB000001", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[2].action, "subsidy.paid");
  int64_t rows = 0;
  ASSERT_OK(store_->VerifyAuditChain(&rows));
}

}  // namespace
}  // namespace claimsca::subsidy
