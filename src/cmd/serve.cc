#include "cmd/serve.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "auth/self_service.h"
#include "cmd/api_util.h"
#include "cmd/billing_web.h"
#include "cmd/ca_ceremony.h"
#include "cmd/crl_shards_cmd.h"
#include "cmd/demo_setup.h"
#include "cmd/jobs.h"
#include "cmd/kokuhoren_web.h"
#include "cmd/newinst_withdraw_cmd.h"
#include "cmd/notices_web.h"
#include "cmd/qualcheck_cmd.h"
#include "cmd/rehearsal.h"
#include "cmd/routes.h"
#include "cmd/serve_internal.h"
#include "cmd/subsidy_cmd.h"
#include "cmd/subsidy_web.h"
#include "common/time_util.h"
#include "crl/updater.h"
#include "crypto/ossl.h"
#include "jobs/live_marker.h"
#include "jobs/runner.h"
#include "newinst/reminders.h"
#include "ocsp/responder.h"
#include "portal/portal.h"
#include "store/revocation_epoch.h"
#include "web/route_table.h"
#include "web/server.h"

namespace claimsca::cmd {

Result<web::ListenerOptions> ParseListen(const std::string& spec) {
  web::ListenerOptions o;
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("listen: expected HOST:PORT");
  o.host = spec.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') {
    o.host = o.host.substr(1, o.host.size() - 2);
  }
  char* end = nullptr;
  long port = std::strtol(spec.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535 || colon + 1 == spec.size()) {
    return InvalidArgument("listen: bad port in " + spec);
  }
  o.port = static_cast<uint16_t>(port);
  return o;
}

sigset_t BlockStopSignals() {
  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return signals;
}

ocsp::OcspResponderOptions OcspOptions(const Config& c) {
  ocsp::OcspResponderOptions o;
  o.validity = std::chrono::hours(c.ocsp_validity_hours);
  o.refresh_after = std::chrono::hours(c.ocsp_refresh_after_hours);
  o.cache_capacity = static_cast<size_t>(c.ocsp_cache_entries);
  return o;
}

OcspStatusCaching StartOcspStatusCache(App& app, web::Logger& logger) {
  const Config& c = app.config;
  const int ms = c.read_only ? c.ocsp_read_only_status_cache_ms : c.ocsp_status_cache_ms;
  OcspStatusCaching out;
  if (ms <= 0) return out;
  const std::chrono::milliseconds interval(ms);
  ocsp::StatusCacheOptions o;
  o.capacity = static_cast<size_t>(c.ocsp_cache_entries);
  // A refresher that stopped (a hung epoch read) leaves the cache unused after this.
  o.stale_after =
      std::max(std::chrono::seconds(5), std::chrono::ceil<std::chrono::seconds>(interval * 10));
  store::Store& s = *app.store;
  out.cache = std::make_unique<ocsp::StatusCache>(
      s, [&s] { return store::ReadRevocationEpoch(s); }, WallClock(), o);
  // The first failure is logged, then every 1000th (the refresh runs every interval).
  auto failures = std::make_shared<uint64_t>(0);
  out.refresher = std::make_unique<ocsp::StatusRefresher>(
      *out.cache, interval, [&logger, failures](const Status& st) {
        if ((*failures)++ % 1000 == 0) {
          logger.Event("ocsp_status_cache_refresh_failed", {{"error", st.ToString()}});
        }
      });
  return out;
}

std::vector<ocsp::OcspIssuer> OcspIssuers(const App& app) {
  // One responder for every issuing CA, each answered by its own delegated certificate.
  std::vector<ocsp::OcspIssuer> issuers = {{app.config.issuer_id, app.ca.issuing.get()}};
  for (const ProgramIssuingCa& p : app.ca.program_issuing) {
    issuers.push_back({p.issuer_id, p.cert.get(), p.ocsp.get(), p.ocsp_signer.get()});
  }
  return issuers;
}

