#include "crl/shards.h"

#include <unordered_map>
#include <utility>

#include "ca/crl_shard.h"

namespace claimsca::crl {

ShardedCrlUpdater::ShardedCrlUpdater(store::CrlShardStore& shard_store,
                                     store::CertificateReader& certs, store::CrlStore& crls,
                                     store::LeaseStore& leases, std::string issuer_id,
                                     X509* issuer_cert, const crypto::Signer& signer,
                                     const Clock& clock, int shards,
                                     const std::string& full_crl_url, CrlUpdaterOptions options)
    : shard_store_(shard_store),
      issuer_id_(std::move(issuer_id)),
      poll_(options.poll),
      on_error_(options.on_error) {
  updaters_.reserve(static_cast<size_t>(std::max(shards, 0)));
  for (int i = 0; i < shards; ++i) {
    CrlUpdaterOptions o = options;
    o.shard = CrlShard{i, ca::CrlShardUrl(full_crl_url, i), &shard_store};
    updaters_.push_back(std::make_unique<CrlUpdater>(certs, crls, leases, issuer_id_, issuer_cert,
                                                     signer, clock, std::move(o)));
  }
}

ShardedCrlUpdater::~ShardedCrlUpdater() { Stop(); }

int64_t ShardedCrlUpdater::published_count() const {
  int64_t n = 0;
  for (const auto& u : updaters_) n += u->published_count();
  return n;
}

Result<int> ShardedCrlUpdater::MaybePublish() {
  ASSIGN_OR_RETURN(std::vector<store::CrlState> rows, shard_store_.GetShardCrlStates(issuer_id_));
  std::unordered_map<std::string, store::CrlState> by_scope;
  for (store::CrlState& st : rows) by_scope.emplace(st.issuer_id, std::move(st));
  int published = 0;
  Status first_error;
  for (const auto& u : updaters_) {
    auto it = by_scope.find(u->scope());
    store::CrlState fresh;  // no row yet: nothing published, nothing revoked
    fresh.issuer_id = u->scope();
    Result<bool> r = u->MaybePublishFrom(it != by_scope.end() ? it->second : fresh);
    if (!r.ok()) {
      if (first_error.ok()) first_error = r.status();
    } else if (*r) {
      ++published;
    }
  }
  RETURN_IF_ERROR(first_error);
  return published;
}

Status ShardedCrlUpdater::PublishNow() {
  Status first_error;
  for (const auto& u : updaters_) {
    Status st = u->PublishNow();
    if (!st.ok() && first_error.ok()) first_error = st;
  }
  return first_error;
}

void ShardedCrlUpdater::Start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable() || updaters_.empty()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void ShardedCrlUpdater::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ShardedCrlUpdater::Run() {
  std::unique_lock lock(thread_mu_);
  while (!stop_) {
    lock.unlock();
    Result<int> r = MaybePublish();
    if (!r.ok() && on_error_) on_error_(r.status());
    lock.lock();
    cv_.wait_for(lock, poll_, [this] { return stop_; });
  }
}

}  // namespace claimsca::crl
