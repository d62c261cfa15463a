// The terminal site (docs/portal.md, "Terminal site"; DOMAIN.md §5, §6): reached over the
// mTLS listener with the terminal's client certificate, it shows that certificate, its end
// date and renewal, and lets the holder renew it (更新, through RegistrationAuthority::Renew:
// the agent's and CMP's path, with its charge, retry rule and audit) or revoke it. The
// listener has already refused certificates that are not ours, unknown, revoked or expired;
// `presented` maps the request to the stored certificate.

#include <openssl/crypto.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "crypto/csr.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

// The reasons an applicant may give (RA ApplicantMayGive), in the words of DOMAIN.md §6.
const std::pair<int, const char*> kReasons[] = {
    {0, "その他（理由を特定しない）"},
    {1, "電子証明書・発行通知書・端末の盗難や紛失（鍵の危殆化）"},
    {5, "端末の廃棄・利用の終了"},
    {3, "医療機関等の廃止・移転など"},
    {4, "新しい電子証明書に切り替えた"},
};

// The password of a server-made key's file: shown once on the page, never stored.
constexpr int kRenewalPasswordLength = 16;

// "3年3か月" for 39.
std::string MonthsJa(int months) {
  std::string out;
  if (months >= 12) out += std::to_string(months / 12) + "年";
  if (months % 12 != 0) out += std::to_string(months % 12) + "か月";
  return out;
}

// The renewal form's fields, from a urlencoded body or (the CSR file) multipart.
struct RenewalForm {
  std::string csrf, method, csr, confirmed;

  static RenewalForm Parse(const web::Request& req) {
    RenewalForm r;
    auto parts = ParseMultipart(req.Header("Content-Type"), req.body);
    if (parts) {
      auto get = [&](std::string_view n) { return MultipartPart(parts, n); };
      r = {get("csrf"), get("method"), get("csr"), get("confirmed")};
      if (std::string file = get("csr_file"); !file.empty()) r.csr = std::move(file);
    } else {
      FormData f = FormData::Parse(req.body);
      r = {f.Get("csrf"), f.Get("method"), f.Get("csr"), f.Get("confirmed")};
    }
    return r;
  }
};

class TerminalPage {
 public:
  TerminalPage(const PortalDeps& deps, std::shared_ptr<OneTimeFiles> files)
      : ra_(deps.ra),
        apps_(*deps.applications),
        renewal_(deps.renewal),
        presented_(deps.presented_certificate),
        files_(std::move(files)),
        root_sha1_(crypto::Thumbprint(deps.root_cert_der, EVP_sha1())),
        root_sha256_(crypto::Thumbprint(deps.root_cert_der, EVP_sha256())) {}

  web::Response Show(const web::Request& req) {
    auto cert = presented_(req);
    if (!cert.ok()) return NoCertificate(cert.status());
    // Its first use over mTLS confirms a renewed certificate (docs/renewal-and-cmp.md).
    (void)ra_.ConfirmRenewal(cert->serial, "terminal-page:" + req.remote_addr);
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    return SetAnonCookie(Page("terminal", Data(*cert, csrf, 0), nullptr), req, csrf, fresh);
  }

  web::Response Revoke(const web::Request& req) {
    auto cert = presented_(req);
    if (!cert.ok()) return NoCertificate(cert.status());
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    int reason = -1;
    for (const auto& [code, label] : kReasons) {
      if (f.Get("reason") == std::to_string(code)) reason = code;
    }
    json data = Data(*cert, f.Get("csrf"), std::max(reason, 0));
    if (reason < 0) {
      data["error"] = "失効の理由を選んでください。";
      return Page("terminal", data, nullptr, 422);
    }
    if (f.Get("confirmed") != "1") return Page("terminal_confirm", data, nullptr);
    Status st = ra_.RevokeAsHolder(cert->serial, reason);
    if (!st.ok()) {
      data["error"] = st.code() == Code::kFailedPrecondition || st.code() == Code::kNotFound
                          ? "この電子証明書は、いまは失効できません（すでに失効しているか、申請が"
                            "見つかりません）。"
                          : "ただいま失効できません。しばらくしてから、もう一度お試しください。";
      return Page("terminal", data, nullptr, st.code() == Code::kFailedPrecondition ? 409 : 503);
    }
    // Shown at once: the next connection with this certificate is refused by the listener.
    data = Data(*cert, f.Get("csrf"), reason);
    data["done"] = true;
    data["can_revoke"] = false;
    data.erase("renewal");
    return Page("terminal", data, nullptr);
  }

