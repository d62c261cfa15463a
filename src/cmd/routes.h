#pragma once

// HTTP routes of `serve`: CA certificates and thumbprints, CRLs, OCSP, the operator API
// and the terminal (mTLS) endpoints. Thin: each handler parses, calls one component, and
// maps the Status to a response.

#include "ca/issue_queue.h"
#include "cmd/app.h"
#include "ocsp/responder.h"
#include "web/http.h"
#include "web/metrics.h"

namespace claimsca::cmd {

struct RouteDeps {
  App& app;
  ocsp::OcspResponder& ocsp;
  web::Metrics& metrics;
  bool access_log_ocsp = false;
  // CSR issuance of the operator API goes through it when set (serve); else each request
  // is issued on its own on the worker pool.
  ca::IssueQueue* issue_queue = nullptr;
};

void AddPkiRoutes(web::Router& router, RouteDeps deps);
void AddApiRoutes(web::Router& router, RouteDeps deps);
// The registration authority API (applications, download, accounts) and the
// network-terminal application site.
void AddRaRoutes(web::Router& router, RouteDeps deps);
void AddTerminalRoutes(web::Router& router, RouteDeps deps);
// GET /terminal/reminder: the on-screen expiry reminder (mTLS).
void AddReminderRoutes(web::Router& router, RouteDeps deps);
// Renewal with the current certificate (mTLS): routes_renewal.cc.
void AddRenewalRoutes(web::Router& router, RouteDeps deps);
// The mTLS listener's answer to an expired or revoked terminal certificate (409, in
// Japanese, docs/renewal-and-cmp.md); nullopt for any other refused certificate.
std::optional<web::Response> ExplainRefusedTerminal(App& app, const std::string& der);

// Percent-decoding of a URL path segment; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view s);
// Standard base64 (RFC 4648 §4, padding optional); nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view s);

}  // namespace claimsca::cmd
