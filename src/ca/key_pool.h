#pragma once

// Server-made keys come from a pool filled in the background, because OpenSSL 3.0 makes
// only ~6 RSA-2048 keys per second per core. Pooled keys are stored encrypted (PKCS#8,
// PBKDF2 + AES-256-CBC) under the pool secret; a key is taken once and never reused.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"
#include "store/store.h"

namespace claimsca::ca {

struct KeyPoolOptions {
  // Keys kept ready per algorithm listed here.
  std::vector<crypto::KeyAlgorithm> algorithms = {crypto::KeyAlgorithm::kRsa2048};
  int target = 64;
  int threads = 1;  // background generator threads (each uses one core while filling)
};

// Thread-safe.
class KeyPool {
 public:
  // `secret` encrypts keys at rest; `store` must outlive the pool.
  KeyPool(store::KeyPoolStore& store, std::string secret, KeyPoolOptions options);
  ~KeyPool();
  KeyPool(const KeyPool&) = delete;
  KeyPool& operator=(const KeyPool&) = delete;

  // A fresh private key: from the pool when it has one, else generated now (slow for RSA).
  Result<crypto::EvpPkeyPtr> Take(crypto::KeyAlgorithm algorithm);

  // Generates and stores `n` keys now (tests, benchmarks, warm-up).
  Status Fill(crypto::KeyAlgorithm algorithm, int n);

  // Background filling up to options.target; Stop joins the threads.
  void Start();
  void Stop();

  int64_t hits() const { return hits_.load(); }
  int64_t misses() const { return misses_.load(); }
  int64_t generated() const { return generated_.load(); }

 private:
  void Run();

  store::KeyPoolStore& store_;
  const std::string secret_;
  const KeyPoolOptions options_;
  std::atomic<int64_t> hits_{0}, misses_{0}, generated_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace claimsca::ca