namespace {

crl::CrlUpdaterOptions CrlOptions(const Config& c, web::Logger* logger) {
  crl::CrlUpdaterOptions o;
  o.validity = std::chrono::hours(c.crl_validity_hours);
  o.refresh_before = std::chrono::hours(c.crl_refresh_before_hours);
  o.debounce = std::chrono::seconds(c.crl_debounce_seconds);
  o.max_delay = std::chrono::seconds(c.crl_max_delay_seconds);
  o.holder = ProcessHolder();
  o.lease_clock = &WallClock();
  if (logger) {
    o.on_error = [logger](const Status& s) {
      logger->Event("crl_error", {{"error", s.ToString()}});
    };
  }
  return o;
}

}  // namespace

// Component counters that live outside the registry (OCSP responder, key pool) are copied
// into it at each scrape, then the registry renders.
void AddMetricsRoute(web::Router& router, web::Metrics& metrics, ocsp::OcspResponder& responder,
                     ca::KeyPool& pool, const ca::IssueQueue* issue_queue) {
  auto mu = std::make_shared<std::mutex>();
  auto last = std::make_shared<std::map<std::string, uint64_t>>();
  router.Handle(
      "GET", "/metrics", false, [&metrics, &responder, &pool, issue_queue, mu, last](auto&) {
        std::lock_guard lock(*mu);
        ocsp::OcspCounters c = responder.counters();
        auto sync = [&](const char* name, const char* help, const web::Labels& labels,
                        uint64_t value) {
          std::string key = name;
          for (const auto& [k, v] : labels) key += "," + k + "=" + v;
          uint64_t& seen = (*last)[key];
          if (value > seen) metrics.GetCounter(name, help, labels).Inc(value - seen);
          seen = value;
        };
        const char* answered = "OCSP answers by certificate status or error";
        sync("claimsca_ocsp_answers_total", answered, {{"status", "good"}}, c.good);
        sync("claimsca_ocsp_answers_total", answered, {{"status", "revoked"}}, c.revoked);
        sync("claimsca_ocsp_answers_total", answered, {{"status", "unknown"}}, c.unknown);
        sync("claimsca_ocsp_answers_total", answered, {{"status", "malformed"}}, c.malformed);
        sync("claimsca_ocsp_answers_total", answered, {{"status", "unauthorized"}}, c.unauthorized);
        sync("claimsca_ocsp_answers_total", answered, {{"status", "error"}}, c.errors);
        const char* cache = "OCSP response cache lookups";
        sync("claimsca_ocsp_cache_total", cache, {{"result", "hit"}}, c.cache_hits);
        sync("claimsca_ocsp_cache_total", cache, {{"result", "miss"}}, c.cache_misses);
        sync("claimsca_ocsp_signatures_total", "OCSP responses signed", {}, c.signatures);
        if (const ocsp::StatusCache* status_cache = responder.status_cache()) {
          const ocsp::StatusCacheCounters sc = status_cache->counters();
          const char* lookups = "OCSP certificate status cache lookups";
          sync("claimsca_ocsp_status_cache_total", lookups, {{"result", "hit"}}, sc.hits);
          sync("claimsca_ocsp_status_cache_total", lookups, {{"result", "miss"}}, sc.misses);
          sync("claimsca_ocsp_status_cache_generations_total",
               "revocation epoch changes seen by the OCSP status cache", {}, sc.generations);
          sync("claimsca_ocsp_status_cache_refresh_errors_total",
               "failed revocation epoch reads of the OCSP status cache", {}, sc.refresh_errors);
        }
        const char* keys = "server-made keys taken from the pool or generated on the spot";
        sync("claimsca_key_pool_takes_total", keys, {{"result", "hit"}},
             static_cast<uint64_t>(pool.hits()));
        sync("claimsca_key_pool_takes_total", keys, {{"result", "miss"}},
             static_cast<uint64_t>(pool.misses()));
        sync("claimsca_key_pool_generated_total", "keys generated for the pool", {},
             static_cast<uint64_t>(pool.generated()));
        if (issue_queue != nullptr) {  // their ratio is the mean batch size
          sync("claimsca_issue_batches_total", "batches of the issuance queue", {},
               static_cast<uint64_t>(issue_queue->batches()));
          sync("claimsca_issue_batch_requests_total", "requests issued by the issuance queue", {},
               static_cast<uint64_t>(issue_queue->issued_requests()));
        }
        return web::Response::Bytes("text/plain; version=0.0.4; charset=utf-8",
                                    metrics.RenderPrometheus());
      });
}

