#include "ca/key_pool.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "ca/server_key_issuance.h"
#include "ca/testing.h"
#include "common/time_util.h"
#include "crypto/random.h"

namespace claimsca::ca {
namespace {

using crypto::KeyAlgorithm;

class KeyPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("claimsca-pool-" + crypto::RandomDigits(12).value());
    std::filesystem::create_directories(dir_);
    store_ = std::move(store::OpenStore("sqlite:" + (dir_ / "t.db").string()).value());
    ASSERT_TRUE(store_->Migrate().ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string PublicDer(EVP_PKEY* key) { return crypto::PublicKeyDer(key).value(); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(KeyPoolTest, KeysAreEncryptedAtRestAndTakenOnce) {
  KeyPoolOptions options;
  options.algorithms = {KeyAlgorithm::kEcP256};
  KeyPool pool(*store_, "pool-secret-0123456789abcdef", options);
  ASSERT_TRUE(pool.Fill(KeyAlgorithm::kEcP256, 20).ok());
  EXPECT_EQ(store_->CountPooledKeys("ecp256").value(), 20);

  // The stored blob is an encrypted PKCS#8: the wrong secret cannot open it.
  auto blob = store_->TakePooledKey("ecp256").value();
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ(crypto::DecryptPrivateKeyDer(*blob, "wrong").status().code(), Code::kUnauthorized);
  EXPECT_TRUE(crypto::DecryptPrivateKeyDer(*blob, "pool-secret-0123456789abcdef").ok());

  // Four threads drain the pool: every key is handed out once.
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 6; ++i) {
        auto key = pool.Take(KeyAlgorithm::kEcP256);
        ASSERT_TRUE(key.ok()) << key.status().ToString();
        std::lock_guard lock(mu);
        EXPECT_TRUE(seen.insert(PublicDer(key->get())).second) << "a key was handed out twice";
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 24u);
  EXPECT_EQ(pool.hits(), 19);   // 20 filled, one taken by hand above
  EXPECT_EQ(pool.misses(), 5);  // generated on the spot when the pool ran dry
}

TEST_F(KeyPoolTest, BackgroundFillReachesTarget) {
  KeyPoolOptions options;
  options.algorithms = {KeyAlgorithm::kEcP256};
  options.target = 5;
  KeyPool pool(*store_, "pool-secret-0123456789abcdef", options);
  pool.Start();
  for (int i = 0; i < 500 && store_->CountPooledKeys("ecp256").value() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pool.Stop();
  EXPECT_EQ(store_->CountPooledKeys("ecp256").value(), 5);
}

TEST_F(KeyPoolTest, ServerKeyIssuanceMakesAPkcs12WithChain) {
  FixedClock clock(*ParseInstant("2026-11-22T10:00:00"));
  auto h = testing::MakeTestHierarchy(clock.Now());
  ProgramRegistry programs({CommonProgramDefaults()});
  IssuerOptions io;
  io.organization = "claimsca test";
  io.urls = {"http://a/crl", "http://a/ocsp", "http://a/ca"};
  Issuer issuer(io, h.issuing.get(), *h.issuing_signer, *store_, programs, clock);
  KeyPool pool(*store_, "pool-secret-0123456789abcdef", {});

  ServerKeyRequest req;
  req.issue = {"common", "1310000001", "受付PC1 テスト中です#%& * > ? @"};
  req.key_algorithm = "ecp256";
  auto issued = IssueWithServerKey(issuer, pool, programs, {h.issuing.get(), h.root.get()}, req);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->password.size(), 16u);
  auto p12 = crypto::ParsePkcs12(issued->pkcs12_der, issued->password);
  ASSERT_TRUE(p12.ok()) << p12.status().ToString();
  EXPECT_EQ(p12->friendly_name, req.issue.terminal_name);
  EXPECT_EQ(p12->chain.size(), 2u);
  EXPECT_EQ(X509_check_private_key(p12->cert.get(), p12->key.get()), 1);
  EXPECT_EQ(crypto::ParsePkcs12(issued->pkcs12_der, "wrong").status().code(), Code::kUnauthorized);

  req.key_algorithm = "ecp384";  // not allowed by the common program
  auto refused = IssueWithServerKey(issuer, pool, programs, {h.issuing.get()}, req);
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace claimsca::ca
