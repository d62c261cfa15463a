#pragma once

// Pieces shared by `serve` (serve.cc) and `serve --read-only` (serve_read_only.cc).

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "ca/issue_queue.h"
#include "ca/key_pool.h"
#include "cmd/app.h"
#include "ocsp/responder.h"
#include "ocsp/status_cache.h"
#include "web/http.h"
#include "web/metrics.h"
#include "web/server.h"

namespace claimsca::cmd {

// "HOST:PORT" ("[::1]:PORT" too) of a listener setting.
Result<web::ListenerOptions> ParseListen(const std::string& spec);

// Blocks SIGINT and SIGTERM in this thread (and so in every thread it starts), for a later
// sigwait on the returned set; ignores SIGPIPE.
sigset_t BlockStopSignals();

// The OCSP responder's settings, and every issuing CA it answers for.
ocsp::OcspResponderOptions OcspOptions(const Config& c);
std::vector<ocsp::OcspIssuer> OcspIssuers(const App& app);

// The OCSP status cache (ocsp.status_cache_ms, or ocsp.read_only_status_cache_ms on a
// read-only node) and the thread that refreshes it; both null when the setting is 0.
// Declare it before the responder that reads through it (destroyed after it).
struct OcspStatusCaching {
  std::unique_ptr<ocsp::StatusCache> cache;
  std::unique_ptr<ocsp::StatusRefresher> refresher;  // destroyed (stopped) first
};
OcspStatusCaching StartOcspStatusCache(App& app, web::Logger& logger);

// GET /metrics: the registry, with the OCSP responder's, key pool's and issuance queue's
// (when not null) counters copied in at each scrape.
void AddMetricsRoute(web::Router& router, web::Metrics& metrics, ocsp::OcspResponder& responder,
                     ca::KeyPool& pool, const ca::IssueQueue* issue_queue);

// A read-only node (server.read_only, `serve --read-only`; docs/operations.md "Cluster"):
// OCSP, CRLs, the CA certificates, /healthz and /metrics, from a database it never
// writes (a PostgreSQL hot standby). No jobs, no CRL publishing, no issuance, no portal:
// every other request is answered 503 "read_only". Returns the process exit code.
int RunReadOnlyServe(App& app, bool list_routes);

}  // namespace claimsca::cmd
