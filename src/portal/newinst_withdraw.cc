// 指定なし (docs/newinst.md "Not designated"; docs/portal.md): the clinic reports that
// designation did not happen, or an operator does it for the clinic, naming the 仮コード or
// the 受付番号; one confirmation, then everything on the provisional numbers is withdrawn
// (PortalDeps::newinst_withdraw, wired in cmd to newinst::Withdrawal). Who may is decided
// there (auth::Allows: newinst_present on own codes, newinst_manage); a code that is not
// the caller's is 404, as if it did not exist.
//   GET  /portal/newinst/withdraw?code=…   the question (clinic)
//   POST /portal/newinst/withdraw          code, csrf, confirmed=1
//   GET  /console/newinst/withdraw?code=…  the same for operators
//   POST /console/newinst/withdraw

#include <memory>
#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

bool TenDigits(const std::string& code) {
  return code.size() == 10 && code.find_first_not_of("0123456789") == std::string::npos;
}

class NewinstWithdrawPage {
 public:
  NewinstWithdrawPage(PortalDeps d, std::string base) : d_(std::move(d)), base_(std::move(base)) {}

  web::Response Ask(const web::Request& req) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    const std::string code = FormData::Parse(req.query).Get("code");
    if (!TenDigits(code) || !MayAsk(*s, code)) return NotFoundPage(*s);
    json data = {
        {"title", "指定なしの報告（取り下げ）"},
        {"question", "仮コード・受付番号 " + code +
                         " で設定した内容（電子証明書、発行申請、アカウント、料金）をすべて"
                         "取り下げます。電子証明書は失効し、元に戻せません。よろしいでしょうか？"},
        {"action", base_ + "?code=" + code},
        {"csrf", s->csrf},
        {"back", s->caller.principal.kind == "operator" ? "/console/" : "/portal/"}};
    return Page("confirm_action", data, &*s);
  }

  web::Response Withdraw(const web::Request& req) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    std::string code = f.Get("code");
    if (code.empty()) code = FormData::Parse(req.query).Get("code");
    if (!TenDigits(code)) return NotFoundPage(*s);
    if (f.Get("confirmed") != "1") return Ask(req);
    auto r = d_.newinst_withdraw(s->caller, code);
    if (!r.ok()) {
      if (r.status().code() == Code::kNotFound) return NotFoundPage(*s);
      return Message(
          &*s, web::HttpStatusFor(r.status().code()), "取り下げできません",
          r.status().code() == Code::kFailedPrecondition
              ? "すでに指定済みのため、取り下げできません。"
              : "ただいま取り下げできません。しばらくしてから、もう一度お試しください。");
    }
    return Message(&*s, 200, "取り下げました", *r);
  }

 private:
  // The question only for who may withdraw: an operator with newinst_manage, a clinic
  // naming one of its own codes (the withdrawal itself checks the row's codes).
  static bool MayAsk(const Session& s, const std::string& code) {
    return auth::Allows(s.caller.principal, auth::Permission::kNewinstManage) ||
           auth::Allows(s.caller.principal, auth::Permission::kNewinstPresent, code);
  }
  static web::Response NotFoundPage(const Session& s) {
    return Message(&s, 404, "見つかりません", "この仮コード・受付番号は見つかりません。");
  }

  PortalDeps d_;
  std::string base_;
};

}  // namespace

void AddNewinstWithdrawRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.newinst_withdraw) return;
  for (const char* base : {"/portal/newinst/withdraw", "/console/newinst/withdraw"}) {
    auto page = std::make_shared<NewinstWithdrawPage>(deps, base);
    router.Handle("GET", base, false, [page](const web::Request& r) { return page->Ask(r); });
    router.Handle("POST", base, false, [page](const web::Request& r) { return page->Withdraw(r); });
  }
}

}  // namespace claimsca::portal