  // POST /terminal/update: the choice (server-made key or the terminal's CSR), then the
  // confirmation with the fee (confirmed=0), then the renewal itself (confirmed=1).
  web::Response Update(const web::Request& req) {
    auto cert = presented_(req);
    if (!cert.ok()) return NoCertificate(cert.status());
    RenewalForm f = RenewalForm::Parse(req);
    if (!AnonCsrfOk(req, f.csrf)) return CsrfRefused(nullptr);
    json data = Data(*cert, f.csrf, 0);
    auto refuse = [&](int status, std::string message, const char* field = nullptr) {
      if (field != nullptr) {
        data[field] = std::move(message);
      } else {
        data["error"] = std::move(message);
      }
      data["method_csr"] = f.method == "csr";
      data["csr"] = f.csr;
      return Page("terminal", data, nullptr, status);
    };
    if (!data.contains("renewal") || !data["renewal"].value("open", false)) {
      return refuse(409,
                    "この電子証明書は、いまは更新できません（下の「証明書の更新」をご覧くだ"
                    "さい）。");
    }
    if (f.method != "server" && f.method != "csr") {
      return refuse(422, "更新の方法を選んでください。", "method_error");
    }
    if (f.method == "csr") {
      if (f.csr.empty()) {
        return refuse(422, "証明書要求（CSR）を貼り付けるか、ファイルを選んでください。",
                      "csr_error");
      }
      if (!crypto::ParseCsr(f.csr).ok()) {
        return refuse(422,
                      "証明書要求（CSR）として読めません。「-----BEGIN CERTIFICATE "
                      "REQUEST-----」から「-----END CERTIFICATE REQUEST-----」までを、そのまま貼り"
                      "付けてください。",
                      "csr_error");
      }
    }
    data["method"] = f.method;
    data["method_csr"] = f.method == "csr";
    data["csr"] = f.csr;
    if (f.confirmed != "1") return Page("terminal_renew_confirm", data, nullptr);
    return Renew(req, *cert, f, std::move(data));
  }

  web::Response File(const web::Request& req) {
    auto cert = presented_(req);
    if (!cert.ok()) return NoCertificate(cert.status());
    return ServeOneTimeFile(*files_, req, "/terminal/", "この端末の電子証明書の画面へ");
  }

 private:
  web::Response Renew(const web::Request& req, const store::CertificateRecord& cert,
                      const RenewalForm& f, json data) {
    ra::RenewalRequest r;
    r.serial = cert.serial;
    r.client = "terminal-page:" + req.remote_addr;
    std::string password;
    if (f.method == "csr") {
      r.csr = f.csr;
    } else {
      auto pw = crypto::RandomPassword(kRenewalPasswordLength);
      if (!pw.ok()) return Unavailable(data);
      password = std::move(*pw);
      r.pkcs12_password = password;
    }
    auto renewed = ra_.Renew(r);
    OPENSSL_cleanse(r.pkcs12_password.data(), r.pkcs12_password.size());
    if (!renewed.ok()) {
      OPENSSL_cleanse(password.data(), password.size());
      const Status& st = renewed.status();
      if (st.code() == Code::kBadCsr || st.code() == Code::kInvalidArgument) {
        data["csr_error"] =
            "この証明書要求（CSR）では更新できません（署名が正しくないか、鍵の種類・長さが使えま"
            "せん）。端末で作り直してください。";
        data["method_csr"] = true;
        return Page("terminal", data, nullptr, 422);
      }
      if (st.code() == Code::kFailedPrecondition) {
        data["error"] =
            "この電子証明書は、いまは更新できません（すでに更新済みか、更新できる期間"
            "ではありません）。画面を開き直して、表示をご確認ください。";
        return Page("terminal", data, nullptr, 409);
      }
      return Unavailable(data);
    }
    const std::string& id = renewed->application.request_id;
    OneTimeFile file;
    if (f.method == "csr") {
      file = {id + ".cer", "application/pkix-cert", renewed->certificate.cert_der};
    } else {
      file = {id + ".p12", "application/x-pkcs12", std::move(renewed->pkcs12_der)};
    }
    const std::string name = file.filename;
    const Result<std::string> token = files_->Put(OneTimeOwner(req), std::move(file));
    json done = {{"title", "電子証明書を更新しました"},
                 {"request_id", id},
                 {"serial", renewed->certificate.serial},
                 {"not_before", Day(renewed->certificate.not_before)},
                 {"not_after", Day(renewed->certificate.not_after)},
                 {"old_not_after", Day(cert.not_after)},
                 {"fee", GroupDigits(renewed->charge.total_yen)},
                 {"file_name", name},
                 {"file_href", token.ok() ? "/terminal/file?t=" + *token : ""},
                 {"method_csr", f.method == "csr"},
                 {"password", password},
                 {"password_hint", "この画面に表示したパスワード"},
                 {"sha1", root_sha1_},
                 {"sha256", root_sha256_}};
    OPENSSL_cleanse(password.data(), password.size());
    return Page("terminal_renewed", done, nullptr, 201);
  }

