#include "crl/updater.h"

#include <algorithm>
#include <utility>

#include "ca/crl_builder.h"

namespace claimsca::crl {
namespace {

crypto::X509Ptr UpRef(X509* cert) {
  if (cert != nullptr) X509_up_ref(cert);
  return crypto::X509Ptr(cert);
}

}  // namespace

CrlUpdater::CrlUpdater(store::CertificateReader& certs, store::CrlStore& crls,
                       store::LeaseStore& leases, std::string issuer_id, X509* issuer_cert,
                       const crypto::Signer& signer, const Clock& clock, CrlUpdaterOptions options)
    : certs_(certs),
      crls_(crls),
      leases_(leases),
      issuer_id_(std::move(issuer_id)),
      scope_(options.shard ? store::CrlShardScope(issuer_id_, options.shard->number) : issuer_id_),
      lease_name_("crl:" + scope_),
      issuer_(UpRef(issuer_cert)),
      signer_(signer),
      clock_(clock),
      options_(std::move(options)) {}

CrlUpdater::~CrlUpdater() { Stop(); }

int64_t CrlUpdater::published_count() const {
  std::lock_guard lock(mu_);
  return published_;
}

Result<bool> CrlUpdater::TakeLease(Instant now) {
  return leases_.TryLease(lease_name_, options_.holder, now, options_.lease_ttl);
}

namespace {

// None yet, close to its nextUpdate, or dated in the future (a rehearsal's).
bool Due(const store::CrlState& state, Instant now, std::chrono::seconds refresh_before) {
  return state.crl_number == 0 || state.next_update - now <= refresh_before ||
         state.this_update > now;
}

}  // namespace

Result<bool> CrlUpdater::MaybePublish() {
  // Decide from a plain read first: taking the lease is a write, done only when due.
  ASSIGN_OR_RETURN(store::CrlState state, crls_.GetCrlState(scope_));
  return MaybePublishFrom(state);
}

Result<bool> CrlUpdater::MaybePublishFrom(const store::CrlState& read) {
  std::lock_guard lock(mu_);
  const Instant now = clock_.Now();
  store::CrlState state = read;
  bool due = Due(state, now, options_.refresh_before);
  if (state.revocation_counter > state.covered_counter) {
    if (!pending_since_ || pending_covered_ != state.covered_counter) {
      pending_since_ = now;
      pending_covered_ = state.covered_counter;
    }
    Instant last = state.last_revocation_at.value_or(*pending_since_);
    if (now - last >= options_.debounce || now - *pending_since_ >= options_.max_delay) {
      due = true;
    }
  } else {
    pending_since_.reset();
  }
  if (!due) return false;

  ASSIGN_OR_RETURN(bool leased, TakeLease(now));
  if (!leased) return false;
  // Re-read under the lease: another process may have published since the first read.
  ASSIGN_OR_RETURN(state, crls_.GetCrlState(scope_));
  bool still_due =
      Due(state, now, options_.refresh_before) || state.revocation_counter > state.covered_counter;
  if (!still_due) {
    ReleaseLease(now);
    return false;
  }
  Result<bool> published = Publish(state, now);
  ReleaseLease(now);
  return published;
}

void CrlUpdater::ReleaseLease(Instant now) {
  // A lease renewed with a zero TTL expires at once: the lease is held only while a CRL is
  // being built, so `claimsca crl` or another process can publish right after.
  // At the earlier of now and the real time: never dated in the future (a rehearsal).
  if (options_.lease_clock != nullptr) now = std::min(now, options_.lease_clock->Now());
  (void)leases_.TryLease(lease_name_, options_.holder, now, std::chrono::seconds(0));
}

Status CrlUpdater::PublishNow(std::string* der) {
  std::lock_guard lock(mu_);
  const Instant now = clock_.Now();
  ASSIGN_OR_RETURN(bool leased, TakeLease(now));
  if (!leased) {
    return Unavailable("CRL of " + scope_ +
                       ": another process holds the updater lease; retry later");
  }
  Result<store::CrlState> state = crls_.GetCrlState(scope_);
  Result<bool> published = state.ok() ? Publish(*state, now, der) : Result<bool>(state.status());
  ReleaseLease(now);
  // false: another process published concurrently, which is fine.
  return published.status();
}

Result<bool> CrlUpdater::Publish(const store::CrlState& state, Instant now, std::string* der_out) {
  // The counter is taken before the entries: anything revoked after this read is either in
  // this CRL or makes revocation_counter > covered_counter, triggering the next one.
  const int64_t covered = state.revocation_counter;
  const int64_t number = state.crl_number + 1;
  const Instant next_update = now + options_.validity;
  // Every revocation ever counted is an upper bound on the entries: reserving for it keeps
  // the DER from being regrown and copied (address space only; untouched pages cost
  // nothing), capped for an issuer whose expired entries have long been dropped.
  constexpr int64_t kMaxReservedEntries = 4'000'000;
  const auto expected = static_cast<size_t>(
      std::clamp<int64_t>(state.revocation_counter, int64_t{0}, kMaxReservedEntries));
  const CrlShard* shard = options_.shard ? &*options_.shard : nullptr;
  if (shard != nullptr && shard->entries == nullptr) {
    return FailedPrecondition("CRL of " + scope_ + ": no shard store");
  }
  ASSIGN_OR_RETURN(ca::CrlBuilder builder,
                   ca::CrlBuilder::Create(
                       issuer_.get(), signer_, number, now, next_update, expected,
                       shard ? ca::CrlScope::kDistributionPoint : ca::CrlScope::kAllCertificates,
                       shard ? std::string_view(shard->url) : std::string_view()));

  Instant expired_since{};  // epoch: keep every entry
  if (options_.drop_expired_after) expired_since = now - *options_.drop_expired_after;
  Status entry_error;
  auto add = [&](const store::RevokedEntry& e) {
    if (!entry_error.ok()) return;
    entry_error = builder.Add(e.serial, e.revoked_at, e.reason, e.invalidity_date);
  };
  RETURN_IF_ERROR(
      shard ? shard->entries->ForEachRevokedInShard(issuer_id_, shard->number, expired_since, add)
            : certs_.ForEachRevoked(issuer_id_, expired_since, add));
  // A row we cannot encode must not silently vanish from the CRL: fail loudly instead.
  if (!entry_error.ok()) return entry_error.WithContext("CRL of " + scope_);
  ASSIGN_OR_RETURN(std::string der, builder.Finish());

  Status put = crls_.PutCrl(scope_, number, der, now, next_update, covered);
  if (put.code() == Code::kConflict) return false;  // another process published `number`
  RETURN_IF_ERROR(put);
  if (der_out != nullptr) *der_out = std::move(der);
  ++published_;
  pending_since_.reset();
  return true;
}

void CrlUpdater::Start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void CrlUpdater::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CrlUpdater::Run() {
  std::unique_lock lock(thread_mu_);
  while (!stop_) {
    lock.unlock();
    Result<bool> r = MaybePublish();
    if (!r.ok() && options_.on_error) options_.on_error(r.status());
    lock.lock();
    cv_.wait_for(lock, options_.poll, [this] { return stop_; });
  }
}

}  // namespace claimsca::crl