namespace {
int PublishCrl(App& app, const std::string& issuer_id, X509* cert, const crypto::Signer& signer,
               const std::string& out_path);
}  // namespace

int RunCrl(App& app, const std::string& out_path) {
  // Every issuing CA's CRL; --out receives the deployment's issuing CA's.
  int rc =
      PublishCrl(app, app.config.issuer_id, app.ca.issuing.get(), *app.ca.issuing_signer, out_path);
  for (const ProgramIssuingCa& p : app.ca.program_issuing) {
    if (rc != 0) return rc;
    if (p.signer == nullptr) return ExitWithError(FailedPrecondition(p.issuer_id + ": no key"));
    rc = PublishCrl(app, p.issuer_id, p.cert.get(), *p.signer, "");
  }
  if (rc != 0) return rc;
  // And every shard of each (docs/revocation.md, "Sharded CRLs").
  auto started = std::chrono::steady_clock::now();
  for (auto& shards : MakeShardUpdaters(app, CrlOptions(app.config, nullptr))) {
    Status st = shards->PublishNow();
    // A running server holds a shard's lease only while it builds it: wait a little.
    for (int i = 0; i < 50 && st.code() == Code::kUnavailable; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      st = shards->PublishNow();
    }
    if (!st.ok()) return ExitWithError(st);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    std::fprintf(stderr, "published %d CRL shards in %.1f ms\n", shards->shards(), ms.count());
  }
  return 0;
}

