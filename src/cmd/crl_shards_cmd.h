#pragma once

// The CRL shards of the deployment's issuing CAs (docs/revocation.md, "Sharded CRLs"):
// their updaters for `serve`, `claimsca crl`, and the routes serving them. With
// crl.shards = 0 new certificates get no shard; shards published before stay served.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cmd/app.h"
#include "crl/shards.h"
#include "web/http.h"

namespace claimsca::cmd {

// One ShardedCrlUpdater per issuing CA whose signer is open (the deployment's, then each
// program's own), with `options` (holder, timings, error sink), for shards 0..crl.shards-1
// and any higher shard that already has a CRL (an earlier, larger crl.shards). Empty when
// crl.shards = 0 and no shard was ever published.
std::vector<std::unique_ptr<crl::ShardedCrlUpdater>> MakeShardUpdaters(
    App& app, const crl::CrlUpdaterOptions& options);

// The answer of a CRL route to GetCrlDer's result: the DER (application/pkix-crl,
// max-age=60), 503 when none is published yet, or the store's error.
web::Response CrlAnswer(const Result<std::pair<std::string, int64_t>>& crl);

// GET /crl/<issuer>/<shard>.crl for every issuing CA: the latest published shard CRL (DER),
// read from the database; 503 for a shard of 0..crl.shards-1 not published yet, 404 for
// any other that has no CRL (a shard of an earlier, larger crl.shards is still served).
void AddCrlShardRoutes(web::Router& router, App& app);

}  // namespace claimsca::cmd
