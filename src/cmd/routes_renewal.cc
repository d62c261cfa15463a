// The terminal side (docs/renewal-and-cmp.md): renewal over HTTPS with the current
// certificate (mTLS listener only) — the terminal presents the certificate it holds and
// gets the renewed one, for its own key (a CSR) or for a server-made key delivered as
// PKCS#12 under a password the user sets in the request — and CMP over HTTP (POST /cmp,
// application/pkixcmp, on every listener: CMP messages protect themselves).

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "cmd/api_util.h"
#include "cmd/routes.h"
#include "cmp/cmp_server.h"
#include "common/iso_date.h"
#include "common/time_util.h"
#include "crypto/ossl.h"
#include "ra/registration_authority.h"

namespace claimsca::cmd {
namespace {

using nlohmann::json;

web::Response Renew(App& app, const web::Request& req) {
  auto presented = PresentedCertificate(*app.store, req);
  if (!presented.ok()) return web::Response::FromStatus(presented.status());
  const std::string* serial = &presented->serial;
  auto body = ParseJsonBody(req);
  if (!body.ok()) return web::Response::FromStatus(body.status());
  auto csr = StringField(*body, "csr", false);
  auto password = StringField(*body, "pkcs12_password", false);
  for (const auto* f : {&csr, &password}) {
    if (!f->ok()) return web::Response::FromStatus(f->status());
  }
  ra::RenewalRequest r;
  r.serial = *serial;
  r.csr = *csr;
  r.pkcs12_password = *password;
  OPENSSL_cleanse(password->data(), password->size());
  if (body->contains("continue_from_end")) {
    const json& v = (*body)["continue_from_end"];
    if (!v.is_boolean()) {
      return web::Response::FromStatus(InvalidArgument("continue_from_end: true or false"));
    }
    r.continue_from_end = v.get<bool>();
  }
  r.client = "https:" + req.remote_addr;
  auto renewed = app.ra->Renew(r);
  OPENSSL_cleanse(r.pkcs12_password.data(), r.pkcs12_password.size());
  if (!renewed.ok()) return web::Response::FromStatus(renewed.status());
  json j = {{"request_id", renewed->application.request_id},
            {"previous_serial", *serial},
            {"serial", renewed->certificate.serial},
            {"common_name", renewed->certificate.common_name},
            {"not_before", FormatJst(renewed->certificate.not_before)},
            {"not_after", FormatJst(renewed->certificate.not_after)},
            {"fee_yen", renewed->charge.total_yen},
            {"certificate", crypto::CertDerToPem(renewed->certificate.cert_der)}};
  if (!renewed->pkcs12_der.empty()) j["pkcs12"] = crypto::Base64Encode(renewed->pkcs12_der);
  return web::Response::Json(j.dump(), 201);
}

// When the presented certificate ends and when its renewal opens.
web::Response RenewalInfo(App& app, const web::Request& req) {
  auto cert = PresentedCertificate(*app.store, req);
  if (!cert.ok()) return web::Response::FromStatus(cert.status());
  const std::string* serial = &cert->serial;
  auto a = app.ra->ApplicationOfCertificate(*serial);
  if (!a.ok()) return web::Response::FromStatus(a.status());
  auto program = app.programs.Find(a->program);
  if (!program.ok()) return web::Response::FromStatus(program.status());
  const ra::RenewalWindow w = ra::RenewalWindowOf(**program, cert->not_after);
  const Instant now = app.clock->Now();
  const bool current = a->serial == *serial;
  json j = {{"request_id", a->request_id},
            {"serial", *serial},
            {"current", current},
            {"not_after", FormatJst(cert->not_after)},
            {"renewal_opens", FormatJst(w.opens)},
            {"renewal_open", current && now >= w.opens && now < w.closes},
            {"start_choice", (*program)->renewal_start_choice}};
  return web::Response::Json(j.dump());
}

}  // namespace

void AddRenewalRoutes(web::Router& router, RouteDeps deps) {
  App& app = deps.app;
  if (app.ca.issuing_signer != nullptr && app.ca.cmp_signer != nullptr) {
    cmp::CmpServerOptions o;
    web::Logger* logger = app.logger.get();
    o.log = [logger](std::string_view event,
                     const std::vector<std::pair<std::string, std::string>>& fields) {
      json j = json::object();
      for (const auto& [k, v] : fields) j[k] = v;
      logger->Event(event, j);
    };
    auto server = std::make_shared<cmp::CmpServer>(*app.ra, *app.store, app.ca.issuing.get(),
                                                   app.ca.root.get(), app.ca.cmp.get(),
                                                   *app.ca.cmp_signer, *app.clock, std::move(o));
    auto handle = [server](const web::Request& req) {
      if (req.Header("Content-Type") != "application/pkixcmp") {
        return web::Response::Error(415, "unsupported_media_type",
                                    "Content-Type must be application/pkixcmp");
      }
      auto rsp = server->Handle(req.body, req.remote_addr);
      if (!rsp.ok()) return web::Response::FromStatus(rsp.status());
      return web::Response::Bytes("application/pkixcmp", std::move(*rsp));
    };
    router.Handle("POST", "/cmp", false, handle, {.slow = true});
    router.Handle("POST", "/.well-known/cmp", false, handle, {.slow = true});
  }
  router.Handle("POST", "/terminal/renew", false,
                [&app](const web::Request& req) { return Renew(app, req); }, {.slow = true});
  router.Handle("GET", "/terminal/renewal", false,
                [&app](const web::Request& req) { return RenewalInfo(app, req); }, {.slow = true});
}

}  // namespace claimsca::cmd
