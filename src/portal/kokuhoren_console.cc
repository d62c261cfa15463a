// The console's 国保連 page (docs/kokuhoren.md "Pages"): the program filter's second
// program. Its applications by state (入金確認待ち, 発行申請中, …), 承認 of a pending one
// (相殺 applications, unless [kokuhoren] auto_issue) and 入金確認 of a 振込 one waiting for
// its payment; reading is kj_read (reviewer and up), the actions kj_review.

#include <memory>
#include <nlohmann/json.hpp>

#include "portal/kokuhoren_views.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

class KjConsole {
 public:
  KjConsole(PortalDeps d, const KokuhorenPages& k) : d_(std::move(d)), k_(k) {}

  std::optional<Session> Operator(const web::Request& req, web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (s->caller.principal.kind != "operator" ||
        !auth::Allows(s->caller.principal, auth::Permission::kKjRead, auth::kEveryInstitution)) {
      *refused = Message(&*s, 403, "運用者コンソール",
                         "運用者コンソールは、認証局の運用者のアカウントでのみ利用できます。",
                         IsKjAccount(s->caller.principal.kind) ? "/kj/" : "/portal/", "戻る");
      return std::nullopt;
    }
    return s;
  }

  web::Response List(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused);
    if (!s) return refused;
    FormData q = FormData::Parse(req.query);
    std::string state = q.Has("state") ? q.Get("state") : "waiting";
    auto rows = k_.queue(state == "waiting" || state == "all" ? "" : state);
    if (!rows.ok()) {
      return Message(&*s, 503, "国保連", "ただいま表示できません。", "/console/",
                     "コンソールに戻る");
    }
    const bool review = auth::Allows(s->caller.principal, auth::Permission::kKjReview);
    json list = json::array();
    for (const auto& r : *rows) {
      if (state == "waiting" && r.state != "pending" && r.state != "awaiting_payment") continue;
      list.push_back(
          {{"id", r.application_id},
           {"office", r.office},
           {"office_name", r.office_name},
           {"user_id", r.user_id},
           {"applied", Minute(r.applied_at)},
           {"state", KjStateJa(r.state)},
           {"state_class", r.state},
           {"usage", KjUsageJa(r.usage)},
           {"payment", KjPaymentJa(r.payment)},
           {"fee", KjYen(r.fee_yen)},
           {"approve", review && k_.approve && r.state == "pending"},
           {"confirm_payment", review && k_.confirm_payment && r.state == "awaiting_payment"}});
    }
    json states = json::array();
    for (const auto& [value, label] :
         std::vector<std::pair<std::string, std::string>>{{"waiting", "承認・入金確認待ち"},
                                                          {"awaiting_payment", "入金確認待ち"},
                                                          {"pending", "発行申請中"},
                                                          {"issued", "発行済み"},
                                                          {"revoked", "失効済み"},
                                                          {"cancelled", "取消"},
                                                          {"all", "すべて"}}) {
      states.push_back({{"value", value}, {"label", label}, {"selected", value == state}});
    }
    std::string done = q.Get("done");
    return Page("console_kokuhoren",
                {{"title", "運用者コンソール（国保連）"},
                 {"rows", list},
                 {"empty", list.empty()},
                 {"states", states},
                 {"done", done == "approve" ? "承認しました（証明書を発行しました）。"
                          : done == "payment" ? "入金を確認しました。"
                                              : ""}},
                &*s);
  }

  // POST /console/kokuhoren/{id}/approve | /payment
  web::Response Action(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused);
    if (!s) return refused;
    const auto [id, action] = IdAndAction(req.path, "/console/kokuhoren/");
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    if (!auth::Allows(s->caller.principal, auth::Permission::kKjReview)) {
      return Message(&*s, 403, "この操作はできません",
                     "このアカウントの権限では、この操作はできません。", "/console/kokuhoren",
                     "一覧に戻る");
    }
    Status st = action == "approve" && k_.approve           ? k_.approve(s->caller, id)
                : action == "payment" && k_.confirm_payment ? k_.confirm_payment(s->caller, id)
                                                            : NotFound("no such operation");
    if (!st.ok()) {
      switch (st.code()) {
        case Code::kNotFound:
          return Message(&*s, 404, "見つかりません", "指定された申請は見つかりません。",
                         "/console/kokuhoren", "一覧に戻る");
        case Code::kFailedPrecondition:
        case Code::kConflict:
          return Message(&*s, 409, "この操作はできません",
                         "申請の状態が変わったため、この操作はできません（" + st.message() + "）。",
                         "/console/kokuhoren", "一覧に戻る");
        case Code::kForbidden:
          return Message(&*s, 403, "この操作はできません", st.message(), "/console/kokuhoren",
                         "一覧に戻る");
        default:
          return Message(&*s, 503, "ただいま処理できません",
                         "しばらくしてから、もう一度お試しください。", "/console/kokuhoren",
                         "一覧に戻る");
      }
    }
    return Redirect("/console/kokuhoren?done=" + std::string(action));
  }

 private:
  PortalDeps d_;
  const KokuhorenPages& k_;
};

}  // namespace

void AddKokuhorenConsoleRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.kokuhoren || !deps.kokuhoren->queue) return;
  auto self = std::make_shared<KjConsole>(deps, *deps.kokuhoren);
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", "/console/kokuhoren", false, [self](const web::Request& r) { return self->List(r); },
      slow);
  router.Handle(
      "POST", "/console/kokuhoren/", true,
      [self](const web::Request& r) { return self->Action(r); }, slow);
}

}  // namespace claimsca::portal
