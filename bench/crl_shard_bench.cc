// crl_shard_bench: what CRL shards cost and save (docs/revocation.md, "Sharded CRLs";
// bench/crl_shards.sh runs it on a store filled by `bench_seed revoked ... SHARDS`).
//
//   crl_shard_bench DATA SHARDS [REVOCATIONS]
//     With the real updaters (crl::CrlUpdater, crl::ShardedCrlUpdater) on the data
//     directory's store and issuing CA key: publishes the full CRL and every shard, then
//     REVOCATIONS times (default 5) issues one certificate row into a shard, revokes it
//     (store Revoke: the issuer's and the shard's counters) and lets the sharded updater
//     publish what is due (reads every shard's state, re-signs the one shard), timing
//     revocation + regeneration; checks each new shard CRL lists the serial and that only
//     one shard was published. Then times the full CRL's regeneration for comparison.
//     Prints "key<TAB>value" lines: full_crl_bytes, full_crl_entries, full_crl_publish_s,
//     shards, shard_bytes_max, shard_bytes_min, shard_entries_max, shards_publish_all_s,
//     shard_regen_ms_median, shard_regen_ms_max, full_regen_s.

#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ca/crl_shard.h"
#include "cmd/app.h"
#include "cmd/config.h"
#include "common/clock.h"
#include "crl/shards.h"
#include "crl/updater.h"
#include "crypto/random.h"

namespace {

using Clock = std::chrono::steady_clock;
using claimsca::Status;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "crl_shard_bench: %s\n", what.c_str());
  std::exit(1);
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// The number of entries of a DER CRL (and that it parses).
int Entries(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  claimsca::crypto::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) Die("a published CRL does not parse");
  return std::max(0, sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) Die("usage: crl_shard_bench DATA SHARDS [REVOCATIONS]");
  const std::string data = argv[1];
  const int shards = std::atoi(argv[2]);
  const int revocations = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  if (shards < 1 || shards > claimsca::ca::kMaxCrlShards) Die("SHARDS out of range");

  auto config = claimsca::cmd::LoadConfig(
      data, {"key_pool.threads=0", "crl.shards=" + std::to_string(shards)});
  if (!config.ok()) Die(config.status().ToString());
  auto opened =
      claimsca::cmd::OpenApp(std::move(*config), std::make_unique<claimsca::SystemClock>());
  if (!opened.ok()) Die(opened.status().ToString());
  claimsca::cmd::App& app = **opened;
  claimsca::store::Store& store = *app.store;
  const std::string issuer_id = app.config.issuer_id;
  if (app.ca.issuing_signer == nullptr) Die("no issuing CA key");

  claimsca::crl::CrlUpdaterOptions o;
  o.debounce = std::chrono::seconds(0);
  o.holder = "crl-shard-bench";
  claimsca::crl::CrlUpdater full(store, store, store, issuer_id, app.ca.issuing.get(),
                                 *app.ca.issuing_signer, *app.clock, o);
  claimsca::crl::ShardedCrlUpdater sharded(store, store, store, store, issuer_id,
                                           app.ca.issuing.get(), *app.ca.issuing_signer, *app.clock,
                                           shards, app.config.CrlUrl(), o);

  auto t = Clock::now();
  if (Status st = full.PublishNow(); !st.ok()) Die(st.ToString());
  const double full_publish = Seconds(t);
  auto full_der = store.GetCrlDer(issuer_id);
  if (!full_der.ok()) Die(full_der.status().ToString());
  t = Clock::now();
  if (Status st = sharded.PublishNow(); !st.ok()) Die(st.ToString());
  const double shards_publish = Seconds(t);
  size_t max_bytes = 0, min_bytes = SIZE_MAX;
  int max_entries = 0;
  for (int s = 0; s < shards; ++s) {
    auto der = store.GetCrlDer(claimsca::store::CrlShardScope(issuer_id, s));
    if (!der.ok() || der->first.empty()) Die("shard " + std::to_string(s) + " not published");
    max_bytes = std::max(max_bytes, der->first.size());
    min_bytes = std::min(min_bytes, der->first.size());
    max_entries = std::max(max_entries, Entries(der->first));
  }

  std::vector<double> regen_ms;
  for (int i = 0; i < revocations; ++i) {
    claimsca::store::CertificateRecord r;
    auto serial = claimsca::crypto::RandomSerial();
    if (!serial.ok()) Die(serial.status().ToString());
    r.serial = *serial;
    r.issuer_id = issuer_id;
    r.program = "common";
    r.institution_code = "1310000001";
    r.common_name = "8" + r.serial.substr(0, 15);
    r.terminal_name = "bench";
    r.key_algorithm = "ecp256";
    r.not_before = app.clock->Now();
    r.not_after = r.not_before + std::chrono::days(800);
    r.tbs_der = "tbs";
    r.created_at = r.not_before;
    r.crl_shard = claimsca::ca::CrlShardOf(r.serial, shards);
    if (Status st = store.InsertIntent(r); !st.ok()) Die(st.ToString());
    if (Status st = store.MarkIssued(r.serial, "der"); !st.ok()) Die(st.ToString());
    const std::string scope = claimsca::store::CrlShardScope(issuer_id, *r.crl_shard);
    const int before = Entries(store.GetCrlDer(scope)->first);

    t = Clock::now();
    if (Status st = store.Revoke(r.serial, app.clock->Now(), 1, std::nullopt); !st.ok()) {
      Die(st.ToString());
    }
    auto published = sharded.MaybePublish();
    regen_ms.push_back(Seconds(t) * 1000);
    if (!published.ok()) Die(published.status().ToString());
    if (*published != 1) Die("expected one shard published, got " + std::to_string(*published));
    if (Entries(store.GetCrlDer(scope)->first) != before + 1) Die("the shard misses the serial");
  }
  std::sort(regen_ms.begin(), regen_ms.end());

  t = Clock::now();
  auto full_again = full.MaybePublish();
  const double full_regen = Seconds(t);
  if (!full_again.ok() || !*full_again) Die("the full CRL was not republished");

  std::printf("full_crl_bytes\t%zu\n", full_der->first.size());
  std::printf("full_crl_entries\t%d\n", Entries(full_der->first));
  std::printf("full_crl_publish_s\t%.3f\n", full_publish);
  std::printf("shards\t%d\n", shards);
  std::printf("shard_bytes_max\t%zu\n", max_bytes);
  std::printf("shard_bytes_min\t%zu\n", min_bytes);
  std::printf("shard_entries_max\t%d\n", max_entries);
  std::printf("shards_publish_all_s\t%.3f\n", shards_publish);
  std::printf("shard_regen_ms_median\t%.1f\n", regen_ms[regen_ms.size() / 2]);
  std::printf("shard_regen_ms_max\t%.1f\n", regen_ms.back());
  std::printf("full_regen_s\t%.3f\n", full_regen);
  return 0;
}
