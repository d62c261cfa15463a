#pragma once

// The fixture of the 国保連 store tests (accounts, inbox; usable by the other parts): a
// fresh store of each back end (store/store_test_fixture.h), an AuthService and Accounts
// with fast argon2id parameters, a fixed clock, and valid care office numbers.

#include <memory>
#include <string>

#include "auth/auth_service.h"
#include "common/clock.h"
#include "kokuhoren/accounts.h"
#include "store/store_test_fixture.h"

namespace claimsca::kokuhoren::testing {

// Valid 介護保険事業所番号 (the 2-1 rule over the first 9 characters, letters as numbers).
inline constexpr char kOffice1[] = "1371234566";
inline constexpr char kOffice2[] = "2710000015";
inline constexpr char kOfficeA[] = "13A1234569";  // 区分 A

// The n-th of a series of valid care office numbers in 東京都 (n < 10000).
inline std::string OfficeNumber(int n) {
  std::string p = "137" + std::string("10") + std::to_string(10000 + n).substr(1);
  int sum = 0, weight = 2;
  for (auto it = p.rbegin(); it != p.rend(); ++it) {
    const int prod = (*it - '0') * weight;
    sum += prod / 10 + prod % 10;
    weight = 3 - weight;
  }
  return p + std::to_string((10 - sum % 10) % 10);
}

class KjStoreTest : public store::test::StoreTest {
 protected:
  static constexpr Instant kT0 = store::test::kT0;

  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auth::AuthOptions ao;
    ao.kdf = {1, 8 * 1024};
    auth_ = std::make_unique<auth::AuthService>(*store_, clock_, ao);
    AccountsOptions o;
    o.kdf = {1, 8 * 1024};
    accounts_ = std::make_unique<Accounts>(*store_, *auth_, clock_, o);
  }
  void TearDown() override {
    accounts_.reset();
    auth_.reset();
    StoreTest::TearDown();
  }

  // Registers an office (name "事業所 <number>"); fails the test on error.
  Registration AddOffice(const std::string& number) {
    Office o;
    o.care_office_number = number;
    o.name = "事業所 " + number;
    o.postal_code = "100-0001";
    o.address = "東京都千代田区千代田1-1";
    auto r = accounts_->RegisterOffice(o, "operator:test");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Registration{};
  }

  FixedClock clock_{kT0};
  std::unique_ptr<auth::AuthService> auth_;
  std::unique_ptr<Accounts> accounts_;
};

}  // namespace claimsca::kokuhoren::testing
