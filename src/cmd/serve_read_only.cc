// `serve --read-only` (docs/operations.md "Cluster"): revocation checking served from a
// PostgreSQL hot standby, so that OCSP and CRL downloads never queue behind writes.
// Nothing here writes to the database: no migration (app.cc), no jobs, no CRL updater, no
// live marker, no key pool, no OCSP certificate renewal, no mTLS listener.

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cmd/routes.h"
#include "cmd/serve_internal.h"
#include "common/time_util.h"
#include "web/route_table.h"

namespace claimsca::cmd {
namespace {

// Every path the read-only routes do not take: a clear refusal, not a 404.
void AddReadOnlyRefusals(web::Router& router) {
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    router.Handle(method, "/", true, [](const web::Request&) {
      return web::Response::Error(503, "read_only",
                                  "this node serves OCSP, CRLs and CA certificates only "
                                  "(server.read_only); send this request to a read-write node");
    });
  }
}

}  // namespace

int RunReadOnlyServe(App& app, bool list_routes) {
  const Config& c = app.config;
  sigset_t signals = BlockStopSignals();
  web::Metrics metrics;
  web::Logger& logger = *app.logger;
  if (app.ca.ocsp_signer == nullptr) {
    return ExitWithError(FailedPrecondition("server.read_only: the OCSP signer is not loaded"));
  }
  OcspStatusCaching status_caching = StartOcspStatusCache(app, logger);
  ocsp::OcspResponderOptions ocsp_options = OcspOptions(c);
  ocsp_options.status_cache = status_caching.cache.get();
  ocsp::OcspResponder responder(*app.store, OcspIssuers(app), app.ca.ocsp.get(),
                                *app.ca.ocsp_signer, *app.clock, ocsp_options);
  if (!responder.init_status().ok()) {
    return ExitWithError(responder.init_status().WithContext("OCSP responder"));
  }

  web::Router router;
  // Healthy while the database answers a read (a standby that is down or not yet
  // consistent fails it, and the load balancer takes this node out).
  web::AddHealthRoute(router,
                      [&app] { return app.store->GetCrlState(app.config.issuer_id).status(); });
  AddMetricsRoute(router, metrics, responder, *app.key_pool, nullptr);
  AddPkiRoutes(router, {app, responder, metrics, c.access_log_ocsp, nullptr});
  AddReadOnlyRefusals(router);
  if (list_routes) {
    for (const std::string& line : web::RouteTable(router)) std::printf("%s\n", line.c_str());
    return 0;
  }

  web::ServerOptions server_options;
  server_options.io_threads = c.threads;
  server_options.worker_threads = c.worker_threads;
  web::HttpServer server(router, metrics, logger, *app.clock, server_options);
  auto plain = ParseListen(c.listen);
  if (!plain.ok()) return ExitWithError(plain.status());
  auto plain_port = server.Listen(*plain);
  if (!plain_port.ok()) return ExitWithError(plain_port.status().WithContext("listen " + c.listen));
  Status st = server.Start();
  if (!st.ok()) return ExitWithError(st);

  std::string base = "http://" + plain->host + ":" + std::to_string(*plain_port);
  std::printf(
      "claimsca is serving read-only (data: %s, database: %s, now: %s)\n"
      "  CA certificates, thumbprints %s/ca/\n"
      "  OCSP                        %s/ocsp\n"
      "  CRL, ARL                    %s/crl/%s.crl  /crl/root.crl\n"
      "  health, metrics             %s/healthz  %s/metrics\n"
      "  every other request: 503 read_only\n"
      "Press Ctrl-C to stop.\n",
      c.data_dir.c_str(), app.store->Backend().data(), FormatJst(app.clock->Now()).c_str(),
      base.c_str(), base.c_str(), base.c_str(), c.issuer_id.c_str(), base.c_str(), base.c_str());
  std::fflush(stdout);
  logger.Event("serve_started", {{"listen", base}, {"read_only", true}});

  int sig = 0;
  sigwait(&signals, &sig);
  logger.Event("serve_stopping", {{"signal", sig}});
  server.Stop();
  return 0;
}

}  // namespace claimsca::cmd
