#include "cmd/crl_shards_cmd.h"

#include <string_view>

#include "ca/crl_shard.h"
#include "store/crl_shard_store.h"

namespace claimsca::cmd {

namespace {

// crl.shards, or more when an earlier, larger setting left shards whose certificates still
// name them (each has a crl_state row from its first CRL or revocation): those keep being
// published, so lowering crl.shards never strands a certificate.
int ShardCount(App& app, const std::string& issuer_id) {
  int count = app.config.crl_shards;
  auto states = app.store->GetShardCrlStates(issuer_id);
  if (!states.ok()) return count;  // the updaters will report the database's error
  for (const store::CrlState& st : *states) {
    std::string file = st.issuer_id.substr(issuer_id.size() + 1) + ".crl";
    auto n = ca::ParseCrlShardFile(file, ca::kMaxCrlShards);
    if (n && *n + 1 > count) count = *n + 1;
  }
  return count;
}

}  // namespace

std::vector<std::unique_ptr<crl::ShardedCrlUpdater>> MakeShardUpdaters(
    App& app, const crl::CrlUpdaterOptions& options) {
  std::vector<std::unique_ptr<crl::ShardedCrlUpdater>> out;
  const Config& c = app.config;
  auto add = [&](const std::string& issuer_id, X509* cert, const crypto::Signer& signer) {
    const int count = ShardCount(app, issuer_id);
    if (count <= 0) return;
    out.push_back(std::make_unique<crl::ShardedCrlUpdater>(
        *app.store, *app.store, *app.store, *app.store, issuer_id, cert, signer, *app.clock, count,
        c.CrlUrlOf(issuer_id), options));
  };
  if (app.ca.issuing_signer != nullptr)
    add(c.issuer_id, app.ca.issuing.get(), *app.ca.issuing_signer);
  for (const ProgramIssuingCa& p : app.ca.program_issuing) {
    if (p.signer != nullptr) add(p.issuer_id, p.cert.get(), *p.signer);
  }
  return out;
}

web::Response CrlAnswer(const Result<std::pair<std::string, int64_t>>& crl) {
  if (!crl.ok()) return web::Response::FromStatus(crl.status());
  if (crl->first.empty()) {
    return web::Response::Error(503, "unavailable", "no CRL has been published yet");
  }
  auto r = web::Response::Bytes("application/pkix-crl", crl->first);
  r.headers.emplace_back("Cache-Control", "max-age=60");
  return r;
}

void AddCrlShardRoutes(web::Router& router, App& app) {
  const int shards = app.config.crl_shards;
  std::vector<std::string> issuer_ids = {app.config.issuer_id};
  for (const ProgramIssuingCa& p : app.ca.program_issuing) issuer_ids.push_back(p.issuer_id);
  for (const std::string& issuer_id : issuer_ids) {
    const std::string prefix = "/crl/" + issuer_id + "/";
    router.Handle("GET", prefix, true,
                  [&app, issuer_id, prefix, shards](const web::Request& req) {
                    auto not_found = [] {
                      return web::Response::Error(404, "not_found", "no such CRL shard");
                    };
                    auto shard = ca::ParseCrlShardFile(
                        std::string_view(req.path).substr(prefix.size()), ca::kMaxCrlShards);
                    if (!shard) return not_found();
                    auto crl = app.store->GetCrlDer(store::CrlShardScope(issuer_id, *shard));
                    // A shard of an earlier, larger crl.shards is served while it has a CRL.
                    if (crl.ok() && crl->first.empty() && *shard >= shards) return not_found();
                    return CrlAnswer(crl);
                  },
                  {.slow = true});
  }
}

}  // namespace claimsca::cmd