  json Data(const store::CertificateRecord& c, const std::string& csrf, int reason) {
    json data = {{"title", "この端末の電子証明書"},
                 {"form_csrf", csrf},
                 {"serial", c.serial},
                 {"request_id", c.request_id},
                 {"not_before", Minute(c.not_before)},
                 {"not_after", Minute(c.not_after)},
                 {"end_day", Day(c.not_after)},
                 {"reason", std::to_string(reason)}};
    auto a = c.request_id.empty() ? Result<store::ApplicationRecord>(NotFound("none"))
                                  : apps_.GetApplication(c.request_id);
    if (a.ok() && a->serial == c.serial) {
      data["institution_code"] = a->institution_code;
      data["institution_name"] = a->institution_name;
      data["terminal_name"] = a->terminal_name;
      data["state"] = std::string(ra::StateLabelJa(a->state));
      data["can_revoke"] = a->state == store::ApplicationState::kIssued;
    } else if (a.ok()) {  // renewed away: the application holds a newer certificate
      data["institution_code"] = a->institution_code;
      data["institution_name"] = a->institution_name;
      data["terminal_name"] = a->terminal_name;
      data["state"] = "更新済み（新しい電子証明書に切り替わりました）";
      data["can_revoke"] = false;
    } else {
      data["state"] = "（申請の記録がありません）";
      data["can_revoke"] = false;
    }
    if (renewal_ != nullptr) {
      if (auto s = renewal_->Of(c.serial); s.ok()) data["renewal"] = RenewalData(*s);
    }
    json reasons = json::array();
    for (const auto& [code, label] : kReasons) {
      reasons.push_back(
          {{"value", std::to_string(code)}, {"label", label}, {"selected", code == reason}});
    }
    data["reasons"] = reasons;
    return data;
  }

  // The renewal section: open (with the fee), not yet open (from which day), or renewed.
  static json RenewalData(const ra::RenewalStatus& s) {
    json r = {{"open", s.open},
              {"opens_on", Day(s.window.opens)},
              {"closes_on", Day(s.window.closes)},
              {"retry", s.retry},
              {"not_yet", s.before_window},
              {"renewed_away", !s.current},
              {"validity", MonthsJa(s.validity_months)}};
    if (!s.current) r["renewed_to"] = s.application.serial;
    if (s.fee) {
      r["fee"] = GroupDigits(s.fee->total_yen);
    } else {
      r["open"] = false;  // no tariff entry for today: the engine would refuse
      r["no_fee"] = true;
    }
    return r;
  }

  static web::Response Unavailable(json data) {
    data["error"] = "ただいま更新できません。しばらくしてから、もう一度お試しください。";
    return Page("terminal", data, nullptr, 503);
  }

  static web::Response NoCertificate(const Status& st) {
    if (st.code() == Code::kForbidden) {
      return Message(nullptr, 403, "この画面は利用できません",
                     "この画面は、電子証明書をインストールした端末から、この端末用のアドレスに接続"
                     "したときだけ使えます。端末がない場合は、ログインして申請状況照会から失効する"
                     "か、認証局の窓口にお問い合わせください。");
    }
    return Message(nullptr, st.code() == Code::kNotFound ? 404 : 503, "電子証明書が見つかりません",
                   "接続に使った電子証明書の記録が見つかりません。認証局の窓口にお問い合わせくださ"
                   "い。");
  }

  ra::RegistrationAuthority& ra_;
  store::ApplicationStore& apps_;
  const ra::RenewalStatusReader* renewal_;
  std::function<Result<store::CertificateRecord>(const web::Request&)> presented_;
  std::shared_ptr<OneTimeFiles> files_;
  std::string root_sha1_;
  std::string root_sha256_;
};

}  // namespace

void AddTerminalPageRoutes(web::Router& router, const PortalDeps& deps,
                           std::shared_ptr<OneTimeFiles> files) {
  auto page = std::make_shared<TerminalPage>(deps, std::move(files));
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", "/terminal/", false, [page](const web::Request& r) { return page->Show(r); }, slow);
  router.Handle(
      "POST", "/terminal/revoke", false, [page](const web::Request& r) { return page->Revoke(r); },
      slow);
  router.Handle(
      "POST", "/terminal/update", false, [page](const web::Request& r) { return page->Update(r); },
      slow);
  router.Handle(
      "GET", "/terminal/file", false, [page](const web::Request& r) { return page->File(r); },
      slow);
}

}  // namespace claimsca::portal
