// The clinic's 補助金申請 page (docs/qualcheck.md "Subsidy"): its application's state and
// amount, or the receipts form with the amount computed (計算する) before it is submitted
// (申請する). An institution sees and applies only for its own codes (subsidy_apply); a
// code it does not hold answers 404.

#include <memory>
#include <nlohmann/json.hpp>

#include "portal/page.h"
#include "portal/routes.h"
#include "portal/subsidy_pages.h"
#include "portal/subsidy_views.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

class SubsidyPortal {
 public:
  SubsidyPortal(PortalDeps d, const SubsidyPages& p) : d_(std::move(d)), p_(p) {}

  web::Response Show(const web::Request& req) { return Handle(req, false); }
  web::Response Post(const web::Request& req) { return Handle(req, true); }

 private:
  web::Response Handle(const web::Request& req, bool post) {
    auto s = LoadSession(d_, req);
    if (!s) return Redirect("/portal/login");
    if (s->caller.principal.kind == "operator") return Redirect("/console/subsidy");
    const FormData f = FormData::Parse(post ? req.body : req.query);
    const auto& codes = s->caller.principal.institution_codes;
    std::string code = f.Get("code");
    if (code.empty() && !codes.empty()) code = codes.front();
    if (!auth::Allows(s->caller.principal, auth::Permission::kSubsidyApply, code)) {
      return Message(&*s, 404, "見つかりません", "お探しの補助金申請は見つかりませんでした。",
                     "/portal/", "マイページに戻る");
    }
    if (post && !CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);

    json data = {{"title", "補助金申請（資格確認限定型）"}, {"code", code}};
    json code_list = json::array();
    for (const auto& c : codes) code_list.push_back({{"code", c}, {"selected", c == code}});
    data["codes"] = code_list;
    data["several_codes"] = codes.size() > 1;
    data["receipt_rows"] = SubsidyReceiptRows(f);
    int status = 200;
    if (post) {
      Result<std::vector<subsidy::Receipt>> receipts = SubsidyReceiptsFromForm(f);
      Result<subsidy::Calculation> calc =
          receipts.ok() ? p_.preview(*receipts) : Result<subsidy::Calculation>(receipts.status());
      if (!calc.ok()) {
        data["error"] = std::string(calc.status().message());
        status = 422;
      } else if (f.Get("action") == "submit") {
        Result<subsidy::Application> a = p_.apply(subsidy::ApplyRequest{
            code, "", subsidy::Channel::kPortal, *receipts, s->caller.Actor()});
        if (a.ok()) return Redirect("/portal/subsidy?code=" + UrlEncode(code) + "&done=1");
        data["error"] = std::string(a.status().message());
        status = a.status().code() == Code::kConflict ? 409 : 422;
      } else {
        data["calc"] = SubsidyCalculationJson(*calc);
      }
    }
    auto list = p_.list(std::nullopt, code);
    if (!list.ok()) {
      return Message(&*s, 503, "補助金申請", "ただいま表示できません。", "/portal/",
                     "マイページに戻る");
    }
    json apps = json::array();
    bool open = false;
    for (const subsidy::Application& a : *list) {
      open = open || a.state != subsidy::State::kRejected;
      auto full = p_.get(a.application_id);  // with its receipts
      apps.push_back(SubsidyApplicationJson(full.ok() ? *full : a));
    }
    data["applications"] = apps;
    data["can_apply"] = !open;
    data["done"] = f.Get("done") == "1";
    return Page("subsidy", data, &*s, status);
  }

  PortalDeps d_;
  const SubsidyPages& p_;  // outlives the router (PortalDeps::subsidy)
};

}  // namespace

void AddSubsidyPortalRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.subsidy || !deps.subsidy->apply) return;
  auto self = std::make_shared<SubsidyPortal>(deps, *deps.subsidy);
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", "/portal/subsidy", false, [self](const web::Request& r) { return self->Show(r); },
      slow);
  router.Handle(
      "POST", "/portal/subsidy", false, [self](const web::Request& r) { return self->Post(r); },
      slow);
}

}  // namespace claimsca::portal
