#include "auth/password.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace claimsca::auth {
namespace {

// Cheap parameters for most tests: the KDF itself is libsodium's business.
constexpr KdfParams kFast{1, 8 * 1024};

TEST(PasswordTest, HashVerifiesOnlyTheRightPassword) {
  auto h = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *h;
  EXPECT_TRUE(VerifyPassword(*h, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse battery staplE"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword(*h, ""));
  // A fresh salt each time.
  auto h2 = HashPassword("correct horse battery staple", kFast);
  ASSERT_TRUE(h2.ok());
  EXPECT_NE(*h, *h2);
  EXPECT_TRUE(VerifyPassword(*h2, "correct horse battery staple"));
}

TEST(PasswordTest, DummyHashHasTheParametersMadeOnceAndVerifiesNothing) {
  DummyHash dummy(kFast);
  const std::string& h = dummy.Get();
  EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << h;
  EXPECT_FALSE(NeedsRehash(h, kFast));
  EXPECT_EQ(&dummy.Get(), &h);
  EXPECT_EQ(dummy.Get(), h);
  EXPECT_NE(DummyHash(kFast).Get(), h);  // a fresh random secret and salt
  EXPECT_FALSE(VerifyPassword(h, ""));
  EXPECT_FALSE(VerifyPassword(h, "password"));
}

TEST(PasswordTest, DefaultsAreOwaspMinimum) {
  const KdfParams d;
  EXPECT_EQ(d.opslimit, 2u);
  EXPECT_EQ(d.memlimit_bytes, 19u * 1024 * 1024);
  auto h = HashPassword("パスワード-テスト-2026");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(h->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *h;
  EXPECT_TRUE(VerifyPassword(*h, "パスワード-テスト-2026"));
  EXPECT_FALSE(NeedsRehash(*h));
}

TEST(PasswordTest, BinaryAndLongPasswords) {
  const std::string nul("ab\0cd", 5);
  auto h = HashPassword(nul, kFast);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(VerifyPassword(*h, nul));
  EXPECT_FALSE(VerifyPassword(*h, "ab"));  // not truncated at the NUL
  const std::string long_pw(4096, 'x');
  auto hl = HashPassword(long_pw, kFast);
  ASSERT_TRUE(hl.ok());
  EXPECT_TRUE(VerifyPassword(*hl, long_pw));
  EXPECT_FALSE(VerifyPassword(*hl, long_pw + "x"));
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
  auto h = HashPassword("secret-password", kFast);
  ASSERT_TRUE(h.ok());
  for (const std::string& bad :
       {std::string(), std::string("secret-password"), std::string("$argon2id$"),
        h->substr(0, h->size() - 2), *h + std::string(200, 'A'),
        std::string(h->data(), 10) + std::string("\0", 1) + h->substr(11)}) {
    EXPECT_FALSE(VerifyPassword(bad, "secret-password")) << bad;
    EXPECT_TRUE(NeedsRehash(bad, kFast)) << bad;
  }
}

TEST(PasswordTest, RefusesParametersBelowTheMinimum) {
  EXPECT_EQ(HashPassword("x", KdfParams{0, 8 * 1024}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(HashPassword("x", KdfParams{1, 1024}).status().code(), Code::kInvalidArgument);
}

TEST(PasswordTest, NeedsRehashWhenParametersDiffer) {
  auto h = HashPassword("secret-password", kFast);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(NeedsRehash(*h, kFast));
  EXPECT_TRUE(NeedsRehash(*h, KdfParams{2, 8 * 1024}));
  EXPECT_TRUE(NeedsRehash(*h, KdfParams{1, 16 * 1024}));
  EXPECT_TRUE(NeedsRehash(*h));  // the defaults
  // Another algorithm (argon2i) verifies but asks for a rehash.
  const std::string argon2i =
      "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
      "aqJ0yUKCbd6wvsxzEsRGEDr6fBB4BXOmQLV9+RChtSM";
  EXPECT_TRUE(NeedsRehash(argon2i, kFast));
}

struct PolicyCase {
  std::string password;
  std::string account_id;
  std::vector<std::string> rules;  // expected, in order
};

std::vector<std::string> Rules(const std::vector<domain::FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    EXPECT_EQ(e.field, "password");
    EXPECT_FALSE(e.message_ja.empty());
    out.push_back(e.rule);
  }
  return out;
}

TEST(PasswordTest, PolicyTable) {
  const std::vector<PolicyCase> cases = {
      {"", "", {"required"}},
      {"Tr0ub4dor&3x", "", {}},                            // exactly 12
      {"Tr0ub4dor&3", "", {"too_short"}},                  // 11
      {"correct horse battery staple", "", {}},            // letters and spaces: two classes
      {"123456789012", "", {"single_class"}},              // digits only
      {"abcdefghijkl", "", {"single_class"}},              // lower-case only
      {"ABCDEFGHIJKL", "", {"single_class"}},              // upper-case only
      {"!@#$%^&*()_+", "", {"single_class"}},              // symbols only
      {"あいうえおかきくけこさし", "", {"single_class"}},  // non-ASCII only (12 characters)
      {"あいうえおかきくけこさ1", "", {}},                 // 12 characters, 34 bytes
      {"あいうえお1", "", {"too_short"}},                  // 16 bytes but 6 characters
      {"aaaaaaaaaaa1", "", {"few_distinct"}},
      {"abababab1212", "", {"few_distinct"}},
      {"aaaaaaaaaaaa", "", {"single_class", "few_distinct"}},
      {std::string(128, 'a') + "", "", {"single_class", "few_distinct"}},
      {"Ab1!" + std::string(124, 'x'), "", {}},            // 128
      {"Ab1!" + std::string(125, 'x'), "", {"too_long"}},  // 129
      {"tab\there-Passw0rd", "", {"control_char"}},
      {"del\x7fhere-Passw0rd", "", {"control_char"}},
      {"bad\xff-utf8-Passw0rd", "", {"invalid_utf8"}},
      {"overlong\xc0\xaf-Passw0rd", "", {"invalid_utf8"}},
      {"surrogate\xed\xa0\x80-Pw0rd", "", {"invalid_utf8"}},
      {"truncated\xe3\x81-Passw0rd", "", {"invalid_utf8"}},
      {"my-TANAKA-pass-2026", "tanaka", {"contains_id"}},
      {"my-tanaka-pass-2026", "Tanaka", {"contains_id"}},
      {"my-tan-pass-2026", "tan", {}},  // ids shorter than 4 bytes are not checked
      {"clinic@example.jp!", "clinic@example.jp", {"contains_id"}},
  };
  for (const PolicyCase& c : cases) {
    EXPECT_EQ(Rules(CheckPasswordPolicy(c.password, c.account_id)), c.rules)
        << "password: " << c.password;
  }
}

}  // namespace
}  // namespace claimsca::auth
