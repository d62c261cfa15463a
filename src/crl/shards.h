#pragma once

// ShardedCrlUpdater: keeps the CRL shards of one issuing CA current (docs/revocation.md,
// "Sharded CRLs"). One CrlUpdater per shard (CrlUpdaterOptions::shard), each with its own
// CRL numbers, lease and the same publishing rules as the full CRL; this class only reads
// the state of every shard in one query per poll (instead of one per shard) and hands each
// shard's row to its updater. A revocation bumps its shard's counter only (migration 096),
// so after it exactly one shard is re-signed: a few thousand entries even at a million
// revoked certificates, milliseconds instead of the full CRL's hundreds.
//
// Thread-safety and lifetimes as CrlUpdater.

#include <openssl/x509.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crl/updater.h"

namespace claimsca::crl {

class ShardedCrlUpdater {
 public:
  // `shards` > 0 updaters for shards 0..shards-1 of `issuer_id`, shard i published with the
  // IDP URL ca::CrlShardUrl(full_crl_url, i). `options.shard` is ignored (set per shard).
  ShardedCrlUpdater(store::CrlShardStore& shard_store, store::CertificateReader& certs,
                    store::CrlStore& crls, store::LeaseStore& leases, std::string issuer_id,
                    X509* issuer_cert, const crypto::Signer& signer, const Clock& clock, int shards,
                    const std::string& full_crl_url, CrlUpdaterOptions options);
  ~ShardedCrlUpdater();  // Stop()s the thread
  ShardedCrlUpdater(const ShardedCrlUpdater&) = delete;
  ShardedCrlUpdater& operator=(const ShardedCrlUpdater&) = delete;

  // Publishes every shard that is due (CrlUpdater::MaybePublish's rules); returns how many
  // were published. Tries every shard; the first error is returned after the others.
  Result<int> MaybePublish();
  // Publishes every shard now (`claimsca crl`). Unavailable as CrlUpdater::PublishNow.
  Status PublishNow();

  void Start();
  void Stop();

  int shards() const { return static_cast<int>(updaters_.size()); }
  int64_t published_count() const;

 private:
  void Run();

  store::CrlShardStore& shard_store_;
  const std::string issuer_id_;
  const std::chrono::milliseconds poll_;
  const std::function<void(const Status&)> on_error_;
  std::vector<std::unique_ptr<CrlUpdater>> updaters_;  // index = shard number

  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace claimsca::crl
