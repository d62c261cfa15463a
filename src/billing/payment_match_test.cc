#include "billing/payment_match.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "billing/zengin_test_writer.h"

namespace claimsca::billing {
namespace {

using Names = std::vector<std::string>;

TEST(InvoiceNumbersInName, TheNumberTypedBeforeTheName) {
  EXPECT_EQ(InvoiceNumbersInName("2612000123クリニツク"), Names{"2612000123"});
  EXPECT_EQ(InvoiceNumbersInName("２６１２０００１２３　クリニック"), Names{"2612000123"});
  EXPECT_EQ(InvoiceNumbersInName(" 2612 000123 ｸﾘﾆﾂｸ"), Names{"2612000123"});
  EXPECT_EQ(InvoiceNumbersInName("2612-000123ｸﾘﾆﾂｸ"), Names{"2612000123"});
  EXPECT_EQ(InvoiceNumbersInName("2612000123 2ｸﾘﾆﾂｸ"), Names{"2612000123"});  // first segment
  // Typed after the name instead: still found; two different ones: both.
  EXPECT_EQ(InvoiceNumbersInName("クリニツク 2612000123"), Names{"2612000123"});
  EXPECT_EQ(InvoiceNumbersInName("ｸﾘﾆﾂｸ2612000124ﾄ2612000123"),
            (Names{"2612000123", "2612000124"}));
  // The leading number decides: a wrong length there is no number, whatever follows.
  EXPECT_EQ(InvoiceNumbersInName("261200012ｸﾘﾆﾂｸ 2612000123"), Names{});
  EXPECT_EQ(InvoiceNumbersInName("26120001234ｸﾘﾆﾂｸ"), Names{});
  EXPECT_EQ(InvoiceNumbersInName("ﾀﾞｲ2ｸﾘﾆﾂｸ"), Names{});
  EXPECT_EQ(InvoiceNumbersInName(""), Names{});
}

ZenginTransfer Transfer(int64_t amount, const std::string& name, std::string code = "0000000000") {
  ZenginTransfer t;
  t.inquiry_number = "000001";
  t.amount = amount;
  t.payer_name.text = name;
  t.payer_code = std::move(code);
  return t;
}

class MatchTest : public ::testing::Test {
 protected:
  InvoiceLookup Lookup() {
    return [this](std::string_view n) -> std::optional<OpenInvoice> {
      const auto it = invoices_.find(std::string(n));
      if (it == invoices_.end()) return std::nullopt;
      return it->second;
    };
  }
  std::map<std::string, OpenInvoice> invoices_ = {
      {"2612000123", {"2612000123", 3000, 0}},
      {"2612000124", {"2612000124", 1500, 1500}},  // paid
      {"2612000125", {"2612000125", 4500, 1500}},  // partly paid
  };
};

TEST_F(MatchTest, OutcomeByNumberAndAmount) {
  const struct {
    ZenginTransfer t;
    MatchOutcome outcome;
    const char* invoice;
    int64_t open_before;
  } cases[] = {
      {Transfer(3000, "2612000123クリニツク"), MatchOutcome::kApplied, "2612000123", 3000},
      {Transfer(1000, "2612000123クリニツク"), MatchOutcome::kPartial, "2612000123", 3000},
      {Transfer(3500, "2612000123クリニツク"), MatchOutcome::kExcess, "2612000123", 3000},
      {Transfer(1500, "2612000124イイン"), MatchOutcome::kExcess, "2612000124", 0},
      {Transfer(3000, "2612000125イイン"), MatchOutcome::kApplied, "2612000125", 3000},
      {Transfer(3000, "クリニツク", "2612000123"), MatchOutcome::kApplied, "2612000123", 3000},
      // A payer code that is no invoice (the payer's own code) does not hide the name's number.
      {Transfer(3000, "2612000123クリニツク", "1234567890"), MatchOutcome::kApplied, "2612000123",
       3000},
      {Transfer(3000, "2612000125クリニツク", "2612000123"), MatchOutcome::kSeveralCandidates, "",
       0},
      {Transfer(3000, "2699000001クリニツク"), MatchOutcome::kUnknownInvoice, "", 0},
      {Transfer(3000, "クリニツク"), MatchOutcome::kNoInvoiceNumber, "", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.t.payer_name.text + " " + std::to_string(c.t.amount));
    const Match m = MatchTransfer(c.t, Lookup());
    EXPECT_EQ(MatchOutcomeName(m.outcome), MatchOutcomeName(c.outcome));
    EXPECT_EQ(m.invoice_number, c.invoice);
    EXPECT_EQ(m.open_before, c.open_before);
  }
}

TEST_F(MatchTest, CancelledIsNeverApplied) {
  ZenginTransfer t = Transfer(3000, "2612000123クリニツク");
  t.cancelled = true;
  const Match m = MatchTransfer(t, Lookup());
  EXPECT_EQ(m.outcome, MatchOutcome::kCancelled);
  EXPECT_EQ(m.candidates, Names{"2612000123"});
}

TEST(MatchOutcomeNames, RoundTrip) {
  for (int i = 0; i <= static_cast<int>(MatchOutcome::kCancelled); ++i) {
    const auto o = static_cast<MatchOutcome>(i);
    EXPECT_EQ(ParseMatchOutcome(MatchOutcomeName(o)), o);
  }
  EXPECT_EQ(ParseMatchOutcome("paid"), std::nullopt);
}

TEST_F(MatchTest, PlanSkipsImportedAndCountsThisFilesApplications) {
  testing::TestTransfer a;
  a.amount = 3000;
  a.payer_name = "2612000123\xB8\xD8\xC6\xC2\xB8";
  testing::TestTransfer b = a;  // the same invoice paid twice in one file
  b.inquiry = "000002";
  testing::TestTransfer c = a;  // imported before
  c.inquiry = "000003";
  const Date today{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{6}};
  const Result<ZenginFile> file = ParseZengin(testing::Join(testing::Records({a, b, c})), today);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const std::set<std::string, std::less<>> imported = {"0005-001-1-1234567:000003:2026-12-04"};
  const std::vector<PlannedPayment> plan =
      PlanPayments(*file, Lookup(), [&](std::string_view key) { return imported.count(key) > 0; });
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].match.outcome, MatchOutcome::kApplied);
  EXPECT_FALSE(plan[0].already_imported);
  EXPECT_EQ(plan[1].match.outcome, MatchOutcome::kExcess);
  EXPECT_EQ(plan[1].match.open_before, 0);
  EXPECT_TRUE(plan[2].already_imported);
  EXPECT_EQ(plan[2].transfer->inquiry_number, "000003");
}

}  // namespace
}  // namespace claimsca::billing
