#include "auth/token.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace claimsca::auth {
namespace {

TEST(TokenTest, NewTokensAreBase64urlOf32Bytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto t = NewToken();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_EQ(t->size(), kTokenChars);
    for (char c : *t) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      ASSERT_TRUE(ok) << *t;
    }
    // 43 characters carry 258 bits: the last one holds 4 bits of the value and 2 zero bits.
    EXPECT_NE(std::string("AEIMQUYcgkosw048").find(t->back()), std::string::npos) << *t;
    EXPECT_TRUE(seen.insert(*t).second);
  }
}

TEST(TokenTest, HashVectors) {
  // FIPS 180-2 / NIST test vectors.
  EXPECT_EQ(TokenHash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenHash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(TokenHash(std::string("a\0b", 3)).size(), 64u);
  EXPECT_NE(TokenHash(std::string("a\0b", 3)), TokenHash("a"));
  auto t = NewToken();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(TokenHash(*t), TokenHash(*t));
  EXPECT_EQ(TokenHash(*t).size(), 64u);
}

TEST(TokenTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace claimsca::auth
