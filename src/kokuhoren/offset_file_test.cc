// The monthly offset file: its layout (pure), and on both back ends what it takes, that it
// settles the balance with ledger rows, and that a re-run is byte-identical and settles
// nothing more.

#include "kokuhoren/offset_file.h"

#include <gtest/gtest.h>

#include "crypto/ossl.h"
#include "kokuhoren/fees_test_fixture.h"

namespace claimsca::kokuhoren {
namespace {

using namespace testing;  // NOLINT: the fixture's names
using std::chrono::year;
using std::chrono::year_month;

constexpr year_month kJan2027 = year(2027) / std::chrono::January;
constexpr year_month kDec2026 = year(2026) / std::chrono::December;

TEST(OffsetFileLayout, HeaderLinesAndTotals) {
  auto bytes = RenderOffsetFile(kJan2027, {{"1310000017", 2, 15600}, {"1310000025", 1, 7800}});
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes,
            "1,kokuhoren-offset,202701,2027-01-01\r\n"
            "2,1310000017,202701,2,15600\r\n"
            "2,1310000025,202701,1,7800\r\n"
            "8,2,3,23400\r\n");
  EXPECT_EQ(*RenderOffsetFile(kJan2027, {}), "1,kokuhoren-offset,202701,2027-01-01\r\n8,0,0,0\r\n");
  EXPECT_EQ(OffsetFileName(kJan2027), "kokuhoren-offset-202701.csv");
}

TEST(OffsetFileLayout, RefusesUnsortedDuplicateOrEmptyLines) {
  EXPECT_FALSE(RenderOffsetFile(kJan2027, {{"2", 1, 1}, {"1", 1, 1}}).ok());
  EXPECT_FALSE(RenderOffsetFile(kJan2027, {{"1", 1, 1}, {"1", 1, 1}}).ok());
  EXPECT_FALSE(RenderOffsetFile(kJan2027, {{"1", 1, 0}}).ok());
  EXPECT_FALSE(RenderOffsetFile(kJan2027, {{"13-1", 1, 5}}).ok());
}

class KjOffsetFileTest : public FeesTest {
 protected:
  Result<OffsetFile> Make(year_month m, Instant at) {
    Result<OffsetFile> out = InvalidArgument("not run");
    Status st = Tx([&](store::SqlTx& tx) -> Status {
      out = MakeOffsetFile(tx, m, "operator:test", at);
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }
};

TEST_P(KjOffsetFileTest, SettlesTheOpenOffsetChargesOfBeforeTheMonthOnce) {
  const Instant dec31 = ParseInstant("2026-12-31T23:59:59+09:00").value();
  const Instant jan1 = ParseInstant("2027-01-01T00:00:00+09:00").value();
  const Instant jan5 = ParseInstant("2027-01-05T09:00:00+09:00").value();
  ASSERT_TRUE(Charge(OwnOffset("a1")).ok());
  ASSERT_TRUE(Charge(OwnOffset("a2"), dec31).ok());
  ASSERT_TRUE(Charge(OwnOffset("b1", kOffice2, kOffice2Account)).ok());
  ASSERT_TRUE(Charge(AgentTransfer("t1")).ok());    // 振込: never in the file
  ASSERT_TRUE(Charge(OwnOffset("a3"), jan1).ok());  // dated in January: next file
  ASSERT_TRUE(Charge(OwnOffset("c1"), dec31).ok());
  ASSERT_OK(Tx([&](store::SqlTx& tx) {  // cancelled: not offset
    return CancelCharge(tx, "c1", "取消", "kj:x", dec31).status();
  }));
  EXPECT_EQ(Balance(kOffice), 4 * 7800);  // a1 a2 a3 and the transfer t1

  // Not before the month has begun.
  EXPECT_CODE(Make(kJan2027, dec31).status(), kFailedPrecondition);

  auto f = Make(kJan2027, jan5);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->created);
  EXPECT_EQ(f->file_name, "kokuhoren-offset-202701.csv");
  EXPECT_EQ(f->content,
            "1,kokuhoren-offset,202701,2027-01-01\r\n"
            "2,1310000017,202701,2,15600\r\n"
            "2,1310000025,202701,1,7800\r\n"
            "8,2,3,23400\r\n");
  EXPECT_EQ(f->sha256_file_name, "kokuhoren-offset-202701.csv.sha256");
  EXPECT_EQ(f->sha256_content, crypto::Sha256Hex(f->content) + "  " + f->file_name + "\n");
  EXPECT_EQ(f->total_yen, 23400);
  EXPECT_EQ(Balance(kOffice), 2 * 7800);  // a3 (January) and t1 (振込) remain
  EXPECT_EQ(Balance(kOffice2), 0);

  // The re-run: the same bytes, nothing more settled, even after new charges.
  ASSERT_TRUE(Charge(OwnOffset("a4"), jan5).ok());
  auto again = Make(kJan2027, jan5 + std::chrono::hours(48));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->content, f->content);
  EXPECT_EQ(again->sha256_content, f->sha256_content);
  EXPECT_EQ(Balance(kOffice), 3 * 7800);
  // Read back without a write transaction (the CLI's `--show`).
  ASSERT_OK(Read([&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(OffsetFile stored, StoredOffsetFile(tx, kJan2027));
    EXPECT_EQ(stored.content, f->content);
    EXPECT_CODE(StoredOffsetFile(tx, kDec2026).status(), kNotFound);
    return Status::Ok();
  }));

  // February's file takes a3 and a4, and the December file made late takes nothing.
  auto feb =
      Make(year(2027) / std::chrono::February, ParseInstant("2027-02-01T08:00:00+09:00").value());
  ASSERT_TRUE(feb.ok());
  EXPECT_EQ(feb->content,
            "1,kokuhoren-offset,202702,2027-02-01\r\n"
            "2,1310000017,202702,2,15600\r\n"
            "8,1,2,15600\r\n");
  EXPECT_EQ(Balance(kOffice), 7800);  // only the transfer
  auto dec = Make(kDec2026, jan5);
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->content, "1,kokuhoren-offset,202612,2026-12-01\r\n8,0,0,0\r\n");
}

INSTANTIATE_TEST_SUITE_P(Backends, KjOffsetFileTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
