// Checkpoint lines (sign, format, parse, verify) and the append-only checkpoint file.

#include "audit/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/checkpoint_log.h"
#include "crypto/keys.h"
#include "crypto/memory_signer.h"
#include "crypto/ossl.h"

namespace claimsca::audit {
namespace {

crypto::MemorySigner NewSigner(crypto::KeyAlgorithm alg = crypto::KeyAlgorithm::kEcP256) {
  return crypto::MemorySigner(crypto::GenerateKey(alg).value());
}

Checkpoint At(int64_t seq, int64_t at) {
  Checkpoint c;
  c.seq = seq;
  c.head = crypto::Sha256Hex("row " + std::to_string(seq));
  c.at = Instant(std::chrono::seconds(at));
  c.prev = std::string(kFirstPrev);
  return c;
}

TEST(Checkpoint, SignedLinesRoundTripAndVerifyWithEitherKeyType) {
  for (auto alg : {crypto::KeyAlgorithm::kEcP256, crypto::KeyAlgorithm::kRsa2048}) {
    crypto::MemorySigner signer = NewSigner(alg);
    Checkpoint c = At(42, 1'800'000'000);
    ASSERT_TRUE(Sign(c, signer).ok());
    auto parsed = ParseLine(FormatLine(c));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(FormatLine(*parsed), FormatLine(c));
    EXPECT_TRUE(VerifySignature(*parsed, signer.key()).ok());
  }
}

TEST(Checkpoint, AnEditedFieldOrAnotherKeyFails) {
  crypto::MemorySigner signer = NewSigner();
  crypto::MemorySigner other = NewSigner();
  Checkpoint c = At(42, 1'800'000'000);
  ASSERT_TRUE(Sign(c, signer).ok());
  Checkpoint seq = c, head = c, at = c, prev = c;
  seq.seq = 43;
  head.head[0] = head.head[0] == 'a' ? 'b' : 'a';
  at.at += std::chrono::seconds(1);
  prev.prev[5] = '1';
  for (const Checkpoint& edited : {seq, head, at, prev}) {
    Status st = VerifySignature(edited, signer.key());
    EXPECT_EQ(st.code(), Code::kInternal);
    EXPECT_NE(st.message().find("signature does not verify"), std::string::npos) << st.ToString();
  }
  Status st = VerifySignature(c, other.key());
  EXPECT_NE(st.message().find("signed by another key"), std::string::npos) << st.ToString();
  // Re-signed by the other key, but it is not the audit signer's.
  Checkpoint forged = c;
  ASSERT_TRUE(Sign(forged, other).ok());
  EXPECT_FALSE(VerifySignature(forged, signer.key()).ok());
}

TEST(Checkpoint, ParseRefusesMalformedLines) {
  crypto::MemorySigner signer = NewSigner();
  Checkpoint c = At(7, 1'800'000'000);
  ASSERT_TRUE(Sign(c, signer).ok());
  const std::string good = FormatLine(c);
  ASSERT_TRUE(ParseLine(good).ok());
  for (std::string bad : {std::string(""), "v2" + good.substr(2), good + " extra",
                          good.substr(0, good.size() - 1) + "G", good.substr(0, good.find(" at=")),
                          std::string("v1 seq=-1") + good.substr(good.find(" head="))}) {
    EXPECT_FALSE(ParseLine(bad).ok()) << bad;
  }
}

class CheckpointLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("claimsca_ckpt_" +
            crypto::Sha256Hex(::testing::UnitTest::GetInstance()->current_test_info()->name())
                .substr(0, 12));
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "audit" / "checkpoints.log").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Text() {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }

  std::filesystem::path dir_;
  std::string path_;
  crypto::MemorySigner signer_ = NewSigner();
};

TEST_F(CheckpointLogTest, AppendsLinkedLinesThatReadBackVerified) {
  CheckpointLog log(path_);
  auto none = log.ReadVerified(signer_.key());
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->checkpoints.empty()) << "a missing file reads as empty";
  EXPECT_FALSE(log.Last()->has_value());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(log.Append(At(i * 10, 1'800'000'000 + i), signer_).ok());
  auto read = log.ReadVerified(signer_.key());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->checkpoints.size(), 3u);
  EXPECT_EQ(read->checkpoints[0].prev, kFirstPrev);
  EXPECT_NE(read->checkpoints[1].prev, kFirstPrev);
  EXPECT_EQ((*log.Last())->seq, 30);
}

TEST_F(CheckpointLogTest, AnEditedForgedOrRemovedLineIsReportedWithItsNumber) {
  CheckpointLog log(path_);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(log.Append(At(i * 10, 1'800'000'000 + i), signer_).ok());
  const std::string good = Text();
  auto expect = [&](const std::string& text, const std::string& what) {
    Write(text);
    auto r = log.ReadVerified(signer_.key());
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().ToString();
  };
  // seq 20 claimed to be 99: the signature no longer holds.
  std::string edited = good;
  edited.replace(edited.find("seq=20"), 6, "seq=99");
  expect(edited, "line 2: signature does not verify");
  // The middle line removed: the third no longer follows the first.
  const size_t l2 = good.find('\n') + 1, l3 = good.find('\n', l2) + 1;
  expect(good.substr(0, l2) + good.substr(l3), "line 2: does not follow the line before");
  // A line made up and signed by another key.
  crypto::MemorySigner other = NewSigner();
  CheckpointLog(path_ + ".other").Append(At(40, 1'800'000'100), other).value();
  Write(good);
  std::ifstream in(path_ + ".other");
  std::string forged;
  std::getline(in, forged);
  expect(good + forged + "\n", "line 4: signed by another key");
  expect(good + "garbage\n", "line 4: malformed");
  Write(good);
  EXPECT_TRUE(log.ReadVerified(signer_.key()).ok());
}

TEST_F(CheckpointLogTest, ATornLastLineIsReportedAndCutByTheNextAppend) {
  CheckpointLog log(path_);
  ASSERT_TRUE(log.Append(At(10, 1'800'000'000), signer_).ok());
  const std::string good = Text();
  Write(good + "v1 seq=20 head=");  // a crash in the middle of the write
  auto r = log.ReadVerified(signer_.key());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->torn_last_line);
  EXPECT_EQ(r->checkpoints.size(), 1u);
  ASSERT_TRUE(log.Append(At(20, 1'800'000'010), signer_).ok());
  r = log.ReadVerified(signer_.key());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->torn_last_line);
  EXPECT_EQ(r->checkpoints.size(), 2u);
}

}  // namespace
}  // namespace claimsca::audit
