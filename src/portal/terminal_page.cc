// The terminal's revocation page (docs/portal.md, DOMAIN.md §6): reached over the mTLS
// listener with the terminal's client certificate, it shows that certificate and lets
// the holder revoke it. The listener has already refused certificates that are not ours,
// unknown, revoked or expired; `presented` maps the request to the stored certificate.

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

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

class TerminalPage {
 public:
  TerminalPage(ra::RegistrationAuthority& ra, store::ApplicationStore& apps,
               std::function<Result<store::CertificateRecord>(const web::Request&)> presented)
      : ra_(ra), apps_(apps), presented_(std::move(presented)) {}

  web::Response Show(const web::Request& req) {
    auto cert = presented_(req);
    if (!cert.ok()) return NoCertificate(cert.status());
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
    return Page("terminal", data, nullptr);
  }

 private:
  json Data(const store::CertificateRecord& c, const std::string& csrf, int reason) {
    json data = {{"title", "この端末の電子証明書"},
                 {"form_csrf", csrf},
                 {"serial", c.serial},
                 {"request_id", c.request_id},
                 {"not_before", Minute(c.not_before)},
                 {"not_after", Minute(c.not_after)},
                 {"reason", std::to_string(reason)}};
    auto a = c.request_id.empty() ? Result<store::ApplicationRecord>(NotFound("none"))
                                  : apps_.GetApplication(c.request_id);
    if (a.ok() && a->serial == c.serial) {
      data["institution_code"] = a->institution_code;
      data["institution_name"] = a->institution_name;
      data["terminal_name"] = a->terminal_name;
      data["state"] = std::string(ra::StateLabelJa(a->state));
      data["can_revoke"] = a->state == store::ApplicationState::kIssued;
    } else {
      data["state"] = "（申請の記録がありません）";
      data["can_revoke"] = false;
    }
    json reasons = json::array();
    for (const auto& [code, label] : kReasons) {
      reasons.push_back(
          {{"value", std::to_string(code)}, {"label", label}, {"selected", code == reason}});
    }
    data["reasons"] = reasons;
    return data;
  }

  static web::Response NoCertificate(const Status& st) {
    if (st.code() == Code::kForbidden) {
      return Message(nullptr, 403, "この画面は利用できません",
                     "この画面は、電子証明書をインストールした端末から、失効用のアドレスに接続し"
                     "たときだけ使えます。端末がない場合は、ログインして申請状況照会から失効する"
                     "か、認証局の窓口にお問い合わせください。");
    }
    return Message(nullptr, st.code() == Code::kNotFound ? 404 : 503, "電子証明書が見つかりません",
                   "接続に使った電子証明書の記録が見つかりません。認証局の窓口にお問い合わせくださ"
                   "い。");
  }

  ra::RegistrationAuthority& ra_;
  store::ApplicationStore& apps_;
  std::function<Result<store::CertificateRecord>(const web::Request&)> presented_;
};

}  // namespace

void AddTerminalPageRoutes(
    web::Router& router, ra::RegistrationAuthority& ra, store::ApplicationStore& apps,
    std::function<Result<store::CertificateRecord>(const web::Request&)> presented) {
  auto page = std::make_shared<TerminalPage>(ra, apps, std::move(presented));
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", "/terminal/", false, [page](const web::Request& r) { return page->Show(r); }, slow);
  router.Handle(
      "POST", "/terminal/revoke", false, [page](const web::Request& r) { return page->Revoke(r); },
      slow);
}

}  // namespace claimsca::portal
