#include "crypto/sealed_box.h"

#include <gtest/gtest.h>

namespace claimsca::crypto {
namespace {

SealedBox Box(char fill) { return std::move(SealedBox::Create(std::string(32, fill)).value()); }

TEST(SealedBoxTest, RoundTripsAndBindsTheContext) {
  SealedBox box = Box('k');
  auto sealed = box.Seal("Pa55wordXyz", "20260000000001");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), 1 + 12 + 11 + 16u);
  EXPECT_EQ(sealed->find("Pa55wordXyz"), std::string::npos);
  auto opened = box.Open(*sealed, "20260000000001");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "Pa55wordXyz");
  // Another context, another key, an altered byte, a truncated value: all refused.
  EXPECT_EQ(box.Open(*sealed, "20260000000002").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Box('j').Open(*sealed, "20260000000001").status().code(), Code::kInvalidArgument);
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string altered = *sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_FALSE(box.Open(altered, "20260000000001").ok()) << "byte " << i;
  }
  EXPECT_FALSE(box.Open(sealed->substr(0, 20), "20260000000001").ok());
  EXPECT_FALSE(box.Open("", "").ok());
}

TEST(SealedBoxTest, FreshNonceEveryTime) {
  SealedBox box = Box('k');
  EXPECT_NE(*box.Seal("same", ""), *box.Seal("same", ""));
}

TEST(SealedBoxTest, KeyMustBe32Bytes) {
  EXPECT_EQ(SealedBox::Create(std::string(31, 'k')).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SealedBox::Create("").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace claimsca::crypto