namespace {
int PublishCrl(App& app, const std::string& issuer_id, X509* cert, const crypto::Signer& signer,
               const std::string& out_path) {
  crl::CrlUpdater updater(*app.store, *app.store, *app.store, issuer_id, cert, signer, *app.clock,
                          CrlOptions(app.config, nullptr));
  // A running server holds the lease only while it builds a CRL: wait a little for it.
  auto started = std::chrono::steady_clock::now();
  std::string der;  // the CRL this command published, written to --out without a re-read
  Status st = updater.PublishNow(&der);
  for (int i = 0; i < 50 && st.code() == Code::kUnavailable; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    st = updater.PublishNow(&der);
  }
  if (!st.ok()) return ExitWithError(st);
  auto state = app.store->GetCrlState(issuer_id);
  if (!state.ok()) return ExitWithError(state.status());
  if (!out_path.empty()) {
    if (der.empty()) {  // another process published concurrently: write the newest one
      auto crl = app.store->GetCrlDer(issuer_id);
      if (!crl.ok()) return ExitWithError(crl.status());
      der = std::move(crl->first);
    }
    Status w = WriteFileAtomic(out_path, der);
    if (!w.ok()) return ExitWithError(w);
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  std::fprintf(stderr, "published CRL number %lld for %s (next update %s) in %.1f ms\n",
               static_cast<long long>(state->crl_number), issuer_id.c_str(),
               FormatJst(state->next_update).c_str(), ms.count());
  return 0;
}
}  // namespace

int RunServe(App& app, bool list_routes) {
  const Config& c = app.config;
  if (c.read_only) return RunReadOnlyServe(app, list_routes);  // serve_read_only.cc
  sigset_t signals = BlockStopSignals();

  web::Metrics metrics;
  web::Logger& logger = *app.logger;

  auto renewed = RenewOcspCertIfDue(c, app.ca, app.clock->Now());
  if (!renewed.ok()) {
    return ExitWithError(renewed.status().WithContext("renewing the OCSP certificate"));
  }
  if (*renewed) logger.Event("ocsp_certificate_renewed", {{"file", c.Path("ca/ocsp.pem")}});
  if (app.ca.issuing_signer != nullptr) {
    // A data directory made before the CMP signer existed gets one here (created once).
    const bool had_cmp = app.ca.cmp != nullptr;
    auto cmp = EnsureCmpSigner(c, app.ca, app.clock->Now());
    if (!cmp.ok()) return ExitWithError(cmp.status().WithContext("the CMP signer certificate"));
    if (*cmp) {
      logger.Event(had_cmp ? "cmp_certificate_renewed" : "cmp_signer_created",
                   {{"file", c.Path("ca/cmp.pem")}});
    }
  }

  // The root's ARL is made at key ceremonies (`claimsca ca arl`), not here: say when it is
  // missing or due, so that the operator holds the next ceremony in time.
  if (auto arl = LoadArl(c, app.ca.root.get()); !arl.ok()) {
    logger.Event("arl_unavailable", {{"error", arl.status().ToString()}});
  } else if (arl->next_update - app.clock->Now() < std::chrono::days(60)) {
    logger.Event("arl_due", {{"next_update", FormatJst(arl->next_update)}});
  }

  OcspStatusCaching status_caching = StartOcspStatusCache(app, logger);
  ocsp::OcspResponderOptions ocsp_options = OcspOptions(c);
  ocsp_options.status_cache = status_caching.cache.get();
  ocsp::OcspResponder responder(*app.store, OcspIssuers(app), app.ca.ocsp.get(),
                                *app.ca.ocsp_signer, *app.clock, ocsp_options);

  if (!responder.init_status().ok()) {
    return ExitWithError(responder.init_status().WithContext("OCSP responder"));
  }

  crl::CrlUpdater crl_updater(*app.store, *app.store, *app.store, c.issuer_id, app.ca.issuing.get(),
                              *app.ca.issuing_signer, *app.clock, CrlOptions(c, &logger));
  // The programs' own issuing CAs keep their CRLs current the same way.
  std::vector<std::unique_ptr<crl::CrlUpdater>> program_crl_updaters;
  for (const ProgramIssuingCa& p : app.ca.program_issuing) {
    if (p.signer == nullptr) return ExitWithError(FailedPrecondition(p.issuer_id + ": no key"));
    program_crl_updaters.push_back(std::make_unique<crl::CrlUpdater>(
        *app.store, *app.store, *app.store, p.issuer_id, p.cert.get(), *p.signer, *app.clock,
        CrlOptions(c, &logger)));
  }

  auto shard_updaters = MakeShardUpdaters(app, CrlOptions(c, &logger));

  web::Router router;
  web::AddHealthRoute(router,
                      [&app] { return app.store->GetCrlState(app.config.issuer_id).status(); });
  // CSR issuance through the API is batched on SQLite (docs/issuance-cycle.md); stopped
  // after the server has drained, before it is destroyed (its answers go to the server's
  // threads). On PostgreSQL the issuances run in parallel on the worker pool.
  std::unique_ptr<ca::IssueQueue> issue_queue;
  if (app.issuer && app.store->SingleWriter()) {
    issue_queue = std::make_unique<ca::IssueQueue>(*app.issuer);
  }
  AddMetricsRoute(router, metrics, responder, *app.key_pool, issue_queue.get());
  RouteDeps deps{app, responder, metrics, c.access_log_ocsp, issue_queue.get()};
  AddPkiRoutes(router, deps);
  AddApiRoutes(router, deps);
  AddRaRoutes(router, deps);
  AddTerminalRoutes(router, deps);
  AddReminderRoutes(router, deps);
  AddRenewalRoutes(router, deps);
  auth::SelfService self_service(*app.auth, *app.store, *app.mail_composer, *app.clock,
                                 {.public_url = c.public_url});
  const portal::BillingPages billing_pages = MakeBillingPages(app);
  const portal::NoticePages notice_pages = MakeNoticePages(app);  // the console's notices
  const KokuhorenWeb kokuhoren_web(app);
  auto qualcheck = WireQualcheck(app);  // docs/qualcheck.md
  if (!qualcheck.ok()) return ExitWithError(qualcheck.status());
  const portal::QualcheckPages qualcheck_pages = QualcheckPagesOf(app, **qualcheck);
  newinst::InstitutionStore newinst_rows(*app.store);  // docs/newinst.md
  auto newinst_days = newinst::ParseReminderDays(c.newinst_reminder_days_before);
  if (!newinst_days.ok()) return ExitWithError(newinst_days.status());
  const portal::NewinstPages newinst_pages{&newinst_rows, *newinst_days};
  // A slip costs nothing (docs/portal.md): free cancellation until the notice batch.
  auto batch_minute = jobs::ParseTimeOfDay(c.jobs_notice_batch_at, "jobs.notice_batch_at");
  if (!batch_minute.ok()) return ExitWithError(batch_minute.status());
  std::optional<ra::SlipCancellation> slips;
  if (auto* slip_store = dynamic_cast<store::SlipStore*>(app.store.get()); slip_store != nullptr) {
    slips.emplace(
        *app.ra, *slip_store, *app.clock, *batch_minute, [&app](const store::AuditEvent& e) {
          app.logger->Event("audit",
                            {{"actor", e.actor}, {"action", e.action}, {"subject", e.subject}});
        });
  }
  auto subsidies = WireSubsidy(app);
  if (!subsidies.ok()) return ExitWithError(subsidies.status());
  const portal::SubsidyPages subsidy_pages = MakeSubsidyPages(app, **subsidies);
  const ra::RenewalStatusReader renewal_status(*app.ra, *app.store, app.programs, *app.tariff,
                                               *app.clock);
  const portal::HelpPages help_pages{c.guide_cps_url, c.guide_manual_url, c.notice_manual_url,
                                     c.contact_name,  c.contact_phone,    c.contact_hours,
                                     c.contact_email};  // docs/portal.md "Help"
  if (c.demo_enabled) {  // docs/operations.md "Demo": refused unless a demo root
    auto demo = DemoServeLines(c, app.ca.root.get(), c.public_url);
    if (!demo.ok()) return ExitWithError(demo.status());
  }
  portal::AddPortalRoutes(
      router,
      {.ra = *app.ra,
       .auth = *app.auth,
       .accounts = *app.store,
       .state = *app.store,
       .network_ranges = app.network_ranges,
       .clock = *app.clock,
       .root_cert_der = crypto::CertToDer(app.ca.root.get()).value(),
       .session_idle = std::chrono::seconds(std::max(1, c.portal_session_idle_seconds)),
       .session_max = std::chrono::seconds(std::max(1, c.portal_session_max_seconds)),
       .login_per_minute = c.portal_login_per_minute,
       .download_per_minute = c.portal_download_per_minute,
       .self_service = &self_service,
       .audit = app.store.get(),
       .register_writer = app.store.get(),
       .applications = app.store.get(),
       .presented_certificate =
           [&app](const web::Request& req) { return PresentedCertificate(*app.store, req); },
       .billing = &billing_pages,
       .kokuhoren = &kokuhoren_web.pages(),
       .newinst_store = app.store.get(),
       .qualcheck = &qualcheck_pages,
       .newinst = &newinst_pages,
       .subsidy = &subsidy_pages,
       .newinst_withdraw = NewinstWithdrawForPages(app),
       .renewal = &renewal_status,
       .help = &help_pages,
       .demo_outbox = c.DemoMailbox() ? app.store.get() : nullptr,
       .register_reader = app.store.get(),
       .slips = slips ? &*slips : nullptr,
       .bulk = dynamic_cast<store::BulkStore*>(app.store.get()),
       .notices = &notice_pages});

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

  std::string lines;
  if (!c.tls_listen.empty()) {
    auto o = ParseListen(c.tls_listen);
    if (!o.ok()) return ExitWithError(o.status());
    web::TlsOptions tls;
    tls.cert_chain_file = c.Path(c.tls_cert);
    tls.private_key_file = c.Path(c.tls_key);
    o->tls = tls;
    auto port = server.Listen(*o);
    if (!port.ok()) return ExitWithError(port.status().WithContext("tls_listen"));
    lines +=
        "  HTTPS                       https://" + o->host + ":" + std::to_string(*port) + "\n";
  }
  if (!c.mtls_listen.empty()) {
    auto o = ParseListen(c.mtls_listen);
    if (!o.ok()) return ExitWithError(o.status());
    // Client certificates chain to the issuing CA; the hook then asks the database, so a
    // revoked or unknown certificate fails the handshake in every serve process alike.
    std::string clients = c.Path("ca/mtls-client-cas.pem");
    Status w = WriteFileAtomic(clients, crypto::CertToPem(app.ca.issuing.get()).value() +
                                            crypto::CertToPem(app.ca.root.get()).value());
    if (!w.ok()) return ExitWithError(w);
    web::TlsOptions tls;
    tls.cert_chain_file = c.Path(c.tls_cert);
    tls.private_key_file = c.Path(c.tls_key);
    tls.client_ca_file = clients;
    tls.accept_client_cert = [&app](const std::string& der) {
      auto cert = crypto::CertFromDer(der);
      if (!cert.ok()) return false;
      auto status = app.store->GetStatus(app.config.issuer_id,
                                         crypto::SerialHex(X509_get0_serialNumber(cert->get())));
      return status.ok() && status->state == store::CertState::kIssued && !status->revoked_at &&
             status->not_after > app.clock->Now();
    };
    // An expired or revoked terminal certificate is told why, in Japanese (409).
    tls.explain_refused_client_cert = [&app](const std::string& der) {
      return ExplainRefusedTerminal(app, der);
    };
    // Validity as of the server's clock (`serve --at`), like every other rule.
    tls.verify_time = [&app] {
      return std::chrono::duration_cast<std::chrono::seconds>(app.clock->Now().time_since_epoch())
          .count();
    };
    o->tls = tls;
    auto port = server.Listen(*o);
    if (!port.ok()) return ExitWithError(port.status().WithContext("mtls_listen"));
    lines += "  terminal endpoints (mTLS)   https://" + o->host + ":" + std::to_string(*port) +
             "/terminal/certificate  /terminal/\n";
  }

  std::unique_ptr<JobThread> job_thread;
  if (c.jobs_enabled) {
    auto runner =
        std::make_unique<jobs::Runner>(*app.store, *app.clock, ProcessHolder(), &WallClock());
    Status js = AddStandardJobs(app, *runner, nullptr);  // the CRL has its own thread
    if (!js.ok()) return ExitWithError(js);
    job_thread = std::make_unique<JobThread>(
        app, std::move(runner), std::chrono::seconds(std::max(1, c.jobs_interval_seconds)));
  }
  // A serve on the real clock marks the service live: rehearsals (a future --at) are then
  // refused unless forced. A serve --at (ahead or behind) is a rehearsal itself and marks nothing.
  std::unique_ptr<jobs::LiveMarker> live;
  if (OnRealTime(*app.clock)) {
    live = std::make_unique<jobs::LiveMarker>(*app.store, WallClock(), ProcessHolder());
    live->Start();
  }
  crl_updater.Start();
  for (auto& u : program_crl_updaters) u->Start();
  for (auto& u : shard_updaters) u->Start();
  app.key_pool->Start();
  if (job_thread) job_thread->Start();
  Status st = server.Start();
  if (!st.ok()) return ExitWithError(st);

  std::string base = "http://" + plain->host + ":" + std::to_string(*plain_port);
  std::string demo_lines;
  if (c.demo_enabled) {
    auto demo = DemoServeLines(c, app.ca.root.get(), base);
    if (demo.ok()) demo_lines = std::move(*demo);
  }
  std::printf(
      "claimsca is serving (data: %s, database: %s, now: %s)\n"
      "  CA certificates, thumbprints %s/ca/\n"
      "  OCSP                        %s/ocsp\n"
      "  CRL, ARL                    %s/crl/%s.crl  /crl/root.crl\n"
      "  health, metrics             %s/healthz  %s/metrics\n"
      "  portal, console, download   %s/portal/  %s/console/  %s/download/\n%s%s"
      "Press Ctrl-C to stop.\n",
      c.data_dir.c_str(), app.store->Backend().data(), FormatJst(app.clock->Now()).c_str(),
      base.c_str(), base.c_str(), base.c_str(), c.issuer_id.c_str(), base.c_str(), base.c_str(),
      base.c_str(), base.c_str(), base.c_str(), lines.c_str(), demo_lines.c_str());
  std::fflush(stdout);
  logger.Event("serve_started", {{"listen", base}});

  int sig = 0;
  sigwait(&signals, &sig);
  logger.Event("serve_stopping", {{"signal", sig}});
  server.Stop();
  if (issue_queue) issue_queue->Stop();
  if (job_thread) job_thread->Stop();
  crl_updater.Stop();
  for (auto& u : program_crl_updaters) u->Stop();
  for (auto& u : shard_updaters) u->Stop();
  app.key_pool->Stop();
  if (live) live->Stop();  // released; another live serve takes it at its next renewal
  return 0;
}

}  // namespace claimsca::cmd
