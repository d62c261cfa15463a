// The operator JSON API (docs/openapi.yaml) and the terminal endpoints behind mTLS.

#include <nlohmann/json.hpp>

#include "ca/issue_queue.h"
#include "ca/server_key_issuance.h"
#include "cmd/api_util.h"
#include "cmd/routes.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "web/json_util.h"

namespace claimsca::cmd {
namespace {

using nlohmann::json;

web::Response JsonError(const Status& s) { return web::Response::FromStatus(s); }

web::Response Unauthorized() {
  auto r = web::Response::Error(401, "unauthorized", "a valid operator token is required");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

json RecordJson(const store::CertificateRecord& r) {
  json j = {{"serial", r.serial},
            {"issuer_id", r.issuer_id},
            {"program", r.program},
            {"institution_code", r.institution_code},
            {"common_name", r.common_name},
            {"terminal_name", r.terminal_name},
            {"key_algorithm", r.key_algorithm},
            {"state", std::string(store::CertStateName(r.state))},
            {"not_before", FormatJst(r.not_before)},
            {"not_after", FormatJst(r.not_after)}};
  if (r.revoked_at) {
    j["revoked_at"] = FormatJst(*r.revoked_at);
    j["revocation_reason"] = r.revocation_reason;
  }
  return j;
}

web::Counter& IssuedCounter(web::Metrics& m, const char* method) {
  return m.GetCounter("claimsca_certificates_issued_total", "certificates issued by this process",
                      {{"method", method}});
}

// The body of POST /api/v1/certificates.
struct IssueBody {
  ca::IssueRequest issue;
  std::string csr;  // empty: a server-made key
  std::string key_algorithm;
  std::string pkcs12_mode;
};

Result<IssueBody> ParseIssueBody(const web::Request& req) {
  ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  auto program = StringField(body, "program", false, "common");
  auto code = StringField(body, "code", true);
  auto terminal = StringField(body, "terminal_name", true);
  auto csr = StringField(body, "csr", false);
  auto alg = StringField(body, "key_algorithm", false);
  auto mode = StringField(body, "pkcs12_mode", false, "modern");
  for (const auto* f : {&program, &code, &terminal, &csr, &alg, &mode}) {
    if (!f->ok()) return f->status();
  }
  // Only an absent (or null) csr asks for a server-made key: an empty or blank one is the
  // caller's mistake (a file that was not read), refused rather than answered with a key.
  if (csr->find_first_not_of(" \t\r\n") == std::string::npos && body.contains("csr") &&
      !body["csr"].is_null()) {
    return InvalidArgument("csr: empty; omit the field for a server-made key");
  }
  return IssueBody{{*program, *code, *terminal}, *csr, *alg, *mode};
}

web::Response IssuedFromCsr(web::Metrics& metrics, const Result<ca::IssuedCertificate>& issued) {
  if (!issued.ok()) return JsonError(issued.status());
  IssuedCounter(metrics, "csr").Inc();
  // Written directly (nlohmann's serializer cost ~1% of an issuance): every value is ASCII
  // made here (hex serial, digits, ISO 8601 times, PEM), in nlohmann's key order.
  const std::string pem = crypto::CertDerToPem(issued->cert_der);
  const std::string not_after = FormatJst(issued->not_after);
  const std::string not_before = FormatJst(issued->not_before);
  std::string out;
  out.reserve(pem.size() + 256);
  const std::pair<const char*, std::string_view> fields[] = {
      {"{\"certificate_pem\":", pem},
      {",\"common_name\":", issued->common_name},
      {",\"not_after\":", not_after},
      {",\"not_before\":", not_before},
      {",\"serial\":", issued->serial}};
  for (const auto& [key, value] : fields) {
    out += key;
    web::AppendJsonString(out, value);
  }
  out += '}';
  return web::Response::Json(std::move(out), 201);
}

web::Response IssueWithServerKey(App& app, web::Metrics& metrics, const IssueBody& body) {
  if (body.pkcs12_mode != "modern" && body.pkcs12_mode != "legacy") {
    return JsonError(InvalidArgument("pkcs12_mode: modern or legacy"));
  }
  ca::ServerKeyRequest sk;
  sk.issue = body.issue;
  sk.key_algorithm = body.key_algorithm;
  sk.mode = body.pkcs12_mode == "legacy" ? crypto::P12Mode::kLegacy : crypto::P12Mode::kModern;
  auto issuer = app.IssuerFor(body.issue.program);  // the program's issuing CA
  if (!issuer.ok()) return JsonError(issuer.status());
  auto issued = ca::IssueWithServerKey(**issuer, *app.key_pool, app.programs,
                                       app.ChainFor(body.issue.program), sk);
  if (!issued.ok()) return JsonError(issued.status());
  IssuedCounter(metrics, "server_key").Inc();
  json j = {{"serial", issued->certificate.serial},
            {"common_name", issued->certificate.common_name},
            {"not_before", FormatJst(issued->certificate.not_before)},
            {"not_after", FormatJst(issued->certificate.not_after)},
            {"pkcs12_base64", crypto::Base64Encode(issued->pkcs12_der)},
            {"password", issued->password}};
  auto r = web::Response::Json(j.dump(), 201);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// On the I/O thread: the body is checked here; a CSR goes to the issuance queue (batched
// with the others waiting, answered when its batch is stored), a server-made key to the
// worker pool (taking a key from the pool, or making one, may take a while).
void Issue(App& app, ca::IssueQueue* queue, web::Metrics& metrics, const web::Request& req,
           const web::Reply& reply) {
  auto body = ParseIssueBody(req);
  if (!body.ok()) return reply.Send(JsonError(body.status()));
  if (body->csr.empty()) {
    return reply.Offload([&app, &metrics, body = std::move(*body)] {
      return IssueWithServerKey(app, metrics, body);
    });
  }
  auto issuer = app.IssuerFor(body->issue.program);
  if (!issuer.ok()) return reply.Send(JsonError(issuer.status()));
  // The queue batches the deployment's issuing CA; a program's own CA signs one at a time.
  if (queue == nullptr || *issuer != app.issuer.get()) {
    return reply.Offload([&metrics, issuer = *issuer, body = std::move(*body)] {
      return IssuedFromCsr(metrics, issuer->IssueFromCsr(body.issue, body.csr));
    });
  }
  queue->Submit(std::move(body->issue), std::move(body->csr),
                [reply, &metrics](Result<ca::IssuedCertificate> issued) {
                  reply.Send(IssuedFromCsr(metrics, issued));
                });
}

// /api/v1/certificates/<serial>[/revoke]
web::Response Certificate(App& app, web::Metrics& metrics, const web::Request& req) {
  std::string_view rest = std::string_view(req.path).substr(strlen("/api/v1/certificates/"));
  bool revoke = false;
  if (rest.ends_with("/revoke")) {
    revoke = true;
    rest.remove_suffix(7);
  }
  auto serial = crypto::CanonicalSerialHex(rest);
  if (!serial.ok()) return JsonError(serial.status().WithContext("serial"));
  if (!revoke) {
    if (req.method != "GET" && req.method != "HEAD") {
      return web::Response::Error(405, "method_not_allowed", "use GET");
    }
    auto record = app.store->GetCertificate(*serial);
    if (!record.ok()) return JsonError(record.status());
    return web::Response::Json(RecordJson(*record).dump());
  }
  if (req.method != "POST") return web::Response::Error(405, "method_not_allowed", "use POST");
  auto body = ParseJsonBody(req);
  if (!body.ok()) return JsonError(body.status());
  auto reason_name = StringField(*body, "reason", false, "unspecified");
  auto invalidity = StringField(*body, "invalidity_date", false);
  if (!reason_name.ok()) return JsonError(reason_name.status());
  if (!invalidity.ok()) return JsonError(invalidity.status());
  auto reason = ParseRevocationReason(*reason_name);
  if (!reason.ok()) return JsonError(reason.status());
  std::optional<Instant> invalid_at;
  if (!invalidity->empty()) {
    auto t = ParseInstant(*invalidity);
    if (!t.ok()) return JsonError(t.status().WithContext("invalidity_date"));
    invalid_at = *t;
  }
  // Through the RA: a certificate of an application revokes the application too; audited.
  auto items = app.ra->RevokeSerials(OperatorCaller("api-token"), {*serial}, *reason, invalid_at);
  if (!items.ok()) return JsonError(items.status());
  if (!items->front().status.ok()) return JsonError(items->front().status);
  metrics.GetCounter("claimsca_certificates_revoked_total", "revocations by this process").Inc();
  auto record = app.store->GetCertificate(*serial);
  if (!record.ok()) return JsonError(record.status());
  return web::Response::Json(RecordJson(*record).dump());
}

}  // namespace

void AddApiRoutes(web::Router& router, RouteDeps deps) {
  App& app = deps.app;
  web::Metrics& metrics = deps.metrics;
  auto token = ReadSecret(app.config.Path(app.config.api_token_file));
  std::string token_hash = token.ok() ? *token : "";
  auto guard = [token_hash](auto handler) {
    return [token_hash, handler](const web::Request& req) {
      if (!HasOperatorToken(req, token_hash)) return Unauthorized();
      return handler(req);
    };
  };
  web::RouteOptions slow{.slow = true};
  router.HandleAsync("POST", "/api/v1/certificates", false,
                     [token_hash, &app, queue = deps.issue_queue, &metrics](const web::Request& r,
                                                                            web::Reply reply) {
                       if (!HasOperatorToken(r, token_hash)) return reply.Send(Unauthorized());
                       Issue(app, queue, metrics, r, reply);
                     });
  for (const char* method : {"GET", "POST"}) {
    router.Handle(
        method, "/api/v1/certificates/", true,
        guard([&app, &metrics](const web::Request& r) { return Certificate(app, metrics, r); }),
        slow);
  }
}

void AddTerminalRoutes(web::Router& router, RouteDeps deps) {
  App& app = deps.app;
  // The certificate the terminal presented (mTLS listener only), as we know it.
  router.Handle("GET", "/terminal/certificate", false,
                [&app](const web::Request& req) {
                  auto record = PresentedCertificate(*app.store, req);
                  if (!record.ok()) return JsonError(record.status());
                  return web::Response::Json(RecordJson(*record).dump());
                },
                {.slow = true});
}

}  // namespace claimsca::cmd
