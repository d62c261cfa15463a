#pragma once

// The fixture of the subsidy store tests: a fresh store of each back end
// (store/store_test_fixture.h), a fixed clock inside the seed's schedule, and an approved-use
// lookup answering from a set of codes (the test's stand-in for qualcheck's table; the real
// lookup is wired in src/cmd and exercised by the integration and browser tests).

#include <set>
#include <string>

#include "store/store_test_fixture.h"
#include "subsidy/store.h"

namespace claimsca::subsidy::testing {

inline constexpr char kClinic[] = "1310000017";
inline constexpr char kClinic2[] = "1310000025";

inline Date Day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

class SubsidyStoreTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    subsidies_.emplace(*store_, Schedule::Default(), clock_,
                       [this](std::string_view code) -> Result<bool> {
                         return approved_.count(std::string(code)) > 0;
                       });
  }

  static std::vector<Receipt> Receipts(int64_t yen) {
    return {Receipt{DeviceKind::kSmartphone, Day(2024, 9, 1), yen, "家電量販店"}};
  }
  Result<Application> ApplyFor(const std::string& code, int64_t yen,
                               Channel channel = Channel::kPortal) {
    return subsidies_->Apply(ApplyRequest{code, "医療法人 テスト診療所, 本院", channel,
                                          Receipts(yen), "institution:acc1"});
  }

  FixedClock clock_{ParseInstant("2024-12-01T10:00:00+09:00").value()};
  std::set<std::string> approved_ = {kClinic, kClinic2};
  std::optional<SubsidyStore> subsidies_;
};

}  // namespace claimsca::subsidy::testing
