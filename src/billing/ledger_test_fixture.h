#pragma once

// The fixture of the ledger's store tests (ledger_store_test, methods_test): a fresh store
// of each back end (store/store_test_fixture.h) with three registered institutions.

#include <vector>

#include "store/store_test_fixture.h"

namespace claimsca::billing::testing {

inline constexpr char kClinic[] = "0112345678";   // 分類 1: deduction allowed
inline constexpr char kCheckup[] = "1310000001";  // 分類 6 特健機関: invoice only
inline constexpr char kInsurer[] = "06130012";    // 分類 7 保険者: invoice only

class RegisteredStoreTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::vector<store::RegisterEntry> reg = {
        {kClinic, "医療法人 愛全病院", "0050813", "札幌市南区", "1", "deduction"},
        {kCheckup, "健診センター", "1000001", "東京都千代田区", "6", "invoice"},
        {kInsurer, "東京都国保", "1000001", "東京都新宿区", "7", "invoice"},
    };
    ASSERT_OK(store_->ImportRegister(reg, "test", "t", store::test::kT0).status());
  }
};

}  // namespace claimsca::billing::testing
