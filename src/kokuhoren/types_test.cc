#include "kokuhoren/types.h"

#include <gtest/gtest.h>

namespace claimsca::kokuhoren {
namespace {

TEST(UserId, FormatAndForms) {
  EXPECT_TRUE(IsUserId("KJ12345678"));
  EXPECT_TRUE(IsUserId("kj00000001"));
  EXPECT_FALSE(IsUserId("KJ1234567"));
  EXPECT_FALSE(IsUserId("KJ123456789"));
  EXPECT_FALSE(IsUserId("KX12345678"));
  EXPECT_FALSE(IsUserId("KJ1234567a"));
  EXPECT_EQ(DisplayUserId("kj12345678"), "KJ12345678");
  EXPECT_EQ(AccountIdOf("KJ12345678"), "kj12345678");
}

TEST(Choices, NamesRoundTrip) {
  for (auto u : {UsageCategory::kCareInsurance, UsageCategory::kCareAndDisability}) {
    EXPECT_EQ(ParseUsageCategory(Name(u)), u);
  }
  for (auto m : {PaymentMethod::kOffset, PaymentMethod::kTransfer}) {
    EXPECT_EQ(ParsePaymentMethod(Name(m)), m);
  }
  for (auto v : {ValidityStart::kContinue, ValidityStart::kFromIssuance}) {
    EXPECT_EQ(ParseValidityStart(Name(v)), v);
  }
  EXPECT_FALSE(ParsePaymentMethod("相殺").has_value());
  EXPECT_EQ(JapaneseName(UsageCategory::kCareAndDisability), "介護・障害共通証明書");
  EXPECT_EQ(JapaneseName(PaymentMethod::kTransfer), "振込");
}

}  // namespace
}  // namespace claimsca::kokuhoren
