#include "ca/key_pool.h"

#include <chrono>

namespace claimsca::ca {

KeyPool::KeyPool(store::KeyPoolStore& store, std::string secret, KeyPoolOptions options)
    : store_(store), secret_(std::move(secret)), options_(std::move(options)) {}

KeyPool::~KeyPool() { Stop(); }

Result<crypto::EvpPkeyPtr> KeyPool::Take(crypto::KeyAlgorithm algorithm) {
  std::string name(crypto::KeyAlgorithmName(algorithm));
  ASSIGN_OR_RETURN(std::optional<std::string> encrypted, store_.TakePooledKey(name));
  if (encrypted) {
    auto key = crypto::DecryptPrivateKeyDer(*encrypted, secret_);
    if (key.ok()) {
      hits_.fetch_add(1);
      cv_.notify_one();  // a generator may refill
      return key;
    }
    return key.status().WithContext("pooled key does not decrypt");
  }
  misses_.fetch_add(1);
  cv_.notify_one();
  return crypto::GenerateKey(algorithm);
}

Status KeyPool::Fill(crypto::KeyAlgorithm algorithm, int n) {
  std::string name(crypto::KeyAlgorithmName(algorithm));
  for (int i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(crypto::EvpPkeyPtr key, crypto::GenerateKey(algorithm));
    ASSIGN_OR_RETURN(
        std::string der,
        crypto::EncryptPrivateKeyDer(key.get(), secret_, crypto::kRandomSecretPbkdf2Iterations));
    RETURN_IF_ERROR(store_.PutPooledKey(name, der));
    generated_.fetch_add(1);
  }
  return Status::Ok();
}

void KeyPool::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = false;
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Run(); });
}

void KeyPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void KeyPool::Run() {
  for (;;) {
    bool worked = false;
    for (crypto::KeyAlgorithm alg : options_.algorithms) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      auto count = store_.CountPooledKeys(crypto::KeyAlgorithmName(alg));
      if (count.ok() && *count < options_.target && Fill(alg, 1).ok()) worked = true;
    }
    if (!worked) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
      if (stopping_) return;
    }
  }
}

}  // namespace claimsca::ca
