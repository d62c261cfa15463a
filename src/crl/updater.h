#pragma once

// CrlUpdater: keeps the published CRL of one issuing CA current.
//
// A new CRL is published when
//   - none exists yet;
//   - the current one's nextUpdate is closer than `refresh_before`;
//   - revocations are not covered yet (revocation_counter > covered_counter) and either no
//     revocation happened for `debounce` (a burst yields one CRL, not one per revocation) or
//     `max_delay` has passed since this updater first saw the uncovered revocations.
// Publishing takes the cross-process lease "crl:<issuer_id>", re-reads the CRL state, reads
// revocation_counter BEFORE streaming the revoked entries (so a revocation racing the build is
// covered by the next CRL, never lost), signs CRL number crl_number + 1 and stores it with
// CrlStore::PutCrl. PutCrl accepts only stored number + 1, so two processes can never publish
// the same number; a Conflict just means another process won and is not an error.
//
// Time rehearsals (docs/operations.md): the lease is released at the earlier of the
// updater's time and `lease_clock` (the real clock), so a `claimsca crl --at <future>`
// cannot keep the running service out until that instant; and a stored CRL whose thisUpdate lies in
// the future (published by such a rehearsal) is due at once, so the service replaces it with one
// valid now.
//
// Expired certificates: RFC 5280 §3.3 allows an entry to leave the CRL once the certificate
// has expired. By default every entry is kept forever; with `drop_expired_after` = N days an
// entry is left out once its certificate expired more than N days ago (choose N >= the CRL
// validity so the entry appears on at least one CRL published after expiry).
//
// Thread-safety: MaybePublish/PublishNow may be called from any thread (they serialize on an
// internal mutex). Start/Stop must not race each other. All references passed to the
// constructor must outlive the updater; the issuer certificate is up-referenced (shared).

#include <openssl/x509.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"
#include "store/store.h"

namespace claimsca::crl {

// A CRL shard (docs/revocation.md, "Sharded CRLs"): the updater publishes shard `number` of
// its issuer under the crl_state key store::CrlShardScope(issuer_id, number) (own CRL
// numbers, counter and lease "crl:<issuer_id>/<number>"), listing the revoked certificates
// stored with that shard (read from `entries`, which must outlive the updater), with a
// critical IssuingDistributionPoint naming `url`: the CRL distribution point of those
// certificates, byte for byte.
struct CrlShard {
  int number = 0;
  std::string url;
  store::CrlShardStore* entries = nullptr;
};

struct CrlUpdaterOptions {
  std::chrono::seconds validity{std::chrono::hours(24)};        // nextUpdate - thisUpdate
  std::chrono::seconds refresh_before{std::chrono::hours(12)};  // re-publish this early
  std::chrono::seconds debounce{2};
  std::chrono::seconds max_delay{30};
  // Leave out entries whose certificate expired more than this long ago; nullopt keeps all.
  std::optional<std::chrono::days> drop_expired_after;
  std::chrono::milliseconds poll{1000};  // background thread interval
  std::string holder = "crl-updater";    // lease holder name; make it unique per process
  std::chrono::seconds lease_ttl{60};    // must exceed the time to build one CRL
  // Bounds the lease's release time (the real clock); null = the updater's clock. Must
  // outlive the updater.
  const Clock* lease_clock = nullptr;
  // Called by the background thread for every failed MaybePublish (e.g. to log it).
  std::function<void(const Status&)> on_error;
  // Set: publish this shard of the issuer instead of its full CRL.
  std::optional<CrlShard> shard;
};

class CrlUpdater {
 public:
  CrlUpdater(store::CertificateReader& certs, store::CrlStore& crls, store::LeaseStore& leases,
             std::string issuer_id, X509* issuer_cert, const crypto::Signer& signer,
             const Clock& clock, CrlUpdaterOptions options = {});
  ~CrlUpdater();  // Stop()s the thread
  CrlUpdater(const CrlUpdater&) = delete;
  CrlUpdater& operator=(const CrlUpdater&) = delete;

  // Publishes a new CRL if the rules above say so. True if this call published one; false if
  // nothing was due, the lease is held by another process, or another process won the race.
  Result<bool> MaybePublish();
  // The same, deciding from `state`, this updater's CRL state as the caller just read it
  // (ShardedCrlUpdater reads every shard's in one query); re-read under the lease before
  // publishing, as MaybePublish does.
  Result<bool> MaybePublishFrom(const store::CrlState& state);

  // Publishes a new CRL now (the `claimsca crl` command). Unavailable if another process
  // holds the lease; ok (without publishing) if another process published concurrently.
  // `der`, if given, receives the DER of the CRL this call published (left empty when
  // another process published instead: read the store then).
  Status PublishNow(std::string* der = nullptr);

  // Background thread calling MaybePublish every `poll`; Stop() wakes it and joins.
  void Start();
  void Stop();

  int64_t published_count() const;
  // The crl_state key of this updater's CRL: the issuer id, or the shard's scope.
  const std::string& scope() const { return scope_; }

 private:
  // Builds and stores CRL number state.crl_number + 1 (its DER into `der` if given). Caller
  // holds mu_ and the lease.
  Result<bool> Publish(const store::CrlState& state, Instant now, std::string* der = nullptr);
  Result<bool> TakeLease(Instant now);
  void ReleaseLease(Instant now);
  void Run();

  store::CertificateReader& certs_;
  store::CrlStore& crls_;
  store::LeaseStore& leases_;
  const std::string issuer_id_;
  const std::string scope_;  // crl_state key: issuer_id_, or the shard's
  const std::string lease_name_;
  const crypto::X509Ptr issuer_;
  const crypto::Signer& signer_;
  const Clock& clock_;
  const CrlUpdaterOptions options_;

  mutable std::mutex mu_;  // serializes publishing; guards the fields below
  // When this updater first saw revocations not covered by the CRL whose covered_counter is
  // pending_covered_ (for max_delay).
  std::optional<Instant> pending_since_;
  int64_t pending_covered_ = -1;
  int64_t published_ = 0;

  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace claimsca::crl
