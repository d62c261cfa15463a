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
#include "domain/tariff.h"
#include "ra/registration_authority.h"
#include "ra/renewal_status.h"

namespace claimsca::cmd {
namespace {

using nlohmann::json;

std::string Yen(int64_t v) {
  std::string digits = std::to_string(v);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

// Every refusal of a terminal request is one JSON log line (event "renewal_refused") with
// the rule name the message starts with, then the answer.
web::Response Refuse(App& app, const web::Request& req, std::string_view serial, const Status& st) {
  const std::string& m = st.message();
  const size_t colon = m.find(':');
  const std::string rule = colon != std::string::npos && m.find(' ') > colon
                               ? m.substr(0, colon)
                               : std::string(CodeName(st.code()));
  app.logger->Event("renewal_refused", {{"path", req.path},
                                        {"remote", req.remote_addr},
                                        {"serial", std::string(serial)},
                                        {"rule", rule},
                                        {"why", m}});
  return web::Response::FromStatus(st);
}

web::Response Renew(App& app, const web::Request& req) {
  auto presented = PresentedCertificate(*app.store, req);
  if (!presented.ok()) return Refuse(app, req, "", presented.status());
  const std::string* serial = &presented->serial;
  auto body = ParseJsonBody(req);
  if (!body.ok()) return Refuse(app, req, *serial, body.status());
  auto csr = StringField(*body, "csr", false);
  auto password = StringField(*body, "pkcs12_password", false);
  for (const auto* f : {&csr, &password}) {
    if (!f->ok()) return Refuse(app, req, *serial, f->status());
  }
  ra::RenewalRequest r;
  r.serial = *serial;
  r.csr = *csr;
  r.pkcs12_password = *password;
  OPENSSL_cleanse(password->data(), password->size());
  if (body->contains("continue_from_end")) {
    const json& v = (*body)["continue_from_end"];
    if (!v.is_boolean()) {
      return Refuse(app, req, *serial, InvalidArgument("continue_from_end: true or false"));
    }
    r.continue_from_end = v.get<bool>();
  }
  r.client = "https:" + req.remote_addr;
  auto renewed = app.ra->Renew(r);
  OPENSSL_cleanse(r.pkcs12_password.data(), r.pkcs12_password.size());
  if (!renewed.ok()) return Refuse(app, req, *serial, renewed.status());
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

// When the presented certificate ends and when its renewal opens. A request made with a
// renewed certificate confirms it (docs/renewal-and-cmp.md, "A lost answer").
web::Response RenewalInfo(App& app, const web::Request& req) {
  auto cert = PresentedCertificate(*app.store, req);
  if (!cert.ok()) return Refuse(app, req, "", cert.status());
  const std::string* serial = &cert->serial;
  if (Status st = app.ra->ConfirmRenewal(*serial, "mtls:" + req.remote_addr); !st.ok()) {
    return Refuse(app, req, *serial, st);
  }
  if (!app.tariff) return Refuse(app, req, *serial, Unavailable("no tariff loaded"));
  auto s = ra::RenewalStatusReader(*app.ra, *app.store, app.programs, *app.tariff, *app.clock)
               .Of(*serial);
  if (!s.ok()) return Refuse(app, req, *serial, s.status());
  json j = {{"request_id", s->application.request_id},
            {"serial", *serial},
            {"current", s->current},
            {"not_after", FormatJst(cert->not_after)},
            {"renewal_opens", FormatJst(s->window.opens)},
            {"renewal_open", s->open},
            {"start_choice", s->start_choice}};
  if (s->application.serial != *serial) j["renewed_to"] = s->application.serial;
  if (s->retry) j["renewed_to_unconfirmed"] = true;
  return web::Response::Json(j.dump());
}

}  // namespace

std::optional<web::Response> ExplainRefusedTerminal(App& app, const std::string& der) {
  auto cert = crypto::CertFromDer(der);
  if (!cert.ok()) return std::nullopt;
  const std::string serial = crypto::SerialHex(X509_get0_serialNumber(cert->get()));
  auto record = app.store->GetCertificate(serial);
  if (!record.ok() || record->state != store::CertState::kIssued) return std::nullopt;
  const Instant now = app.clock->Now();
  std::string rule;
  std::string text;
  if (record->revoked_at) {
    rule = "revoked";
    text = "この電子証明書（シリアル番号 " + serial + "）は " +
           IsoDate(JstDate(*record->revoked_at)) +
           " に失効しています。失効した証明書では接続も更新もできません。"
           "この端末で引き続き利用するには、新しく発行申請を行ってください（発行手数料と郵送料が"
           "かかり、発行通知書が郵送されます）。";
  } else if (record->not_after <= now) {
    rule = "expired";
    std::string cost = "発行手数料と郵送料";
    if (app.tariff) {
      auto fee = domain::QuoteFee(*app.tariff, record->program, JstDate(now),
                                  domain::FeeKind::kReapplication);
      if (fee.ok()) {
        cost = Yen(fee->total_yen) + " 円（発行手数料 " + Yen(fee->issuance_yen) + " 円 + 郵送料 " +
               Yen(fee->mailing_yen) + " 円）";
      }
    }
    text = "この電子証明書（シリアル番号 " + serial + "）は " +
           IsoDate(JstDate(record->not_after)) +
           " に有効期限が切れています。期限切れ後の更新はできません。"
           "新しく発行申請を行ってください: " +
           cost + "、発行通知書は郵送されます。";
  } else {
    return std::nullopt;  // unknown to the application, ... : the handshake fails as before
  }
  // The error body as Response::Error shapes it, but with the Japanese kept as UTF-8
  // (web::AppendJsonString escapes every byte above 0x7f on its own).
  const json body = {{"error", {{"code", rule}, {"message", text}}}};
  return web::Response::Json(body.dump(-1, ' ', false, json::error_handler_t::replace), 409);
}

void AddRenewalRoutes(web::Router& router, RouteDeps deps) {
  App& app = deps.app;
  if (app.ca.issuing_signer != nullptr && app.ca.cmp_signer != nullptr && app.sealer) {
    cmp::CmpServerOptions o;
    web::Logger* logger = app.logger.get();
    o.log = [logger](std::string_view event,
                     const std::vector<std::pair<std::string, std::string>>& fields) {
      json j = json::object();
      for (const auto& [k, v] : fields) j[k] = v;
      logger->Event(event, j);
    };
    // The transactions of every node on this database (migration 099).
    auto transactions = std::make_shared<cmp::SqlTransactionStore>(*app.store);
    auto server = std::make_shared<cmp::CmpServer>(
        *app.ra, *app.store, *transactions, *app.sealer, app.ca.issuing.get(), app.ca.root.get(),
        app.ca.cmp.get(), *app.ca.cmp_signer, *app.clock, std::move(o));
    auto handle = [server, transactions](const web::Request& req) {
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
